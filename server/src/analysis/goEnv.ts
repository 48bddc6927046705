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

/** What asking `go env GOVERSION` gave: the version, or why there is none. */
export type GoProbe = { version: string } | { version?: undefined; problem: 'missing' | 'hangs' | 'failed'; detail: string };

/** How long `go env GOVERSION` may take (it answers in ~20 ms; a go that hangs must not hold anything up for long). */
export const GO_PROBE_TIMEOUT_MS = 10_000;

const probes = new Map<string, Promise<GoProbe>>();

/**
 * `go env GOVERSION` of the binary under `env` (e.g. `go1.26.8`), asked once per binary and env.
 * A go that does not answer within `timeoutMs` is killed and remembered as hanging until
 * `forgetGoProbes()` (settings changed, a manual re-run); any other failure is asked again next
 * time (the user may install Go or fix the setting).
 */
export function probeGo(goBin: string, env: Record<string, string> = {}, timeoutMs = GO_PROBE_TIMEOUT_MS): Promise<GoProbe> {
	const key = `${goBin}\0${JSON.stringify(Object.entries(env).sort())}`;
	let p = probes.get(key);
	if (!p) {
		p = query(goBin, env, 'GOVERSION', timeoutMs);
		probes.set(key, p);
		void p.then((r) => {
			if (r.version === undefined && r.problem !== 'hangs' && probes.get(key) === p) probes.delete(key);
		});
	}
	return p;
}

/** Forgets what the probes found (a go that hung is asked again). */
export function forgetGoProbes(): void {
	probes.clear();
	goroots.clear();
}

/** `go env GOVERSION`, or undefined when go does not run (see probeGo). */
export async function goVersion(goBin: string, env: Record<string, string> = {}): Promise<string | undefined> {
	return (await probeGo(goBin, env)).version;
}

const goroots = new Map<string, Promise<string | undefined>>();

/** `go env GOROOT` (where profiles' standard-library paths point), cached like probeGo. */
export function goRoot(goBin: string, env: Record<string, string> = {}): Promise<string | undefined> {
	const key = `${goBin}\0${JSON.stringify(Object.entries(env).sort())}`;
	let p = goroots.get(key);
	if (!p) {
		goroots.set(key, (p = query(goBin, env, 'GOROOT', GO_PROBE_TIMEOUT_MS).then((r) => r.version)));
		void p.then((v) => {
			if (v === undefined && goroots.get(key) === p) goroots.delete(key);
		});
	}
	return p;
}

/** `go env NAME` (the answer is in `version` whichever variable was asked). */
async function query(goBin: string, env: Record<string, string>, name: 'GOVERSION' | 'GOROOT', timeoutMs: number): Promise<GoProbe> {
	let run: ToolRun | undefined;
	try {
		// The same environment policy as every run; in the run's temp dir, killed with the process on exit.
		run = await prepareToolRun({ cwd: os.tmpdir(), env, build: false });
		const { child } = await spawnTool(goBin, ['env', name], { cwd: run.dir, env: run.env, stdout: 'pipe', stderr: 'ignore', buffer: true, maxBuffer: 64 * 1024, timeoutMs });
		const r = await child;
		const v = r.exitCode === 0 && typeof r.stdout === 'string' ? r.stdout.trim() : '';
		if (v) return { version: v };
		if (r.timedOut) return { problem: 'hangs', detail: `\`${goBin} env ${name}\` did not answer within ${Math.round(timeoutMs / 1000)} s and was stopped` };
		const code = (r as { code?: string }).code ?? (r.cause as NodeJS.ErrnoException | undefined)?.code;
		if (code === 'ENOENT' || code === 'EACCES') return { problem: 'missing', detail: `${goBin}: ${code === 'ENOENT' ? 'not found' : 'not executable'}` };
		return { problem: 'failed', detail: `\`${goBin} env ${name}\` failed (${r.exitCode !== undefined ? `exit code ${r.exitCode}` : (r.signal ?? r.shortMessage ?? 'no output')})` };
	} catch (e) {
		return { problem: 'failed', detail: `${goBin}: ${(e as Error)?.message ?? String(e)}` };
	} finally {
		await run?.dispose();
	}
}
