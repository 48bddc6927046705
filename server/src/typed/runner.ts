/**
 * The typed pass (the edge: process spawning): `go vet -json -copylocks [-tags] [flags] [-overlay] PATTERNS`,
 * the analyzers of the toolchain's own cmd/vet over the package's types as go/types computes
 * them from source and the dependencies' export data. Nothing is built or downloaded for it: vet
 * ships with Go. The same policy as every toolchain run (toolchain/toolRun.ts, policy.ts; spawned
 * through toolchain/processes.ts as its own process tree), plus vet's own flags (`-vettool` would
 * run another program as vet) never taken from settings. Modules are never downloaded for it
 * (`GOPROXY=off`): vet runs after the compile has fetched what the build needs, and a test-only
 * dependency missing from the module cache leaves its package without types rather than start a
 * download (which, with no network, stalls until TCP gives up).
 * Measured with Go 1.26: vet results are cached by the go command (an unchanged package replays
 * its JSON without running vet), vet type-checks the package with its _test.go files (and the
 * external _test package), a package that does not type-check or build prints its errors under
 * `# pkg` on stderr and exits 1 while the other packages still print their JSON, VCS stamping
 * does not apply (vet links nothing, so `-buildvcs` changes nothing), and nothing is written into
 * the workspace.
 */
import path from 'node:path';
import { access, constants, realpath } from 'node:fs/promises';
import { sanitizeFlags } from '../escape/runner';
import { killTree, spawnTool } from '../toolchain/processes';
import { prepareToolRun, type ToolRun } from '../toolchain/toolRun';
import { TYPED_ANALYZERS, type TypedFact } from './facts';
import { parseVetJson, parseVetStderr } from './vetJson';
import { vetSaltFlag } from './vetSalt';

export interface TypedRunRequest {
	goBin: string;
	/** Where go vet runs: the package directory (LSP) or the module root (CLI). */
	cwd: string;
	/** Package patterns, relative to `cwd` (default `.`). */
	patterns?: string[];
	/** Real absolute path → unsaved content. */
	overlay?: ReadonlyMap<string, string>;
	/** Package directories whose non-regular files (FIFOs) are hidden from vet; default: the patterns without `...`. */
	sourceDirs?: readonly string[];
	tags: string[];
	buildFlags: string[];
	env: Record<string, string>;
	signal?: AbortSignal;
	timeoutMs: number;
	/**
	 * The CLI, after a good `go build -gcflags=-m=2` of the same patterns: vet with the same
	 * -gcflags, so the packages it needs compiled are that build's, replayed from the go build cache
	 * instead of compiled a second time with other flags. The compiler's replayed output then fills
	 * stderr, so stderr is not read: on any failure vet runs again without it and that run answers.
	 */
	shareEscapeCompile?: boolean;
	/** Files vet is not shown (deleted through the overlay): the CLI leaves costly tests out (./testVariants.ts). */
	leaveOut?: readonly string[];
	/** Called with the pid of the spawned `go` (its process group id too). */
	onSpawn?: (pid: number) => void;
}

export interface TypedRunResult {
	/** ok: vet checked every package; failed: some did not type-check or build (their errors in `errors`). */
	status: 'ok' | 'failed' | 'cancelled' | 'timeout' | 'go-missing' | 'error';
	analyzers: string[];
	facts: TypedFact[];
	/** Packages vet named on stderr as failing (their files have no typed answer). */
	failedPackages: string[];
	/** stderr lines, as printed. */
	errors: string[];
	command: string;
	cwd: string;
	message?: string;
	/** Settings the toolchain policy refused or overrode (toolchain/policy.ts), for the status. */
	notes?: string[];
	durationMs: number;
}

/** vet's JSON for a whole module can be large; past this the run is an error, not an unbounded read. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** vet flags (and test-only build flags) that must not come from settings: ours, or not accepted by go vet. */
const NOT_FOR_VET = new Set(['vettool', 'json', 'fix', 'diff', 'cover', 'covermode', 'coverpkg']);

