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
import { applySafeFixes, unifiedDiff } from './cli/fix';
import { displayPath, failsOn, formatJson, formatText } from './cli/format';
import { toSarif } from './cli/sarif';
import { RULES_BY_ID } from './rules/index';
import { installExitCleanup } from './toolchain/exitCleanup';

/** Exit codes (docs/cli.md). */
export const EXIT = { ok: 0, findings: 1, usage: 2, tool: 2 } as const;

interface Io {
	cwd: string;
	out: (s: string) => void;
	err: (s: string) => void;
}

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

/**
 * The syntax rules on one thread per CPU for runs of 100 files or more (docs/cli.md);
 * MEMLENS_RULE_THREADS=N sets the number for any run (1: in process).
 */
function ruleThreads(): AnalyzeOptions['ruleThreads'] {
	const set = process.env.MEMLENS_RULE_THREADS;
	const n = set !== undefined && /^\d+$/.test(set) ? Number(set) : (os.availableParallelism?.() ?? os.cpus().length);
	return { size: n, entry: __filename, minFiles: set !== undefined ? 1 : 100 };
}

/** Tool problems (go missing, paths missing, nothing analysable): printed, and true when fatal. */
function reportProblems(r: AnalyzeResult, io: Io): boolean {
	let fatal = false;
	for (const m of r.missing) {
		io.err(`memlens: ${m}: no such directory or .go file\n`);
		fatal = true;
	}
	for (const w of r.warnings) io.err(`memlens: ${w}\n`);
	for (const c of r.compiles) {
		for (const n of c.notes ?? []) io.err(`memlens: note: ${n}\n`);
		if (c.status === 'go-missing') {
			io.err(`memlens: ${c.message}\n`);
			fatal = true;
		} else if (c.status === 'build-failed') {
			io.err(`memlens: ${displayPath(c.cwd, io.cwd) || '.'}: the compiler reported build errors, so no escape analysis for the failing package(s); syntax rules still ran:\n`);
			// Positioned errors are shown relative to the cwd; the others as go printed them.
			const aligned = c.errors.length === c.buildErrors.length;
			const lines = aligned
				? c.errors.map((e, i) => (e.pos ? `${displayPath(e.pos.file, io.cwd)}:${e.pos.line}${e.pos.column ? `:${e.pos.column}` : ''}: ${e.message}` : c.buildErrors[i]))
				: c.buildErrors;
			for (const e of lines) io.err(`  ${e.split('\n').join('\n  ')}\n`);
		} else if (c.status === 'error') {
			io.err(`memlens: ${displayPath(c.cwd, io.cwd) || '.'}: ${c.message}\n`);
		}
	}
	// The typed pass is an addition: without it the rules give their syntax answer, said on stderr.
	for (const t of r.typedRuns) {
		const where = displayPath(t.cwd, io.cwd) || '.';
		if (t.status === 'go-missing') io.err(`memlens: ${t.message}: no types from the Go toolchain, lock-copy-by-value gives its syntax answer only (pass --go PATH, or --typed off)\n`);
		else if (t.status === 'failed' && t.failedPackages.length) io.err(`memlens: ${where}: go vet could not check ${t.failedPackages.join(', ')}; the syntax answer stands there\n`);
		else if (t.status === 'failed') io.err(`memlens: ${where}: go vet checked nothing (${t.errors[t.errors.length - 1] ?? 'no error printed'}); the syntax answer stands\n`);
		else if (t.status === 'error' || t.status === 'timeout') io.err(`memlens: ${where}: typed pass: ${t.message}\n`);
	}
	if (r.files === 0 && r.missing.length === 0) {
		// More shards than packages: this job of the matrix has nothing to do, which is not an error.
		if (r.allPackages) io.err(`memlens: note: this shard holds none of the ${r.allPackages} package(s)\n`);
		else {
			io.err('memlens: no Go files found\n');
			fatal = true;
		}
	}
	return fatal;
}

async function check(o: CheckOptions, io: Io): Promise<number> {
	const goBin = o.escape.length || o.typed ? resolveGoBinary(o.go) : '';
	const r = await analyze({ paths: o.paths, cwd: io.cwd, escape: o.escape, goBin, tags: o.tags, disabledRules: o.disabledRules, typed: o.typed, ruleThreads: ruleThreads(), ...(o.shard ? { shard: o.shard } : {}) });
	const fatal = reportProblems(r, io);
	if (fatal) return EXIT.tool;
	if (o.format === 'json') io.out(formatJson(r.findings, io.cwd));
	else if (o.format === 'sarif') io.out(JSON.stringify(toSarif(r.findings, io.cwd, cliVersion()), null, 2) + '\n');
	else io.out(formatText(r.findings, io.cwd, { files: r.files, packages: r.packages }));
	return failsOn(r.findings, o.failOn) ? EXIT.findings : EXIT.ok;
}

async function report(o: ReportOptions, io: Io): Promise<number> {
	const goBin = resolveGoBinary(o.go);
	const r = await analyze({ paths: o.paths, cwd: io.cwd, escape: [...REPORT_KINDS], goBin, tags: o.tags, disabledRules: o.disabledRules, typed: o.typed, functionSpans: true, ruleThreads: ruleThreads(), ...(o.shard ? { shard: o.shard } : {}) });
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
		if (cmd.command === 'check' || cmd.command === 'report' || cmd.command === 'fix') {
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
		}
	} catch (e) {
		if (e instanceof UsageError) {
			io.err(`memlens: ${e.message}\nRun memlens --help for usage.\n`);
			return EXIT.usage;
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
