/** Finding the `go` binary and asking it its version. */
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnTool } from '../toolchain/processes';
import { prepareToolRun, type ToolRun } from '../toolchain/toolRun';

const exe = process.platform === 'win32' ? 'go.exe' : 'go';

function isExecutable(p: string): boolean {
	try {
		accessSync(p, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

function expandHome(p: string): string {
	return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/**
 * The go binary to run: `goMemlens.goPath` → vscode-go's `go.alternateTools.go` → `go.goroot`/bin/go →
 * PATH → the default install location. An explicit setting is returned even if it does not exist,
 * so the runner can report `go-missing` naming that setting.
 */
export function resolveGoBinary(settingPath: string, vscodeGo?: { goroot?: string; alternateGo?: string }): string {
	if (settingPath?.trim()) return expandHome(settingPath.trim());
	const alt = vscodeGo?.alternateGo?.trim();
	if (alt) {
		const p = expandHome(alt);
		// alternateTools may name a command on PATH rather than a path.
		if (path.isAbsolute(p) || p.includes('/') || p.includes('\\')) return p;
		const found = lookPath(p);
		if (found) return found;
	}
	if (vscodeGo?.goroot?.trim()) {
		const p = path.join(expandHome(vscodeGo.goroot.trim()), 'bin', exe);
		if (isExecutable(p)) return p;
	}
	return lookPath(exe) ?? (process.platform === 'win32' ? 'C:\\Program Files\\Go\\bin\\go.exe' : '/usr/local/go/bin/go');
}

function lookPath(name: string): string | undefined {
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		if (!dir) continue;
		const p = path.join(dir, name);
		if (isExecutable(p)) return p;
	}
	return undefined;
}

const versions = new Map<string, Promise<string | undefined>>();

/** `go env GOVERSION` (e.g. `go1.26.8`), cached per binary and env; undefined when go does not run. */
export function goVersion(goBin: string, env: Record<string, string> = {}): Promise<string | undefined> {
	const key = `${goBin}\0${JSON.stringify(Object.entries(env).sort())}`;
	let p = versions.get(key);
	if (!p) {
		p = query(goBin, env, 'GOVERSION');
		versions.set(key, p);
		// Do not remember failures: the user may install Go or fix the setting.
		void p.then((v) => {
			if (v === undefined) versions.delete(key);
		});
	}
	return p;
}

const goroots = new Map<string, Promise<string | undefined>>();

/** `go env GOROOT` (where profiles' standard-library paths point), cached like goVersion. */
export function goRoot(goBin: string, env: Record<string, string> = {}): Promise<string | undefined> {
	const key = `${goBin}\0${JSON.stringify(Object.entries(env).sort())}`;
	let p = goroots.get(key);
	if (!p) {
		goroots.set(key, (p = query(goBin, env, 'GOROOT')));
		void p.then((v) => {
			if (v === undefined) goroots.delete(key);
		});
	}
	return p;
}

async function query(goBin: string, env: Record<string, string>, name: 'GOVERSION' | 'GOROOT'): Promise<string | undefined> {
	let run: ToolRun | undefined;
	try {
		// The same environment policy as every run; in the run's temp dir, killed with the process on exit.
		run = await prepareToolRun({ cwd: os.tmpdir(), env, build: false });
		const { child } = await spawnTool(goBin, ['env', name], { cwd: run.dir, env: run.env, stdout: 'pipe', stderr: 'ignore', buffer: true, timeoutMs: 20_000 });
		const r = await child;
		const v = r.exitCode === 0 && typeof r.stdout === 'string' ? r.stdout.trim() : '';
		return v || undefined;
	} catch {
		return undefined;
	} finally {
		await run?.dispose();
	}
}
