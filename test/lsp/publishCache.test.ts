/**
 * Keystrokes reuse what the last publish built for the compiler facts (lsp/factCache.ts) and the
 * stdio writer frames the publish from kept bytes (lsp/wire.ts). Through the real server: after
 * edits the compiler does not care about (blank lines and comments added above, between and inside
 * functions, between a fact and its flow step, a trailing comment typed on a fact's line, a line
 * removed), the compiler diagnostics
 * the edited server publishes equal those a fresh server publishes for the same text after its own
 * compile; and so do they after a save that brings new facts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { ESCAPE_KINDS } from '../../server/src/model';
import { LspClient } from './lspClient';
import { configAnswer, tempCopy } from './helpers';

// Every kind shown, so inlining and does-not-escape facts are compared too.
const SETTINGS = { debounceMs: 0, escapeSeverities: { 'does-not-escape': 'hint', inlining: 'hint' } };

const compilerDiagnostics = (d: Diagnostic[]) => d.filter((x) => (ESCAPE_KINDS as readonly string[]).includes(String(x.code)));

describe('publishes after keystrokes equal a fresh server’s', () => {
	let tmp: ReturnType<typeof tempCopy>;
	let file: string;
	let client: LspClient;
	let uri: string;
	let text: string;
	before(async () => {
		tmp = tempCopy('basic');
		file = path.join(tmp.dir, 'pool.go');
		client = await LspClient.start({ configuration: configAnswer(SETTINGS) });
		uri = await client.open(file);
		await client.waitForQuiescent((s) => s.state === 'upToDate');
		text = readFileSync(file, 'utf8');
	});
	after(async () => {
		await client.shutdown();
		tmp.cleanup();
	});

	/** One incremental change at a line and character of the current text; resolves with that version's publish. */
	async function edit(line: number, character: number, endLine: number, endCharacter: number, insert: string): Promise<Diagnostic[]> {
		const lines = text.split('\n');
		const off = (l: number, c: number) => lines.slice(0, l).reduce((n, x) => n + x.length + 1, 0) + c;
		text = text.slice(0, off(line, character)) + insert + text.slice(off(endLine, endCharacter));
		const version = await client.change(uri, [{ range: { start: { line, character }, end: { line: endLine, character: endCharacter } }, text: insert }]);
		return client.waitForDiagnostics(uri, (_d, p) => p.version === version);
	}

	/** The compiler diagnostics a new server shows for `text` once it has compiled it. */
	async function fresh(): Promise<Diagnostic[]> {
		writeFileSync(file, text);
		const other = await LspClient.start({ configuration: configAnswer(SETTINGS) });
		try {
			const u = await other.open(file);
			await other.waitForQuiescent((s) => s.state === 'upToDate');
			return compilerDiagnostics(await other.waitForDiagnostics(u, (d) => compilerDiagnostics(d).length > 0));
		} finally {
			await other.shutdown();
		}
	}

	test('blank lines, comments and a trailing comment on a fact line: the same compiler diagnostics as a fresh compile', async () => {
		const first = compilerDiagnostics(await client.waitForDiagnostics(uri, (d) => compilerDiagnostics(d).length > 0));
		assert.ok(first.some((d) => d.code === 'moved-to-heap' && d.relatedInformation?.length), 'facts with flow steps');
		await edit(0, 0, 0, 0, '\n'); // above everything
		await edit(10, 3, 10, 3, 'x'); // in Keep's doc comment
		const keep = text.split('\n').findIndex((l) => l.includes('var buf [64]byte'));
		await edit(keep, text.split('\n')[keep].length, keep, text.split('\n')[keep].length, ' // typed'); // buf's own line
		// between buf and its flow step (pool.Put(&buf)): the fact stays, its step and message move
		assert.deepEqual(compilerDiagnostics(await edit(keep + 1, 0, keep + 1, 0, '\n')), await fresh());
		const np = text.split('\n').findIndex((l) => l.startsWith('// NewPoint'));
		await edit(np, 0, np, 0, '// note\n\n'); // between functions
		await edit(0, 0, 1, 0, ''); // the first blank line removed: everything moves up
		const sum = text.split('\n').findIndex((l) => l.includes('for _, x := range xs'));
		assert.deepEqual(compilerDiagnostics(await edit(sum, 0, sum, 0, '\n\t// inside\n')), await fresh()); // inside a function
	});

	test('a save that brings new facts: the same as a fresh server', async () => {
		const end = text.split('\n').length - 1;
		await edit(end, text.split('\n')[end].length, end, text.split('\n')[end].length, '\n// Grow moves n to the heap.\nfunc Grow() *int {\n\tn := 3\n\treturn &n\n}\n');
		writeFileSync(file, text);
		await client.save(uri);
		const saved = compilerDiagnostics(await client.waitForDiagnostics(uri, (d) => compilerDiagnostics(d).some((x) => x.code === 'moved-to-heap' && String(x.message).startsWith('`n`'))));
		assert.deepEqual(saved, await fresh());
	});
});
