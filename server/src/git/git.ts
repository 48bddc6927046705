/**
 * The git commands of `memlens check --new-from-rev` and `memlens diff` (the edge: spawning).
 * git runs through toolchain/processes.ts (own process tree, killed on exit) and only reads the
 * user's repository: GIT_OPTIONAL_LOCKS=0 keeps `git diff` from refreshing the index, and git is
 * told not to run what the repository's config could name on these commands (hooks, fsmonitor,
 * external diff, textconv). Variables that point git at another repository or index (GIT_DIR,
 * GIT_INDEX_FILE… set inside a git hook) are dropped: the repository is found from the directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnTool } from '../toolchain/processes';
import { parseChangedLines, type ChangedLines } from './diffLines';

export type GitProblem = 'no-git' | 'not-a-repo' | 'unknown-rev' | 'unmerged' | 'failed';

/** A git problem the user must fix (the CLI prints it and exits 2). */
export class GitError extends Error {
	constructor(
		readonly problem: GitProblem,
		message: string,
	) {
		super(message);
	}
}

const DROPPED_ENV = new Set(['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_NAMESPACE', 'GIT_PREFIX', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM']);

export function gitEnv(): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !DROPPED_ENV.has(k)) env[k] = v;
	env.GIT_OPTIONAL_LOCKS = '0';
	env.GIT_TERMINAL_PROMPT = '0';
	env.GIT_PAGER = 'cat';
	return env;
}

/** `-c` settings before every command: nothing named in the repository's config runs. */
export function gitConfigArgs(): string[] {
	return ['-c', `core.hooksPath=${os.devNull}`, '-c', 'core.fsmonitor=false', '-c', 'color.ui=never', '-c', 'core.quotePath=true'];
}

export interface GitResult {
	code: number;
	stdout: string;
	stderr: string;
}

/** Runs `git ARGS` in `cwd`. Throws GitError('no-git') when git cannot be run. */
export async function git(args: string[], cwd: string): Promise<GitResult> {
	// A missing cwd fails the spawn with ENOENT too: say which one it is.
	if (!existsSync(cwd)) throw new GitError('failed', `${cwd}: no such directory`);
	const { child } = await spawnTool('git', [...gitConfigArgs(), ...args], { cwd, env: gitEnv(), stdout: 'pipe', stderr: 'pipe', buffer: true, maxBuffer: 512 * 1024 * 1024 });
	const r = await child;
	const code = (r as { code?: string }).code ?? (r.cause as NodeJS.ErrnoException | undefined)?.code;
	if (code === 'ENOENT' || code === 'EACCES') throw new GitError('no-git', 'cannot run git: it is not on PATH (it is needed for --new-from-rev, and memlens diff)');
	return { code: r.exitCode ?? 1, stdout: typeof r.stdout === 'string' ? r.stdout : '', stderr: typeof r.stderr === 'string' ? r.stderr : '' };
}

/** The same, synchronously (the exit hook). Never throws. */
export function gitSync(args: string[], cwd: string): number {
	try {
		const r = spawnSync('git', [...gitConfigArgs(), ...args], { cwd, env: gitEnv(), stdio: 'ignore', timeout: 30_000, windowsHide: true });
		return r.status ?? 1;
	} catch {
		return 1;
	}
}

function firstLine(s: string): string {
	return s.trim().split('\n')[0] ?? '';
}

/** The root of the work tree holding `cwd` (git prints it with symlinks resolved). */
export async function repoRoot(cwd: string): Promise<string> {
	const r = await git(['rev-parse', '--show-toplevel'], cwd);
	if (r.code !== 0 || !r.stdout.trim()) {
		throw new GitError('not-a-repo', `${cwd} is not in a git work tree (${firstLine(r.stderr) || 'git rev-parse --show-toplevel failed'})`);
	}
	return path.resolve(r.stdout.trim());
}

/** The commit `rev` names (a branch, tag, commit, `HEAD~2`…). */
export async function resolveCommit(root: string, rev: string): Promise<string> {
	if (!rev || rev.startsWith('-')) throw new GitError('unknown-rev', `"${rev}" is not a revision`);
	const r = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], root);
	const sha = r.stdout.trim();
	if (r.code !== 0 || !/^[0-9a-f]{40,64}$/.test(sha)) {
		throw new GitError('unknown-rev', `unknown revision "${rev}": no such branch, tag or commit in ${root} (in a shallow clone, fetch it; in GitHub Actions, actions/checkout with fetch-depth: 0)`);
	}
	return sha;
}

/** Paths with merge conflicts (a merge, rebase or cherry-pick stopped half-way). */
export async function unmergedPaths(root: string): Promise<string[]> {
	const r = await git(['diff', '--name-only', '--diff-filter=U', '-z'], root);
	if (r.code !== 0) throw new GitError('failed', `git diff --diff-filter=U failed: ${firstLine(r.stderr)}`);
	return r.stdout.split('\0').filter(Boolean);
}

/** Refuses a work tree with merge conflicts: its lines are neither the old nor the new side. */
export async function requireNoConflicts(root: string): Promise<void> {
	const u = await unmergedPaths(root);
	if (u.length) {
		const shown = u.slice(0, 5).join(', ') + (u.length > 5 ? `, … (${u.length} in all)` : '');
		throw new GitError('unmerged', `the work tree has unresolved merge conflicts (${shown}): resolve them or finish the merge/rebase first`);
	}
}

export interface ChangedSince {
	/** Repository-relative path → changed lines of the working tree's file. */
	lines: ChangedLines;
	/** Untracked files (not ignored): every line counts as changed. */
	untracked: Set<string>;
}

/** What changed in the working tree (committed since `commit`, staged, unstaged, untracked). */
export async function changedSince(root: string, commit: string): Promise<ChangedSince> {
	// Explicit prefixes and rename detection: a user's diff.noprefix / diff.renames must not change the reading.
	const d = await git(['diff', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', '-M', '--src-prefix=a/', '--dst-prefix=b/', '--no-relative', '--ignore-submodules', commit, '--'], root);
	if (d.code !== 0) throw new GitError('failed', `git diff ${commit} failed: ${firstLine(d.stderr)}`);
	const u = await git(['ls-files', '--others', '--exclude-standard', '-z'], root);
	if (u.code !== 0) throw new GitError('failed', `git ls-files --others failed: ${firstLine(u.stderr)}`);
	return { lines: parseChangedLines(d.stdout), untracked: new Set(u.stdout.split('\0').filter(Boolean)) };
}
