/** `memlens fix`: --dry-run prints a diff and writes nothing; a real run fixes a temp copy that still builds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { EXAMPLES, GO, goEnv, runCli, tempCopy } from './helpers';

test('fix --dry-run prints a unified diff and leaves the file alone', async () => {
	const dir = tempCopy(path.join(EXAMPLES, 'go122'));
	try {
		const file = path.join(dir, 'loops.go');
		const before = readFileSync(file, 'utf8');
		const r = await runCli(['fix', '--dry-run', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^--- a\/loops\.go\n\+\+\+ b\/loops\.go\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
		assert.match(r.stdout, /^-\t\tn := n$/m);
		assert.equal(readFileSync(file, 'utf8'), before);
	} finally {
		rmSync(path.dirname(dir), { recursive: true, force: true });
	}
});

test('fix removes the redundant copy, the result builds, and a second check finds nothing to fix', async () => {
	const dir = tempCopy(path.join(EXAMPLES, 'go122'));
	try {
		const file = path.join(dir, 'loops.go');
		const r = await runCli(['fix', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^loops\.go:26: Remove the redundant copy `n := n` \[loopvar-redundant-copy\]$/m);
		const after = readFileSync(file, 'utf8');
		assert.doesNotMatch(after, /^\t\tn := n$/m);
		const build = spawnSync(GO, ['vet', '.'], { cwd: dir, env: goEnv(), encoding: 'utf8' });
		assert.equal(build.status, 0, build.stderr);
		const again = await runCli(['check', '--escape', 'none', '--format', 'json', '.'], { cwd: dir });
		assert.deepEqual(JSON.parse(again.stdout).findings, []);
	} finally {
		rmSync(path.dirname(dir), { recursive: true, force: true });
	}
});
