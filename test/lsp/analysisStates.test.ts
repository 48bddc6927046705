/**
 * Trust, build failures, unsaved buffers and a missing Go: the states the server goes through,
 * observed over the real protocol with the real toolchain.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { LspClient } from './lspClient';
import { configAnswer, FIXTURES, msg, span, tempCopy, withCode } from './helpers';

const POOL = path.join(FIXTURES, 'basic', 'pool.go');

describe('workspace trust', () => {
	test('untrusted: no toolchain process, status untrusted; granting trust runs the compiler', async () => {
		const client = await LspClient.start({ initializationOptions: { trusted: false }, configuration: configAnswer({ debounceMs: 0 }) });
		try {
			const uri = await client.open(POOL);
			// The status may come before the document's rules have run (they are a job): it is re-sent once all is quiet.
			const st = await client.waitForStatus((s) => s.state === 'untrusted' && s.quiescent);
			assert.ok(st.detail && /trusted/.test(st.detail));
			const diags = await client.waitForDiagnostics(uri);
			assert.equal(withCode(diags, 'moved-to-heap').length, 0);
			// Syntax rules still run in an untrusted workspace.
			const rulesUri = await client.open(path.join(FIXTURES, 'rules', 'rules.go'));
			const ruleDiags = await client.waitForDiagnostics(rulesUri, (d) => d.length > 0);
			assert.deepEqual([...new Set(ruleDiags.map((d) => d.code))].sort(), ['defer-in-loop', 'loopvar-redundant-copy']);
			assert.equal((await client.debugStats()).spawnCount, 0);

			await client.connection.sendNotification('goMemlens/setTrusted', { trusted: true });
			const after = await client.waitForDiagnostics(uri, (d) => withCode(d, 'moved-to-heap').length === 2);
			assert.equal(withCode(after, 'moved-to-heap').length, 2);
			assert.ok((await client.debugStats()).spawnCount > 0);
		} finally {
			await client.shutdown();
		}
	});
});

describe('build failure', () => {
	test('keeps the last good facts, marks them stale, reports the build error', async () => {
		const client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
		try {
			const uri = await client.open(POOL);
			await client.waitForQuiescent((s) => s.state === 'upToDate');
			// Break the unsaved buffer (the overlay is compiled on save; the disk file stays intact).
			await client.change(uri, [{ range: { start: { line: 36, character: 0 }, end: { line: 36, character: 0 } }, text: 'var broken int = "x"\n' }]);
			await client.save(uri);
			const st = await client.waitForQuiescent((s) => s.state === 'stale');
			assert.match(st.detail ?? '', /cannot use "x"|mismatched types|untyped string/);
			const diags = await client.waitForDiagnostics(uri, (d) => withCode(d, 'moved-to-heap').some((x) => msg(x).includes('stale')));
			const moved = withCode(diags, 'moved-to-heap');
			assert.deepEqual(moved.map(span).sort(), ['11:5-8', '19:1-2']);
			assert.ok(moved.every((d) => msg(d).endsWith(' (stale: last build failed)')));
		} finally {
			await client.shutdown();
		}
	});
});

describe('unsaved buffers', () => {
	test('are compiled through the overlay, with positions in the edited text (UTF-16)', async () => {
		const client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
		try {
			const uri = await client.open(POOL);
			await client.waitForQuiescent((s) => s.state === 'upToDate');
			// Two lines above Keep; the second has multi-byte text before the subject.
			const added = '// added line\nfunc Extra() { /* é→ */ var q [8]byte; pool.Put(&q) }\n';
			await client.change(uri, [{ range: { start: { line: 9, character: 0 }, end: { line: 9, character: 0 } }, text: added }]);
			await client.save(uri);
			const diags = await client.waitForDiagnostics(uri, (d) => withCode(d, 'moved-to-heap').length === 3);
			// q sits after `func Extra() { /* é→ */ var ` = 28 UTF-16 units (31 bytes).
			assert.deepEqual(withCode(diags, 'moved-to-heap').map(span).sort(), ['10:28-29', '13:5-8', '21:1-2']);
		} finally {
			await client.shutdown();
		}
	});

	test('a burst of keystrokes ends with diagnostics for the last version', async () => {
		const client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
		try {
			const uri = await client.open(POOL);
			await client.waitForQuiescent((s) => s.state === 'upToDate');
			// Type `// abc…` on the empty line 9 one character at a time, without waiting.
			const text = '// abcdefghijklmnopqrstuvwxyz';
			const sent: Promise<number>[] = [];
			for (let i = 0; i < text.length; i++) {
				sent.push(client.change(uri, [{ range: { start: { line: 9, character: i }, end: { line: 9, character: i } }, text: text[i] }]));
			}
			const last = Math.max(...(await Promise.all(sent)));
			const diags = await client.waitForDiagnostics(uri, (_d, p) => p.version === last);
			assert.deepEqual(withCode(diags, 'moved-to-heap').map(span).sort(), ['11:5-8', '19:1-2']);
		} finally {
			await client.shutdown();
		}
	});

	test('after the debounce, an edit is analysed without saving', async () => {
		const client = await LspClient.start({ configuration: configAnswer({ debounceMs: 50 }) });
		try {
			const uri = await client.open(POOL);
			await client.waitForQuiescent((s) => s.state === 'upToDate');
			// Return &t from Sum: t moves to the heap.
			await client.change(uri, [{ range: { start: { line: 23, character: 0 }, end: { line: 30, character: 1 } }, text: 'func Sum(xs []int) *int {\n\tt := 0\n\treturn &t\n}' }]);
			const diags = await client.waitForDiagnostics(uri, (d) => withCode(d, 'moved-to-heap').length === 3);
			assert.ok(withCode(diags, 'moved-to-heap').some((d) => span(d) === '24:1-2'));
		} finally {
			await client.shutdown();
		}
	});
});

