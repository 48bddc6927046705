/**
 * subslice-retention through the real server (issue 11, class 2): zero-copy views stay silent,
 * real retention is reported at the severity its evidence allows, and only a string copy at
 * warning level is in source.fixAll.memlens. Fixture: test/fixtures/subslice (copied to a temp dir).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient, REPO_ROOT } from './lspClient';
import { configAnswer, msg, withCode } from './helpers';

const RULE = 'subslice-retention';

describe('subslice-retention over LSP', () => {
	let client: LspClient;
	let tmp: string;
	let dir: string;
	before(async () => {
		tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-lsp-'));
		dir = path.join(tmp, 'subslice');
		cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'subslice'), dir, { recursive: true });
		client = await LspClient.start({ rootPath: dir, configuration: configAnswer({ debounceMs: 0 }) });
	});
	after(async () => {
		await client.shutdown();
		rmSync(tmp, { recursive: true, force: true });
	});

	async function settled(file: string): Promise<{ uri: string; diags: Diagnostic[] }> {
		const uri = await client.open(path.join(dir, file));
		await client.waitForQuiescent((s) => s.state === 'upToDate');
		// Compiler facts are in: the rules have run with them.
		const diags = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.source === 'memlens' && typeof x.code === 'string' && /leaking|escape|heap/.test(x.code)));
		return { uri, diags };
	}

	test('views the code means to keep (decoders, owners, lexers, readers, filled reads, kept-whole and captured buffers) are not reported', async () => {
		const { diags } = await settled('views.go');
		assert.deepEqual(withCode(diags, RULE).map((d) => d.range.start.line + 1), []);
	});

	test('retention is reported with its evidence: warnings for buffers the call made kept where they outlive it, hints otherwise', async () => {
		const { uri, diags } = await settled('leaks.go');
		const found = withCode(diags, RULE);
		// LSP severities: 2 warning, 4 hint.
		assert.deepEqual(
			found.map((d) => [d.range.start.line + 1, d.severity]),
			[[22, 2], [42, 2], [53, 2], [59, 4], [74, 4], [83, 4], [91, 4], [100, 4]],
		);
		assert.match(msg(found[5]), /The compiler reports `leaking param: key`/);

		// The string copy is the only bulk-safe fix; the []byte ones are quick fixes only.
		const all = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll']);
		const text = readFileSync(path.join(dir, 'leaks.go'), 'utf8');
		const edits = all.flatMap((a) => a.edit?.changes?.[uri] ?? []).filter((e) => /Clone/.test(e.newText));
		assert.deepEqual(edits.map((e) => e.newText), ['strings.Clone(text[:i])']);
		const quick = await client.codeActions(uri, found[0].range, [found[0]]);
		const fix = quick.find((a) => a.kind === 'quickfix' && /bytes\.Clone/.test(a.title));
		assert.ok(fix, 'the []byte copy is offered as a quick fix');
		const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'go', 1, text), fix.edit!.changes![uri] as never);
		assert.match(fixed, /firstLines\[path\] = bytes\.Clone\(data\[:end\]\)/);
	});
});
