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
import { readFileSync } from 'node:fs';
import { access, constants, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EscapeFact } from '../model';
import { EscapeOutputParser, type BuildError } from './parser';
import { sourceFiles } from './sourceFiles';
import { CompressedText, LineSplitter } from './rawText';
import { writeOverlay, type OverlayFiles } from './overlay';
import { replayArgv, XTrace, type CompilePlan } from './compilePlan';
import { forgetPlan, hasPlan, rememberPlan, replayablePlan } from './planStore';

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
	durationMs: number;
}

const KILL_GRACE_MS = 1500;
/** stderr past this is not parsed or kept (the old buffered read failed at the same size). */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
/** How long to wait for stderr to close after `go` exited (a killed child may hold it open). */
const STREAM_END_GRACE_MS = 2000;

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
 * Drops flags we own (`-gcflags`, `-o`, `-overlay`) and `-toolexec`: a workspace setting or an
 * inherited GOFLAGS must not silently run an arbitrary program on every keystroke-triggered build.
 */
export function sanitizeFlags(flags: string[]): string[] {
	const out: string[] = [];
	for (let i = 0; i < flags.length; i++) {
		const f = flags[i];
		const name = /^['"]?--?([\w.-]+)/.exec(f)?.[1];
		if (name && ['gcflags', 'o', 'overlay', 'toolexec'].includes(name)) {
			if (!f.includes('=') && i + 1 < flags.length) i++; // skip the separate value too
			continue;
		}
		out.push(f);
	}
	return out;
}

/** The environment for `go`: inherited + the user's, GOTOOLCHAIN pinned, `-toolexec` removed from GOFLAGS. */
export function escapeEnv(extra: Record<string, string>): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
	Object.assign(env, extra);
	// Never let a build download a toolchain (go.mod `toolchain` lines would otherwise trigger it).
	env.GOTOOLCHAIN = 'local';
	// cmd/go reads GOFLAGS from the environment, else from the go env file (`go env -w`): sanitise
	// whichever applies, and pass the result explicitly so the file's value cannot come back.
	const goflags = env.GOFLAGS || goEnvFileValue(env, 'GOFLAGS');
	if (goflags) {
		// An empty GOFLAGS would fall back to the file again; -buildvcs=auto is the default, a no-op.
		env.GOFLAGS = sanitizeFlags(goflags.split(/\s+/).filter(Boolean)).join(' ') || '-buildvcs=auto';
	}
	return env;
}

/** A value from the go env file that `go env -w` writes (GOENV, else os.UserConfigDir()/go/env). */
function goEnvFileValue(env: Record<string, string>, key: string): string | undefined {
	if (env.GOENV === 'off') return undefined;
	const home = env.HOME ?? '';
	const configDir =
		process.platform === 'darwin'
			? path.join(home, 'Library', 'Application Support')
			: process.platform === 'win32'
				? (env.APPDATA ?? '')
				: env.XDG_CONFIG_HOME || path.join(home, '.config');
	const file = env.GOENV || (configDir && path.join(configDir, 'go', 'env'));
	if (!file) return undefined;
	try {
		for (const line of readFileSync(file, 'utf8').split('\n')) {
			const eq = line.indexOf('=');
			if (eq > 0 && line.slice(0, eq).trim() === key) return line.slice(eq + 1).trim();
		}
	} catch {
		// no go env file: nothing to sanitise
	}
	return undefined;
}

function goMissing(goBin: string, detail: string): string {
	return `Go MemLens could not run the Go toolchain at "${goBin}" (${detail}). Install Go or set "goMemlens.goPath" to the go binary.`;
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
	if (!pid) return;
	try {
		// Negative pid: the whole process group (go + compile/link children), see `detached` below.
		if (process.platform !== 'win32') process.kill(-pid, sig);
		else process.kill(pid, sig);
	} catch {
		// already gone
	}
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
		const text = out.get(f) ?? (await readFile(f, 'utf8').catch(() => undefined));
		if (text !== undefined) out.set(f, text + mark);
	}
	return out;
}

