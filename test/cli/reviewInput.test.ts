/**
 * Bad input to `memlens diff`, `check --new-from-rev` and `check --baseline`: a clear message and
 * exit code 2, before anything is compiled; and Ctrl-C during a diff leaves no checkout behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ensureBuilt, goEnv, runCli } from './helpers';
import { tempLeft, tempRepo, userState, type Repo } from './gitRepo';

const GO_FILE = 'package r\n\nfunc F() *int {\n\tx := 1\n\treturn &x\n}\n';
const env = (r: Repo) => goEnv({ TMPDIR: r.tmp });

test('not a git repository: diff and --new-from-rev exit 2 and say so', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-nogit-'));
	try {
		writeFileSync(path.join(dir, 'go.mod'), 'module example.com/r\n\ngo 1.22\n');
		writeFileSync(path.join(dir, 'a.go'), GO_FILE);
		// GIT_CEILING_DIRECTORIES: the search for a .git stops at the temp dir, whatever is above it.
		const e = goEnv({ GIT_CEILING_DIRECTORIES: path.dirname(dir) });
		for (const args of [['diff', 'main'], ['check', '--new-from-rev', 'main']]) {
			const r = await runCli(args, { cwd: dir, env: e });
			assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
			assert.match(r.stderr, /^memlens: .* is not in a git work tree \(fatal: not a git repository/m);
			assert.equal(r.stdout, '');
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('an unknown revision: exit 2 naming it, nothing compiled, nothing left', async () => {
	const repo = tempRepo();
	try {
		repo.commit('one', { 'a.go': GO_FILE });
		for (const args of [['diff', 'no-such-branch'], ['diff', 'main', 'v9.9.9'], ['check', '--new-from-rev', 'no-such-branch'], ['diff', 'main~5']]) {
			const r = await runCli(args, { cwd: repo.dir, env: env(repo) });
			assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
			const rev = args[args.length - 1];
			assert.ok(r.stderr.includes(`memlens: unknown revision "${rev}": no such branch, tag or commit`), r.stderr);
			assert.equal(r.stdout, '');
		}
		// A revision that is an option in disguise is refused as usage.
		const opt = await runCli(['check', '--new-from-rev=--output=x'], { cwd: repo.dir, env: env(repo) });
		assert.equal(opt.code, 2);
		assert.match(opt.stderr, /"--output=x" is not a revision/);
		assert.deepEqual(tempLeft(repo), []);
	} finally {
		repo.remove();
	}
});

test('a work tree with merge conflicts: diff against it and --new-from-rev exit 2; two commits still compare', async () => {
	const repo = tempRepo();
	try {
		repo.commit('one', { 'a.go': GO_FILE });
		repo.git('checkout', '-q', '-b', 'other');
		repo.commit('other', { 'a.go': GO_FILE.replace('x := 1', 'x := 2') });
		repo.git('checkout', '-q', 'main');
		repo.commit('mine', { 'a.go': GO_FILE.replace('x := 1', 'x := 3') });
		const merge = spawn('git', ['merge', '-q', 'other'], { cwd: repo.dir, stdio: 'ignore' });
		await new Promise((resolve) => merge.on('close', resolve));
		assert.match(repo.git('status', '--porcelain'), /^UU a\.go$/m, 'the merge stopped on a conflict');
		const before = userState(repo);
		for (const args of [['diff', 'main~1'], ['check', '--new-from-rev', 'main~1']]) {
			const r = await runCli(args, { cwd: repo.dir, env: env(repo) });
			assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
			assert.match(r.stderr, /^memlens: the work tree has unresolved merge conflicts \(a\.go\): resolve them or finish the merge\/rebase first$/m);
		}
		// The work tree does not matter when both revisions are named.
		const both = await runCli(['diff', '--format', 'json', 'main~1', 'main'], { cwd: repo.dir, env: env(repo) });
		assert.equal(both.code, 0, both.stderr);
		assert.deepEqual(JSON.parse(both.stdout).changes, []);
		assert.deepEqual(userState(repo), before);
		assert.deepEqual(tempLeft(repo), []);
	} finally {
		repo.remove();
	}
});

test('a baseline from another version, or not a baseline: exit 2 with what to do', async () => {
	const repo = tempRepo();
	try {
		repo.commit('one', { 'a.go': GO_FILE });
		const file = (name: string, text: string) => {
			const p = path.join(repo.dir, '..', name);
			writeFileSync(p, text);
			return p;
		};
		const cases: [string, RegExp][] = [
			[file('v2.json', JSON.stringify({ format: 'memlens-baseline', version: 2, entries: [] })), /is a baseline of format version 2; this memlens reads version 1: make it again with memlens baseline > /],
			[file('v0.json', JSON.stringify({ format: 'memlens-baseline', entries: [] })), /is a baseline of format version undefined; this memlens reads version 1/],
			[file('other.json', JSON.stringify({ version: 1, findings: [] })), /is not a memlens baseline \(no "format": "memlens-baseline"\)/],
			[file('broken.json', '{"format": "memlens-baseline", "version": 1, "entries": [{"fingerprint": 3}]}'), /broken\.json: entries\.0\.fingerprint: /],
			[file('text.json', 'not json'), /is not JSON/],
			[path.join(repo.dir, '..', 'missing.json'), /cannot read the baseline .*missing\.json: ENOENT/],
		];
		for (const [p, message] of cases) {
			const r = await runCli(['check', '--baseline', p], { cwd: repo.dir, env: env(repo) });
			assert.equal(r.code, 2, `${p}: ${r.stderr}`);
			assert.match(r.stderr, message);
			assert.equal(r.stdout, '');
		}
	} finally {
		repo.remove();
	}
});

test('usage: diff needs BASE, takes at most two revisions; the new flags stay with their commands', async () => {
	const cases: [string[], RegExp][] = [
		[['diff'], /memlens diff: give the base revision/],
		[['diff', 'a', 'b', 'c'], /at most two revisions \(BASE \[HEAD\]\); paths go after --: memlens diff a -- b c/],
		[['diff', '--escape', 'none', 'main'], /--escape none: memlens diff compares compiler facts/],
		[['diff', '--fail-on', 'error', 'main'], /--fail-on does not apply to `memlens diff`.*use --fail-on-new/],
		[['check', '--fail-on-new', 'moved-to-heap'], /--fail-on-new belongs to `memlens diff`/],
		[['diff', '--baseline', 'x.json', 'main'], /--baseline belongs to `memlens check`/],
		[['baseline', '--format', 'json'], /--format does not apply to `memlens baseline`/],
		[['diff', '--format', 'html', 'main'], /--format: "html" is not one of text, json, sarif, md/],
	];
	for (const [args, message] of cases) {
		const r = await runCli(args);
		assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
		assert.match(r.stderr, message);
	}
});

test('Ctrl-C during a diff: the checkout, git\'s record of it and the temp root are removed', async () => {
	ensureBuilt();
	const repo = tempRepo();
	try {
		repo.commit('one', { 'a.go': GO_FILE });
		const before = userState(repo);
		// A go that says where it runs, then waits: the diff is stopped in the middle of BASE's compile.
		const marker = path.join(repo.dir, '..', 'go-started');
		const fakeGo = path.join(repo.dir, '..', 'go');
		writeFileSync(fakeGo, `#!/bin/sh\npwd > "${marker}.tmp" && mv "${marker}.tmp" "${marker}"\nexec sleep 3600\n`);
		chmodSync(fakeGo, 0o755);
		const child = spawn(process.execPath, [CLI, 'diff', '--go', fakeGo, 'main'], { cwd: repo.dir, env: env(repo), stdio: ['ignore', 'pipe', 'pipe'] });
		const closed = new Promise<number | null>((resolve) => child.on('close', (code, sig) => resolve(code ?? (sig ? 128 : null))));
		// Polled: the marker file is a state of the file system, not a message.
		for (let i = 0; !existsSync(marker); i++) {
			if (i > 1200) throw new Error('the compile never started');
			await new Promise((r) => setTimeout(r, 100));
		}
		assert.match(repo.git('worktree', 'list'), /memlens-base-/, 'the checkout exists while BASE compiles');
		child.kill('SIGINT');
		await closed;
		assert.deepEqual(userState(repo), before);
		assert.deepEqual(readdirSync(path.join(repo.dir, '.git')).includes('worktrees') ? readdirSync(path.join(repo.dir, '.git', 'worktrees')) : [], []);
		assert.deepEqual(tempLeft(repo), []);
	} finally {
		repo.remove();
	}
});
