/**
 * A profiling run writes nothing into the workspace (issue 12): `go test -memprofile` leaves
 * PKG.test in the package directory unless -o points elsewhere, and the profile goes where
 * -memprofile says. After `memlens profile` the workspace (names, sizes, contents) is the same and
 * the CLI's temp directory is empty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { CLI_JS, goEnv, ROOT } from './session';
import { scratch, treeListing } from './lifecycle';

test('memlens profile: the workspace is byte-identical afterwards, no test binary or profile left anywhere', () => {
	const s = scratch();
	try {
		cpSync(path.join(ROOT, 'examples', 'go.mod'), path.join(s.ws, 'go.mod'));
		cpSync(path.join(ROOT, 'examples', 'allocs'), path.join(s.ws, 'allocs'), { recursive: true });
		const before = treeListing(s.ws);
		const r = spawnSync(process.execPath, [CLI_JS, 'profile', './allocs', '--bench', '.', '--benchtime', '20x'], {
			cwd: s.ws,
			env: goEnv({ ...s.env, GOFLAGS: '' }),
			encoding: 'utf8',
			timeout: 180_000,
		});
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /allocs\/allocs\.go:\d+/, 'the run measured something');
		assert.deepEqual(treeListing(s.ws), before, 'the profiling run changed the workspace');
		assert.deepEqual(readdirSync(s.tmp), [], 'the profiling run left entries in its temp directory');
	} finally {
		s.remove();
	}
});
