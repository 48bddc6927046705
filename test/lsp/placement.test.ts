/**
 * Issue 11 through the real server and toolchain: facts the compiler prints for a body inlined
 * from another package are never shown in the package's same-named file, whether `go list` in
 * the package dir compiled fresh or replayed text first printed from the module root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from './lspClient';
import { configAnswer } from './helpers';
import { inlinedModule, INLINED, type InlinedModule } from '../fixtures/inlinedModule';

const GO = '/usr/local/go/bin/go';
const ENV = { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH}`, GOTOOLCHAIN: 'local' };
const CONFIG = configAnswer({ debounceMs: 0, escapeSeverities: { 'does-not-escape': 'hint' } });

/** `line:character code` of each compiler diagnostic, 0-based as LSP has them. */
function facts(diags: Diagnostic[]): string[] {
	return diags.filter((d) => d.source === 'memlens' && /escape|leaking|moved/.test(String(d.code))).map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code}`).sort();
}

async function subDiagnostics(m: InlinedModule): Promise<string[]> {
	const client = await LspClient.start({ rootPath: m.root, configuration: CONFIG });
	try {
		const uri = await client.open(m.subLog);
		await client.waitForQuiescent((s) => s.state === 'upToDate');
		return facts(await client.waitForDiagnostics(uri, (d) => facts(d).length > 0));
	} finally {
		await client.shutdown();
	}
}

// sub/log.go: `l does not escape` at 7:8 and the inlined call's allocations at 8:16 (`&m.L{...}`
// and the func literal, one diagnostic for the one range), nothing else.
const SUB_FACTS = [`${INLINED.subFuncLine - 1}:7 does-not-escape`, `${INLINED.subCallLine - 1}:15 escapes-to-heap`];

test('a fresh compile of sub/: the inlined closure\'s facts are not on sub/log.go\'s comment line', async () => {
	const m = inlinedModule();
	try {
		assert.deepEqual(await subDiagnostics(m), SUB_FACTS);
	} finally {
		m.cleanup();
	}
});

test('go list in sub/ replaying text printed from the module root: `./log.go` is the root\'s file', async () => {
	const m = inlinedModule();
	try {
		const first = spawnSync(GO, ['build', '-o', '/dev/null', '-gcflags=-m=2', './...'], { cwd: m.root, env: ENV, encoding: 'utf8' });
		assert.equal(first.status, 0, first.stderr);
		// What the server's `go list -export` in sub/ now reads: root-relative text, sub has a log.go too.
		const replay = spawnSync(GO, ['list', '-export', '-gcflags=-m=2', '.'], { cwd: path.dirname(m.subLog), env: ENV, encoding: 'utf8' });
		assert.match(replay.stderr, /^\.\/log\.go:6:20: leaking param: msg$/m);
		assert.match(replay.stderr, /^sub\/log\.go:8:16: inlining call to/m);
		const got = await subDiagnostics(m);
		assert.ok(!got.some((g) => g.startsWith(`${INLINED.subCommentLine - 1}:`)), got.join('\n'));
		assert.deepEqual(got, SUB_FACTS);
	} finally {
		m.cleanup();
	}
});
