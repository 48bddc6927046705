/**
 * `memlens check --new-from-rev REF` and `memlens baseline` / `check --baseline FILE` on a
 * temporary git repository with real commits (real git, real Go toolchain).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { goEnv, runCli, type JsonFinding } from './helpers';
import { tempLeft, tempRepo, userState, type Repo } from './gitRepo';

const A = `package r

func Old() *int {
	x := 1
	return &x
}

func Loop(xs []int) {
	for _, v := range xs {
		defer println(v)
	}
}
`;

const D = `package r

func Committed() int {
	return 1
}
`;

const env = (r: Repo) => goEnv({ TMPDIR: r.tmp });
const brief = (fs: JsonFinding[]) => fs.map((f) => `${f.file}:${f.line} ${f.rule}`);

test('--new-from-rev: exactly the findings on lines changed since REF (commits, staged, unstaged, untracked)', async () => {
	const repo = tempRepo();
	try {
		repo.commit('one', { 'a.go': A, 'd.go': D });
		repo.git('tag', 'v1');
		// Committed since v1: Committed() now moves a variable to the heap (lines 4-5 of d.go).
		repo.commit('two', { 'd.go': `package r\n\nfunc Committed() *int {\n\tc := 1\n\treturn &c\n}\n` });
		// Unstaged: a changed defer line (still in a loop) and a new function; Old is untouched.
		repo.write({ 'a.go': A.replace('defer println(v)', 'defer println(v, 1)') + '\nfunc Added() *[8]byte {\n\tvar b [8]byte\n\treturn &b\n}\n' });
		// Staged: a new file. Untracked: another.
		repo.write({ 'b.go': 'package r\n\nfunc Staged() *string {\n\ts := "x"\n\treturn &s\n}\n' });
		repo.git('add', 'b.go');
		repo.write({ 'c.go': 'package r\n\nfunc Untracked() *bool {\n\tu := true\n\treturn &u\n}\n' });
		const before = userState(repo);

		const all = await runCli(['check', '--format', 'json', '--fail-on', 'none'], { cwd: repo.dir, env: env(repo) });
		assert.equal(all.code, 0, all.stderr);
		assert.deepEqual(brief(JSON.parse(all.stdout).findings), [
			'a.go:4 moved-to-heap',
			'a.go:10 defer-in-loop',
			'a.go:15 moved-to-heap',
			'b.go:4 moved-to-heap',
			'c.go:4 moved-to-heap',
			'd.go:4 moved-to-heap',
		]);
		const r = await runCli(['check', '--format', 'json', '--fail-on', 'none', '--new-from-rev', 'v1'], { cwd: repo.dir, env: env(repo) });
		assert.equal(r.code, 0, r.stderr);
		const doc = JSON.parse(r.stdout);
		// Everything but Old's x (line 4 of a.go, unchanged since v1).
		assert.deepEqual(brief(doc.findings), ['a.go:10 defer-in-loop', 'a.go:15 moved-to-heap', 'b.go:4 moved-to-heap', 'c.go:4 moved-to-heap', 'd.go:4 moved-to-heap']);
		assert.equal(doc.newFromRev.rev, 'v1');
		assert.equal(doc.newFromRev.unchangedLeftOut, 1);
		assert.match(r.stderr, /--new-from-rev v1 \([0-9a-f]{12}\): 1 finding\(s\) on unchanged lines left out/);
		// Since HEAD: the committed change is no longer new.
		const sinceHead = await runCli(['check', '--format', 'json', '--fail-on', 'none', '--new-from-rev', 'HEAD'], { cwd: repo.dir, env: env(repo) });
		assert.deepEqual(brief(JSON.parse(sinceHead.stdout).findings), ['a.go:10 defer-in-loop', 'a.go:15 moved-to-heap', 'b.go:4 moved-to-heap', 'c.go:4 moved-to-heap']);
		// The exit code follows the reported findings only: defer-in-loop's severity here is information.
		const text = await runCli(['check', '--fail-on', 'information', '--new-from-rev', 'HEAD', '.'], { cwd: repo.dir, env: env(repo) });
		assert.equal(text.code, 1);
		assert.deepEqual(userState(repo), before);
		assert.deepEqual(tempLeft(repo), []);
		// Once all is committed nothing is new since HEAD: exit 0 at the same threshold.
		repo.commit('three');
		const none = await runCli(['check', '--fail-on', 'information', '--new-from-rev', 'HEAD'], { cwd: repo.dir, env: env(repo) });
		assert.equal(none.code, 0, none.stdout);
		assert.match(none.stdout, /^0 findings in 4 files, 1 package$/m);
	} finally {
		repo.remove();
	}
});

const TWICE = `package r

func Old() *int {
	x := 1
	return &x
}

func Twice() []*int {
	var out []*int
	out = append(out, new(int))
	out = append(out, new(int))
	return out
}
`;

test('baseline: survives moved lines and unrelated edits; duplicates counted; new and stale entries reported', async () => {
	const repo = tempRepo();
	try {
		repo.commit('one', { 'a.go': TWICE, 'sub/s.go': 'package sub\n\nfunc S() *int {\n\ts := 1\n\treturn &s\n}\n' });
		const bl = path.join(repo.dir, '..', 'memlens-baseline.json');
		const made = await runCli(['baseline'], { cwd: repo.dir, env: env(repo) });
		assert.equal(made.code, 0, made.stderr);
		writeFileSync(bl, made.stdout);
		const doc = JSON.parse(made.stdout);
		assert.equal(doc.format, 'memlens-baseline');
		assert.equal(doc.version, 1);
		assert.deepEqual(
			doc.entries.map((e: { file: string; line: number; rule: string; function: string; fingerprint: string }) => `${e.file}:${e.line} ${e.rule} ${e.function} ${e.fingerprint.slice(-2)}`),
			// \`append\` and \`new(int)\` escape on each of the two identical lines: numbered #0, #1 per subject.
			['a.go:4 moved-to-heap Old #0', 'a.go:10 escapes-to-heap Twice #0', 'a.go:10 escapes-to-heap Twice #0', 'a.go:11 escapes-to-heap Twice #1', 'a.go:11 escapes-to-heap Twice #1', 'sub/s.go:4 moved-to-heap S #0'],
		);
		const check = (args: string[] = []) => runCli(['check', '--format', 'json', '--baseline', bl, ...args], { cwd: repo.dir, env: env(repo) });
		let r = await check();
		assert.equal(r.code, 0, r.stderr);
		assert.deepEqual(JSON.parse(r.stdout).findings, []);
		assert.deepEqual(JSON.parse(r.stdout).baseline.stale, []);

		// Moved lines (a new function above, Old moved below Twice), re-indented and commented lines elsewhere.
		const moved = `package r

import "strings"

func Unrelated(s string) string {
	return strings.ToUpper(s)
}

func Twice() []*int {
	var out []*int // a comment on an unrelated line
	out    =   append(out, new(int))
	out = append(out, new(int))
	return out
}

func Old() *int {
	x := 1

	return &x
}
`;
		repo.write({ 'a.go': moved });
		r = await check();
		assert.equal(r.code, 0, r.stderr);
		assert.deepEqual(brief(JSON.parse(r.stdout).findings), [], r.stdout);
		assert.deepEqual(JSON.parse(r.stdout).baseline.stale, []);
		assert.equal(JSON.parse(r.stdout).baseline.hidden, 6);

		// A third identical line brings its two (numbered #2); a new heap variable is another; Old's x is fixed.
		repo.write({ 'a.go': moved.replace('\treturn out', '\tout = append(out, new(int))\n\treturn out').replace('x := 1\n\n\treturn &x', 'x := 1\n\t_ = x\n\treturn nil') + '\nfunc Fresh() *int {\n\tf := 2\n\treturn &f\n}\n' });
		r = await check();
		assert.equal(r.code, 0, r.stderr);
		const out = JSON.parse(r.stdout);
		assert.deepEqual(brief(out.findings), ['a.go:13 escapes-to-heap', 'a.go:13 escapes-to-heap', 'a.go:24 moved-to-heap']);
		assert.deepEqual(
			out.baseline.stale.map((e: { file: string; rule: string; function: string }) => `${e.file} ${e.rule} ${e.function}`),
			['a.go moved-to-heap Old'],
		);
		const text = await runCli(['check', '--baseline', bl], { cwd: repo.dir, env: env(repo) });
		assert.match(text.stderr, /note: baseline .*memlens-baseline\.json: 1 entry no longer found/);
		assert.match(text.stderr, /\n {2}a\.go:4: moved-to-heap in Old: moved to heap: x/);
		// Out of scope: another directory, or a kind this run does not report, is not stale.
		const sub = await check(['sub']);
		assert.deepEqual(JSON.parse(sub.stdout).baseline.stale, []);
		assert.deepEqual(JSON.parse(sub.stdout).findings, []);
		const syntaxOnly = await check(['--escape', 'none']);
		assert.deepEqual(JSON.parse(syntaxOnly.stdout).baseline.stale, []);
		assert.ok(readFileSync(bl, 'utf8').length > 0);
	} finally {
		repo.remove();
	}
});
