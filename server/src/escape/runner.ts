/**
 * Runs the Go compiler's escape analysis on one package (the edge: process spawning).
 *
 * We read the `-gcflags=-m=2` **text** on stderr rather than `-json=0,DIR`: on a build-cache hit
 * `go build` replays the printed `-m` text without recompiling, while `-json` files are only
 * written by a real compile (a cache hit leaves a fresh DIR empty). Text also carries
 * "moved to heap", "does not escape" and "leaking param content", which `-json` lacks.
 * `-gcflags=-m=2` without `all=` applies to the named package only (`go help build`):
 * dependencies stay cached.
 *
 * The command is `go list -export` rather than `go build -o /dev/null` / `go test -c`: it runs the
 * same compile actions (same build cache, same replayed -m text, same errors and exit code) but
 * never links. Measured with Go 1.26 on this machine: a warm `main` package 1.7–2.4 s with
 * `go build -o /dev/null` vs 0.4–0.7 s with `go list -export`; a warm test package 1.8–3.4 s with
 * `go test -c` vs 0.8 s with `go list -test -export`.
 */
import { access, constants, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EscapeFact } from '../model';
import { EscapeOutputParser, type BuildError } from './parser';
import { sourceFiles } from './sourceFiles';
import { CompressedText, LineSplitter } from './rawText';
import { replayArgv, XTrace, type CompilePlan } from './compilePlan';
import { forgetPlan, hasPlan, rememberPlan, replayablePlan } from './planStore';
import { decideEnv, decideFlags, joinQuoted } from '../toolchain/policy';
import { spawnTool, killTree } from '../toolchain/processes';
import { readRegular } from '../toolchain/regularFiles';
import { prepareToolRun, type ToolRun } from '../toolchain/toolRun';
import { nextTurn, runSliced } from '../util/steps';

export interface EscapeRunRequest {
	goBin: string;
	/** Package directory, absolute. */
	dir: string;
	/** `go test -c` (also compiles _test.go files). */
	test: boolean;
	/** Real absolute path → unsaved content. */
	overlay?: Map<string, string>;
	tags: string[];
	buildFlags: string[];
	env: Record<string, string>;
	signal?: AbortSignal;
	timeoutMs: number;
	/** Called with the pid of the spawned `go` (its process group id too). Additive; for tests and debug stats. */
	onSpawn?: (pid: number) => void;
	/** false: always run the go command, never replay its captured compile step (see compilePlan.ts). */
	replay?: boolean;
	/**
	 * A forced re-run of text that may have been analysed before: when the last run of the package
	 * went through the go command, its build cache has that text and answers faster than a replay
	 * (which always compiles); after a replay it has not, and the replay is the faster compile.
	 */
	rerun?: boolean;
	/**
	 * Compile only to capture the package's compile step: every non-test .go file gets a trailing
	 * comment through the overlay, so the go command cannot answer from its build cache.
	 */
	prime?: boolean;
	/** How the run lets other work in while it parses (the server: its waiting messages first). Default: one turn of the event loop. */
	pause?: () => Promise<void>;
}

export interface EscapeRunResult {
	status: 'ok' | 'build-failed' | 'cancelled' | 'timeout' | 'go-missing' | 'error';
	facts: EscapeFact[];
	buildErrors: string[];
	/** Build errors with resolved positions (additive). */
	errors?: BuildError[];
	/**
	 * Raw stderr, kept compressed (`output.text()` gives it back): for a big package it is tens of
	 * MB as a string, and results are cached.
	 */
	output: CompressedText;
	command: string;
	/** 'compile': the go command's captured compile step was replayed; 'go': the go command ran. */
	via?: 'go' | 'compile';
	/** The go command ran and a compile step for replays is kept (false: a build-cache answer printed none and none was kept before). */
	captured?: boolean;
	cwd: string;
	/** Clear human text for non-ok statuses. */
	message?: string;
	/** Settings that were refused or overridden for this run, and files left out (toolchain/toolRun.ts). */
	notes?: string[];
	durationMs: number;
}

