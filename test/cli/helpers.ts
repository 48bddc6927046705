/** Runs the built CLI (dist/cli.js) as a user would, and waits for its exit. */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JsonReport } from '../../server/src/cli/format';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const EXAMPLES = path.join(ROOT, 'examples');
export const GO_BIN_DIR = '/usr/local/go/bin';
export const GO = path.join(GO_BIN_DIR, 'go');

/** `npm test` builds first; a lone test run builds once when dist/cli.js is missing. */
export function ensureBuilt(): void {
	if (existsSync(CLI)) return;
	const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
	if (r.status !== 0) throw new Error('build failed');
}

export interface CliRun {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Environment with the real toolchain on PATH and no toolchain downloads. */
export function goEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	return { ...process.env, PATH: `${GO_BIN_DIR}:${process.env.PATH}`, GOTOOLCHAIN: 'local', ...extra };
}

export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
	ensureBuilt();
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: opts.env ?? goEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (b) => (stdout += b));
		child.stderr.on('data', (b) => (stderr += b));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

/** A temp copy of a directory (tests that write never touch the repo). */
export function tempCopy(dir: string): string {
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-cli-'));
	const dst = path.join(tmp, path.basename(dir));
	cpSync(dir, dst, { recursive: true });
	return dst;
}

/** One finding of `memlens check --format json`, as the CLI declares it. */
export type JsonFinding = JsonReport['findings'][number];
