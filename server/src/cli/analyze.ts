/**
 * The CLI's engine: discovery → one compile per module → syntax rules per file → findings in the
 * compiler's coordinates (1-based line, 1-based byte column), with UTF-16 columns kept for SARIF.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { EscapeFact, EscapeKind, Fix, RuleFinding, Severity } from '../model';
import { byteToUtf16, splitLines, utf16ToByte } from '../util/positions';
import { defaultSettings } from '../../../common/settings';
import { explainFact, factSentence } from '../escape/explain';
import type { CauseId } from '../escape/causes';
import { sourceLookup, type SourceLookup } from '../escape/sourceTerms';
import { GoModReader } from '../analysis/goVersion';
import { CgoSourceReader } from '../analysis/cgoSources';
import { runRules } from '../rules/engine';
import type { LocatedEscapeFact } from '../rules/types';
import { newGoParser, type Parser } from '../syntax/goParser';
import { mirrorOf, wholeRunTree } from '../syntax/mirror';
import { compileUnit, type CompileResult } from './compile';
import { discover, type ModuleUnit } from './discover';
import { shardUnits, type Shard } from './shard';
import { functionSpans, type FunctionSpan } from '../syntax/functionSpans';
import type { TypedView } from '../typed/facts';
import type { TypedRunResult } from '../typed/runner';
import { UnitTypes } from './typed';
import type { FindingCost } from './profileFormat';
import { RulePool, runFileTask, type FileTask } from './ruleWorkers';
import { trimCache, type CacheConfig } from './findingsCache';
import { UnitCacheTap, type UnitResult } from './unitCache';

/** One step of the compiler's reason chain (or a rule's related position). */
export interface FlowEntry {
	message: string;
	/** Absolute path. */
	file: string;
	line: number;
	/** 1-based byte column. */
	column: number;
	/** 1-based UTF-16 column of the same position. */
	column16: number;
}

export interface Finding {
	/** Escape kind for compiler facts, rule id for syntax findings. */
	rule: string;
	/** Absolute path. */
	file: string;
	line: number;
	/** 1-based byte column (Go's convention). */
	column: number;
	endLine: number;
	endColumn: number;
	/** 1-based UTF-16 columns of the same positions (SARIF's default unit). */
	column16: number;
	endColumn16: number;
	severity: Severity;
	message: string;
	source: 'compiler' | 'syntax';
	flow: FlowEntry[];
	/** Compiler findings: the compiler's own line, as printed (`message` is told in source terms). */
	compiler?: string;
	/** Heap facts: why the value is on the heap (escape/causes.ts). */
	cause?: CauseId;
	/** Fixes of syntax findings (LSP coordinates of `file`). */
	fixes?: Fix[];
	/** A compiler fact's subject (`buf`, `make([]byte, n)`), which baselines and diffs match on. */
	subject?: string;
	/** With `check --profile`: what this compiler fact's line cost (cli/profileFormat.ts). */
	profile?: FindingCost;
	/** The compiler fact behind a compiler finding (its flows give the cause, escape/causes.ts). */
	fact?: EscapeFact;
}

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
}

/** Severity of a compiler fact: the extension's default, with `off` kinds shown as hints when asked for. */
export function escapeSeverity(kind: EscapeKind): Severity {
	const s = defaultSettings.escapeSeverities[kind];
	return s === 'off' ? 'hint' : s;
}

export class TextCache {
	private readonly texts = new Map<string, string[] | undefined>();
	lines(file: string): string[] | undefined {
		if (!this.texts.has(file)) {
			let t: string[] | undefined;
			try {
				t = splitLines(readFileSync(file, 'utf8'));
			} catch {
				t = undefined;
			}
			this.texts.set(file, t);
		}
		return this.texts.get(file);
	}
	/** 1-based UTF-16 column of a 1-based byte column. */
	col16(file: string, line: number, byteCol: number): number {
		const l = this.lines(file)?.[line - 1];
		return l === undefined ? byteCol : byteToUtf16(l, byteCol - 1) + 1;
	}
}

export function factFinding(fact: EscapeFact, texts: TextCache, src: SourceLookup): Finding {
	const { file, line, column } = fact.pos;
	const lineText = texts.lines(file)?.[line - 1] ?? '';
	// Underline the subject when the source at the fact's position spells it (`buf`, `make([]byte, n)`).
	const here = Buffer.from(lineText, 'utf8').subarray(column - 1).toString('utf8');
	const endColumn = here.startsWith(fact.subject) ? column + Buffer.byteLength(fact.subject, 'utf8') : column;
	const ex = explainFact(fact, src);
	const cause = ex.causes?.[0]?.id;
	return {
		rule: fact.kind,
		file,
		line,
		column,
		endLine: line,
		endColumn,
		column16: texts.col16(file, line, column),
		endColumn16: texts.col16(file, line, endColumn),
		severity: escapeSeverity(fact.kind),
		message: factSentence(fact, ex),
		source: 'compiler',
		subject: fact.subject,
		fact,
		flow: ex.steps
			.filter((s) => s.pos.line > 0)
			.map((s) => ({ message: s.text, file: s.pos.file, line: s.pos.line, column: s.pos.column, column16: texts.col16(s.pos.file, s.pos.line, s.pos.column) })),
		compiler: fact.message,
		...(cause ? { cause } : {}),
	};
}

