/**
 * Issue 11 through `memlens check`: defer-in-loop and time-after-in-loop on minimal real-world
 * shapes of each false-positive class (no finding) and of the real bugs (found, at the severity
 * their evidence gives); go-critic / revive / GoLand suppression comments honoured.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runCli, type JsonFinding } from './helpers';
import { wantsOf } from '../fixtures/issue11/wants';

const DIR = path.join(ROOT, 'test', 'fixtures', 'issue11', 'defer');
const RULES = new Set(['defer-in-loop', 'time-after-in-loop']);

test('defer-in-loop and time-after-in-loop: exactly the want lines, with their severities', async () => {
	const r = await runCli(['check', '--escape', 'none', '--format', 'json', '--fail-on', 'none', '.'], { cwd: DIR });
	assert.equal(r.code, 0, r.stderr);
	const got = (JSON.parse(r.stdout).findings as JsonFinding[])
		.filter((f) => RULES.has(f.rule))
		.map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity}`);
	const want = wantsOf(DIR).map((w) => `${w.file}:${w.line} ${w.rule} ${w.severity}`);
	assert.ok(want.length >= 8, 'the fixture has its markers');
	assert.deepEqual(got.sort(), want.sort());
});

test('the suppression comments are what silences suppressed.go: without them every defer is reported', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-cli-'));
	try {
		writeFileSync(path.join(dir, 'go.mod'), readFileSync(path.join(DIR, 'go.mod')));
		const text = readFileSync(path.join(DIR, 'suppressed.go'), 'utf8');
		const bare = text.replace(/[ \t]*\/\/ ?(nolint|goland:noinspection)[^\n]*/g, '');
		assert.notEqual(bare, text);
		writeFileSync(path.join(dir, 'suppressed.go'), bare);
		const r = await runCli(['check', '--escape', 'none', '--format', 'json', '--fail-on', 'none', '.'], { cwd: dir });
		const found = (JSON.parse(r.stdout).findings as JsonFinding[]).filter((f) => f.rule === 'defer-in-loop');
		assert.equal(found.length, 7, r.stdout);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
