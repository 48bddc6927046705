/**
 * One `go build -gcflags=-m=2` per module with all its package patterns (the edge: spawning).
 * Checked with Go 1.26: `-gcflags` without a pattern applies to every package named on the
 * command line and not to dependencies; a package that fails to compile does not stop the
 * packages that do not depend on it, so one run still yields their facts.
 */
import { readHeadSync } from '../util/boundedRead';
import os from 'node:os';
import path from 'node:path';
import type { EscapeFact } from '../model';
import { sanitizeFlags } from '../escape/runner';
import { spawnTool } from '../toolchain/processes';
import { prepareToolRun, type ToolRun } from '../toolchain/toolRun';
import { EscapeOutputParser, parseEscapeOutput, type BuildError, type ParseOptions } from '../escape/parser';
import { LineSplitter } from '../escape/rawText';
import { sourceFiles } from '../escape/sourceFiles';
import type { ModuleUnit } from './discover';

export interface CompileResult {
	status: 'ok' | 'build-failed' | 'go-missing' | 'error';
	facts: EscapeFact[];
	buildErrors: string[];
	/** The same errors with positions (resolved like the facts' positions). */
	errors: BuildError[];
	command: string;
	cwd: string;
	message?: string;
	/** Settings refused or overridden, files left out (toolchain/toolRun.ts). */
	notes?: string[];
	/** Directories of the unit's packages that printed a `# pkg` section (compiled or replayed, or failed). */
	printed?: string[];
	/** Directories holding the files of `facts` (kept when the facts are not: a unit replayed from cli/unitCache.ts). */
	factDirs?: string[];
	/** The output was not parsed: the caller answers from its unit cache (cli/unitCache.ts). */
	cached?: boolean;
	durationMs: number;
}

/**
 * The unit cache's part in a compile (cli/unitCache.ts). Its answer is checked against the build IDs
 * of the unit's packages (`go list -export`): a package's action ID is the go command's own key for
 * the compile and its replayed `-m=2` output (the sources, flags, compiler and the export data of
 * every dependency), so equal IDs mean the compiler says what it said.
 */
export interface CompileTap {
	/**
	 * Once the run is prepared, before go starts: 'answered' when a stored answer holds without asking
	 * go (nothing it could read has changed since a settled run), 'likely' when one may hold (go is
	 * then asked for the build IDs first), else undefined.
	 */
	begin(run: ToolRun, args: readonly string[]): Promise<'answered' | 'likely' | undefined>;
	/** The IDs of a likely hit (undefined: go list failed); true when the stored answer holds and the compile is not needed. */
	verify(ids: string | undefined): boolean;
	/** Whether it wants the IDs after a successful build (to store the unit's answer under them). */
	wantsIds(): boolean;
	/** The IDs after a successful build. */
	built(ids: string | undefined): void;
}

/** The `go build` patterns of a unit (chosen by discovery). */
export function packagePatterns(unit: ModuleUnit): string[] {
	return unit.patterns;
}

/** The arguments of the one compile of a unit. */
export function compileArgs(patterns: string[], tags: string[], buildFlags: string[] = []): string[] {
	const args = ['build', '-o', os.devNull, '-gcflags=-m=2'];
	if (tags.length) args.push(`-tags=${tags.join(',')}`);
	args.push(...sanitizeFlags(buildFlags), ...patterns);
	return args;
}

/** Runs the compiler over one unit. Never throws. */
export async function compileUnit(goBin: string, unit: ModuleUnit, tags: string[], env: Record<string, string> = {}, tap?: CompileTap): Promise<CompileResult> {
	const started = performance.now();
	const patterns = packagePatterns(unit);
	const args = compileArgs(patterns, tags);
	const command = `${goBin} ${args.join(' ')}`;
	const base = { facts: [] as EscapeFact[], buildErrors: [] as string[], errors: [] as BuildError[], command, cwd: unit.root };
	const done = (r: Partial<CompileResult> & Pick<CompileResult, 'status'>): CompileResult => ({ ...base, ...r, durationMs: Math.round(performance.now() - started) });
	if (patterns.length === 0) return done({ status: 'ok' });
	let run: ToolRun | undefined;
	try {
		// The server's policy and process handling (toolchain/): the module files stay as they are,
		// non-regular source files are hidden, the build's temp files and tree go with the CLI.
		run = await prepareToolRun({ cwd: unit.root, env, sourceDirs: unit.packages });
		const notes = run.notes.length ? { notes: run.notes } : {};
		const runArgs = compileArgs(patterns, tags, run.flags);
		if (run.overlay) runArgs.splice(runArgs.length - patterns.length, 0, `-overlay=${run.overlay.file}`);
		const listArgs = buildIdArgs(runArgs);
		if (tap) {
			const likely = await tap.begin(run, runArgs);
			if (likely === 'answered' || (likely === 'likely' && tap.verify(await buildIds(goBin, listArgs, unit.root, run)))) return done({ status: 'ok', cached: true, ...notes });
		}
		// -m writes to stderr: stderr is the data, not a failure signal; the exit code is. It is parsed
		// line by line while go runs (std prints 150 MB: never one string, and parsed as it comes).
		const parser = new EscapeOutputParser(sectionOptions(unit));
		const tail: string[] = [];
		const lines = new LineSplitter((line) => {
			parser.line(line);
			if (line.trim() === '') return;
			tail.push(line);
			if (tail.length > 3) tail.shift();
		});
		const { child } = await spawnTool(goBin, runArgs, { cwd: unit.root, env: run.env });
		const streamed = new Promise<void>((resolve) => {
			if (!child.stderr) return resolve();
			child.stderr.on('data', (chunk: Buffer) => lines.push(chunk));
			child.stderr.once('end', resolve);
			child.stderr.once('close', resolve);
			child.stderr.once('error', resolve);
		});
		const r = await child;
		const code = (r as { code?: string }).code ?? (r.cause as NodeJS.ErrnoException | undefined)?.code;
		if (code === 'ENOENT' || code === 'EACCES') {
			return done({ status: 'go-missing', message: `cannot run the go binary "${goBin}" (${code === 'ENOENT' ? 'not found' : 'not executable'}): install Go, put it on PATH or pass --go PATH` });
		}
		await streamed;
		// The IDs of what was just built (every compile is in the build cache now: no compile runs again).
		if (r.exitCode === 0 && tap?.wantsIds()) tap.built(await buildIds(goBin, listArgs, unit.root, run));
		lines.end();
		const parsed = parser.finish();
		const printed = { printed: printedDirs(parsed.packages, unit), factDirs: [...new Set([...new Set(parsed.facts.map((f) => f.pos.file))].map((f) => path.dirname(path.resolve(f))))].sort() };
		if (r.exitCode === 0) return done({ status: 'ok', facts: parsed.facts, ...notes, ...printed });
		if (r.exitCode !== undefined && parsed.buildErrors.length) {
			return done({ status: 'build-failed', facts: parsed.facts, buildErrors: parsed.buildErrors, errors: parsed.errors, message: `${parsed.buildErrors.length} build error(s)`, ...notes, ...printed });
		}
		return done({ status: 'error', facts: parsed.facts, message: `go failed (exit ${r.exitCode ?? r.signal}): ${tail.join(' ') || r.shortMessage}`, ...notes, ...printed });
	} catch (e) {
		return done({ status: 'error', message: `could not run the compiler: ${(e as Error)?.message ?? String(e)}` });
	} finally {
		await run?.dispose();
	}
}

