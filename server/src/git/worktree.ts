/**
 * A revision checked out for reading: `git worktree add --detach` into a directory under the
 * process's temp root (toolchain/tempRoot.ts). The user's checkout, index, stash and branches are
 * not touched; git keeps the worktree's own HEAD and index under `.git/worktrees/<name>/`, which
 * `dispose()` removes with the directory (`git worktree remove --force`). On Ctrl-C, SIGTERM or
 * SIGHUP the exit hook (toolchain/exitCleanup.ts) does the same synchronously.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { onExitCleanup } from '../toolchain/exitCleanup';
import { acquireRunDir } from '../toolchain/tempRoot';
import { git, GitError, gitSync } from './git';

export interface Worktree {
	/** The checkout's root directory. */
	dir: string;
	commit: string;
	/** Removes the checkout and git's record of it. Safe to call twice. */
	dispose(): Promise<void>;
}

/** Checks `commit` out under the temp root. `label` names the directory (and git's record). */
export async function addWorktree(repo: string, commit: string, label: string): Promise<Worktree> {
	const runDir = acquireRunDir();
	const dir = path.join(runDir.dir, `memlens-${label}-${commit.slice(0, 12)}`);
	let adminDir: string | undefined;
	let removed = false;
	const removeNow = () => {
		if (removed) return;
		removed = true;
		// git's own removal first; if it cannot (git gone, a half-made worktree), what it would delete.
		if (gitSync(['worktree', 'remove', '--force', '--force', dir], repo) !== 0) {
			rmSync(dir, { recursive: true, force: true });
			if (adminDir && path.basename(path.dirname(adminDir)) === 'worktrees') rmSync(adminDir, { recursive: true, force: true });
		}
	};
	const unhook = onExitCleanup(removeNow);
	const dispose = async () => {
		if (removed) return;
		try {
			const r = await git(['worktree', 'remove', '--force', '--force', dir], repo).catch(() => undefined);
			if (r?.code === 0) removed = true;
			else removeNow();
		} finally {
			unhook();
			await runDir.dispose();
		}
	};
	try {
		const r = await git(['worktree', 'add', '--detach', '--quiet', dir, commit], repo);
		if (r.code !== 0) throw new GitError('failed', `git worktree add ${commit.slice(0, 12)} failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
		// git names its record after the directory; ask where it put it, for the fallback removal.
		const g = await git(['rev-parse', '--absolute-git-dir'], dir).catch(() => undefined);
		if (g?.code === 0) adminDir = g.stdout.trim();
	} catch (e) {
		await dispose();
		throw e;
	}
	return { dir, commit, dispose };
}