describe('escape analysis switched off', () => {
	test('goMemlens.escapeEnabled=false: status disabled, no process, syntax rules still run', async () => {
		const client = await LspClient.start({ configuration: configAnswer({ escapeEnabled: false }) });
		try {
			const uri = await client.open(path.join(FIXTURES, 'rules', 'rules.go'));
			const st = await client.waitForStatus((s) => s.state === 'disabled');
			assert.match(st.message, /goMemlens\.escapeEnabled/);
			const diags = await client.waitForDiagnostics(uri, (d) => d.length > 0);
			assert.ok(withCode(diags, 'loopvar-redundant-copy').length === 1);
			assert.equal((await client.debugStats()).spawnCount, 0);
		} finally {
			await client.shutdown();
		}
	});
});

describe('go missing', () => {
	test('status goMissing names goMemlens.goPath; syntax analysis keeps working', async () => {
		const client = await LspClient.start({ configuration: configAnswer({ goPath: '/nonexistent/go' }) });
		try {
			const uri = await client.open(POOL);
			const st = await client.waitForStatus((s) => s.state === 'goMissing');
			assert.match(`${st.message} ${st.detail ?? ''}`, /goMemlens\.goPath/);
			await client.waitForDiagnostics(uri);
			assert.equal((await client.debugStats()).liveProcesses, 0);
		} finally {
			await client.shutdown();
		}
	});
});

describe('go.mod edits', () => {
	test('saving go.mod re-runs the analysis', async () => {
		const { dir, cleanup } = tempCopy('basic');
		const client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
		try {
			const uri = await client.open(path.join(dir, 'pool.go'));
			await client.waitForQuiescent((s) => s.state === 'upToDate');
			const modUri = await client.open(path.join(dir, 'go.mod'));
			const next = client.waitForQuiescent((s) => s.state === 'upToDate');
			await client.save(modUri);
			await next;
			assert.equal(withCode(await client.waitForDiagnostics(uri), 'moved-to-heap').length, 2);
			// The same through workspace/didChangeWatchedFiles (registered for go.mod/go.work): a forced re-run.
			assert.ok(client.registrations.includes('workspace/didChangeWatchedFiles'));
			const spawned = (await client.debugStats()).spawnCount;
			const again = client.waitForQuiescent((s) => s.state === 'upToDate');
			await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: modUri, type: 2 }] });
			await again;
			assert.equal((await client.debugStats()).spawnCount, spawned + 1);
		} finally {
			await client.shutdown();
			cleanup();
		}
	});
});
