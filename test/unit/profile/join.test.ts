/**
 * The profile engine on profiles captured from the real toolchain (test/fixtures/profile, see
 * capture.ts there): `go test -bench -memprofile -memprofilerate=1` on examples/allocs, with absolute
 * paths and with -trimpath, gzipped and plain, all four sample types, and a profile of an older
 * version of allocs.go. Joined with the compiler's facts for the current allocs.go (-m=2, captured).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Profile } from 'pprof-format';
import path from 'node:path';
import { parseEscapeOutput } from '../../../server/src/escape/parser';
import { decodeProfile, ProfileError, type DecodedProfile, type SampleType } from '../../../server/src/profile/decode';
import { factCosts, joinProfile, type ProfileJoin } from '../../../server/src/profile/join';
import { SourceMapper, type ModuleRoot } from '../../../server/src/profile/map';

const FIX = path.join(__dirname, '..', '..', 'fixtures', 'profile');
const EXAMPLES = path.resolve(__dirname, '..', '..', '..', 'examples');
const ALLOCS = path.join(EXAMPLES, 'allocs', 'allocs.go');
const meta = JSON.parse(readFileSync(path.join(FIX, 'meta.json'), 'utf8')) as { captureModuleDir: string; modulePath: string };
const current = readFileSync(ALLOCS, 'utf8');
const lineOf = (needle: string) => current.split('\n').findIndex((l) => l.includes(needle)) + 1;
const NEWPOINT_ALLOC = lineOf('p := Point{X: x, Y: y}');
const LABELS_ALLOC = lineOf('out = append(out, "item-"+strconv.Itoa(i))');

const here: ModuleRoot = { dir: EXAMPLES, path: meta.modulePath };
const sources = (file: string) => {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
};
const load = (name: string) => decodeProfile(readFileSync(path.join(FIX, name)));
/** Every sample's stack and values, copied out of the reused arrays readSamples hands over. */
const samplesOf = (p: DecodedProfile) => {
	const out: { stack: number[]; values: number[] }[] = [];
	const counts = p.readSamples((stack, depth, values) => out.push({ stack: [...stack.subarray(0, depth)], values: [...values] }));
	assert.equal(counts.samples, out.length);
	return out;
};
const join = (name: string, sampleType: SampleType = 'alloc_space', modules: ModuleRoot[] = [here]): ProfileJoin =>
	joinProfile(load(name), { sampleType, mapper: new SourceMapper(modules, '/usr/local/go'), sourceOf: sources });
const facts = parseEscapeOutput(readFileSync(path.join(FIX, 'allocs-m2.txt'), 'utf8'), { cwd: path.join(EXAMPLES, 'allocs') }).facts;

test('gzipped and plain bytes decode to the same profile with the four heap sample types', () => {
	const gz = load('allocs-abs.pprof.gz');
	const plain = load('allocs-abs.pprof');
	assert.deepEqual(gz.types.map((t) => `${t.type}/${t.unit}`), ['alloc_objects/count', 'alloc_space/bytes', 'inuse_objects/count', 'inuse_space/bytes']);
	const samples = samplesOf(gz);
	assert.deepEqual(samples, samplesOf(plain));
	assert.deepEqual(gz.frames, plain.frames);
	assert.ok(samples.length > 10);
	assert.ok(samples.every((s) => s.stack.length > 0 && s.stack.every((f) => f < gz.frames.length) && s.values.length === 4));
});

test('what is not a profile is a ProfileError, and a missing sample type names the ones there are', () => {
	assert.throws(() => decodeProfile(Buffer.from('not a profile at all, just text\n')), ProfileError);
	assert.throws(() => decodeProfile(Buffer.from([0x1f, 0x8b, 1, 2, 3])), /gzip/);
	const p = load('allocs-abs.pprof');
	assert.throws(() => joinProfile({ ...p, types: [{ type: 'samples', unit: 'count' }, { type: 'cpu', unit: 'nanoseconds' }] }, { sampleType: 'alloc_space', mapper: new SourceMapper([here], undefined), sourceOf: sources }), /no alloc_space samples \(it has samples, cpu\)/);
});

