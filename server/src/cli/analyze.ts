/**
 * The CLI's engine: discovery → one compile per module → syntax rules per file → findings in the
 * compiler's coordinates (1-based line, 1-based byte column), with UTF-16 columns kept for SARIF.
 */
import path from 'node:path';
import type { EscapeFact, EscapeKind } from '../model';
import { sourceLookup } from '../escape/sourceTerms';
import { GoModReader } from '../analysis/goVersion';
import { newGoParser, type Parser } from '../syntax/goParser';
import { compileUnit, type CompileResult } from './compile';
import { discover, type ModuleUnit } from './discover';
import { shardUnits, type Shard } from './shard';
import type { FunctionSpan } from '../syntax/functionSpans';
import type { TypedRunResult } from '../typed/runner';
import { UnitTypes } from './typed';
import { RulePool, runFileTask, type FileTask } from './ruleWorkers';
import { trimCache, type CacheConfig } from './findingsCache';
import { UnitCacheTap, type UnitResult } from './unitCache';
import { cgoSources, checkFile, factFinding, sortFindings, TextCache, type Finding } from './findings';

export { checkFile, escapeSeverity, factFinding, sortFindings, TextCache, type Finding, type FlowEntry } from './findings';

export interface AnalyzeOptions {
	paths: string[];
	cwd: string;
	/** Compiler kinds to report; empty: the compiler is not run. */
	escape: EscapeKind[];
	goBin: string;
	tags: string[];
	disabledRules: string[];
	/** Run the typed pass (go vet analyzers) per module; needs `goBin`. */
	typed?: boolean;
	/** Vet every package with its test files (`--typed full`); else test files only where a rule found a lock copy. */
	typedTests?: boolean;
	/** Only this shard's packages (`--shard I/N`, cli/shard.ts). */
	shard?: Shard;
	/** Also return the function spans of each file with heap facts (the report's per-function counts). */
	functionSpans?: boolean;
	/** Run the syntax rules on this many threads started from `entry` (the CLI's own file); ≤ 1: in process. */
	ruleThreads?: { size: number; entry: string; minFiles: number };
	/** The persistent cache of rule results per file (cli/findingsCache.ts); undefined: off. */
	findingsCache?: CacheConfig;
	/** The whole-unit result cache (cli/unitCache.ts), in the same directory; needs `findingsCache` and a compile. */
	unitCache?: boolean;
	/**
	 * With the unit cache: when every unit's answer is in it, called with their identities (in unit
	 * order) and the paths not found, before any entry is read; true means the caller answers from its own cache
	 * (./outputCache.ts) and analyze returns `answered` without findings.
	 */
	answeredBy?: (units: string[], missing: string[]) => boolean;
}

export interface AnalyzeResult {
	findings: Finding[];
	compiles: CompileResult[];
	/** The typed pass per module (go vet), when it ran. */
	typedRuns: TypedRunResult[];
	/** Files the syntax rules ran on. */
	files: number;
	packages: number;
	missing: string[];
	/** Problems worth a line on stderr (rule crashes, unreadable files). */
	warnings: string[];
	/** The modules and packages analysed (after `shard`). */
	units: ModuleUnit[];
	/** With `functionSpans`: file → its top-level functions, for files with compiler facts. */
	functions?: Map<string, FunctionSpan[]>;
	/** With `shard`: how many packages all shards together have (a shard may hold none of them). */
	allPackages?: number;
	/** Every unit is in the unit cache (answered or stored): their identities, in unit order. */
	unitKeys?: string[];
	/** `answeredBy` took the run: nothing else in this result is filled. */
	answered?: true;
}