/** Output past this is not read: the process tree is stopped (the old buffered read failed at the same size). */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
/** Raw output kept for the "Show Compiler Output" view (compressed); what follows is counted, not kept. */
const MAX_RAW_BYTES = 64 * 1024 * 1024;
/** How long to wait for stderr to close after `go` exited (a killed child may hold it open). */
const STREAM_END_GRACE_MS = 2000;

/** Output bytes parsed per turn of the event loop at most. */
const PARSE_SLICE = 8 * 1024;

/**
 * Feeds `chunk` to the splitter PARSE_SLICE bytes at a time, a pause apart, and places the
 * sections that ended in it in slices too.
 */
async function pushInSlices(lines: LineSplitter, parser: EscapeOutputParser, chunk: Buffer, pause: () => Promise<void>): Promise<void> {
	for (let at = 0; at < chunk.length; at += PARSE_SLICE) {
		if (at > 0) await pause();
		lines.push(chunk.subarray(at, at + PARSE_SLICE));
		if (parser.pending) await runSliced(parser.placing(), pause);
	}
}

/** The argument list for `go` (exported for tests and for showing the command to users). */
export function escapeArgs(req: Pick<EscapeRunRequest, 'test' | 'tags' | 'buildFlags'>, overlayFile?: string): string[] {
	// -test adds the package compiled with its _test.go files (and the external _test package).
	const args = req.test ? ['list', '-export', '-test', '-gcflags=-m=2'] : ['list', '-export', '-gcflags=-m=2'];
	if (req.tags?.length) args.push(`-tags=${req.tags.join(',')}`);
	args.push(...sanitizeFlags(req.buildFlags ?? []));
	if (overlayFile) args.push(`-overlay=${overlayFile}`);
	args.push('.');
	return args;
}

/**
 * The user's build flags as the policy passes them (toolchain/policy.ts): flags we own and flags
 * that would run a program are dropped; -mod/-modfile/-buildvcs are decided by toolchain/toolRun.ts.
 */
export function sanitizeFlags(flags: readonly string[]): string[] {
	return decideFlags(flags, 'goMemlens.buildFlags').flags;
}

/**
 * The policy's environment without a run directory (GOTOOLCHAIN pinned, GOFLAGS sanitised and
 * explicit, -buildvcs=false). Runs use toolchain/toolRun.ts `prepareToolRun`, which adds GOTMPDIR
 * and the module-file decisions; this is kept for callers that only need the variables.
 */
export function escapeEnv(extra: Record<string, string>): Record<string, string> {
	const { env, goflags } = decideEnv(extra);
	env.GOTOOLCHAIN = 'local';
	const f = decideFlags(goflags, 'GOFLAGS');
	env.GOFLAGS = joinQuoted([...f.flags, ...(f.mod && f.mod !== 'mod' ? [`-mod=${f.mod}`] : []), '-buildvcs=false']);
	return env;
}

function goMissing(goBin: string, detail: string): string {
	return `Go MemLens could not run the Go toolchain at "${goBin}" (${detail}). Install Go or set "goMemlens.goPath" to the go binary.`;
}

/** What the settings that shape the go command's decisions look like (a captured step is reused only under the same). */
function planKey(req: EscapeRunRequest): string {
	return JSON.stringify([req.goBin, req.tags, req.buildFlags, req.env]);
}

/** How each package's last successful run went (see `rerun`). */
const lastVia = new Map<string, 'go' | 'compile'>();

/**
 * Runs `go list -export [-test] -gcflags=-m=2 .` in `req.dir` and parses the result, or replays
 * the compile step that command ran last time when nothing it decided can have changed
 * (compilePlan.ts, planStore.ts). Never throws.
 */
