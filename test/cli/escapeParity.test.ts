/** Escape parity on small targets: memlens (CLI and the server's runner) reports exactly the compiler's fact set. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { parity, rawCache } from '../../bench/escapeParity';
import { inlinedModule } from '../fixtures/inlinedModule';
import { GO, ensureBuilt, goEnv } from './helpers';

test('container/list: (file, line, column, kind) sets are equal to the raw -m=2 output', async () => {
	ensureBuilt();
	const goroot = spawnSync(GO, ['env', 'GOROOT'], { env: goEnv(), encoding: 'utf8' }).stdout.trim();
	const r = await parity(path.join(goroot, 'src', 'container', 'list'));
	assert.ok(r.raw > 10, `only ${r.raw} raw facts: the regexes read nothing?`);
	assert.deepEqual({ missing: r.cli.missing, extra: r.cli.extra }, { missing: [], extra: [] });
	assert.deepEqual({ missing: r.runner.missing, extra: r.runner.extra }, { missing: [], extra: [] });
	assert.equal(r.cli.facts, r.raw);
});

test('a module whose packages inline each other\'s bodies (./...): equal sets on both paths', async () => {
	ensureBuilt();
	const m = inlinedModule();
	try {
		const r = await parity(`${m.root}/...`);
		assert.equal(r.packages, 2);
		assert.ok(r.crossPackage >= 2, 'the compile of sub prints facts at the root package\'s log.go');
		assert.deepEqual({ missing: r.cli.missing, extra: r.cli.extra }, { missing: [], extra: [] });
		// The runner's go list in sub/ replays the text the CLI's build printed from the module root.
		assert.deepEqual({ missing: r.runner.missing, extra: r.runner.extra }, { missing: [], extra: [] });
	} finally {
		m.cleanup();
		rmSync(rawCache(m.root), { recursive: true, force: true });
	}
});