function ruleFinding(f: RuleFinding, file: string, lines: string[]): Finding {
	const byteCol = (l: number, ch: number) => utf16ToByte(lines[l] ?? '', ch) + 1;
	const { start, end } = f.range;
	return {
		rule: f.rule,
		file,
		line: start.line + 1,
		column: byteCol(start.line, start.character),
		endLine: end.line + 1,
		endColumn: byteCol(end.line, end.character),
		column16: start.character + 1,
		endColumn16: end.character + 1,
		severity: f.severity,
		message: f.message,
		source: 'syntax',
		flow: (f.related ?? []).map((r) => ({
			message: r.message,
			file,
			line: r.range.start.line + 1,
			column: byteCol(r.range.start.line, r.range.start.character),
			column16: r.range.start.character + 1,
		})),
		...(f.fixes?.length ? { fixes: f.fixes } : {}),
	};
}

/** Findings sorted by file, line, column (then rule, for a stable order). */
export function sortFindings(fs: Finding[]): Finding[] {
	return fs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)));
}

const cgoSources = new CgoSourceReader();

/** Syntax rules over one file (escape facts of that file given to the rules that use them). */
export function checkFile(
	parser: Parser,
	file: string,
	text: string,
	facts: EscapeFact[] | undefined,
	mods: GoModReader,
	disabled: ReadonlySet<string>,
	warnings: string[],
	typed?: TypedView,
	onRoot?: (root: Parameters<typeof functionSpans>[0]) => void,
	cgo: CgoSourceReader = cgoSources,
): Finding[] {
	const tree = parser.parse(text);
	if (!tree) return [];
	const lines = splitLines(text);
	try {
		onRoot?.(tree.rootNode);
		const escape: LocatedEscapeFact[] | undefined = facts?.map((f) => ({
			...f,
			at: { line: f.pos.line - 1, character: byteToUtf16(lines[f.pos.line - 1] ?? '', f.pos.column - 1) },
		}));
		const found = runRules(
			{ tree: wholeRunTree(mirrorOf(tree, text)), text, filePath: file, goVersion: mods.version(file, text), escape, isCgo: /^\s*import\s+"C"/m.test(text), cgoPackageC: () => cgo.packageC(file, text), ...(typed ? { typed } : {}) },
			{ disabled, onError: (e) => warnings.push(`rule ${e.rule} failed on ${file}: ${String((e.error as Error)?.message ?? e.error)}`) },
		);
		return found.map((f) => ruleFinding(f, file, lines));
	} finally {
		tree.delete();
	}
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
	try {
		for (const unit of units) {
			const factsByFile = new Map<string, EscapeFact[]>();
			let compiled = false;
			// A read-only go list for the typed pass, run while the go command compiles (unless the unit cache will likely answer).
			let costlyTests: Promise<Set<string> | undefined> | undefined;
			const startCostly = () => void (costlyTests ??= typedOn && unit.patterns.length ? UnitTypes.costlyTests(opts.goBin, unit, opts.tags) : undefined);
			const settings = { escape: opts.escape, typed: typedOn, disabledRules: opts.disabledRules, tags: opts.tags, functionSpans: !!functions };
			const tap = opts.unitCache && opts.findingsCache && kinds.size ? new UnitCacheTap(opts.findingsCache, opts.goBin, unit, settings, startCostly) : undefined;
			if (!tap) startCostly();
			const unitStart = { findings: findings.length, warnings: warnings.length, files };
			if (kinds.size) {
				const r = await compileUnit(opts.goBin, unit, opts.tags, {}, tap);
				if (tap?.hit) {
					replay(tap.hit);
					continue;
				}
				startCostly();
				compiles.push(r);
				if (r.status === 'go-missing') break;
				compiled = r.status === 'ok';
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
			let types: UnitTypes | undefined;
			// A shard may hold only packages the go command does not build here: nothing to vet.
			if (typedOn && unit.patterns.length) {
				types = await UnitTypes.run(opts.goBin, unit, opts.tags, compiled, costlyTests);
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
			tap?.store(unitResult(unit, unitStart, compiles[compiles.length - 1], types?.result));
		}
	} finally {
		goParser?.delete();
		await pool?.close();
	}
	// Only a run that may have written entries can have grown the cache past its bound.
	if (opts.findingsCache && ranRules) trimCache(opts.findingsCache.dir);
	return { findings: sortFindings(findings), compiles, typedRuns, files, packages: units.reduce((n, u) => n + u.packages.length, 0), missing, warnings, units, ...(functions ? { functions } : {}), ...(opts.shard ? { allPackages } : {}) };
}
