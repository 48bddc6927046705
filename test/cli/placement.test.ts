/**
 * Issue 11: a compiler fact is never placed in the wrong file. A body inlined from another package
 * is printed at that package's file; the go command prints paths relative to the directory it ran
 * in, and a build-cache hit replays them relative to wherever the package was first compiled.
 * Real toolchain, real `memlens check`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { GO, goEnv, runCli, type JsonFinding } from './helpers';
import { inlinedModule, INLINED, type InlinedModule } from '../fixtures/inlinedModule';

function goBuild(cwd: string, pattern: string): string {
	const r = spawnSync(GO, ['build', '-o', '/dev/null', '-gcflags=-m=2', pattern], { cwd, env: goEnv(), encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	return r.stderr;
}

async function compilerFindings(cwd: string): Promise<JsonFinding[]> {
	const r = await runCli(['check', '--escape', 'all', '--format', 'json', '--fail-on', 'none', '.'], { cwd });
	assert.equal(r.code, 0, r.stderr);
	return (JSON.parse(r.stdout).findings as JsonFinding[]).filter((f) => f.source === 'compiler');
}

/** Every finding and flow step lies inside its file: the line exists and the column is on it. */
function assertInsideFiles(cwd: string, fs: JsonFinding[]): void {
	for (const f of fs) {
		for (const at of [f, ...f.flow]) {
			const lines = readFileSync(path.resolve(cwd, at.file), 'utf8').split('\n');
			assert.ok(at.line >= 1 && at.line <= lines.length, `${at.file}:${at.line} has no such line`);
			assert.ok(at.column <= Buffer.byteLength(lines[at.line - 1]), `${at.file}:${at.line}:${at.column} is past the end of the line`);
		}
	}
}

/** The facts at the two files, from the module root's point of view. */
function placed(m: InlinedModule, cwd: string, fs: JsonFinding[]): string[] {
	return fs.map((f) => `${path.relative(m.root, path.resolve(cwd, f.file))}:${f.line}:${f.column} ${f.rule}`).sort();
}

function assertIssue11Layout(m: InlinedModule, cwd: string, fs: JsonFinding[]): void {
	assertInsideFiles(cwd, fs);
	const got = placed(m, cwd, fs);
	const sub = path.join('sub', 'log.go');
	assert.ok(!got.some((g) => g.startsWith(`${sub}:${INLINED.subCommentLine}:`)), `a fact on sub/log.go's comment line:\n${got.join('\n')}`);
	// The inlined closure's parameter leaks where it is written: the root's log.go.
	assert.ok(got.includes(`log.go:${INLINED.rootClosureLine}:20 leaking-param`), got.join('\n'));
	assert.ok(got.includes(`${sub}:${INLINED.subFuncLine}:8 does-not-escape`), got.join('\n'));
	assert.ok(got.includes(`${sub}:${INLINED.subCallLine}:16 escapes-to-heap`), got.join('\n'));
}

test('check at the module root: the inlined body\'s facts stay in the root log.go, not sub/log.go', async () => {
	const m = inlinedModule();
	try {
		assertIssue11Layout(m, m.root, await compilerFindings(m.root));
	} finally {
		m.cleanup();
	}
});

test('check at the module root replaying text first printed from inside sub/', async () => {
	const m = inlinedModule();
	try {
		// Printed from sub/: `./log.go` is sub's own file, `../log.go` the root's.
		const first = goBuild(path.join(m.root, 'sub'), '.');
		assert.match(first, /^\.\/log\.go:8:16: inlining call to/m);
		assert.match(first, /^\.\.\/log\.go:6:20: leaking param: msg$/m);
		// From the root the go command replays that text unchanged.
		assert.match(goBuild(m.root, './sub'), /^\.\.\/log\.go:6:20: leaking param: msg$/m);
		assertIssue11Layout(m, m.root, await compilerFindings(m.root));
	} finally {
		m.cleanup();
	}
});

test('check inside sub/ replaying text first printed from the module root (the issue\'s repro)', async () => {
	const m = inlinedModule();
	try {
		const first = goBuild(m.root, './...');
		// `./log.go` here is the root's log.go, and sub has a log.go too.
		assert.match(first, /^\.\/log\.go:6:20: leaking param: msg$/m);
		assert.match(first, /^sub\/log\.go:8:16: inlining call to/m);
		const sub = path.join(m.root, 'sub');
		const fs = await compilerFindings(sub);
		assertIssue11Layout(m, sub, fs);
		assert.ok(fs.some((f) => f.file === path.join('..', 'log.go') && f.rule === 'leaking-param'), JSON.stringify(fs.map((f) => f.file)));
	} finally {
		m.cleanup();
	}
});

test('GOFLAGS=-trimpath: files printed under the module path are placed in the module', async () => {
	const m = inlinedModule();
	try {
		const r = await runCli(['check', '--escape', 'all', '--format', 'json', '--fail-on', 'none', '.'], { cwd: m.root, env: goEnv({ GOFLAGS: '-trimpath' }) });
		assert.equal(r.code, 0, r.stderr);
		const fs = (JSON.parse(r.stdout).findings as JsonFinding[]).filter((f) => f.source === 'compiler');
		assertIssue11Layout(m, m.root, fs);
	} finally {
		m.cleanup();
	}
});
