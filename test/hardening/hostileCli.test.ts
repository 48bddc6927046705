/** The hostile corpus through the CLI (`memlens check --format json`): no crash, a parseable report, a sane exit code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_JS, goEnv } from './session';
import { removeCase, tempCase } from './workspace';

const CASES = ['basic', 'syntaxError', 'brokenDep', 'cgoNoCC', 'nonUtf8', 'crlfUnicode', 'goWork', 'buildTags', 'vendorDir', 'noModule', 'empty', 'twoPackages'];

function check(dir: string, extra: string[] = [], env: Record<string, string> = {}) {
	const r = spawnSync(process.execPath, [CLI_JS, 'check', '--format', 'json', '--fail-on', 'none', ...extra, dir], { cwd: dir, env: goEnv(env), encoding: 'utf8', timeout: 180_000 });
	assert.equal(r.signal, null, `killed: ${r.stderr}`);
	assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace on stderr:\n${r.stderr}`);
	assert.doesNotMatch(r.stderr, /rule \S+ failed on/, 'a rule threw');
	return r;
}

for (const c of CASES) {
	test(`memlens check on ${c}: JSON report, exit 0`, () => {
		const dir = tempCase(c);
		try {
			const r = check(dir, [], c === 'cgoNoCC' ? { CC: '/nonexistent', CGO_ENABLED: '1' } : {});
			assert.equal(r.status, 0, r.stderr);
			const out = JSON.parse(r.stdout) as { findings: { line: number; column: number }[] };
			assert.ok(Array.isArray(out.findings));
			for (const f of out.findings) assert.ok(f.line >= 1 && f.column >= 1, JSON.stringify(f));
		} finally {
			removeCase(dir);
		}
	});
}

test('memlens check with --go pointing at a non-executable file: a tool error (exit 2), no crash', () => {
	const dir = tempCase('basic');
	try {
		const notgo = path.join(path.dirname(dir), 'notgo');
		writeFileSync(notgo, 'not a program\n');
		chmodSync(notgo, 0o644);
		const r = check(dir, ['--go', notgo]);
		assert.equal(r.status, 2, `exit ${r.status}: ${r.stderr}`);
		assert.match(r.stderr, /go/);
	} finally {
		removeCase(dir);
	}
});

test('memlens check on CRLF + non-ASCII: 1-based byte columns as the compiler prints them', () => {
	const dir = tempCase('crlfUnicode');
	try {
		const r = check(dir, ['--escape', 'moved-to-heap']);
		const out = JSON.parse(r.stdout) as { findings: { rule: string; line: number; column: number }[] };
		const heap = out.findings.filter((f) => f.rule === 'moved-to-heap').map((f) => [f.line, f.column]);
		// the compiler: a.go:5:13 (日本, after "\t/* 🙂 */ ") and a.go:6:2 (café)
		assert.deepEqual(heap, [[5, 13], [6, 2]]);
	} finally {
		removeCase(dir);
	}
});
