/**
 * `memlens check` and `memlens fix` on a module shaped like real pool users
 * (test/fixtures/lsp/poolflows): no missing-Put claim where ownership moves on (aliases, getters,
 * reference counting, queues, another file of the package), the late defer found, and `fix`
 * applies only the defer fix that cannot put back a live object; the result vets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { GO, ROOT, goEnv, runCli, tempCopy, type JsonFinding } from './helpers';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'lsp', 'poolflows');
const TEXT = readFileSync(path.join(FIXTURE, 'flows.go'), 'utf8');

/** 1-based line of the first line containing `needle`. */
function lineOf(needle: string, text = TEXT): number {
	const i = text.split('\n').findIndex((l) => l.includes(needle));
	assert.ok(i >= 0, needle);
	return i + 1;
}

async function poolFindings(cwd: string): Promise<JsonFinding[]> {
	const r = await runCli(['check', '--escape', 'none', '--format', 'json', '--fail-on', 'none', '.'], { cwd });
	assert.equal(r.code, 0, r.stderr);
	return (JSON.parse(r.stdout).findings as JsonFinding[]).filter((f) => f.rule.startsWith('pool-'));
}

test('check: only the late defer and the skipped Put, in flows.go; other.go is silent', async () => {
	const f = await poolFindings(FIXTURE);
	assert.deepEqual(
		f.map((x) => `${x.file}:${x.line}:${x.rule}:${x.severity}`),
		[`flows.go:${lineOf('func writeJSON') + 1}:pool-put-missing:information`, `flows.go:${lineOf('func writeOrQueue') + 1}:pool-put-missing:information`],
	);
	assert.match(f[0].message, /the deferred Put is registered after that return/);
});

test('fix: the safe defer fix is applied, the unsafe one is not, and the package still vets', async () => {
	const dir = tempCopy(FIXTURE);
	try {
		const r = await runCli(['fix', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, new RegExp(`^flows\\.go:${lineOf('func writeJSON') + 1}: defer bufPool\\.Put\\(b\\) right after the Get \\[pool-put-missing\\]$`, 'm'));
		assert.doesNotMatch(r.stdout, new RegExp(`flows\\.go:${lineOf('func writeOrQueue') + 1}:`));
		const fixed = readFileSync(path.join(dir, 'flows.go'), 'utf8');
		assert.match(fixed, /b := bufPool\.Get\(\)\.\(\*bytes\.Buffer\)\n\tdefer bufPool\.Put\(b\)\n\tif v == nil \{/);
		const vet = spawnSync(GO, ['vet', '.'], { cwd: dir, env: goEnv(), encoding: 'utf8' });
		assert.equal(vet.status, 0, vet.stderr);
		const again = await poolFindings(dir);
		assert.deepEqual(
			again.map((x) => x.line),
			[lineOf('func writeOrQueue', fixed) + 1],
		);
	} finally {
		rmSync(path.dirname(dir), { recursive: true, force: true });
	}
});
