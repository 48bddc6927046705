/**
 * The profile join in the CLI: `memlens profile` runs the real `go test -bench -memprofile` on
 * examples/allocs (short benchtime) and ranks its lines; `memlens check --profile` joins a captured
 * profile (test/fixtures/profile) with the check's compiler facts in text, JSON and SARIF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLES, ROOT, runCli, type JsonFinding } from './helpers';

const FIX = path.join(ROOT, 'test', 'fixtures', 'profile');
const allocsText = readFileSync(path.join(EXAMPLES, 'allocs', 'allocs.go'), 'utf8').split('\n');
const LABELS_LINE = allocsText.findIndex((l) => l.includes('out = append(out, "item-"+strconv.Itoa(i))')) + 1;
const NEWPOINT_LINE = allocsText.findIndex((l) => l.includes('p := Point{X: x, Y: y}')) + 1;

type Costed = JsonFinding & { profile?: { bytes: number; objects: number; share: number; sampleType: string; flatObjects: number } };

test('memlens profile: the real benchmarks; the top line is Labels’ append, with the compiler’s facts on that line as its reason', async () => {
	const r = await runCli(['profile', './allocs', '--bench', '.', '--benchtime', '100x', '--format', 'json'], { cwd: EXAMPLES });
	assert.equal(r.code, 0, r.stderr);
	const doc = JSON.parse(r.stdout);
	assert.deepEqual(doc.benchmarks.map((b: { name: string }) => b.name), ['BenchmarkNewPoint', 'BenchmarkLabels', 'BenchmarkSumSquares']);
	const sum = doc.benchmarks.find((b: { name: string }) => b.name === 'BenchmarkSumSquares');
	assert.equal(sum.allocsPerOp, 0);
	const [top, second] = doc.lines;
	assert.equal(top.file, 'allocs/allocs.go');
	assert.equal(top.line, LABELS_LINE);
	assert.deepEqual([...top.compiler].sort(), ['"item-" + ~r0 escapes to heap', 'append escapes to heap']);
	assert.equal(second.line, NEWPOINT_LINE);
	assert.deepEqual(second.compiler, ['moved to heap: p']);
	// 100 iterations + go test's b.N=1 probe: exact with -memprofilerate=1.
	assert.equal(second.objects, 101);
	assert.equal(second.bytes, 101 * 16);
	assert.ok(doc.outside.samples > 0 && doc.stale.samples === 0);
});

test('memlens profile (text): benchmark lines as go test prints them, then the table', async () => {
	const r = await runCli(['profile', 'allocs', '--bench', '^BenchmarkNewPoint$', '--benchtime', '50x'], { cwd: EXAMPLES });
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, /^BenchmarkNewPoint: 50 iterations, [\d.]+ ns\/op, \d+ B\/op, 1 allocs\/op$/m);
	assert.match(r.stdout, new RegExp(`^\\s+[\\d.]+ %\\s+816 B\\s+51\\s+allocs/allocs\\.go:${NEWPOINT_LINE}\\s+allocs\\.NewPoint\\s+moved to heap: p$`, 'm'));
	assert.match(r.stdout, /^Outside the workspace: /m);
});

test('memlens profile: no matching benchmark, and no --bench, are errors (exit 2)', async () => {
	const none = await runCli(['profile', 'allocs', '--bench', '^BenchmarkNope$', '--benchtime', '1x'], { cwd: EXAMPLES });
	assert.equal(none.code, 2);
	assert.match(none.stderr, /no benchmark matched -bench=\^BenchmarkNope\$/);
	const usage = await runCli(['profile', 'allocs'], { cwd: EXAMPLES });
	assert.equal(usage.code, 2);
	assert.match(usage.stderr, /--bench REGEX is required/);
});

test('check --profile (JSON): each compiler fact carries its line’s bytes, objects and share; costliest first', async () => {
	const r = await runCli(['check', '--format', 'json', '--fail-on', 'none', '--profile', path.join(FIX, 'allocs-abs.pprof.gz'), './allocs'], { cwd: EXAMPLES });
	assert.equal(r.code, 0, r.stderr);
	const fs = (JSON.parse(r.stdout) as { findings: Costed[] }).findings;
	const costed = fs.filter((f) => f.profile);
	assert.deepEqual(costed.map((f) => [f.line, f.rule]), [[LABELS_LINE, 'escapes-to-heap'], [LABELS_LINE, 'escapes-to-heap'], [NEWPOINT_LINE, 'moved-to-heap']]);
	const p = costed[2].profile!;
	assert.equal(p.sampleType, 'alloc_space');
	assert.equal(p.objects, 201);
	assert.equal(p.bytes, 201 * 16);
	assert.ok(p.share > 0 && p.share < 0.01);
	assert.ok(costed[0].profile!.share > 0.5);
});

test('check --profile --min-share keeps only the compiler facts on lines at or above it; --sample alloc_objects', async () => {
	const r = await runCli(['check', '--format', 'json', '--fail-on', 'none', '--profile', path.join(FIX, 'allocs-abs.pprof'), '--min-share', '5%', '--sample', 'alloc_objects', './allocs'], { cwd: EXAMPLES });
	assert.equal(r.code, 0, r.stderr);
	const fs = (JSON.parse(r.stdout) as { findings: Costed[] }).findings.filter((f) => f.source === 'compiler');
	assert.ok(fs.length >= 1);
	assert.ok(fs.every((f) => f.line === LABELS_LINE && f.profile!.sampleType === 'alloc_objects' && f.profile!.share >= 0.05), JSON.stringify(fs.map((f) => [f.line, f.profile])));
});

test('check --profile (text): costs after each fact, the top lines, stale lines of an older profile said', async () => {
	const r = await runCli(['check', '--fail-on', 'none', '--profile', path.join(FIX, 'allocs-old.pprof.gz'), './allocs'], { cwd: EXAMPLES });
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, new RegExp(`^allocs/allocs\\.go:${NEWPOINT_LINE}:2: information: \`p\` is moved to the heap .*\\[moved-to-heap, cause: returned\\] · 3\\.1 kB · 201 allocs · [\\d.]+ %$`, 'm'));
	assert.match(r.stdout, /^Costliest lines \(alloc_space: /m);
	assert.match(r.stdout, /^Stale: .*another version of the code\):\n\s+allocs\/allocs\.go:\d+ allocs\.Repeat: Repeat is not declared in allocs\.go any more$/m);
});

test('check --profile (SARIF): the cost is a result property', async () => {
	const r = await runCli(['check', '--format', 'sarif', '--fail-on', 'none', '--profile', path.join(FIX, 'allocs-trimpath.pprof.gz'), './allocs'], { cwd: EXAMPLES });
	assert.equal(r.code, 0, r.stderr);
	const results = JSON.parse(r.stdout).runs[0].results as { ruleId: string; properties: { profile?: { objects: number } }; locations: { physicalLocation: { region: { startLine: number } } }[] }[];
	const moved = results.find((x) => x.ruleId === 'moved-to-heap');
	assert.equal(moved?.locations[0].physicalLocation.region.startLine, NEWPOINT_LINE);
	assert.equal(moved?.properties.profile?.objects, 201);
});

test('profile usage errors: bad sample type, --min-share without --profile, --profile on fix, not a profile', async () => {
	const cases: [string[], RegExp][] = [
		[['check', '--profile', 'x.pprof', '--sample', 'cpu'], /--sample: "cpu" is not one of alloc_space/],
		[['check', '--min-share', '3'], /--min-share need --profile FILE/],
		[['fix', '--profile', 'x.pprof'], /--profile belongs to `memlens check`/],
		[['check', '--profile', 'x', '--min-share', '140'], /--min-share: "140" is not a percentage/],
	];
	for (const [args, re] of cases) {
		const r = await runCli(args, { cwd: EXAMPLES });
		assert.equal(r.code, 2, args.join(' '));
		assert.match(r.stderr, re);
	}
	const bad = await runCli(['check', '--escape', 'none', '--typed', 'off', '--profile', path.join(EXAMPLES, 'go.mod'), './allocs'], { cwd: EXAMPLES });
	assert.equal(bad.code, 2);
	assert.match(bad.stderr, /--profile .*go\.mod: not a pprof profile/);
});
