/**
 * Keystrokes through the real server: the publish for each version reflects the edit in the
 * touched function at once (findings below it moved, a typed suppression honoured), and an edit
 * whose effect lands in another function (a pool wrapper that stops resetting) shows after the
 * whole-file settle run, without another keystroke.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from './lspClient';
import { configAnswer, FIXTURES, withCode } from './helpers';

const FILE = path.join(FIXTURES, 'keystrokes', 'pool.go');

describe('keystrokes', () => {
	let client: LspClient;
	let uri: string;
	let text = readFileSync(FILE, 'utf8');
	before(async () => {
		client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
		uri = await client.open(FILE);
		await client.waitForQuiescent((s) => s.state === 'upToDate');
	});
	after(() => client.shutdown());

	/** Replaces the first `find` by `by` as one incremental change; resolves with that version's publish. */
	async function edit(find: string, by: string): Promise<Diagnostic[]> {
		const at = text.indexOf(find);
		assert.ok(at >= 0, find);
		const pos = (o: number) => {
			const lines = text.slice(0, o).split('\n');
			return { line: lines.length - 1, character: lines[lines.length - 1].length };
		};
		const range = { start: pos(at), end: pos(at + find.length) };
		text = text.slice(0, at) + by + text.slice(at + find.length);
		const version = await client.change(uri, [{ range, text: by }]);
		return client.waitForDiagnostics(uri, (_d, p) => p.version === version);
	}

	const lineOf = (d: Diagnostic[], code: string) => withCode(d, code).map((x) => x.range.start.line + 1);

	test('an edit inside a function: findings below move, the touched function is re-checked', async () => {
		const first = await client.waitForDiagnostics(uri);
		assert.deepEqual(lineOf(first, 'defer-in-loop'), [30]);
		const d = await edit('\tfor _, m := range mus {\n', '\tif len(mus) == 0 {\n\t\treturn\n\t}\n\tfor _, m := range mus {\n');
		assert.deepEqual(lineOf(d, 'defer-in-loop'), [33]);
		assert.ok(d.some((x) => x.code === 'moved-to-heap' || x.code === 'escapes-to-heap' || x.code === 'leaking-param'), 'compiler facts stay');
	});

	test('a suppression typed above a finding applies in the same publish', async () => {
		const d = await edit('\t\tdefer m.Unlock()', '\t\t//memlens:ignore defer-in-loop unlocked together on return\n\t\tdefer m.Unlock()');
		assert.deepEqual(lineOf(d, 'defer-in-loop'), []);
		const back = await edit('\t\t//memlens:ignore defer-in-loop unlocked together on return\n', '');
		assert.deepEqual(lineOf(back, 'defer-in-loop'), [33]);
	});

	test('a wrapper that stops resetting: the finding in its caller appears after the settle run', async () => {
		const settledP = client.nextDiagnostics(uri, (x) => withCode(x, 'pool-get-without-reset').length > 0, 10_000);
		const d = await edit('\tb.Reset()\n', '');
		// The keystroke re-checked getBuf only; render is another function.
		assert.deepEqual(lineOf(d, 'pool-get-without-reset'), []);
		const settled = await settledP;
		assert.deepEqual(lineOf(settled, 'pool-get-without-reset'), [19]);
		assert.deepEqual(lineOf(settled, 'defer-in-loop'), [32]);
	});
});
