/**
 * The pool rules over the real server on a module shaped like real pool users (test/fixtures/lsp/
 * poolflows): ownership that moves on through aliases, getters, methods of the object and code in
 * another file of the package is never called a missing Put (issue 11, class 1); a defer
 * registered after an early return is found; fix-all applies only the defer fix that cannot put
 * back a live object.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from './lspClient';
import { configAnswer, FIXTURES, msg } from './helpers';

const FILE = path.join(FIXTURES, 'poolflows', 'flows.go');
const TEXT = readFileSync(FILE, 'utf8');

/** 0-based line of the first line containing `needle` at or after line `from`. */
function lineOf(needle: string, from = 0): number {
	const i = TEXT.split('\n').findIndex((l, n) => n >= from && l.includes(needle));
	assert.ok(i >= 0, needle);
	return i;
}

function apply(text: string, edits: { range: any; newText: string }[]): string {
	return TextDocument.applyEdits(TextDocument.create('file:///x.go', 'go', 1, text), edits);
}

describe('pool rules on real-world ownership shapes (LSP)', () => {
	let client: LspClient;
	let uri: string;
	let pool: Diagnostic[];
	before(async () => {
		client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
		uri = await client.open(FILE);
		await client.waitForQuiescent((s) => s.state === 'upToDate');
		pool = (await client.waitForDiagnostics(uri)).filter((d) => String(d.code).startsWith('pool-'));
	});
	after(() => client.shutdown());

	test('only the two real misses are published: aliases, getters, refcounts, queues and other files are silent', () => {
		const json = lineOf('func writeJSON');
		const queue = lineOf('func writeOrQueue');
		assert.deepEqual(
			pool.map((d) => `${d.code}@${d.range.start.line}`),
			[`pool-put-missing@${json + 1}`, `pool-put-missing@${queue + 1}`],
		);
		assert.match(msg(pool[0]), new RegExp(`returns at line ${lineOf('return errors.New("nil value")') + 1}: the deferred Put is registered after that return`));
		assert.equal(pool[0].severity, 3, 'information');
		assert.ok(pool[0].relatedInformation?.some((r) => r.location.range.start.line === lineOf('defer bufPool.Put(b)', json)));
	});

	test('the quick fix moves the late defer up to the Get', async () => {
		const actions = await client.codeActions(uri, pool[0].range, [pool[0]]);
		const fix = actions.find((a) => a.kind === 'quickfix');
		assert.ok(fix?.edit?.changes?.[uri], 'quick fix');
		const fixed = apply(TEXT, fix.edit.changes[uri]);
		assert.match(fixed, /b := bufPool\.Get\(\)\.\(\*bytes\.Buffer\)\n\tdefer bufPool\.Put\(b\)\n\tif v == nil \{/);
		assert.equal((fixed.match(/\tdefer bufPool\.Put\(b\)\n/g) ?? []).length, 2, 'the late defer is gone (copyString keeps its own)');
	});

	test('fix-all applies the safe defer fix and leaves the one that could put back a buffer still in a channel', async () => {
		const actions = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll']);
		const all = actions.find((a) => a.kind === 'source.fixAll.memlens');
		assert.ok(all?.edit?.changes?.[uri]);
		const fixed = apply(TEXT, all.edit.changes[uri]);
		const queueBody = fixed.slice(fixed.indexOf('func writeOrQueue'));
		assert.doesNotMatch(queueBody, /defer bufPool\.Put/);
		assert.match(queueBody, /\n\tbufPool\.Put\(b\)\n\treturn err\n/);
		assert.match(fixed, /b := bufPool\.Get\(\)\.\(\*bytes\.Buffer\)\n\tdefer bufPool\.Put\(b\)\n\tif v == nil \{/);
	});
});