/** The user's build flags as go vet takes them: escape/runner's `sanitizeFlags`, then vet's own flags dropped. */
export function vetBuildFlags(flags: string[]): string[] {
	const out: string[] = [];
	const clean = sanitizeFlags(flags);
	for (let i = 0; i < clean.length; i++) {
		const f = clean[i];
		const name = /^['"]?--?([\w.-]+)/.exec(f)?.[1];
		if (name && NOT_FOR_VET.has(name)) {
			if (!f.includes('=') && i + 1 < clean.length && !clean[i + 1].startsWith('-') && name !== 'cover' && name !== 'json') i++;
			continue;
		}
		out.push(f);
	}
	return out;
}

/** The argument list for `go vet` (exported for tests and for showing the command). */
export function vetArgs(req: Pick<TypedRunRequest, 'tags' | 'buildFlags' | 'patterns' | 'shareEscapeCompile'> & { salt?: string }, overlayFile?: string): string[] {
	const args = ['vet', '-json', ...TYPED_ANALYZERS.map((a) => `-${a}`)];
	// Keeps Go 1.26.8's vet cache from answering for a facts-only run (./vetSalt.ts).
	if (req.salt) args.push(req.salt);
	if (req.tags?.length) args.push(`-tags=${req.tags.join(',')}`);
	args.push(...vetBuildFlags(req.buildFlags ?? []));
	// The escape compile's own flag (cli/compile.ts compileArgs), so its compiles are reused.
	if (req.shareEscapeCompile) args.push('-gcflags=-m=2');
	if (overlayFile) args.push(`-overlay=${overlayFile}`);
	args.push(...(req.patterns?.length ? req.patterns : ['.']));
	return args;
}

/**
 * vet prints absolute paths as the go command sees its working directory: the real one, with
 * symbolic links resolved. Facts under it are put back under `cwd` as given (the editor's paths).
 */
async function underCwd(facts: TypedFact[], cwd: string): Promise<TypedFact[]> {
	const real = await realpath(cwd).catch(() => cwd);
	if (real === cwd) return facts;
	const move = (file: string) => (file === real || file.startsWith(real + path.sep) ? cwd + file.slice(real.length) : file);
	return facts.map((f) => ({ ...f, pos: { ...f.pos, file: move(f.pos.file) }, ...(f.end ? { end: { ...f.end, file: move(f.end.file) } } : {}) }));
}

/** Runs go vet once and parses what it printed. Never throws. */
export async function runTyped(req: TypedRunRequest): Promise<TypedRunResult> {
	const started = performance.now();
	const salt = vetSaltFlag(req);
	let command = `${req.goBin} ${vetArgs({ ...req, salt }).join(' ')}`;
	const base = { analyzers: [...TYPED_ANALYZERS], facts: [] as TypedFact[], failedPackages: [] as string[], errors: [] as string[], cwd: req.cwd };
	let notes: string[] = [];
	const done = (r: Pick<TypedRunResult, 'status'> & Partial<Omit<TypedRunResult, 'durationMs' | 'cwd' | 'command'>>): TypedRunResult => ({
		...base,
		...r,
		...(notes.length ? { notes } : {}),
		command,
		durationMs: Math.round(performance.now() - started),
	});
	if (req.signal?.aborted) return done({ status: 'cancelled', message: 'Cancelled before start.' });
	if (path.isAbsolute(req.goBin)) {
		try {
			await access(req.goBin, constants.X_OK);
		} catch {
			return done({ status: 'go-missing', message: `cannot run the go binary "${req.goBin}" (not found or not executable)` });
		}
	}
	let run: ToolRun | undefined;
	try {
		// The same policy as every toolchain run (toolchain/toolRun.ts): env allowlist, GOFLAGS, module files, temp dir.
		const dirs = req.sourceDirs ?? (req.patterns?.length ? req.patterns : ['.']).filter((p) => !p.includes('...')).map((p) => path.resolve(req.cwd, p));
		run = await prepareToolRun({ cwd: req.cwd, buildFlags: req.buildFlags, env: req.env, overlay: req.overlay, sourceDirs: dirs, ...(req.leaveOut?.length ? { leaveOut: req.leaveOut } : {}) });
		notes = run.notes;
		const args = vetArgs({ ...req, salt, buildFlags: run.flags }, run.overlay?.file);
		command = `${req.goBin} ${args.join(' ')}`;
		if (req.signal?.aborted) return done({ status: 'cancelled', message: 'Cancelled before start.' });
		const { child, pid } = await spawnTool(req.goBin, args, {
			cwd: req.cwd,
			env: { ...run.env, GOPROXY: 'off' },
			stdout: 'pipe',
			stderr: req.shareEscapeCompile ? 'ignore' : 'pipe',
			buffer: true,
			maxBuffer: MAX_OUTPUT_BYTES,
			signal: req.signal,
			timeoutMs: req.timeoutMs,
			onSpawn: req.onSpawn,
		});
		const r = await child;
		if (r.isCanceled || req.signal?.aborted) {
			if (pid) killTree(pid, 'SIGKILL');
			return done({ status: 'cancelled', message: 'Superseded by a newer request.' });
		}
		if (r.timedOut) {
			if (pid) killTree(pid, 'SIGKILL');
			return done({ status: 'timeout', message: `go vet took longer than ${Math.round(req.timeoutMs / 1000)} s and was stopped.` });
		}
		if ((r as { isMaxBuffer?: boolean }).isMaxBuffer) return done({ status: 'error', message: `go vet printed more than ${MAX_OUTPUT_BYTES / 2 ** 20} MB; its output was not read past that.` });
		const code = (r as { code?: string }).code ?? (r.cause as NodeJS.ErrnoException | undefined)?.code;
		if (code === 'ENOENT' || code === 'EACCES') return done({ status: 'go-missing', message: `cannot run the go binary "${req.goBin}" (${code === 'ENOENT' ? 'not found' : 'not executable'})` });
		if (req.shareEscapeCompile && r.exitCode !== 0) {
			// stderr (the replayed compiler output, and whatever failed) was not kept: ask vet alone.
			await run.dispose();
			run = undefined;
			return runTyped({ ...req, shareEscapeCompile: false });
		}
		const stdout = typeof r.stdout === 'string' ? r.stdout : '';
		const stderr = typeof r.stderr === 'string' ? r.stderr : '';
		const parsed = parseVetJson(stdout, { backingToReal: run.overlay?.backingToReal });
		parsed.facts = await underCwd(parsed.facts, req.cwd);
		const errs = parseVetStderr(stderr);
		const failedPackages = [...new Set([...errs.failedPackages, ...parsed.analyzerErrors.map((e) => e.pkg)])];
		const common = { facts: parsed.facts, failedPackages, errors: [...errs.messages, ...parsed.analyzerErrors.map((e) => `${e.pkg}: ${e.analyzer}: ${e.error}`)] };
		if (r.exitCode === 0 && failedPackages.length === 0) return done({ status: 'ok', ...common });
		if (r.exitCode !== undefined && (failedPackages.length > 0 || errs.messages.length > 0)) {
			return done({ status: 'failed', ...common, message: `go vet could not check ${failedPackages.length ? failedPackages.join(', ') : 'every package'}: ${errs.messages.slice(0, 3).join(' ')}` });
		}
		return done({ status: 'error', ...common, message: `go vet failed (${r.exitCode ?? r.signal ?? 'unknown'}): ${stderr.trim().split('\n').slice(-3).join(' ') || r.shortMessage}` });
	} catch (e) {
		return done({ status: 'error', message: `Could not run go vet: ${(e as Error)?.message ?? String(e)}` });
	} finally {
		await run?.dispose();
	}
}
