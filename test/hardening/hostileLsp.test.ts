/**
 * The hostile corpus (test/fixtures/hostile, see its README) through the real server over stdio:
 * every case ends with a clear, quiescent status, no crash and no unhandled rejection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { URI } from 'vscode-uri';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { StatusParams } from '../../common/protocol';
import type { LspClient } from '../lsp/lspClient';
import { settledStatus, startServer } from './server';
import { removeCase, tempCase } from './workspace';

interface CaseResult {
	status: StatusParams;
	diagnostics: Diagnostic[];
	client: LspClient;
	dir: string;
	uri: string;
}

/** Opens `file` of corpus case `name` in a fresh server and waits for the package to settle. */
async function runCase(
	name: string,
	file: string,
	check: (r: CaseResult) => Promise<void> | void,
	opts: { settings?: Record<string, unknown> | ((dir: string) => Record<string, unknown>); env?: Record<string, string>; prepare?: (dir: string) => void; text?: string } = {},
): Promise<void> {
	const dir = tempCase(name);
	opts.prepare?.(dir);
	const settings = typeof opts.settings === 'function' ? opts.settings(dir) : opts.settings;
	const s = await startServer({ root: dir, settings, env: opts.env });
	try {
		const abs = path.join(dir, file);
		const uri = await s.client.open(abs, opts.text);
		const status = await settledStatus(s.client, URI.file(path.dirname(abs)).toString());
		assert.ok(status.message.length > 0, 'the status says something');
		const diagnostics = await s.client.waitForDiagnostics(uri);
		await check({ status, diagnostics, client: s.client, dir, uri });
		s.assertHealthy();
		const stats = await s.client.debugStats();
		assert.equal(stats.liveProcesses, 0, 'no go process left when settled');
	} finally {
		await s.stop();
		removeCase(dir);
	}
}

const memlens = (d: Diagnostic[]) => d.filter((x) => x.source === 'memlens');
/** The escape diagnostic of `kind` on 0-based `line` (message wording is not this test's business). */
const fact = (d: Diagnostic[], kind: string, line: number) => d.find((x) => x.code === kind && x.range.start.line === line);

test('basic: facts shown, upToDate', () =>
	runCase('basic', 'a.go', ({ status, diagnostics }) => {
		assert.equal(status.state, 'upToDate');
		const n = fact(diagnostics, 'moved-to-heap', 4);
		assert.deepEqual(n?.range, { start: { line: 4, character: 1 }, end: { line: 4, character: 2 } });
	}));

test('syntax error mid-edit: build error status, rules still run, no crash', () =>
	runCase('syntaxError', 'a.go', ({ status }) => {
		assert.equal(status.state, 'stale', JSON.stringify(status));
		assert.match(status.detail ?? '', /syntax error/);
	}));

test('a package that stops compiling keeps its last good facts, marked stale, and recovers', () =>
	runCase('basic', 'a.go', async ({ client, dir, uri }) => {
		const abs = path.join(dir, 'a.go');
		const good = readFileSync(abs, 'utf8');
		const broken = good.replace('return &n', 'return &n + "x"');
		const dirUri = URI.file(dir).toString();
		writeFileSync(abs, broken);
		await client.change(uri, [{ text: broken }]);
		await client.save(uri);
		const stale = await client.waitForStatus((s) => s.packageUri === dirUri && s.state === 'stale' && s.quiescent);
		assert.match(stale.detail ?? '', /mismatched types|invalid operation|cannot convert/);
		const kept = fact(client.diagnostics.get(uri)?.diagnostics ?? [], 'moved-to-heap', 4);
		assert.ok(kept, 'the last good fact is still shown');
		writeFileSync(abs, good);
		await client.change(uri, [{ text: good }]);
		await client.save(uri);
		await client.waitForStatus((s) => s.packageUri === dirUri && s.state === 'upToDate' && s.quiescent);
	}));

test('a dependency in the same module that does not compile: stale with its error', () =>
	runCase('brokenDep', 'app/app.go', ({ status }) => {
		assert.equal(status.state, 'stale', JSON.stringify(status));
		assert.match(status.detail ?? '', /not an int/);
	}));

