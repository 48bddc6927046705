/**
 * What the settings may ask of the toolchain (docs/security.md). One rule: the only setting that
 * chooses a program is `goMemlens.goPath` (the go binary; honoured only in trusted workspaces); the
 * go command then runs its own tools from its own GOROOT, and the machine's C toolchain for cgo.
 * So `goMemlens.env` and `goMemlens.buildFlags` may choose what is built and how (an allowlist),
 * never which program runs or where programs come from; flags that would run a program on every
 * background build (`-toolexec`, `-exec`, `-vettool`, `-compiler=gccgo`, `-ldflags=-extld=…`) are
 * refused from every source, GOFLAGS inherited or from the go env file included. Pure.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Build flags a setting or GOFLAGS may pass; true: it takes a value (`-flag=v` or `-flag v`). */
const ALLOWED_FLAGS: Record<string, boolean> = {
	a: false, p: true, race: false, msan: false, asan: false, cover: false, covermode: true, coverpkg: true, v: false,
	asmflags: true, buildmode: true, installsuffix: true, ldflags: true, linkshared: false, modcacherw: false,
	pgo: true, pkgdir: true, tags: true, trimpath: false, compiler: true,
	// Decided by toolRun.ts (never passed as given): module-file writes and VCS stamping.
	mod: true, modfile: true, buildvcs: true,
};

/** Flags Go MemLens sets itself or that change what the run means; dropped without a note from GOFLAGS. */
const OURS = new Set(['gcflags', 'o', 'overlay', 'json', 'x', 'n', 'work', 'C']);

