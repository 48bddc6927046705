/**
 * The CLI's profile edge: `memlens check --profile FILE` (a profile read from disk, joined with the
 * check's compiler facts) and `memlens profile [PKG] --bench REGEX` (the package's benchmarks run
 * with the memory profile, its compiler facts from one build, the joined hot-spot table).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { goRoot, resolveGoBinary } from '../analysis/goEnv';
import { findModuleRoots, loadProfile, ProfileError, type ProfileJoin } from '../profile/index';
import { runBenchProfile } from '../profile/runner';
import type { EscapeKind } from '../model';
import type { Finding } from './analyze';
import { compileUnit } from './compile';
import { discover, moduleRoot } from './discover';
import { displayPath } from './format';
import type { ProfileCheck, ProfileOptions } from './profileArgs';
import { hotSpotTable, reasonsByLine, withCosts } from './profileFormat';

interface Io {
	cwd: string;
	out: (s: string) => void;
	err: (s: string) => void;
}

const readSource = (file: string): string | undefined => {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
};

/** `check --profile`: the findings with costs, plus the table; or an error message (exit 2). */
export async function joinCheckProfile(p: ProfileCheck, findings: Finding[], paths: string[], goBin: string, io: Io): Promise<{ findings: Finding[]; table: string } | { error: string }> {
	let bytes: Uint8Array;
	try {
		bytes = await readFile(path.resolve(io.cwd, p.file));
	} catch (e) {
		return { error: `--profile: cannot read ${p.file}: ${(e as Error).message}` };
	}
	const modules = findModuleRoots(paths.map((x) => path.resolve(io.cwd, x)).map((x) => (x.endsWith('.go') ? path.dirname(x) : x)));
	let join: ProfileJoin;
	try {
		join = loadProfile(bytes, { sampleType: p.sampleType, modules, goroot: goBin ? await goRoot(goBin) : undefined, sourceOf: readSource });
	} catch (e) {
		if (e instanceof ProfileError) return { error: `--profile ${p.file}: ${e.message}` };
		throw e;
	}
	const reasons = reasonsByLine(findings.filter((f) => f.source === 'compiler').map((f) => ({ kind: f.rule as EscapeKind, pos: { file: f.file, line: f.line, column: f.column }, message: f.compiler ?? f.message })));
	return { findings: withCosts(findings, join, p.minShare), table: hotSpotTable(join, reasons, io.cwd, 10) };
}

/** `memlens profile`: exit code 0, or 2 when the benchmarks could not run or the profile not be read. */
export async function profileCommand(o: ProfileOptions, io: Io): Promise<number> {
	const dir = path.resolve(io.cwd, o.dir);
	const goBin = resolveGoBinary(o.go);
	const { units, missing } = discover([dir], io.cwd);
	if (missing.length || !units.length) {
		io.err(`memlens: ${o.dir}: no Go package there\n`);
		return 2;
	}
	io.err(`memlens: running the benchmarks of ${displayPath(dir, io.cwd) || '.'} matching ${o.bench} with the memory profile…\n`);
	const run = await runBenchProfile({ goBin, dir, bench: o.bench, benchtime: o.benchtime, tags: o.tags, timeoutMs: 30 * 60_000 });
	for (const n of run.notes) io.err(`memlens: note: ${n}\n`);
	if (run.status !== 'ok' || !run.profile) {
		io.err(`memlens: ${run.message ?? run.status}\n${run.status === 'failed' ? run.output + '\n' : ''}`);
		return 2;
	}
	// The compiler's facts for the package (one build of its module unit, as `memlens check` does).
	const unit = units.find((u) => u.packages.includes(dir)) ?? units[0];
	const compiled = await compileUnit(goBin, { ...unit, packages: [dir], patterns: [dir === unit.root ? '.' : `./${path.relative(unit.root, dir).split(path.sep).join('/')}`] }, o.tags);
	if (compiled.status !== 'ok') io.err(`memlens: no compiler facts (${compiled.message ?? compiled.status}): the table has costs without reasons\n`);
	const root = moduleRoot(dir) ?? dir;
	let join: ProfileJoin;
	try {
		join = loadProfile(run.profile, { sampleType: o.sampleType, modules: findModuleRoots([root]), goroot: await goRoot(goBin), sourceOf: readSource });
	} catch (e) {
		io.err(`memlens: the profile go test wrote cannot be read: ${(e as Error).message}\n`);
		return 2;
	}
	const reasons = reasonsByLine(compiled.facts);
	if (o.format === 'json') {
		io.out(JSON.stringify(profileJson(join, run.benchmarks, reasons, io.cwd, o.top), null, 2) + '\n');
		return 0;
	}
	for (const b of run.benchmarks) {
		const parts = [`${b.iterations} iterations`, b.nsPerOp !== undefined ? `${b.nsPerOp} ns/op` : '', b.bytesPerOp !== undefined ? `${b.bytesPerOp} B/op` : '', b.allocsPerOp !== undefined ? `${b.allocsPerOp} allocs/op` : ''];
		io.out(`${b.name}: ${parts.filter(Boolean).join(', ')}\n`);
	}
	io.out('\n' + hotSpotTable(join, reasons, io.cwd, o.top));
	return 0;
}

/** The `--format json` document of `memlens profile` (version 1). */
export function profileJson(join: ProfileJoin, benchmarks: unknown[], reasons: Map<string, string[]>, cwd: string, top: number) {
	const total = join.total.value;
	return {
		version: 1,
		sampleType: join.sampleType,
		unit: join.unit,
		total: join.total,
		samples: join.samples,
		benchmarks,
		lines: join.lines
			.filter((l) => l.own.value > 0)
			.slice(0, top)
			.map((l) => ({
				file: displayPath(l.file, cwd),
				line: l.line,
				function: l.func,
				bytes: l.own.bytes,
				objects: l.own.objects,
				share: total > 0 ? l.own.value / total : 0,
				flat: l.flat,
				cum: l.cum,
				compiler: reasons.get(`${l.file}\u0000${l.line}`) ?? [],
				callees: l.callees,
			})),
		outside: join.outside,
		stale: { samples: join.stale.samples, value: join.stale.value, lines: join.stale.lines.map((s) => ({ ...s, file: displayPath(s.file, cwd) })) },
	};
}