/** Runs the whole check. Never throws for bad Go input; tool problems are in `compiles`. */
export async function analyze(opts: AnalyzeOptions): Promise<AnalyzeResult> {
	const discovered = discover(opts.paths, opts.cwd);
	const { missing } = discovered;
	const findings: Finding[] = [];
	const compiles: CompileResult[] = [];
	const typedRuns: TypedRunResult[] = [];
	const warnings: string[] = [];
	let units = discovered.units;
	const allPackages = units.reduce((n, u) => n + u.packages.length, 0);
	if (opts.shard) {
		const goForList = opts.escape.length || opts.typed ? opts.goBin : '';
		const sharded = await shardUnits(units, opts.shard, opts.cwd, goForList, opts.tags);
		units = sharded.units;
		warnings.push(...sharded.notes);
	}
	const functions = opts.functionSpans ? new Map<string, FunctionSpan[]>() : undefined;
	const threads = opts.ruleThreads;
	const nFiles = units.reduce((n, u) => n + u.files.length, 0);
	// Started when a unit's rules first run (a run answered from the unit cache needs none).
	let pool: RulePool | undefined;
	const rulePool = () => (pool ??= threads && threads.size > 1 && nFiles >= threads.minFiles ? RulePool.start(Math.min(threads.size, nFiles), threads.entry) : undefined);
	const texts = new TextCache();
	const kinds = new Set(opts.escape);
	const mods = new GoModReader();
	// The tree-sitter parser is loaded when a file is first checked in process.
	let goParser: Parser | undefined;
	const parser = () => goParser!;
	let files = 0;
	let ranRules = false;
	let typedOn = !!opts.typed && !!opts.goBin;
	/** A unit's answer from the unit cache, added as if it had run. */
	const replay = (hit: UnitResult) => {
		compiles.push(hit.compile);
		if (hit.typedRun) typedRuns.push(hit.typedRun);
		// One unit may hold more findings than a call takes arguments: no spread.
		for (const f of hit.findings) findings.push(f);
		warnings.push(...hit.warnings);
		files += hit.files;
		for (const [f, s] of hit.spans) functions?.set(f, s);
	};
	/** What a unit that ran answered (since `start`), as the unit cache keeps it: facts are not kept, only where they were. */
	const unitResult = (unit: ModuleUnit, start: { findings: number; warnings: number; files: number }, compile: CompileResult, typedRun: TypedRunResult | undefined): UnitResult => ({
		findings: findings.slice(start.findings),
		compile: { ...compile, facts: [] },
		...(typedRun ? { typedRun: { ...typedRun, facts: [] } } : {}),
		files: files - start.files,
		warnings: warnings.slice(start.warnings),
		spans: unit.files.flatMap((f) => (functions?.has(f) ? [[f, functions.get(f)!] as [string, FunctionSpan[]]] : [])),
	});
	/** Units answered by the unit cache, not read yet: always the first units of the run (see `flush`). */
	const deferred: { tap: UnitCacheTap; rerun: () => Promise<'stop' | void> }[] = [];
	const taps: (UnitCacheTap | undefined)[] = [];
	/** Every unit's identity in the unit cache, or undefined when one is not in it. */
	const identities = () => {
		const k = taps.map((t) => t?.identity());
		return k.length && k.every((x) => x !== undefined) ? (k as string[]) : undefined;
	};
	const defer = !!opts.answeredBy;
	/** Reads the deferred units' answers in order; one whose entry cannot be read runs again. */
	const flush = async () => {
		for (const d of deferred.splice(0)) {
			const hit = await d.tap.load();
			if (hit) replay(hit);
			else {
				d.tap.refuse();
				await d.rerun();
			}
		}
	};
	const runUnit = async (unit: ModuleUnit, tap: UnitCacheTap | undefined, startCostly: () => void, costly: () => Promise<Set<string> | undefined> | undefined): Promise<'stop' | void> => {
		const factsByFile = new Map<string, EscapeFact[]>();
		let compiled = false;
		if (!tap) startCostly();
		const r = kinds.size ? await compileUnit(opts.goBin, unit, opts.tags, {}, tap) : undefined;
		if (tap?.matched) {
			const rerun = () => runUnit(unit, tap, startCostly, costly);
			// Until a unit misses, answers wait: the whole run's output may be cached.
			if (defer && deferred.length === taps.length - 1) return void deferred.push({ tap, rerun });
			await flush();
			const hit = await tap.load();
			if (hit) return replay(hit);
			tap.refuse();
			return rerun();
		}
		await flush();
		const unitStart = { findings: findings.length, warnings: warnings.length, files };
		if (r) {
			startCostly();
			compiles.push(r);
			if (r.status === 'go-missing') return 'stop';
			compiled = r.status === 'ok';
		}
		// vet starts once the compile is done (it reuses its compiles), and runs while the facts become
		// findings here. A shard may hold only packages the go command does not build here: nothing to vet.
		const vetting = typedOn && unit.patterns.length ? UnitTypes.run(opts.goBin, unit, opts.tags, compiled, !!opts.typedTests, costly?.()) : undefined;
		if (r) {
			const seen = new Set<string>();
			const src = sourceLookup(r.facts, (file, n) => texts.lines(file)?.[n - 1]);
			for (const f of r.facts) {
				const file = path.resolve(f.pos.file);
				let list = factsByFile.get(file);
				if (!list) factsByFile.set(file, (list = []));
				list.push(f);
				// The same fact can be printed twice (a generic body per instantiation, a body inlined into
				// another package): reported once per distinct explanation. An inlined copy can escape
				// for another reason than the original; and keeping it whatever else was compiled makes
				// the shards of a run (--shard) add up to the unsharded run.
				if (!kinds.has(f.kind)) continue;
				const finding = factFinding(f, texts, src);
				// The compiler's own line is in the key: told in source terms, an inlined copy (`s.msg`) and
				// the original (`msg`) read alike, and which one a run kept would depend on what it compiled.
				const k = `${f.kind}|${file}|${f.pos.line}|${f.pos.column}|${f.message}|${finding.message}`;
				if (!seen.has(k)) {
					seen.add(k);
					findings.push(finding);
				}
			}
		}
		const types = await vetting;
		if (types) {
			typedRuns.push(types.result);
			// No Go: the syntax answer stands (the caller notes it once).
			if (types.result.status === 'go-missing') typedOn = false;
		}
		const tasks: FileTask[] = unit.files.map((file) => {
			const typedIn = types?.viewInput(file);
			return {
				file,
				// Without a good compile (--escape none, or a build error) the rules give their syntax-only answer.
				...(compiled ? { facts: factsByFile.get(file) ?? [] } : {}),
				...(typedIn ? { typed: typedIn } : {}),
				disabled: opts.disabledRules,
				spans: !!functions && !!factsByFile.get(file)?.length,
				...(opts.findingsCache ? { cache: opts.findingsCache } : {}),
			};
		});
		goParser ??= await newGoParser();
		ranRules = true;
		const p = rulePool();
		const results = p ? await Promise.all(tasks.map((t) => p.run(t))) : tasks.map((t) => runFileTask(checkFile, parser(), mods, cgoSources, t));
		// Where vet's silence would retract a finding but vet did not see the package whole (its module's
		// run failed, or it was vetted without its tests): vet that package alone, then its files again.
		const recheck = new Set<string>();
		for (const [i, r] of results.entries()) {
			if (types?.canRecheck(tasks[i].file) && r.findings.some((f) => f.rule === 'lock-copy-by-value')) recheck.add(path.dirname(tasks[i].file));
		}
		for (const dir of recheck) await types!.recheck(dir);
		for (const [i, r] of results.entries()) {
			const t = tasks[i];
			if (r.unreadable !== undefined) {
				warnings.push(`cannot read ${t.file}: ${r.unreadable}`);
				continue;
			}
			files++;
			let found = r;
			if (recheck.has(path.dirname(t.file))) {
				const { typed: _before, ...rest } = t;
				const typedIn = types!.viewInput(t.file);
				found = runFileTask(checkFile, parser(), mods, cgoSources, { ...rest, ...(typedIn ? { typed: typedIn } : {}) });
			}
			warnings.push(...found.warnings);
			if (found.spans) functions?.set(t.file, found.spans);
			findings.push(...found.findings);
		}
		if (r) tap?.store(unitResult(unit, unitStart, r, types?.result));
	};
	try {
		for (const unit of units) {
			// A read-only go list for the typed pass, run while the go command compiles (unless the unit cache will likely answer).
			let costlyTests: Promise<Set<string> | undefined> | undefined;
			const startCostly = () => void (costlyTests ??= typedOn && opts.typedTests && unit.patterns.length ? UnitTypes.costlyTests(opts.goBin, unit, opts.tags) : undefined);
			const settings = { escape: opts.escape, typed: typedOn, typedTests: !!opts.typedTests, disabledRules: opts.disabledRules, tags: opts.tags, functionSpans: !!functions };
			const tap = opts.unitCache && opts.findingsCache && kinds.size ? new UnitCacheTap(opts.findingsCache, opts.goBin, unit, settings, startCostly, !defer) : undefined;
			taps.push(tap);
			if (await runUnit(unit, tap, startCostly, () => costlyTests)) break;
		}
		const keys = identities();
		if (keys && deferred.length === units.length && opts.answeredBy?.(keys, missing)) {
			return { findings: [], compiles: [], typedRuns: [], files: 0, packages: 0, missing, warnings: [], units, answered: true, unitKeys: keys };
		}
		await flush();
	} finally {
		goParser?.delete();
		await pool?.close();
	}
	// Only a run that may have written entries can have grown the cache past its bound.
	if (opts.findingsCache && ranRules) trimCache(opts.findingsCache.dir);
	const unitKeys = identities();
	return { findings: sortFindings(findings), compiles, typedRuns, files, packages: units.reduce((n, u) => n + u.packages.length, 0), missing, warnings, units, ...(functions ? { functions } : {}), ...(opts.shard ? { allPackages } : {}), ...(unitKeys ? { unitKeys } : {}) };
}