/** Why a flag names a program, or undefined. */
function runsProgram(name: string, value: string | undefined): string | undefined {
	if (['toolexec', 'exec', 'vettool', 'gccgoflags'].includes(name)) return 'runs a program';
	if (name === 'compiler' && value !== 'gc') return 'runs gccgo (escape analysis needs gc)';
	if (name === 'ldflags' && value && /(^|\s|['"])--?ext(ld|ar)\b/.test(value)) return 'names a linker program';
	return undefined;
}

export interface FlagDecision {
	/** Flags to pass (the user's, allowed), without -mod/-modfile/-buildvcs. */
	flags: string[];
	/** The last `-mod=` / `-modfile=` / `-buildvcs=` value given, if any. */
	mod?: string;
	modfile?: string;
	buildvcs?: string;
	/** Human notes: what was refused and why. */
	refused: string[];
}

/** Applies the policy to one flag list (`from` names its source in the notes). */
export function decideFlags(input: readonly string[], from: string): FlagDecision {
	const out: FlagDecision = { flags: [], refused: [] };
	for (let i = 0; i < input.length; i++) {
		const raw = input[i];
		const m = /^--?([\w.-]+)(?:=([\s\S]*))?$/.exec(raw);
		if (!m) {
			out.refused.push(`${from}: "${raw}" is not a flag (package patterns are chosen by Go MemLens)`);
			continue;
		}
		const name = m[1];
		let value = m[2];
		const takesValue = ALLOWED_FLAGS[name] ?? (OURS.has(name) ? ['gcflags', 'o', 'overlay', 'C'].includes(name) : /^(toolexec|exec|vettool|gccgoflags)$/.test(name));
		const pairs = value === undefined && takesValue && i + 1 < input.length;
		if (pairs) value = input[++i];
		const program = runsProgram(name, value);
		if (program) out.refused.push(`${from}: -${name}${value !== undefined ? `=${value}` : ''} not used: it ${program} on every background build`);
		else if (OURS.has(name)) {
			if (from !== 'GOFLAGS') out.refused.push(`${from}: -${name} not used: Go MemLens sets what it needs`);
		} else if (!(name in ALLOWED_FLAGS)) out.refused.push(`${from}: -${name} not used: not a build flag Go MemLens passes (docs/security.md)`);
		else if (name === 'mod') out.mod = value;
		else if (name === 'modfile') out.modfile = value;
		else if (name === 'buildvcs') out.buildvcs = value ?? 'true';
		else out.flags.push(value !== undefined ? `-${name}=${value}` : `-${name}`);
	}
	return out;
}

/** Variables `goMemlens.env` may set: target, module and cache choices, none that names a program. */
const SETTINGS_ENV =
	/^(GOOS|GOARCH|GOAMD64|GOARM|GOARM64|GO386|GOMIPS|GOMIPS64|GOPPC64|GORISCV64|GOWASM|GOLOONG64|CGO_ENABLED|GOEXPERIMENT|GOFLAGS|GODEBUG|GOFIPS140|GOPATH|GOMODCACHE|GOCACHE|GOPROXY|GONOPROXY|GOPRIVATE|GONOSUMDB|GONOSUMCHECK|GOSUMDB|GOINSECURE|GOVCS|GOWORK|GO111MODULE|GOTOOLCHAIN|GOTELEMETRY|HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy)$/;

export interface EnvDecision {
	/** The child environment before the forced values (toolRun.ts adds those). */
	env: Record<string, string>;
	/** GOFLAGS as the go command would read it (environment, else the go env file), split. */
	goflags: string[];
	refused: string[];
}

/** Inherited environment + the allowed part of the settings' env. */
export function decideEnv(settingsEnv: Record<string, string>, inherited: NodeJS.ProcessEnv = process.env): EnvDecision {
	const env: Record<string, string> = {};
	for (const [k, v] of Object.entries(inherited)) if (v !== undefined) env[k] = v;
	const refused: string[] = [];
	const names: string[] = [];
	for (const [k, v] of Object.entries(settingsEnv ?? {})) {
		if (typeof v !== 'string') continue;
		if (SETTINGS_ENV.test(k)) env[k] = v;
		else names.push(k);
	}
	if (names.length) refused.push(`goMemlens.env: ${names.sort().join(', ')} not used: a setting may not choose a program or where programs come from (only goMemlens.goPath does; docs/security.md)`);
	// cmd/go reads GOFLAGS from the environment, else from the go env file (`go env -w`).
	const text = env.GOFLAGS || goEnvFileValue(env, 'GOFLAGS') || '';
	return { env, goflags: splitQuoted(text), refused };
}

/** GOFLAGS splitting as cmd/go does it (cmd/internal/quoted.Split): '' or "" around a field, no escapes. */
export function splitQuoted(s: string): string[] {
	const out: string[] = [];
	let i = 0;
	while (i < s.length) {
		while (i < s.length && /\s/.test(s[i])) i++;
		if (i >= s.length) break;
		if (s[i] === '"' || s[i] === "'") {
			const end = s.indexOf(s[i], i + 1);
			if (end < 0) return out; // cmd/go rejects the whole GOFLAGS; the fields so far are as good a guess
			out.push(s.slice(i + 1, end));
			i = end + 1;
			continue;
		}
		let j = i;
		while (j < s.length && !/\s/.test(s[j])) j++;
		out.push(s.slice(i, j));
		i = j;
	}
	return out;
}

/** The inverse (cmd/internal/quoted.Join): a field with a space or quote is quoted. */
export function joinQuoted(fields: readonly string[]): string {
	return fields.map((f) => (!/[\s'"]/.test(f) ? f : !f.includes("'") ? `'${f}'` : `"${f}"`)).join(' ');
}

/** A value from the go env file that `go env -w` writes (GOENV, else os.UserConfigDir()/go/env). */
export function goEnvFileValue(env: Record<string, string>, key: string): string | undefined {
	if (env.GOENV === 'off') return undefined;
	const home = env.HOME ?? env.USERPROFILE ?? '';
	const configDir =
		process.platform === 'darwin'
			? path.join(home, 'Library', 'Application Support')
			: process.platform === 'win32'
				? (env.APPDATA ?? '')
				: env.XDG_CONFIG_HOME || path.join(home, '.config');
	const file = env.GOENV || (configDir && path.join(configDir, 'go', 'env'));
	if (!file) return undefined;
	try {
		if (!statSync(file).isFile()) return undefined; // a FIFO would block this thread
		for (const line of readFileSync(file, 'utf8').split('\n')) {
			const eq = line.indexOf('=');
			if (eq > 0 && line.slice(0, eq).trim() === key) return line.slice(eq + 1).trim();
		}
	} catch {
		// no go env file
	}
	return undefined;
}
