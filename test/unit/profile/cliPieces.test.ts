/** The pure pieces of the CLI's profile commands: options, go test's benchmark lines, labels. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, UsageError } from '../../../server/src/cli/args';
import { parseBenchOutput } from '../../../server/src/profile/benchOutput';
import { benchArgs } from '../../../server/src/profile/runner';
import { costLabel, formatBytes, formatCount, formatDelta, formatShare } from '../../../server/src/profile/units';

test('check --profile options are taken out before the other options are parsed', () => {
	const c = parseCli(['check', '--format', 'json', '--profile=mem.pprof', '--sample', 'inuse_objects', '--min-share', '2.5%', 'a', 'b']);
	assert.equal(c.command, 'check');
	if (c.command !== 'check') return;
	assert.deepEqual(c.profile, { file: 'mem.pprof', sampleType: 'inuse_objects', minShare: 0.025 });
	assert.deepEqual(c.paths, ['a', 'b']);
	assert.equal(c.format, 'json');
	const plain = parseCli(['check']);
	assert.equal(plain.command === 'check' && plain.profile, undefined);
	assert.throws(() => parseCli(['check', '--profile']), UsageError);
	assert.throws(() => parseCli(['check', '--sample', 'alloc_space']), /need --profile/);
});

test('the profile command', () => {
	const p = parseCli(['profile', './pkg', '--bench', '^BenchmarkX$', '--benchtime', '200x', '--top', '5']);
	assert.deepEqual(p, { command: 'profile', dir: './pkg', bench: '^BenchmarkX$', benchtime: '200x', sampleType: 'alloc_space', top: 5, format: 'text', tags: [], go: '' });
	assert.throws(() => parseCli(['profile', '--bench', '.', '--benchtime', 'soon']), /--benchtime: "soon"/);
	assert.throws(() => parseCli(['profile', 'a', 'b', '--bench', '.']), /one package directory/);
	assert.deepEqual(benchArgs({ bench: '.', benchtime: '1s' }, '/t/mem.pprof', '/t/p.test'), ['test', '-run=^$', '-bench=.', '-benchmem', '-memprofile=/t/mem.pprof', '-memprofilerate=1', '-o=/t/p.test', '-vet=off', '-benchtime=1s']);
});

test('benchmark result lines as go test prints them (GOMAXPROCS suffix, sub-benchmarks, no -benchmem)', () => {
	const out = [
		'goos: linux',
		'BenchmarkNewPoint-2     \t    2000\t      1377 ns/op\t      16 B/op\t       1 allocs/op',
		'BenchmarkSize/n-10-2   \t     100\t        11.49 ns/op\t       0 B/op\t       0 allocs/op',
		'BenchmarkPlain \t 5 \t 200 ns/op',
		'PASS',
	].join('\n');
	assert.deepEqual(parseBenchOutput(out), [
		{ name: 'BenchmarkNewPoint', iterations: 2000, nsPerOp: 1377, bytesPerOp: 16, allocsPerOp: 1 },
		{ name: 'BenchmarkSize/n-10', iterations: 100, nsPerOp: 11.49, bytesPerOp: 0, allocsPerOp: 0 },
		{ name: 'BenchmarkPlain', iterations: 5, nsPerOp: 200 },
	]);
});

test('labels: pprof-style bytes, counts, shares, differences', () => {
	assert.equal(formatBytes(16), '16 B');
	assert.equal(formatBytes(3216), '3.1 kB');
	assert.equal(formatBytes(1.2 * 1024 ** 3), '1.2 GB');
	assert.equal(formatCount(201), '201');
	assert.equal(formatCount(3_400_000), '3.4 M');
	assert.equal(formatShare(0.31), '31 %');
	assert.equal(formatShare(0.0004), '<0.1 %');
	assert.equal(costLabel({ value: 0, bytes: 1.2 * 1024 ** 3, objects: 3_400_000 }, 0.31), '1.2 GB · 3.4 M allocs · 31 %');
	assert.equal(formatDelta(100, 4, 'bytes'), '−96 % bytes');
	assert.equal(formatDelta(0, 16, 'bytes'), 'new: 16 B');
});
