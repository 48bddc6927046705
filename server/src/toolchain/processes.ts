/**
 * Every toolchain process (go list/build/vet/env, a replayed compile) is started here, so that its
 * whole tree can be stopped: on POSIX it leads its own process group and is killed as a group
 * (negative pid); on Windows `taskkill /T /F` kills the tree (portable code, tested on Linux only).
 * The group is killed on cancel, on timeout, and always once the leader has exited: when `go`
 * dies (a crash, a kill from outside), a `compile` or `cgo` child it started must not outlive it.
 * Live trees are known process-wide, so the exit hook (exitCleanup.ts) can stop them all.
 */
import { spawnSync } from 'node:child_process';
import { constants, setPriority } from 'node:os';

const KILL_GRACE_MS = 1500;

/** Trees not yet known to be gone: leader pid → true. */
const live = new Set<number>();

export interface ToolSpawnOptions {
	cwd: string;
	env: Record<string, string>;
	/** What to do with the child's stdout / stderr (default: ignore stdout, pipe stderr). */
	stdout?: 'pipe' | 'ignore';
	stderr?: 'pipe' | 'ignore';
	/** true: collect stdout/stderr as strings (execa's buffer), with `maxBuffer`. Default false (read the streams). */
	buffer?: boolean;
	maxBuffer?: number;
	signal?: AbortSignal;
	timeoutMs?: number;
	/** Called with the leader's pid (its process group id too). */
	onSpawn?: (pid: number) => void;
}

/** Starts `bin args` as the leader of its own tree. The caller awaits `child` (execa's result; never rejects). */
export async function spawnTool(bin: string, args: string[], opts: ToolSpawnOptions) {
	const { execa } = await import('execa'); // ESM-only: dynamic import works under tsx and in the bundle
	const child = execa(bin, args, {
		cwd: opts.cwd,
		env: opts.env,
		extendEnv: false,
		reject: false,
		stdin: 'ignore',
		stdout: opts.stdout ?? 'ignore',
		stderr: opts.stderr ?? 'pipe',
		buffer: opts.buffer ?? false,
		...(opts.maxBuffer ? { maxBuffer: opts.maxBuffer } : {}),
		cancelSignal: opts.signal,
		timeout: opts.timeoutMs && opts.timeoutMs > 0 ? opts.timeoutMs : undefined,
		forceKillAfterDelay: KILL_GRACE_MS,
		// Own process group: the group kill reaches go's compile/cgo/vet children too.
		detached: process.platform !== 'win32',
		windowsHide: true,
	});
	const pid = child.pid;
	if (pid === undefined) return { child, pid };
	live.add(pid);
	// Background work: below the editor and the language server's own thread in the CPU queue. The
	// go command's compile, vet and cgo children inherit it (they are started after this).
	try {
		setPriority(pid, constants.priority.PRIORITY_BELOW_NORMAL);
	} catch {
		// not permitted here: normal priority
	}
	let forceKill: NodeJS.Timeout | undefined;
	const stop = () => {
		killTree(pid, 'SIGTERM');
		forceKill ??= setTimeout(() => killTree(pid, 'SIGKILL'), KILL_GRACE_MS);
	};
	opts.signal?.addEventListener('abort', stop, { once: true });
	const timer = opts.timeoutMs && opts.timeoutMs > 0 ? setTimeout(stop, opts.timeoutMs) : undefined;
	timer?.unref();
	void child.then(() => {
		opts.signal?.removeEventListener('abort', stop);
		clearTimeout(timer);
		clearTimeout(forceKill);
		// The leader is gone; anything left in its group is an orphan (a compile whose go was killed).
		killTree(pid, 'SIGKILL');
		live.delete(pid);
	});
	try {
		opts.onSpawn?.(pid);
	} catch {
		// a listener must not leave the process unwatched
	}
	if (opts.signal?.aborted) stop();
	return { child, pid };
}

/** Loads the process library ahead of the first run (~200 ms of module loading that would otherwise land on a request). */
export function preloadTools(): void {
	void import('execa').catch(() => undefined);
}

/** Signals the tree led by `pid` (no error if it is gone). */
export function killTree(pid: number, sig: NodeJS.Signals): void {
	try {
		if (process.platform !== 'win32') process.kill(-pid, sig);
		// /T: the whole tree; /F: now. Windows has no graceful signal for console programs.
		else spawnSync('taskkill', ['/T', '/F', '/PID', String(pid)], { stdio: 'ignore', windowsHide: true });
	} catch {
		// already gone
	}
}

/** Kills every tree this process started that may still be alive. Synchronous: safe in an 'exit' handler. */
export function killAllToolsNow(): void {
	for (const pid of live) killTree(pid, 'SIGKILL');
	live.clear();
}

/** Leaders of the trees that may still be alive (tests, debug stats). */
export function liveToolCount(): number {
	return live.size;
}
