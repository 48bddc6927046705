/**
 * Syntax rule findings next to compiler facts, their quick fixes and source.fixAll.memlens, over
 * the real server (fixture module at go 1.22, so `v := v` is redundant).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from './lspClient';
import { configAnswer, FIXTURES, msg, span, withCode } from './helpers';

const FILE = path.join(FIXTURES, 'rules', 'rules.go');

function apply(text: string, edits: { range: any; newText: string }[]): string {
	return TextDocument.applyEdits(TextDocument.create('file:///x.go', 'go', 1, text), edits);
}

describe('rule findings and code actions', () => {
	let client: LspClient;
	let uri: string;
	let diags: Diagnostic[];
	before(async () => {
		client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
		uri = await client.open(FILE);
		await client.waitForQuiescent((s) => s.state === 'upToDate');
		diags = await client.waitForDiagnostics(uri);
	});
	after(() => client.shutdown());

	test('rule findings are published with code, doc link and tags, next to compiler facts', () => {
		const red = withCode(diags, 'loopvar-redundant-copy');
		assert.deepEqual(red.map(span), ['7:2-8']);
		assert.match(red[0].codeDescription?.href ?? '', /docs\/rules\/loopvar-redundant-copy\.md$/);
		assert.deepEqual(red[0].tags, [1]);
		assert.match(msg(red[0]), /go1\.22/);
		assert.equal(withCode(diags, 'defer-in-loop').length, 1);
		assert.ok(diags.some((d) => d.code === 'leaking-param'), 'compiler facts in the same file');
	});

	test('the quick fix for a finding removes the redundant copy and is preferred', async () => {
		const red = withCode(diags, 'loopvar-redundant-copy')[0];
		const actions = await client.codeActions(uri, red.range, [red]);
		const fix = actions.find((a) => a.kind === 'quickfix');
		assert.ok(fix, 'quick fix');
		assert.equal(fix.isPreferred, true);
		assert.ok(!actions.some((a) => a.kind === 'source.fixAll.memlens'), 'no source action in the lightbulb');
		const text = readFileSync(FILE, 'utf8');
		const fixed = apply(text, fix.edit!.changes![uri]);
		assert.ok(!fixed.includes('v := v'));
		assert.equal(fixed.split('\n').length, text.split('\n').length - 1);
	});

	test('source.fixAll.memlens returns every safe fix of the file in one edit', async () => {
		const actions = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll']);
		assert.equal(actions.length, 1);
		assert.equal(actions[0].kind, 'source.fixAll.memlens');
		const fixed = apply(readFileSync(FILE, 'utf8'), actions[0].edit!.changes![uri]);
		assert.ok(!fixed.includes('v := v'));
		assert.ok(fixed.includes('defer f.Close()'), 'the defer-in-loop fix is not marked safe, so it is not applied');
	});

	test('hover on a rule finding shows its message and doc link', async () => {
		const h = await client.hover(uri, 7, 3);
		assert.ok(h);
		assert.match(h.contents.value, /Redundant copy of loop variable/);
		assert.match(h.contents.value, /\(file:\/\/.*docs\/rules\/loopvar-redundant-copy\.md\)/);
	});

	test('settings are re-read on didChangeConfiguration: a disabled rule disappears', async () => {
		let memlens: Record<string, unknown> = { debounceMs: 0 };
		const c2 = await LspClient.start({ configuration: (it) => (it.section === 'goMemlens' ? memlens : null) });
		try {
			const u = await c2.open(FILE);
			await c2.waitForDiagnostics(u, (d) => withCode(d, 'loopvar-redundant-copy').length === 1);
			await c2.waitForQuiescent((s) => s.state === 'upToDate');
			const spawned = (await c2.debugStats()).spawnCount;
			memlens = { debounceMs: 0, disabledRules: ['loopvar-redundant-copy'], escapeSeverities: { 'leaking-param': 'off' } };
			await c2.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
			const after = await c2.waitForDiagnostics(u, (d) => withCode(d, 'loopvar-redundant-copy').length === 0);
			assert.equal(withCode(after, 'defer-in-loop').length, 1);
			await c2.waitForQuiescent((s) => s.state === 'upToDate');
			const final = c2.diagnostics.get(u)!.diagnostics;
			assert.equal(withCode(final, 'leaking-param').length, 0, "escape severity 'off' hides the kind");
			assert.ok(withCode(final, 'leaking-param-content').length > 0);
			assert.equal((await c2.debugStats()).spawnCount, spawned, 'a severity change costs no compile');
		} finally {
			await c2.shutdown();
		}
	});
});