export async function runEscape(req: EscapeRunRequest): Promise<EscapeRunResult> {
	const r = await runEscapeOnce(req);
	if (r.status === 'ok' && r.via && !req.prime) lastVia.set(req.dir, r.via);
	return r;
}

async function runEscapeOnce(req: EscapeRunRequest): Promise<EscapeRunResult> {
	const replay = !req.test && req.replay !== false && !(req.rerun && lastVia.get(req.dir) !== 'compile');
	if (req.prime) return replay ? runOnce({ ...req, overlay: await primeOverlay(req.dir, req.overlay) }, undefined, true) : runOnce(req, undefined, false);
	if (replay) {
		const plan = await replayablePlan(req.dir, planKey(req), req.overlay ?? new Map()).catch(() => undefined);
		if (plan) {
			const r = await runOnce(req, plan, false);
			if (r.status === 'ok' || r.status === 'cancelled' || r.status === 'timeout') return r;
			// A new import, a trimmed build cache, a real compile error: the go command decides and reports.
			forgetPlan(req.dir);
		}
	}
	// Capture even when not replaying now (a forced re-run): the next save can replay.
	return runOnce(req, undefined, !req.test);
}

/** The package's non-test .go files, each with a unique trailing comment (see `prime`). */
async function primeOverlay(dir: string, overlay: ReadonlyMap<string, string> | undefined): Promise<Map<string, string>> {
	const out = new Map(overlay);
	const names = await readdir(dir).catch(() => [] as string[]);
	const mark = `\n// memlens: compile-step capture ${process.pid}-${Date.now()}\n`;
	for (const n of names) {
		if (!n.endsWith('.go') || n.endsWith('_test.go')) continue;
		const f = path.join(dir, n);
		const text = out.get(f) ?? (await readRegular(f));
		if (text !== undefined) out.set(f, text + mark);
	}
	return out;
}

