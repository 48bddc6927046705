/**
 * subslice-retention through `memlens check` and `memlens fix` (issue 11, class 2), on the fixture
 * module test/fixtures/subslice (copied to a temp dir): views are silent, retention is reported at
 * its evidence's severity, and `memlens fix` applies only the string copy, which still builds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { GO, ROOT, goEnv, runCli, tempCopy, type JsonFinding } from './helpers';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'subslice');

test('check: no finding on zero-copy views; warnings and hints on the leaks, by evidence', async () => {
	const dir = tempCopy(FIXTURE);
	try {
		const r = await runCli(['check', '--escape', 'none', '--format', 'json', '--fail-on', 'none', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		const found = (JSON.parse(r.stdout).findings as JsonFinding[]).filter((f) => f.rule === 'subslice-retention');
		assert.deepEqual(
			found.map((f) => [f.file, f.line, f.severity]),
			[
				['leaks.go', 22, 'warning'],
				['leaks.go', 42, 'warning'],
				['leaks.go', 53, 'warning'],
				['leaks.go', 59, 'hint'],
				['leaks.go', 74, 'hint'],
				['leaks.go', 83, 'hint'],
				['leaks.go', 91, 'hint'],
				['leaks.go', 100, 'hint'],
			],
		);
		// The three warnings (the only findings at that level) fail a CI run at --fail-on warning.
		assert.equal((await runCli(['check', '--escape', 'none', '--fail-on', 'warning', '.'], { cwd: dir })).code, 1);
	} finally {
		rmSync(path.dirname(dir), { recursive: true, force: true });
	}
});

test('fix: only the string copy is applied in bulk, and the module still builds', async () => {
	const dir = tempCopy(FIXTURE);
	try {
		const r = await runCli(['fix', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		const leaks = readFileSync(path.join(dir, 'leaks.go'), 'utf8');
		assert.match(leaks, /ix\.byTitle\[strings\.Clone\(text\[:i\]\)\] = path/);
		assert.doesNotMatch(leaks, /bytes\.Clone/);
		assert.equal(readFileSync(path.join(dir, 'views.go'), 'utf8'), readFileSync(path.join(FIXTURE, 'views.go'), 'utf8'));
		const vet = spawnSync(GO, ['vet', './...'], { cwd: dir, env: goEnv(), encoding: 'utf8' });
		assert.equal(vet.status, 0, vet.stderr);
	} finally {
		rmSync(path.dirname(dir), { recursive: true, force: true });
	}
});
