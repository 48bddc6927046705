/**
 * Issue 11 class 6 through the real server, on a cgo module written for it: strings handed to C
 * (kept by a list its destroy function frees, passed with a destructor, kept by a helper another
 * file's preamble defines) publish nothing and fix-all never frees them; the string C only reads
 * gets a preferred, bulk-applied free; an unseen library's string gets a quick fix that fix-all
 * leaves alone; a uintptr holding a C address publishes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from './lspClient';
import { configAnswer, msg, tempCopy, withCode } from './helpers';

function apply(text: string, edits: { range: any; newText: string }[]): string {
	return TextDocument.applyEdits(TextDocument.create('file:///x.go', 'go', 1, text), edits);
}

describe('cgo ownership', () => {
	let client: LspClient;
	let fixture: { dir: string; cleanup: () => void };
	let owner: string;
	let diags: Diagnostic[];
	before(async () => {
		fixture = tempCopy('cgo');
		client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
		owner = await client.open(path.join(fixture.dir, 'owner.go'));
		await client.waitForQuiescent((s) => s.state === 'upToDate');
		diags = withCode(await client.waitForDiagnostics(owner, (d) => withCode(d, 'cgo-cstring-leak').length > 0), 'cgo-cstring-leak');
	});
	after(async () => {
		await client.shutdown();
		fixture.cleanup();
	});

	test('only the read-only string and the unseen library call are reported', () => {
		assert.deepEqual(diags.map((d) => [d.range.start.line, d.severity]), [
			[29, 2],
			[35, 2],
		]);
		assert.match(msg(diags[1]), /`C\.getpwnam` is not defined in this package's C code/);
	});

	test('quick fixes: preferred for the certain leak, offered but not preferred for the unseen callee', async () => {
		const certain = (await client.codeActions(owner, diags[0].range, [diags[0]])).find((a) => a.kind === 'quickfix');
		assert.equal(certain?.isPreferred, true);
		const doubtful = (await client.codeActions(owner, diags[1].range, [diags[1]])).find((a) => a.kind === 'quickfix');
		assert.ok(doubtful, 'offered');
		assert.notEqual(doubtful.isPreferred, true);
		assert.match(doubtful.title, /only if nothing keeps it/);
	});

	test('source.fixAll frees only the read-only string: never a string handed to C', async () => {
		const actions = await client.codeActions(owner, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll']);
		assert.equal(actions.length, 1);
		const before = readFileSync(path.join(fixture.dir, 'owner.go'), 'utf8');
		const fixed = apply(before, actions[0].edit!.changes![owner]);
		assert.equal(fixed.match(/C\.free\(unsafe\.Pointer/g)?.length, 1, fixed);
		assert.match(fixed, /cs := C\.CString\(name\)\n\tdefer C\.free\(unsafe\.Pointer\(cs\)\)\n\treturn int\(C\.name_len\(cs\)\)/);
		assert.match(fixed, /cs := C\.CString\(n\)\n\t\tC\.strlist_set\(l, C\.int\(i\), cs\)\n\t\}/);
		assert.match(fixed, /cs := C\.CString\(name\)\n\treturn C\.getpwnam\(cs\) != nil/);
	});

	test('uintptr holding C addresses publishes nothing; a Go address kept across a call does', async () => {
		const native = await client.open(path.join(fixture.dir, 'native.go'));
		const goaddr = await client.open(path.join(fixture.dir, 'goaddr.go'));
		const g = await client.waitForDiagnostics(goaddr, (d) => withCode(d, 'uintptr-stored-pointer').length > 0);
		assert.deepEqual(withCode(g, 'uintptr-stored-pointer').map((d) => [d.range.start.line, d.severity]), [[13, 2]]);
		await client.waitForQuiescent((s) => s.state === 'upToDate');
		assert.deepEqual(withCode(await client.waitForDiagnostics(native), 'uintptr-stored-pointer'), []);
	});
});