test('a profile cut short, or a sample that is not a Sample message, is a ProfileError; so is it from readSamples', () => {
	const bytes = readFileSync(path.join(FIX, 'allocs-abs.pprof'));
	assert.throws(() => decodeProfile(bytes.subarray(0, bytes.length - 7)), /not a pprof profile/);
	// One more top-level `sample` (field 2, 2 bytes) holding a tag of wire type 7, which does not exist.
	const bad = decodeProfile(Buffer.concat([bytes, Buffer.from([0x12, 0x02, 0x0f, 0x00])]));
	assert.throws(() => bad.readSamples(() => {}), ProfileError);
	assert.throws(() => joinProfile(bad, { sampleType: 'alloc_space', mapper: new SourceMapper([here], undefined), sourceOf: sources }), ProfileError);
});

test('a sample naming a location the profile does not define is counted as broken; its other frames still count', () => {
	const bytes = readFileSync(path.join(FIX, 'allocs-abs.pprof'));
	const re = Profile.decode(bytes);
	const lids = re.sample[0].locationId;
	const leaf = lids[0];
	re.sample[0].locationId = [999_999, ...lids.slice(1)]; // the leaf's location replaced by one that is not there
	const p = decodeProfile(re.encode());
	const [was, now] = [samplesOf(load('allocs-abs.pprof'))[0], samplesOf(p)[0]];
	assert.equal(p.readSamples(() => {}).brokenLocations, 1);
	const leafFrames = was.stack.length - now.stack.length;
	assert.ok(leafFrames >= 1 && Number(leaf) > 0);
	assert.deepEqual(now.stack, was.stack.slice(leafFrames));
	assert.equal(joinProfile(p, { sampleType: 'alloc_space', mapper: new SourceMapper([here], '/usr/local/go'), sourceOf: sources }).brokenSamples, 1);
});

test('absolute paths: the capture directory maps to itself, and through the import path to a checkout elsewhere', () => {
	// As captured: the module sat in meta.captureModuleDir (no longer on disk, so its text comes from examples/).
	const captured = { dir: meta.captureModuleDir, path: meta.modulePath };
	const mapper = new SourceMapper([captured], '/usr/local/go');
	const m = mapper.map(path.join(meta.captureModuleDir, 'allocs', 'allocs.go'), `${meta.modulePath}/allocs.Labels`);
	assert.deepEqual(m, { where: 'workspace', file: path.join(meta.captureModuleDir, 'allocs', 'allocs.go'), module: captured });
	assert.deepEqual(mapper.map('/usr/local/go/src/strconv/itoa.go', 'strconv.formatBits'), { where: 'goroot', file: '/usr/local/go/src/strconv/itoa.go' });
	// This checkout: the profile's absolute paths are not ours; the import path finds examples/allocs.
	const j = join('allocs-abs.pprof.gz');
	assert.equal(j.lines[0].file, ALLOCS);
	assert.equal(j.lines[0].line, LABELS_ALLOC);
});

test('-trimpath paths: module path + path in module, and GOROOT-relative standard library files', () => {
	const mapper = new SourceMapper([here], '/usr/local/go');
	assert.deepEqual(mapper.map(`${meta.modulePath}/allocs/allocs.go`, `${meta.modulePath}/allocs.Labels`), { where: 'workspace', file: ALLOCS, module: here });
	assert.deepEqual(mapper.map('runtime/proc.go', 'runtime.main'), { where: 'goroot', file: '/usr/local/go/src/runtime/proc.go' });
	const t = join('allocs-trimpath.pprof.gz');
	const a = join('allocs-abs.pprof.gz');
	assert.deepEqual(t.lines.slice(0, 3).map((l) => [l.file, l.line]), a.lines.slice(0, 3).map((l) => [l.file, l.line]));
});