async function runOnce(req: EscapeRunRequest, plan: CompilePlan | undefined, capture: boolean): Promise<EscapeRunResult> {
	const started = performance.now();
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

	let overlay: OverlayFiles | undefined;
	let work: string | undefined;
	try {
		if (req.overlay && req.overlay.size > 0) overlay = await writeOverlay(req.overlay);
		let bin = req.goBin;
		let args = escapeArgs(req, overlay?.file);
		let cwd = req.dir;
		if (plan) {
			// The replay's own $WORK: the importcfg and the output archive, removed afterwards.
			work = await mkdtemp(path.join(os.tmpdir(), 'memlens-compile-'));
			await mkdir(path.join(work, 'b001'), { recursive: true });
			const cfg = path.join(work, 'importcfg');
			await writeFile(cfg, plan.importcfg);
			const backing = new Map([...(overlay?.backingToReal ?? [])].map(([b, r]) => [r, b]));
			[bin, ...args] = replayArgv(plan, work, cfg, backing);
			cwd = plan.cwd;
		} else if (capture) args = [args[0], '-x', ...args.slice(1)];
		const xtrace = capture ? new XTrace() : undefined;
		command = `${bin} ${args.join(' ')}`;
		if (req.signal?.aborted) return done({ ...base, status: 'cancelled', command, message: 'Cancelled before start.' });
		const { execa } = await import('execa'); // ESM-only: dynamic import works under tsx and in the bundle
		const detached = process.platform !== 'win32';
		// stderr is parsed line by line as it arrives and kept compressed: the whole text is never one string.
		// Paths are relative to where go (or the replayed compile) ran; every section is this package (or its tests).
		const parser = new EscapeOutputParser({ cwd, packageDir: () => req.dir, backingToReal: overlay?.backingToReal, ...sourceFiles(req.overlay) });
		const raw = CompressedText.writer();
		const tail: string[] = [];
		let outputBytes = 0;
		// compile prints GOROOT files as `$GOROOT/src/…`; the go command expands that in what it shows.
		const goroot = plan ? path.resolve(path.dirname(plan.argv[0]), '..', '..', '..') : undefined;
		const lines = new LineSplitter((text) => {
			// The -x trace (the commands go ran) is read for the compile step, not parsed or shown.
			if (xtrace?.accept(text)) return;
			const line = goroot && text.includes('$GOROOT/') ? text.replaceAll('$GOROOT/', `${goroot}/`) : text;
			if (xtrace || goroot) raw.write(Buffer.from(`${line}\n`));
			parser.line(line);
			if (line.trim() !== '') {
				tail.push(line);
				if (tail.length > 3) tail.shift();
			}
		});
		const child = execa(bin, args, {
			cwd,
			env: escapeEnv(req.env),
			extendEnv: false,
			reject: false,
			stdin: 'ignore',
			// go list prints package info on stdout and the -m text on stderr; compile prints it on stdout.
			stdout: plan ? 'pipe' : 'ignore',
			buffer: false, // stderr is read below, as a stream
			cancelSignal: req.signal,
			timeout: req.timeoutMs > 0 ? req.timeoutMs : undefined,
			forceKillAfterDelay: KILL_GRACE_MS,
			// Own process group, so cancel/timeout can kill go's compile/link children too.
			detached,
		});
		const pid = child.pid;
		const stderrDone = new Promise<void>((resolve) => {
			const stream = plan ? child.stdout : child.stderr;
			if (!stream) return resolve();
			stream.on('data', (chunk: Buffer) => {
				if (outputBytes > MAX_OUTPUT_BYTES) return;
				outputBytes += chunk.length;
				if (!xtrace && !plan) raw.write(chunk);
				lines.push(chunk);
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
		let forceKill: NodeJS.Timeout | undefined;
		const groupKill = () => {
			killGroup(pid, 'SIGTERM');
			forceKill ??= setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
		};
		req.signal?.addEventListener('abort', groupKill, { once: true });
		try {
			if (pid) req.onSpawn?.(pid);
		} catch {
			// a listener must not leave the process unwatched
		}
		if (req.signal?.aborted) groupKill();
		const timer = req.timeoutMs > 0 ? setTimeout(groupKill, req.timeoutMs) : undefined;
		timer?.unref();
		const r = await child;
		let graceTimer: NodeJS.Timeout | undefined;
		await Promise.race([stderrDone, new Promise((resolve) => (graceTimer = setTimeout(resolve, STREAM_END_GRACE_MS)))]);
		clearTimeout(graceTimer);
		child.stderr?.destroy();
		if (plan) child.stdout?.destroy();
		lines.end();
		const parsed = parser.finish();
		const output = await raw.end();
		req.signal?.removeEventListener('abort', groupKill);
		if (timer) clearTimeout(timer);
		if (forceKill) clearTimeout(forceKill); // go has exited; its group is killed below when needed
		if (outputBytes > MAX_OUTPUT_BYTES) {
			return done({ ...base, output, status: 'error', command, message: `go printed more than ${MAX_OUTPUT_BYTES / 2 ** 20} MB on stderr; the output was not read past that.` });
		}
		if (r.isCanceled || req.signal?.aborted) {
			killGroup(pid, 'SIGKILL');
			return done({ ...base, output, status: 'cancelled', command, message: 'Superseded by a newer request.' });
		}
		if (r.timedOut) {
			killGroup(pid, 'SIGKILL');
			return done({ ...base, output, status: 'timeout', command, message: `The compile took longer than ${Math.round(req.timeoutMs / 1000)} s and was stopped (goMemlens.compileTimeoutSec).` });
		}
		const code = (r as { code?: string }).code ?? (r.cause as NodeJS.ErrnoException | undefined)?.code;
		if (code === 'ENOENT' || code === 'EACCES') {
			return done({ ...base, status: 'go-missing', command, message: goMissing(req.goBin, code === 'ENOENT' ? 'not found' : 'not executable') });
		}
		if (r.exitCode === 0) {
			const step = xtrace?.plan(overlay?.backingToReal);
			// No step printed (a build-cache answer): one kept from before still serves.
			const captured = step ? await rememberPlan(req.dir, planKey(req), step, req.overlay ?? new Map()).catch(() => false) : hasPlan(req.dir, planKey(req));
			// -m lines we do not recognise are informational when the build succeeded.
			return done({ ...base, output, facts: parsed.facts, status: 'ok', command, ...(xtrace ? { captured } : {}) });
		}
		if (r.exitCode !== undefined && parsed.buildErrors.length > 0) {
			return done({
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
		return done({ ...base, output, status: 'error', command, message: `go failed (${why}): ${tail.join(' ').trim() || r.shortMessage}` });
	} catch (e) {
		return done({ ...base, status: 'error', command, message: `Could not run the compiler: ${(e as Error)?.message ?? String(e)}` });
	} finally {
		await overlay?.dispose();
		if (work) await rm(work, { recursive: true, force: true }).catch(() => undefined);
	}
}
