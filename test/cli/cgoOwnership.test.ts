/**
 * Issue 11 class 6 through the CLI, on a cgo module written for it (test/fixtures/lsp/cgo):
 * strings handed to C (kept by a list a destroy function frees, passed with a destructor, kept
 * by a helper defined in another file's preamble) are not reported and `memlens fix` never adds
 * a free to them; a string C only reads gets its free; uintptr holding C addresses is silent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { GO, goEnv, ROOT, runCli, tempCopy, type JsonFinding } from './helpers';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'lsp', 'cgo');

async function check(dir: string): Promise<JsonFinding[]> {
	const r = await runCli(['check', '--escape', 'none', '--format', 'json', '--fail-on', 'none', '.'], { cwd: dir });
	assert.equal(r.code, 0, r.stderr);
	return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.filter((f) => f.rule === 'cgo-cstring-leak' || f.rule === 'uintptr-stored-pointer');
}

test('check: only the string C reads (warning) and the one an unseen library gets (warning); handed-off strings and C addresses silent', async () => {
	const found = await check(FIXTURE);
	assert.deepEqual(
		found.map((f) => [f.file, f.line, f.rule, f.severity]),
		[
			['goaddr.go', 14, 'uintptr-stored-pointer', 'warning'],
			['owner.go', 30, 'cgo-cstring-leak', 'warning'],
			['owner.go', 36, 'cgo-cstring-leak', 'warning'],
		],
	);
	assert.match(found[0].message, /checkptr/);
	assert.match(found[2].message, /`C\.getpwnam` is not defined in this package's C code/);
});

test('fix adds a free only where C just reads the string; never to a string handed to C; the result builds', async () => {
	const dir = tempCopy(FIXTURE);
	try {
		const file = path.join(dir, 'owner.go');
		const before = readFileSync(file, 'utf8');
		const r = await runCli(['fix', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^owner\.go:30: Free `cs` with `defer C\.free` \[cgo-cstring-leak\]$/m);
		const after = readFileSync(file, 'utf8');
		assert.equal(after.match(/C\.free\(unsafe\.Pointer/g)?.length, 1, after);
		assert.match(after, /cs := C\.CString\(name\)\n\tdefer C\.free\(unsafe\.Pointer\(cs\)\)\n\treturn int\(C\.name_len\(cs\)\)/);
		// List, Tag, Log and HasUser are as they were.
		for (const fn of ['List', 'Tag', 'Log', 'HasUser']) {
			const body = (t: string) => t.slice(t.indexOf(`func ${fn}(`), t.indexOf('\n}\n', t.indexOf(`func ${fn}(`)));
			assert.equal(body(after), body(before), fn);
		}
		const build = spawnSync(GO, ['build', '.'], { cwd: dir, env: goEnv(), encoding: 'utf8' });
		assert.equal(build.status, 0, build.stderr);
		assert.deepEqual((await check(dir)).map((f) => [f.file, f.line]), [['goaddr.go', 14], ['owner.go', 39]]);
	} finally {
		rmSync(path.dirname(dir), { recursive: true, force: true });
	}
});