/** `go list -export` with the compile's own flags: each package's build ID (action ID / content ID). */
export function buildIdArgs(compileArgs: readonly string[]): string[] {
	const [, , , ...rest] = compileArgs; // build -o <null>
	return ['list', '-export', '-f', '{{.ImportPath}} {{.BuildID}}', ...rest];
}

/**
 * The build IDs of a unit's packages: one `import/path actionID/contentID` line per package,
 * sorted, or undefined when go list fails. Its stderr (the replayed `-m=2` text) goes nowhere.
 */
export async function buildIds(goBin: string, listArgs: readonly string[], cwd: string, run: ToolRun): Promise<string | undefined> {
	try {
		const { child } = await spawnTool(goBin, [...listArgs], { cwd, env: run.env, stdout: 'pipe', stderr: 'ignore', buffer: true, maxBuffer: 64 << 20 });
		const r = await child;
		return r.exitCode === 0 ? String(r.stdout).split('\n').filter((l) => l.trim()).sort().join('\n') : undefined;
	} catch {
		return undefined;
	}
}

/** The import path of each package dir of the unit (the `# path` headers name packages this way). */
export function importPaths(unit: ModuleUnit): Map<string, string> {
	// The module line is at the top (the file may be huge: only its head is read); no go.mod: the package is named by its directory.
	const mod = /^\s*module\s+"?([^\s"]+)"?/m.exec(readHeadSync(path.join(unit.root, 'go.mod'), 64 * 1024)?.text ?? '')?.[1] ?? '';
	const out = new Map<string, string>();
	for (const d of unit.packages) {
		const rel = path.relative(unit.root, d).split(path.sep).join('/');
		// GOROOT/src is module "std", whose packages are named without a module prefix.
		const ip = mod === 'std' || !mod ? rel || '.' : rel ? `${mod}/${rel}` : mod;
		out.set(ip, d);
	}
	return out;
}

/**
 * Parses the output of one `go build` over the unit. Each `# import/path` section is about one
 * package of the unit; its paths are placed against that package (escape/printedPaths.ts): a
 * cache replay may be relative to wherever the package was first compiled, and a body inlined
 * from another package is printed at that package's file.
 */
export function parseSections(output: string, unit: ModuleUnit): { facts: EscapeFact[]; buildErrors: string[]; errors: BuildError[]; printed: string[] } {
	const parsed = parseEscapeOutput(output, sectionOptions(unit));
	return { facts: parsed.facts, buildErrors: parsed.buildErrors, errors: parsed.errors, printed: printedDirs(parsed.packages, unit) };
}

/** Directories of the unit's packages that printed a `# pkg` section. */
function printedDirs(headers: readonly string[], unit: ModuleUnit): string[] {
	const { packageDir } = sectionOptions(unit);
	return [...new Set(headers.map((h) => packageDir?.(h)).filter((d): d is string => d !== undefined))];
}

/** How one go build over the unit is parsed: each `# import/path` section against its package. */
function sectionOptions(unit: ModuleUnit): ParseOptions {
	const dirs = importPaths(unit);
	const packageDir = (header: string | undefined) => {
		// `# example.com/m/sub` or, for a test variant, `# example.com/m/sub_test [example.com/m/sub.test]`.
		const ip = header?.split(' ')[0];
		return ip === undefined ? undefined : (dirs.get(ip) ?? dirs.get(ip.replace(/_test$/, '')));
	};
	return { cwd: unit.root, packageDir, ...sourceFiles() };
}
