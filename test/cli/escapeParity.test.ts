/** Escape parity on a small GOROOT package: memlens reports exactly the compiler's fact set. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parity } from '../../bench/escapeParity';
import { GO, ensureBuilt, goEnv } from './helpers';

test('container/list: (file, line, column, kind) sets are equal to the raw -m=2 output', async () => {
	ensureBuilt();
	const goroot = spawnSync(GO, ['env', 'GOROOT'], { env: goEnv(), encoding: 'utf8' }).stdout.trim();
	const r = await parity(path.join(goroot, 'src', 'container', 'list'));
	assert.ok(r.raw > 10, `only ${r.raw} raw facts: the regexes read nothing?`);
	assert.deepEqual({ missing: r.missing, extra: r.extra }, { missing: [], extra: [] });
	assert.equal(r.ours, r.raw);
});
