/**
 * Issue 11 through the real server: defer-in-loop and time-after-in-loop on the fixture module
 * (test/fixtures/issue11): each false-positive class silent, each real bug found at the severity
 * its evidence gives, the go-critic / revive / GoLand suppressions honoured, also on a keystroke
 * (a scoped run re-reads the directive above the edited function).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient, REPO_ROOT } from './lspClient';
import { configAnswer } from './helpers';
import { wantsOf } from '../fixtures/issue11/wants';

const DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'issue11', 'defer');
const RULES = new Set(['defer-in-loop', 'time-after-in-loop']);
const SEVERITY = ['', 'error', 'warning', 'information', 'hint'];

function ours(d: Diagnostic[]): string[] {
	return d.filter((x) => RULES.has(String(x.code))).map((x) => `${x.range.start.line + 1} ${x.code} ${SEVERITY[x.severity ?? 0]}`);
}

describe('issue 11 defer/time.After classes through the LSP server', () => {
	let client: LspClient;
	before(async () => {
		client = await LspClient.start({ rootPath: DIR, configuration: configAnswer({ escapeEnabled: false, debounceMs: 0 }) });
	});
	after(() => client?.shutdown());

	for (const file of readdirSync(DIR).filter((f) => f.endsWith('.go')).sort()) {
		test(file, async () => {
			const uri = await client.open(path.join(DIR, file));
			try {
				const d = await client.waitForDiagnostics(uri, (_d, p) => p.version === 1);
				const want = wantsOf(DIR)
					.filter((w) => w.file === file)
					.map((w) => `${w.line} ${w.rule} ${w.severity}`);
				assert.deepEqual(ours(d).sort(), want.sort());
			} finally {
				await client.close(uri);
			}
		});
	}

	test('a keystroke inside a function under `//nolint:revive` keeps it suppressed (scoped run)', async () => {
		const file = path.join(DIR, 'suppressed.go');
		const text = readFileSync(file, 'utf8');
		const uri = await client.open(file, text);
		try {
			await client.waitForDiagnostics(uri, (_d, p) => p.version === 1);
			// Inside func revive's loop body: `_, _ = f.Stat()` becomes `_, _ = f.Stat() `.
			const lines = text.split('\n');
			const at = lines.findIndex((l, i) => i > lines.findIndex((x) => x.startsWith('func revive(')) && l.includes('_, _ = f.Stat()'));
			const character = lines[at].length;
			const v = await client.change(uri, [{ range: { start: { line: at, character }, end: { line: at, character } }, text: ' ' }]);
			const d = await client.waitForDiagnostics(uri, (_d, p) => p.version === v);
			assert.deepEqual(ours(d).sort(), ['53 defer-in-loop warning', '61 defer-in-loop warning']);
		} finally {
			await client.close(uri);
		}
	});
});
