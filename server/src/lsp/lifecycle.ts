/**
 * The server's end: when the editor that started it is gone, the server goes too, and takes its
 * toolchain processes and temp directory with it (toolchain/exitCleanup.ts runs on process exit).
 * vscode-languageserver watches `initialize.processId` too, but only every 3 s and it treats any
 * error as death; this watcher polls twice a second and only ESRCH means gone.
 */

const POLL_MS = 500;

/** Calls `onGone` once when process `pid` no longer exists. Returns a stop function. */
export function watchClientProcess(pid: unknown, onGone: () => void): () => void {
	if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return () => undefined;
	const timer = setInterval(() => {
		if (alive(pid)) return;
		clearInterval(timer);
		onGone();
	}, POLL_MS);
	timer.unref();
	return () => clearInterval(timer);
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		// EPERM: it exists, it is just not ours to signal.
		return (e as NodeJS.ErrnoException).code !== 'ESRCH';
	}
}
