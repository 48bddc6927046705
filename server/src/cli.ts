/**
 * Entry point of the `memlens` CLI (dist/cli.js): the same engines as the language server
 * (compiler escape analysis + syntax rules), printed as text, JSON or SARIF. See docs/cli.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { goVersion, resolveGoBinary } from './analysis/goEnv';
import { analyze, checkFile, type AnalyzeOptions, type AnalyzeResult } from './cli/analyze';
import { isRuleWorker, serveRuleTasks } from './cli/ruleWorkers';
import { parseCli, USAGE, UsageError, type CheckOptions, type FixOptions, type ReportOptions } from './cli/args';
import { completeSpans, renderReport, REPORT_KINDS, reportInput, summarize } from './cli/report';
import { runBaseline } from './cli/baselineCmd';
import { runDiff } from './cli/diff';
import { applySafeFixes, unifiedDiff } from './cli/fix';
import { displayPath, failsOn, formatText, toJson } from './cli/format';
import { prepareSelection, type Selected } from './cli/newFindings';
import { EXIT, reportProblems, type Io } from './cli/problems';
import { toSarif } from './cli/sarif';
import { GitError } from './git/git';
import { BaselineError } from './review/baseline';
import { RULES_BY_ID } from './rules/index';
import { joinCheckProfile, profileCommand } from './cli/profileCommand';
import { installExitCleanup } from './toolchain/exitCleanup';
import { cacheDirFor, ruleSetSalt, type CacheConfig } from './cli/findingsCache';
import { outputKey, readOutput, writeOutput, type CachedOutput } from './cli/outputCache';

export { EXIT } from './cli/problems';

/** The product version from package.json (next to dist/ when bundled, two levels up from source). */
export function cliVersion(): string {
	for (const p of [path.join(__dirname, '..', 'package.json'), path.join(__dirname, '..', '..', 'package.json')]) {
		try {
			const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
			if (pkg.name === 'go-memlens' && pkg.version) return pkg.version;
		} catch {
			// try the next candidate
		}
	}
	return 'unknown';
}

/** The stderr lines of --new-from-rev and --baseline: what was left out, and stale baseline entries. */
function reportSelection(sel: Selected, io: Io): void {
	if (sel.newFromRev) io.err(`memlens: --new-from-rev ${sel.newFromRev.rev} (${sel.newFromRev.commit.slice(0, 12)}): ${sel.newFromRev.unchanged} finding(s) on unchanged lines left out\n`);
	if (!sel.baseline) return;
	const { file, hidden, stale } = sel.baseline;
	io.err(`memlens: baseline ${file}: ${hidden} known finding(s) left out\n`);
	if (stale.length) {
		io.err(`memlens: note: baseline ${file}: ${stale.length} entr${stale.length === 1 ? 'y' : 'ies'} no longer found (fixed, or changed beyond recognition; make the baseline again to drop them):\n`);
		for (const e of stale) io.err(`  ${e.file}:${e.line}: ${e.rule}${e.function ? ` in ${e.function}` : ''}: ${e.message.split('\n')[0]}\n`);
	}
}

/**
 * The syntax rules on one thread per CPU for runs of 100 files or more (docs/cli.md);
 * MEMLENS_RULE_THREADS=N sets the number for any run (1: in process).
 */
function ruleThreads(): AnalyzeOptions['ruleThreads'] {
	const set = process.env.MEMLENS_RULE_THREADS;
	const n = set !== undefined && /^\d+$/.test(set) ? Number(set) : (os.availableParallelism?.() ?? os.cpus().length);
	return { size: n, entry: __filename, minFiles: set !== undefined ? 1 : 100 };
}

/**
 * The persistent findings cache (cli/findingsCache.ts) when running as the bundle (dist/cli.js:
 * the bundle and its grammar are the rule set's identity); MEMLENS_CACHE=off or a directory.
 */
function findingsCache(paths: string[], io: Io): CacheConfig | undefined {
	if (!__filename.endsWith('.js')) return undefined;
	const { dir, note } = cacheDirFor(process.env.MEMLENS_CACHE || undefined, paths.map((p) => path.resolve(io.cwd, p)));
	if (note) io.err(`memlens: note: ${note}\n`);
	if (!dir) return undefined;
	const salt = ruleSetSalt([__filename, ...['tree-sitter-go.wasm', 'web-tree-sitter.wasm'].map((w) => path.join(__dirname, w))]);
	// MEMLENS_UNIT_SETTLE_MS: tests shorten git's racy-clean margin (cli/unitCache.ts `settled`).
	const settle = process.env.MEMLENS_UNIT_SETTLE_MS;
	return salt ? { dir, salt, ...(settle && /^\d+$/.test(settle) ? { settleMs: Number(settle) } : {}) } : undefined;
}

