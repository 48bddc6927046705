/** A throwaway git repository with real commits, and a snapshot of what memlens must never touch. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Repo {
	dir: string;
	/** The test's own TMPDIR for the CLI: "nothing left in the temp dir" is exact. */
	tmp: string;
	git(...args: string[]): string;
	write(files: Record<string, string>): void;
	commit(message: string, files?: Record<string, string>): string;
	remove(): void;
}

export function tempRepo(goVersion = '1.22'): Repo {
	const base = mkdtempSync(path.join(os.tmpdir(), 'memlens-git-'));
	const dir = path.join(base, 'repo');
	const tmp = path.join(base, 'tmp');
	mkdirSync(dir);
	mkdirSync(tmp);
	const git = (...args: string[]) => {
		const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z' } });
		if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
		return r.stdout;
	};
	const write = (files: Record<string, string>) => {
		for (const [name, text] of Object.entries(files)) {
			mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
			writeFileSync(path.join(dir, name), text);
		}
	};
	git('init', '-q', '-b', 'main');
	git('config', 'user.email', 'test@example.com');
	git('config', 'user.name', 'test');
	git('config', 'commit.gpgsign', 'false');
	write({ 'go.mod': `module example.com/r\n\ngo ${goVersion}\n` });
	return {
		dir,
		tmp,
		git,
		write,
		commit(message, files) {
			if (files) write(files);
			git('add', '-A');
			git('commit', '-q', '-m', message);
			return git('rev-parse', 'HEAD').trim();
		},
		remove: () => rmSync(base, { recursive: true, force: true }),
	};
}

/** What the user's checkout looks like to git: status, stash, HEAD, the index file, worktrees. */
export function userState(r: Repo) {
	const index = path.join(r.dir, '.git', 'index');
	const admin = path.join(r.dir, '.git', 'worktrees');
	return {
		status: r.git('status', '--porcelain=v1', '--untracked-files=all'),
		stash: r.git('stash', 'list'),
		head: r.git('rev-parse', 'HEAD').trim(),
		branch: r.git('symbolic-ref', '-q', 'HEAD').trim(),
		index: existsSync(index) ? createHash('sha256').update(readFileSync(index)).digest('hex') : '',
		worktrees: r.git('worktree', 'list', '--porcelain'),
		adminDirs: existsSync(admin) ? readdirSync(admin) : [],
		branches: r.git('branch', '--list', '--all'),
	};
}

/** Entries memlens left in its TMPDIR (none once it has exited). */
export function tempLeft(r: Repo): string[] {
	return readdirSync(r.tmp);
}
