/**
 * The process's one temp directory, `<os.tmpdir()>/memlens-<pid>-XXXXXX`. Every toolchain run gets
 * a directory inside it (`run-N/`) for its overlay copies, the module-file copies, and the go
 * command's own temporary directories (GOTMPDIR, TMPDIR of the children). A run's directory is
 * removed when the run ends; the root when no run is left, and on every exit path (exitCleanup.ts).
 * Roots left by a process that died without cleanup (SIGKILL) are swept when the next one starts.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'memlens-';
let root: string | undefined;
let active = 0;
let seq = 0;
/** Roots of dead processes are looked for once per process. */
let swept = false;

export interface RunDir {
	/** The run's own directory (empty when made). */
	readonly dir: string;
	/** The go command's GOTMPDIR and the children's TMPDIR, inside `dir`. */
	readonly goTmp: string;
	/** Removes the run's directory (and the root once no run is left). Safe to call twice. */
	dispose(): Promise<void>;
}

/** The root, if one exists now (for tests and the exit hook). */
export function currentTempRoot(): string | undefined {
	return root;
}

/** A fresh directory for one run. Synchronous so that no other run can remove the root meanwhile. */
export function acquireRunDir(): RunDir {
	if (!swept) sweepStaleRoots();
	swept = true;
	root ??= mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
	const dir = path.join(root, `run-${++seq}`);
	const goTmp = path.join(dir, 'tmp');
	try {
		mkdirSync(goTmp, { recursive: true });
	} catch (e) {
		if (active === 0) removeTempRootNow();
		throw e;
	}
	active++;
	let disposed = false;
	return {
		dir,
		goTmp,
		dispose: async () => {
			if (disposed) return;
			disposed = true;
			await rm(dir, { recursive: true, force: true }).catch(() => undefined);
			if (--active === 0) removeTempRootNow();
		},
	};
}

/** Removes the root and all it holds, now (the exit path; also when the last run ends). */
export function removeTempRootNow(): void {
	const r = root;
	root = undefined;
	if (!r) return;
	try {
		rmSync(r, { recursive: true, force: true, maxRetries: 2 });
	} catch {
		// a file still held open on Windows: nothing more can be done on the way out
	}
}

/** Roots of processes that are gone (killed before they could clean up). Ours only: `memlens-<pid>-`. */
function sweepStaleRoots(): void {
	let names: string[];
	try {
		names = readdirSync(os.tmpdir());
	} catch {
		return;
	}
	for (const n of names) {
		const m = /^memlens-(\d+)-[A-Za-z0-9]{6}$/.exec(n);
		if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
		try {
			rmSync(path.join(os.tmpdir(), n), { recursive: true, force: true });
		} catch {
			// another user's, or being removed: leave it
		}
	}
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === 'EPERM';
	}
}
