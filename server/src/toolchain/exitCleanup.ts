/**
 * Nothing outlives the process: on every exit path the toolchain trees it started are killed and
 * its temp directory is removed. `process.exit()` (LSP `exit`, stdin closing, the client process
 * gone: vscode-languageserver calls it directly) runs the 'exit' hook; SIGTERM, SIGINT and SIGHUP
 * would end the process without it, so they are caught, cleaned up after, and re-raised (the exit
 * status still says which signal). SIGKILL cannot be caught: the next process sweeps the temp
 * directory (tempRoot.ts), but a tree it left keeps running until it ends by itself.
 */
import { killAllToolsNow } from './processes';
import { removeTempRootNow } from './tempRoot';

let installed = false;
/** Synchronous undo steps of things outside the temp root (a git worktree's record), run before it goes. */
const hooks = new Set<() => void>();

/** Registers `fn` to run on the exit paths (after the tool trees are killed); returns its removal. */
export function onExitCleanup(fn: () => void): () => void {
	hooks.add(fn);
	return () => hooks.delete(fn);
}

/** Kills all toolchain trees, runs the registered undo steps and removes the temp directory, now (synchronous). */
export function cleanupNow(): void {
	killAllToolsNow();
	for (const fn of [...hooks]) {
		hooks.delete(fn);
		try {
			fn();
		} catch {
			// one failing step must not stop the others
		}
	}
	removeTempRootNow();
}

/** Installs the hooks once per process (the server and the CLI call it at start). */
export function installExitCleanup(onSignal?: (sig: NodeJS.Signals) => void): void {
	if (installed) return;
	installed = true;
	process.on('exit', cleanupNow);
	for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
		const handler = () => {
			try {
				onSignal?.(sig);
			} catch {
				// the hook must not stop the cleanup
			}
			cleanupNow();
			// Die of the signal, as the default action would have (the parent sees the real status).
			process.removeListener(sig, handler);
			process.kill(process.pid, sig);
		};
		process.on(sig, handler);
	}
}