test('goPath pointing at a non-executable file: goMissing, no process', () =>
	runCase(
		'basic',
		'a.go',
		async ({ status, client }) => {
			assert.equal(status.state, 'goMissing', JSON.stringify(status));
			assert.ok((status.detail ?? status.message).length > 0);
			// probing the configured path is fine; nothing may keep running
			assert.equal((await client.debugStats()).liveProcesses, 0);
		},
		{
			prepare: (dir) => {
				writeFileSync(path.join(dir, 'notgo'), 'not a program\n');
				chmodSync(path.join(dir, 'notgo'), 0o644);
			},
			settings: (dir) => ({ goPath: path.join(dir, 'notgo') }),
		},
	));

// CC comes from the machine's environment: a setting may not name a program (docs/security.md).
test('cgo with no C compiler (CC=/nonexistent in the environment): stale naming the C compiler', () =>
	runCase(
		'cgoNoCC',
		'a.go',
		({ status }) => {
			assert.equal(status.state, 'stale', JSON.stringify(status));
			assert.match(status.detail ?? '', /C compiler|nonexistent/);
		},
		{ env: { CC: '/nonexistent', CGO_ENABLED: '1' } },
	));

test('non-UTF-8 bytes: no crash, a clear status', () =>
	runCase('nonUtf8', 'a.go', ({ status }) => {
		assert.ok(['upToDate', 'stale'].includes(status.state), JSON.stringify(status));
	}));

test('CRLF and non-ASCII identifiers: exact UTF-16 ranges', () =>
	runCase('crlfUnicode', 'a.go', ({ status, diagnostics }) => {
		assert.equal(status.state, 'upToDate');
		// line 5 is "\t/* 🙂 */ 日本 := 1": the compiler says byte column 13, which is UTF-16 10
		assert.deepEqual(fact(diagnostics, 'moved-to-heap', 4)?.range, { start: { line: 4, character: 10 }, end: { line: 4, character: 12 } });
		assert.deepEqual(fact(diagnostics, 'moved-to-heap', 5)?.range, { start: { line: 5, character: 1 }, end: { line: 5, character: 5 } });
	}));

test('go.work with two modules: the importing module is analysed', () =>
	runCase('goWork', 'modB/b.go', ({ status, diagnostics }) => {
		assert.equal(status.state, 'upToDate', JSON.stringify(status));
		assert.deepEqual(fact(diagnostics, 'moved-to-heap', 6)?.range.start, { line: 6, character: 1 });
	}));

test('build tags exclude the open file: no escape facts for it, a clear status', () =>
	runCase('buildTags', 'excluded.go', ({ status, diagnostics }) => {
		assert.notEqual(status.state, 'running');
		assert.equal(memlens(diagnostics).filter((d) => /heap|leaking/.test(String(d.code))).length, 0, JSON.stringify(diagnostics));
	}));

test('vendor directory: builds in vendor mode', () =>
	runCase('vendorDir', 'main.go', ({ status, diagnostics }) => {
		assert.equal(status.state, 'upToDate', JSON.stringify(status));
		assert.deepEqual(fact(diagnostics, 'moved-to-heap', 8)?.range.start, { line: 8, character: 1 });
	}));

test('a file outside any module: no crash, a clear status', () =>
	runCase('noModule', 'a.go', ({ status }) => {
		assert.ok(['upToDate', 'stale', 'idle', 'disabled'].includes(status.state), JSON.stringify(status));
	}));

test('an empty .go file: no findings for it; the package build error is reported', () =>
	runCase('empty', 'empty.go', ({ status, diagnostics }) => {
		assert.equal(memlens(diagnostics).length, 0);
		assert.equal(status.state, 'stale', JSON.stringify(status));
		assert.match(status.detail ?? '', /expected 'package'/);
	}));

test('two package names in one directory: stale with the compiler explanation', () =>
	runCase('twoPackages', 'a.go', ({ status }) => {
		assert.equal(status.state, 'stale', JSON.stringify(status));
		assert.match(status.detail ?? '', /found packages alpha/);
	}));