test('alloc_space: the top line is Labels’ append, then NewPoint’s moved-to-heap local; every sample counted', () => {
	const j = join('allocs-abs.pprof.gz');
	const [top, second] = j.lines.filter((l) => l.file === ALLOCS);
	assert.equal(top.line, LABELS_ALLOC);
	assert.match(top.func, /allocs\.Labels$/);
	assert.equal(second.line, NEWPOINT_ALLOC);
	// 200 benchmark iterations + the one b.N=1 probe run, 16 bytes each (-benchmem reports 16 B/op).
	assert.equal(second.flat.bytes, 201 * 16);
	assert.equal(second.flat.objects, 201);
	assert.equal(second.own.value, second.flat.value);
	// Each sample is in exactly one of: a workspace line's `own`, outside, stale.
	const owned = j.lines.reduce((n, l) => n + l.own.value, 0);
	assert.equal(owned + j.outside.value + j.stale.value, j.total.value);
	assert.ok(j.outside.samples > 0, 'the testing package allocates too: counted as outside the workspace');
	assert.equal(j.stale.samples, 0);
	// cum counts a line once per sample: the benchmark's call line holds at least what Labels' line owns.
	const call = j.lines.find((l) => l.file.endsWith('allocs_test.go') && /BenchmarkLabels/.test(l.func));
	assert.ok(call && call.cum.value >= top.own.value && call.own.value === 0);
});

test('alloc_objects, inuse_space, inuse_objects choose their values', () => {
	const objects = join('allocs-abs.pprof.gz', 'alloc_objects');
	const np = objects.lines.find((l) => l.line === NEWPOINT_ALLOC)!;
	assert.equal(np.own.value, 201);
	assert.equal(objects.unit, 'count');
	const inuse = join('allocs-abs.pprof.gz', 'inuse_space');
	assert.equal(inuse.unit, 'bytes');
	assert.ok(inuse.total.value < join('allocs-abs.pprof.gz').total.value, 'in use at the last GC is less than all allocated');
	const inuseObjects = join('allocs-abs.pprof.gz', 'inuse_objects');
	assert.equal(inuseObjects.total.value, inuse.total.objects);
});

test('joined with the compiler: the costliest facts are on the measured lines, with their reasons', () => {
	const j = join('allocs-abs.pprof.gz');
	const costs = factCosts(j, facts.filter((f) => f.kind === 'moved-to-heap' || f.kind === 'escapes-to-heap'));
	costs.sort((a, b) => b.share - a.share);
	assert.equal(costs[0].fact.pos.line, LABELS_ALLOC);
	assert.ok(costs[0].share > 0.5, `Labels' line dominates: ${costs[0].share}`);
	const moved = costs.find((c) => c.fact.kind === 'moved-to-heap')!;
	assert.equal(moved.fact.message, 'moved to heap: p');
	assert.equal(moved.cost?.line, NEWPOINT_ALLOC);
	assert.equal(moved.cost?.flat.objects, 201);
	// SumSquares' make does not escape: the profile saw nothing there.
	const dne = factCosts(j, facts.filter((f) => f.kind === 'does-not-escape' && f.subject.startsWith('make(')));
	assert.ok(dne.length > 0 && dne.every((c) => c.cost === undefined));
});

test('a profile of an older version: moved functions move their lines, a function that is gone is reported stale', () => {
	const old = join('allocs-old.pprof.gz');
	const top = old.lines.filter((l) => l.file === ALLOCS);
	// The old file had Repeat (10 lines) above everything: Labels' append was 10 lines lower.
	const labels = top.find((l) => /Labels$/.test(l.func))!;
	assert.equal(labels.line, LABELS_ALLOC);
	assert.equal(labels.profileLine, LABELS_ALLOC + 10);
	assert.equal(top.find((l) => /NewPoint$/.test(l.func))?.line, NEWPOINT_ALLOC);
	assert.ok(old.stale.samples > 0);
	const repeat = old.stale.lines.find((l) => /allocs\.Repeat$/.test(l.func));
	assert.ok(repeat, JSON.stringify(old.stale.lines));
	assert.match(repeat.reason, /Repeat is not declared in allocs\.go any more/);
	assert.ok(!old.lines.some((l) => /Repeat/.test(l.func)), 'never placed on a wrong line');
});