async function runOnce(req: EscapeRunRequest, plan: CompilePlan | undefined, capture: boolean): Promise<EscapeRunResult> {
	const started = performance.now();
	const pause = req.pause ?? nextTurn;
	const base = { facts: [] as EscapeFact[], buildErrors: [] as string[], output: CompressedText.empty, cwd: req.dir };
	const done = (r: Omit<EscapeRunResult, 'durationMs' | 'cwd'>): EscapeRunResult => ({ ...r, via: plan ? 'compile' : 'go', cwd: req.dir, durationMs: Math.round(performance.now() - started) });
	let command = `${req.goBin} ${escapeArgs(req).join(' ')}`;
	if (req.signal?.aborted) return done({ ...base, status: 'cancelled', command, message: 'Cancelled before start.' });

	if (path.isAbsolute(req.goBin)) {
		try {
			await access(req.goBin, constants.X_OK);
		} catch {
			return done({ ...base, status: 'go-missing', command, message: goMissing(req.goBin, 'not found or not executable') });
		}
	}

	// A missing cwd makes spawn fail with ENOENT too; say what is really missing.
	const isDir = await stat(req.dir).then((st) => st.isDirectory(), () => false);
	if (!isDir) return done({ ...base, status: 'error', command, message: `Package directory not found: ${req.dir}` });

	let run: ToolRun | undefined;
	let notes: string[] = [];
	// Every result of this run carries the run's notes (refused settings, files left out).
	const result = (r: Omit<EscapeRunResult, 'durationMs' | 'cwd'>): EscapeRunResult => done(notes.length ? { ...r, notes } : r);
	try {
		run = await prepareToolRun({ cwd: req.dir, buildFlags: req.buildFlags, env: req.env, overlay: req.overlay, sourceDirs: [req.dir] });
		notes = run.notes;
		const overlay = run.overlay;
		let bin = req.goBin;
		let args = escapeArgs({ ...req, buildFlags: run.flags }, overlay?.file);
		let cwd = req.dir;
		if (plan) {
			// The replay's own $WORK (the importcfg and the output archive), inside the run's temp dir.
			const work = path.join(run.dir, 'compile');
			await mkdir(path.join(work, 'b001'), { recursive: true });
			const cfg = path.join(work, 'importcfg');
			await writeFile(cfg, plan.importcfg);
			const backing = new Map([...(overlay?.backingToReal ?? [])].map(([b, r]) => [r, b]));
			[bin, ...args] = replayArgv(plan, work, cfg, backing);
			cwd = plan.cwd;
		} else if (capture) args = [args[0], '-x', ...args.slice(1)];
		const xtrace = capture ? new XTrace() : undefined;
		command = `${bin} ${args.join(' ')}`;
		if (req.signal?.aborted) return result({ ...base, status: 'cancelled', command, message: 'Cancelled before start.' });
		// stderr is parsed line by line as it arrives and kept compressed: the whole text is never one string.
		// Paths are relative to where go (or the replayed compile) ran; every section is this package (or its tests).
		const parser = new EscapeOutputParser({ cwd, packageDir: () => req.dir, backingToReal: overlay?.backingToReal, ...sourceFiles(req.overlay) });
		const raw = CompressedText.writer(MAX_RAW_BYTES);
		let rawFull = false;
		const tail: string[] = [];
		let outputBytes = 0;
		// compile prints GOROOT files as `$GOROOT/src/…`; the go command expands that in what it shows.
		const goroot = plan ? path.resolve(path.dirname(plan.argv[0]), '..', '..', '..') : undefined;
		const lines = new LineSplitter((text) => {
			// The -x trace (the commands go ran) is read for the compile step, not parsed or shown.
			if (xtrace?.accept(text)) return;
			const line = goroot && text.includes('$GOROOT/') ? text.replaceAll('$GOROOT/', `${goroot}/`) : text;
			if ((xtrace || goroot) && !raw.write(Buffer.from(`${line}\n`))) rawFull = true;
			parser.line(line);
			if (line.trim() !== '') {
				tail.push(line);
				if (tail.length > 3) tail.shift();
			}
		});
		// Own process tree, killed as a whole on cancel, timeout, exit, and once go itself has ended.
		// go list prints package info on stdout and the -m text on stderr; compile prints it on stdout.
		const { child, pid } = await spawnTool(bin, args, {
			cwd,
			env: run.env,
			stdout: plan ? 'pipe' : 'ignore',
			signal: req.signal,
			timeoutMs: req.timeoutMs,
			onSpawn: req.onSpawn,
		});
		// The stream is held (paused) while the compressor catches up or a chunk is parsed in slices.
		let holds = 0;
		let slicing = 0;
		let sliced: Promise<void> = Promise.resolve();
		const stderrDone = new Promise<void>((resolve) => {
			const stream = plan ? child.stdout : child.stderr;
			if (!stream) return resolve();
			const hold = (until: Promise<unknown>) => {
				if (holds++ === 0) stream.pause();
				void until.then(() => {
					if (--holds === 0) stream.resume();
				});
			};
			stream.on('data', (chunk: Buffer) => {
				if (outputBytes > MAX_OUTPUT_BYTES) return;
				outputBytes += chunk.length;
				if (outputBytes > MAX_OUTPUT_BYTES) {
					// Nothing useful prints this much: stop the tree rather than read on.
					if (pid) killTree(pid, 'SIGKILL');
					return;
				}
				if (!xtrace && !plan && !raw.write(chunk)) rawFull = true;
				// A chunk is parsed PARSE_SLICE bytes per turn of the event loop: 64 KB of -m=2 text
				// is ~1,000 lines, 60-90 ms of the server's thread on a busy machine.
				// In order: after the slices still being fed.
				const later = (work: () => Promise<void>) => {
					slicing++;
					hold((sliced = sliced.then(work).finally(() => slicing--)));
				};
				if (chunk.length > PARSE_SLICE || slicing > 0) later(() => pushInSlices(lines, parser, chunk, pause));
				else {
					lines.push(chunk);
					if (parser.pending) later(() => runSliced(parser.placing(), pause).then(() => undefined));
				}
				// The compressor is behind: wait for it (the tool waits on its full pipe meanwhile).
				if (rawFull) {
					rawFull = false;
					hold(raw.drained());
				}
			});
			stream.once('end', () => resolve());
			stream.once('close', () => resolve());
			stream.once('error', () => resolve());
		});
		// compile's own stderr (a crash, a missing tool) is kept for the failure message only.
		if (plan) {
			child.stderr?.on('data', (chunk: Buffer) => {
				tail.push(chunk.toString('utf8').trim().slice(-500));
				if (tail.length > 3) tail.shift();
			});
		}
		const r = await child;
		let graceTimer: NodeJS.Timeout | undefined;
		await Promise.race([stderrDone, new Promise((resolve) => (graceTimer = setTimeout(resolve, STREAM_END_GRACE_MS)))]);
		clearTimeout(graceTimer);
		await sliced;
		child.stderr?.destroy();
		if (plan) child.stdout?.destroy();
		lines.end();
		const parsed = await runSliced(parser.finishing(), pause);
		const output = await raw.end();
		if (outputBytes > MAX_OUTPUT_BYTES) {
			return result({ ...base, output, status: 'error', command, message: `go printed more than ${MAX_OUTPUT_BYTES / 2 ** 20} MB of output; it was stopped there and the output was not read further.` });
		}
		if (r.isCanceled || req.signal?.aborted) {
			if (pid) killTree(pid, 'SIGKILL');
			return result({ ...base, output, status: 'cancelled', command, message: 'Superseded by a newer request.' });
		}
		if (r.timedOut) {
			if (pid) killTree(pid, 'SIGKILL');
			return result({ ...base, output, status: 'timeout', command, message: `The compile took longer than ${Math.round(req.timeoutMs / 1000)} s and was stopped (goMemlens.compileTimeoutSec).` });
		}
		const code = (r as { code?: string }).code ?? (r.cause as NodeJS.ErrnoException | undefined)?.code;
		if (code === 'ENOENT' || code === 'EACCES') {
			return result({ ...base, status: 'go-missing', command, message: goMissing(req.goBin, code === 'ENOENT' ? 'not found' : 'not executable') });
		}
		if (r.exitCode === 0) {
			const step = xtrace?.plan(overlay?.backingToReal);
			// No step printed (a build-cache answer): one kept from before still serves. A file left out is not replayable.
			const captured = step && !run.hidden.length ? await rememberPlan(req.dir, planKey(req), step, req.overlay ?? new Map()).catch(() => false) : hasPlan(req.dir, planKey(req));
			// -m lines we do not recognise are informational when the build succeeded.
			return result({ ...base, output, facts: parsed.facts, status: 'ok', command, ...(xtrace ? { captured } : {}) });
		}
		if (r.exitCode !== undefined && parsed.buildErrors.length > 0) {
			return result({
				...base,
				output,
				facts: parsed.facts,
				buildErrors: parsed.buildErrors,
				errors: parsed.errors,
				status: 'build-failed',
				command,
				message: `The package does not compile, so the compiler reported no escape analysis (${parsed.buildErrors.length} error(s)).`,
			});
		}
		const why = r.exitCode !== undefined ? `exit code ${r.exitCode}` : (r.signal ?? r.shortMessage ?? 'unknown failure');
		return result({ ...base, output, status: 'error', command, message: `go failed (${why}): ${tail.join(' ').trim() || r.shortMessage}` });
	} catch (e) {
		return result({ ...base, status: 'error', command, message: `Could not run the compiler: ${(e as Error)?.message ?? String(e)}` });
	} finally {
		await run?.dispose();
	}
}