/** The whole-unit result cache (cli/unitCache.ts) rides on the findings cache; MEMLENS_UNIT_CACHE=off turns it alone off. */
function unitCacheOn(): boolean {
	return process.env.MEMLENS_UNIT_CACHE !== 'off';
}

async function check(o: CheckOptions, io: Io): Promise<number> {
	// An unknown REF or an unusable baseline fails before anything is compiled.
	const select = await prepareSelection(o, io.cwd);
	const goBin = o.escape.length || o.typed ? resolveGoBinary(o.go) : '';
	const cache = findingsCache(o.paths, io);
	// A run that reads nothing but its units (no baseline, revision or profile) may print what it printed before (cli/outputCache.ts).
	const outputs = cache && unitCacheOn() && !o.baseline && !o.newFromRev && !o.profile ? cache : undefined;
	const shape = { format: o.format, failOn: o.failOn, cwd: io.cwd, paths: o.paths, go: goBin, shard: o.shard ?? null };
	const cached: { output?: CachedOutput } = {};
	const answeredBy = outputs ? (units: string[], missing: string[]) => !!(cached.output = readOutput(outputs, outputKey(outputs, units, { ...shape, missing }))) : undefined;
	const r = await analyze({ paths: o.paths, cwd: io.cwd, escape: o.escape, goBin, tags: o.tags, disabledRules: o.disabledRules, typed: o.typed, typedTests: !!o.typedTests, ruleThreads: ruleThreads(), findingsCache: cache, unitCache: unitCacheOn(), ...(o.shard ? { shard: o.shard } : {}), ...(answeredBy ? { answeredBy } : {}) });
	const out = cached.output;
	if (r.answered && out) {
		if (out.stderr) io.err(out.stderr);
		io.out(out.stdout);
		return out.code;
	}
	if (!outputs || !r.unitKeys) return printCheck(o, r, select, goBin, io);
	const stdout: Buffer[] = [];
	let stderr = '';
	const code = await printCheck(o, r, select, goBin, {
		...io,
		out: (s) => {
			const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
			stdout.push(b);
			io.out(b);
		},
		err: (s) => ((stderr += s), io.err(s)),
	});
	if (code !== EXIT.tool) writeOutput(outputs, outputKey(outputs, r.unitKeys, { ...shape, missing: r.missing }), { code, stdout: Buffer.concat(stdout), stderr });
	return code;
}

/** What `check` prints for an analysis, and its exit code. */
async function printCheck(o: CheckOptions, r: AnalyzeResult, select: Awaited<ReturnType<typeof prepareSelection>>, goBin: string, io: Io): Promise<number> {
	const fatal = reportProblems(r, io);
	if (fatal) return EXIT.tool;
	const sel = select(r.findings);
	reportSelection(sel, io);
	let { findings } = sel;
	let table = '';
	if (o.profile) {
		const joined = await joinCheckProfile(o.profile, findings, o.paths, goBin, io);
		if ('error' in joined) {
			io.err(`memlens: ${joined.error}\n`);
			return EXIT.tool;
		}
		({ findings, table } = joined);
	}
	if (o.format === 'json') {
		const extra = {
			...(sel.newFromRev ? { newFromRev: { rev: sel.newFromRev.rev, commit: sel.newFromRev.commit, unchangedLeftOut: sel.newFromRev.unchanged } } : {}),
			...(sel.baseline ? { baseline: { file: sel.baseline.file, hidden: sel.baseline.hidden, stale: sel.baseline.stale } } : {}),
		};
		io.out(JSON.stringify({ ...toJson(findings, io.cwd), ...extra }, null, 2) + '\n');
	} else if (o.format === 'sarif') io.out(JSON.stringify(toSarif(findings, io.cwd, cliVersion()), null, 2) + '\n');
	else io.out(formatText(findings, io.cwd, { files: r.files, packages: r.packages }) + (table ? '\n' + table : ''));
	return failsOn(findings, o.failOn) ? EXIT.findings : EXIT.ok;
}

