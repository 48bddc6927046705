/**
 * Decode + join of a big allocation profile against GOROOT's net/http (its source and its 3,777
 * compiler facts), side by side with `go tool pprof -top` on the same file (Go's own decoder and
 * aggregation), and the keystroke path beside it (bench/keystroke.ts in the same run: the profile
 * join is not on it).
 *
 *   npm run build && node --import tsx bench/profileJoin.ts [--quick] [--mb N] [--keep FILE]
 *
 * `--keep FILE`: also write the synthetic profile there (to look at it with go tool pprof).
 *
 * The profile is synthetic, built with pprof-format's encoder from real net/http locations: one
 * function per net/http declaration (its real `func` line), locations on lines inside those
 * functions and on every compiler fact's line (some with an inlined frame), samples with stacks 4–40
 * deep, the four heap sample types. Written plain (≥ N MB, default 20) and gzipped; each is
 * measured in a fresh node process (peak RSS from getrusage). Target: decode + join ≤ 1 s.
 *
 * Then the decoders side by side on the plain file, each in a fresh process, decode alone: ours
 * (protobufjs, samples read one at a time: decode.ts), protobufjs decoding the whole `Profile`
 * with its samples as objects, and pprof-format's `Profile.decode` (what decode.ts used before).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { Function as PFunction, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import protobuf from 'protobufjs/light';
import type { EscapeFact } from '../server/src/model';
import { compileUnit } from '../server/src/cli/compile';
import { discover } from '../server/src/cli/discover';
import { decodeProfile, factCosts, loadProfile } from '../server/src/profile/index';
import { PROFILE_SCHEMA } from '../server/src/profile/profileSchema';
import { funcSpans } from '../server/src/profile/funcLines';
import { spawnTool } from '../server/src/toolchain/processes';
import { prepareToolRun } from '../server/src/toolchain/toolRun';

const GO = '/usr/local/go/bin/go';
const GOROOT = '/usr/local/go';
const HTTP = path.join(GOROOT, 'src', 'net', 'http');
const TARGET_MS = 1000;

/** A small deterministic generator: the same profile every run. */
function rng(seed: number) {
	let s = seed >>> 0;
	return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function readSource(file: string): string | undefined {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
}

/** The synthetic profile: ≥ `minBytes` of plain protobuf. */
export function synthesize(facts: EscapeFact[], minBytes: number): Uint8Array {
	const rand = rng(12);
	const st = new StringTable();
	const functions: PFunction[] = [];
	const locations: Location[] = [];
	const byFile = new Map<string, number[]>(); // file → function ids
	const spanOf = new Map<number, { file: string; start: number; end: number }>();
	for (const name of readdirSync(HTTP).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go')).sort()) {
		const file = path.join(HTTP, name);
		const text = readFileSync(file, 'utf8');
		for (const [fn, span] of funcSpans(text)) {
			const id = functions.length + 1;
			functions.push(new PFunction({ id, name: st.dedup(`net/http.${fn}`), systemName: st.dedup(`net/http.${fn}`), filename: st.dedup(file), startLine: span.start }));
			spanOf.set(id, { file, ...span });
			byFile.set(file, [...(byFile.get(file) ?? []), id]);
		}
	}
	const funcAt = (file: string, line: number) => (byFile.get(file) ?? []).find((id) => spanOf.get(id)!.start <= line && line <= spanOf.get(id)!.end);
	const addLoc = (lines: { functionId: number; line: number }[]) => {
		const id = locations.length + 1;
		locations.push(new Location({ id, mappingId: 1, address: 0x400000 + id * 16, line: lines.map((l) => new Line(l)) }));
		return id;
	};
	for (const f of facts) {
		const fid = funcAt(f.pos.file, f.pos.line);
		if (fid) addLoc([{ functionId: fid, line: f.pos.line }]);
	}
	for (let id = 1; id <= functions.length; id++) {
		const { start, end } = spanOf.get(id)!;
		for (let k = 0; k < 3; k++) {
			const line = start + Math.floor(rand() * Math.max(1, end - start));
			// Every fourth location also has an inlined callee's line, innermost first.
			const inl = k === 0 && id > 1 ? [{ functionId: id - 1, line: spanOf.get(id - 1)!.start + 1 }] : [];
			addLoc([...inl, { functionId: id, line }]);
		}
	}
	const sampleType = ['alloc_objects/count', 'alloc_space/bytes', 'inuse_objects/count', 'inuse_space/bytes'].map((t) => new ValueType({ type: st.dedup(t.split('/')[0]), unit: st.dedup(t.split('/')[1]) }));
	const samples: Sample[] = [];
	// ~ bytes per sample: locations as varints + values; measured by encoding once at the end.
	const build = () =>
		new Profile({
			sampleType,
			sample: samples,
			mapping: [new Mapping({ id: 1, memoryStart: 0x400000, memoryLimit: 0x4000000, filename: st.dedup('/tmp/http.test'), hasFunctions: true, hasLineNumbers: true })],
			location: locations,
			function: functions,
			stringTable: st,
			periodType: new ValueType({ type: st.dedup('space'), unit: st.dedup('bytes') }),
			period: 524288,
			defaultSampleType: 0,
		});
	// Encode once with a first batch, then add what the measured bytes per sample say is missing.
	let batch = 20_000;
	for (;;) {
		for (let i = 0; i < batch; i++) {
			const depth = 4 + Math.floor(rand() * 37);
			const locs: number[] = [];
			for (let d = 0; d < depth; d++) locs.push(1 + Math.floor(rand() * rand() * locations.length));
			const objs = 1 + Math.floor(rand() * 50);
			const size = objs * (8 << Math.floor(rand() * 8));
			samples.push(new Sample({ locationId: locs, value: [objs, size, Math.floor(objs / 3), Math.floor(size / 3)] }));
		}
		const bytes = build().encode();
		if (bytes.length >= minBytes) return bytes;
		batch = Math.ceil(((minBytes - bytes.length) / bytes.length) * samples.length * 1.02) + 100;
	}
}

/** Runs in a fresh process: decode + join + fact costs of one file; prints one JSON line. */
function child(file: string, factsFile: string): void {
	const facts = JSON.parse(readFileSync(factsFile, 'utf8')) as EscapeFact[];
	const rssBefore = process.memoryUsage().rss;
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	const bytes = readFileSync(file);
	const join = loadProfile(bytes, { sampleType: 'alloc_space', modules: [{ dir: path.join(GOROOT, 'src'), path: 'std' }], sourceOf: readSource });
	const t1 = performance.now();
	const cpu = process.cpuUsage(cpu0);
	const costs = factCosts(join, facts);
	const t2 = performance.now();
	const peak = process.resourceUsage().maxRSS * 1024;
	console.log(JSON.stringify({ ms: t1 - t0, cpuMs: (cpu.user + cpu.system) / 1000, factMs: t2 - t1, peakMB: peak / 2 ** 20, aboveStartMB: (peak - rssBefore) / 2 ** 20, samples: join.samples, lines: join.lines.length, measuredFacts: costs.filter((c) => c.cost).length, outside: join.outside.samples }));
}

const DECODERS = ['ours', 'protobufjs-whole', 'pprof-format'] as const;

/** Runs in a fresh process: one decoder on one file, decode alone; prints one JSON line. */
function decoderChild(name: (typeof DECODERS)[number], file: string): void {
	const bytes = readFileSync(file);
	let decode: () => number;
	if (name === 'ours') {
		decode = () => decodeProfile(bytes).readSamples(() => {}).samples;
	} else if (name === 'protobufjs-whole') {
		// The same schema with `Profile.sample` declared: one object per sample, all kept. 64-bit
		// values are numbers here too (decode.ts, imported above, configures protobufjs so).
		const schema = structuredClone(PROFILE_SCHEMA);
		const fields: Record<string, unknown> = schema.nested.perftools.nested.profiles.nested.Profile.fields;
		fields.sample = { rule: 'repeated', type: 'Sample', id: 2 };
		const T = protobuf.Root.fromJSON(schema as unknown as protobuf.INamespace).lookupType('perftools.profiles.Profile');
		decode = () => (T.decode(bytes) as unknown as { sample: unknown[] }).sample.length;
	} else {
		decode = () => Profile.decode(bytes).sample.length;
	}
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	const samples = decode();
	const ms = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, peakMB: process.resourceUsage().maxRSS / 1024, samples }));
}

