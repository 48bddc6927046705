/**
 * The benchmark runner over the real `go test -bench -memprofile`: a run returns go test's figures
 * and the profile's bytes, leaving nothing in the package directory; cancelling mid-run stops the
 * whole process tree (the test binary too) and says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeProfile } from '../../../server/src/profile/decode';
import { runBenchProfile } from '../../../server/src/profile/runner';
import { liveToolCount } from '../../../server/src/toolchain/processes';

const GO = '/usr/local/go/bin/go';
const EXAMPLES = path.resolve(__dirname, '..', '..', '..', 'examples');

function module(): { pkg: string; remove: () => void } {
	const root = mkdtempSync(path.join(os.tmpdir(), 'memlens-bench-run-'));
	cpSync(path.join(EXAMPLES, 'go.mod'), path.join(root, 'go.mod'));
	cpSync(path.join(EXAMPLES, 'allocs'), path.join(root, 'allocs'), { recursive: true });
	return { pkg: path.join(root, 'allocs'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

test('a run: figures, a decodable profile, nothing new in the package directory', async () => {
	const m = module();
	try {
		const before = readdirSync(m.pkg).sort();
		const r = await runBenchProfile({ goBin: GO, dir: m.pkg, bench: '^BenchmarkNewPoint$', benchtime: '20x', env: { GOFLAGS: '' } });
		assert.equal(r.status, 'ok', r.message);
		assert.deepEqual(r.benchmarks.map((b) => [b.name, b.iterations, b.allocsPerOp]), [['BenchmarkNewPoint', 20, 1]]);
		assert.ok(decodeProfile(r.profile!).readSamples(() => {}).samples > 0);
		assert.match(r.command, / -o=\S+\.test /);
		assert.deepEqual(readdirSync(m.pkg).sort(), before);
	} finally {
		m.remove();
	}
});

test('cancel mid-run: status cancelled, no process of the run left', async () => {
	const m = module();
	try {
		const abort = new AbortController();
		// go test prints `goos:` once the test binary runs: cancel then, during the (10 s) benchmark.
		const r = await runBenchProfile({ goBin: GO, dir: m.pkg, bench: '^BenchmarkLabels$', benchtime: '10s', env: { GOFLAGS: '' }, signal: abort.signal, onOutput: (l) => l.startsWith('goos:') && abort.abort() });
		assert.equal(r.status, 'cancelled');
		assert.equal(liveToolCount(), 0);
	} finally {
		m.remove();
	}
});