async function report(o: ReportOptions, io: Io): Promise<number> {
	const goBin = resolveGoBinary(o.go);
	const r = await analyze({ paths: o.paths, cwd: io.cwd, escape: [...REPORT_KINDS], goBin, tags: o.tags, disabledRules: o.disabledRules, typed: o.typed, typedTests: !!o.typedTests, functionSpans: true, ruleThreads: ruleThreads(), findingsCache: findingsCache(o.paths, io), unitCache: unitCacheOn(), ...(o.shard ? { shard: o.shard } : {}) });
	if (reportProblems(r, io)) return EXIT.tool;
	await completeSpans(r);
	const go = await goVersion(goBin);
	const meta = { tool: `memlens ${cliVersion()}`, paths: o.paths, generatedAt: new Date().toISOString(), ...(go ? { goVersion: go } : {}), ...(o.shard ? { shard: `${o.shard.index}/${o.shard.count}` } : {}) };
	io.out(renderReport(summarize(reportInput(r, io.cwd, meta), { top: o.top }), o.format));
	return EXIT.ok;
}

async function fix(o: FixOptions, io: Io): Promise<number> {
	// Syntax rules only: a fix must not depend on a compile that may be stale or failing.
	const r = await analyze({ paths: o.paths, cwd: io.cwd, escape: [], goBin: '', tags: [], disabledRules: o.disabledRules });
	if (reportProblems(r, io)) return EXIT.tool;
	const byFile = new Map<string, typeof r.findings>();
	for (const f of r.findings) if (f.fixes?.some((x) => x.safe)) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
	let changed = 0;
	let skipped = 0;
	for (const [file, fs] of byFile) {
		if (!existsSync(file)) continue;
		const res = applySafeFixes(file, readFileSync(file, 'utf8'), fs);
		skipped += res.skipped;
		if (res.after === res.before) continue;
		changed++;
		const name = displayPath(file, io.cwd);
		if (o.dryRun) io.out(unifiedDiff(name, res.before, res.after));
		else {
			writeFileSync(file, res.after);
			for (const a of res.applied) io.out(`${name}:${a.line}: ${a.title} [${a.rule}]\n`);
		}
	}
	const verb = o.dryRun ? 'would change' : 'changed';
	io.err(`memlens fix: ${verb} ${changed} file${changed === 1 ? '' : 's'}` + (skipped ? ` (${skipped} overlapping fix(es) left; run again)` : '') + '\n');
	return EXIT.ok;
}

/** Runs the CLI on `argv` (without node and the script); returns the exit code. Never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
	try {
		const cmd = parseCli(argv);
		if (cmd.command === 'check' || cmd.command === 'report' || cmd.command === 'fix' || cmd.command === 'baseline') {
			// A typo must not silently leave a rule on.
			const unknown = cmd.disabledRules.filter((id) => !RULES_BY_ID.has(id));
			if (unknown.length) throw new UsageError(`--rules-disable: unknown rule id(s) ${unknown.join(', ')} (known: ${[...RULES_BY_ID.keys()].join(', ')})`);
		}
		switch (cmd.command) {
			case 'help':
				io.out(USAGE + '\n');
				return EXIT.ok;
			case 'version':
				io.out(`memlens ${cliVersion()}\n`);
				return EXIT.ok;
			case 'check':
				return await check(cmd, io);
			case 'report':
				return await report(cmd, io);
			case 'fix':
				return await fix(cmd, io);
			case 'baseline':
				return await runBaseline(cmd, io, cliVersion());
			case 'diff':
				return await runDiff(cmd, io, cliVersion());
			case 'profile':
				return await profileCommand(cmd, io);
		}
	} catch (e) {
		if (e instanceof UsageError) {
			io.err(`memlens: ${e.message}\nRun memlens --help for usage.\n`);
			return EXIT.usage;
		}
		// Bad input the user must fix: not a git repository, an unknown revision, conflicts, a baseline from another version.
		if (e instanceof GitError || e instanceof BaselineError) {
			io.err(`memlens: ${e.message}\n`);
			return EXIT.tool;
		}
		io.err(`memlens: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
		return EXIT.tool;
	}
}

if (isRuleWorker()) {
	// A thread of the rule pool (cli/ruleWorkers.ts): the same bundle, serving files instead of main.
	void serveRuleTasks(checkFile);
} else if (require.main === module) {
	// Ctrl-C or a kill stops the go builds too (they lead their own process groups), and the temp dir goes.
	installExitCleanup();
	void main(process.argv.slice(2), {
		cwd: process.cwd(),
		out: (s) => process.stdout.write(s),
		err: (s) => process.stderr.write(s),
	}).then((code) => {
		process.exitCode = code;
	});
}