async function goPprofTop(file: string): Promise<number> {
	const run = await prepareToolRun({ cwd: os.tmpdir(), build: false });
	try {
		const t0 = performance.now();
		const { child: c } = await spawnTool(GO, ['tool', 'pprof', '-top', '-sample_index=alloc_space', '-lines', '-symbolize=none', file], { cwd: run.dir, env: run.env, stdout: 'ignore', stderr: 'pipe', buffer: true });
		const r = await c;
		if (r.exitCode !== 0) throw new Error(`go tool pprof failed: ${String(r.stderr).slice(0, 300)}`);
		return performance.now() - t0;
	} finally {
		await run.dispose();
	}
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	if (args[0] === '--child') return child(args[1], args[2]);
	if (args[0] === '--decoder') return decoderChild(args[1] as (typeof DECODERS)[number], args[2]);
	const quick = args.includes('--quick');
	const mbAt = args.indexOf('--mb');
	const mb = mbAt >= 0 ? Number(args[mbAt + 1]) : quick ? 2 : 20;
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-bench-profile-'));
	try {
		const { units } = discover([HTTP], HTTP);
		const compiled = await compileUnit(GO, { ...units[0], packages: [HTTP], patterns: ['./net/http'] }, []);
		if (compiled.status !== 'ok') throw new Error(`net/http did not compile: ${compiled.message}`);
		const facts = compiled.facts.filter((f) => f.kind !== 'inlining' && f.pos.file.startsWith(HTTP + path.sep));
		const factsFile = path.join(tmp, 'facts.json');
		writeFileSync(factsFile, JSON.stringify(facts));
		const t0 = performance.now();
		const plain = synthesize(facts, mb * 2 ** 20);
		const plainFile = path.join(tmp, 'big.pprof');
		writeFileSync(plainFile, plain);
		const keep = args.indexOf('--keep');
		if (keep >= 0) writeFileSync(args[keep + 1], plain);
		const gzFile = path.join(tmp, 'big.pprof.gz');
		writeFileSync(gzFile, gzipSync(plain, { level: 1 }));
		console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs (wall times grow with it; CPU times less so)`);
		console.log(`net/http: ${facts.length} compiler facts (inlining decisions left out); synthetic profile ${(plain.length / 2 ** 20).toFixed(1)} MB plain, ${(statSync(gzFile).size / 2 ** 20).toFixed(1)} MB gzipped (built in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
		let missed = false;
		for (const [label, file] of [['plain', plainFile], ['gzipped', gzFile]] as const) {
			const runs = [0, 1, 2].map(() => {
				const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', file, factsFile], { encoding: 'utf8' });
				if (r.status !== 0) throw new Error(r.stderr);
				return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; cpuMs: number; factMs: number; peakMB: number; aboveStartMB: number; samples: number; lines: number; measuredFacts: number; outside: number };
			});
			const best = runs.sort((a, b) => a.ms - b.ms)[1]; // the median of three
			const go = await goPprofTop(file);
			console.log(`${label}: decode + join ${best.ms.toFixed(0)} ms (target ≤ ${TARGET_MS} ms; ${best.cpuMs.toFixed(0)} ms of CPU), fact costs ${best.factMs.toFixed(1)} ms; peak RSS ${best.peakMB.toFixed(0)} MB (${best.aboveStartMB.toFixed(0)} MB above start); ${best.samples} samples → ${best.lines} net/http lines, ${best.measuredFacts}/${facts.length} facts measured`);
			console.log(`  go tool pprof -top -lines -symbolize=none on the same file: ${go.toFixed(0)} ms → ours/go ${(best.ms / go).toFixed(2)}×`);
			if (best.ms > TARGET_MS) missed = true;
		}
		// The decoders side by side, decode alone, on the plain file (the median of three runs each).
		const decoders = DECODERS.map((name) => {
			const runs = [0, 1, 2].map(() => {
				const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--decoder', name, plainFile], { encoding: 'utf8' });
				if (r.status !== 0) throw new Error(r.stderr);
				return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; cpuMs: number; peakMB: number; samples: number };
			});
			return { name, ...runs.sort((a, b) => a.cpuMs - b.cpuMs)[1] };
		});
		const ours = decoders[0];
		for (const d of decoders) {
			console.log(`decoder ${d.name.padEnd(16)} ${d.ms.toFixed(0).padStart(6)} ms wall, ${d.cpuMs.toFixed(0).padStart(6)} ms CPU (${(d.cpuMs / ours.cpuMs).toFixed(2)}× ours), peak RSS ${d.peakMB.toFixed(0)} MB, ${d.samples} samples`);
		}
		// The keystroke path, in the same run: the profile join is not on it.
		const k = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'keystroke.ts'), quick ? '50' : '60'], { encoding: 'utf8', env: { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH}`, GOTOOLCHAIN: 'local' } });
		const ratios = [...k.stdout.matchAll(/ratio end to end: ([\d.]+)×/g)].map((m) => m[1]);
		console.log(`keystroke.ts beside it: end-to-end ratios ${ratios.join(', ') || '(none printed)'} (its target ≤ 1.5×; exit ${k.status})`);
		if (missed) process.exitCode = 1;
	} finally {
		rmSync(tmp, { recursive: true, force: true });
	}
}

if (require.main === module) {
	void main().catch((e) => {
		console.error(e);
		process.exitCode = 2;
	});
}
