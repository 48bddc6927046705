/**
 * The CLI's persistent cache of rule results per file, what the go build cache is for compiles: an
 * entry is keyed by everything the rules of one file read, so a file whose inputs did not change
 * replays its findings instead of being parsed and checked again.
 *
 * The key (sha256) covers: the cache format; the rule set (the hash of the CLI bundle and the
 * tree-sitter grammar it loads, so another build of memlens never reads this build's entries); the
 * file's absolute path and text; its Go language version (from go.mod and its build line); the
 * compiler facts of the file (their text comes from the toolchain, so another Go version with other
 * facts is another key); its typed facts (go vet) and whether vet's silence counts; the disabled
 * rules; whether function spans were asked for. A cgo file is never cached: its rules also read
 * the package's other files and C sources. Results with rule warnings are not kept either.
 *
 * Where: the user cache directory as Go's os.UserCacheDir finds it ($XDG_CACHE_HOME or
 * ~/.cache on Linux, ~/Library/Caches on macOS, %LocalAppData% on Windows), under `memlens/findings`;
 * MEMLENS_CACHE (or `--cache`) names another directory, or `off`. Never in the analysed workspace.
 * Bounded: past `maxBytes` the least recently used entries are removed at the end of a run.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FunctionSpan } from '../syntax/functionSpans';
import type { Finding } from './analyze';

/** Bumped when an entry's layout or meaning changes. */
const FORMAT = 'memlens-findings-1';

/** Default bound of the cache directory. */
export const DEFAULT_MAX_BYTES = 512 * 2 ** 20;

/** What a rule thread needs to use the cache (plain data: it crosses to a thread). */
export interface CacheConfig {
	dir: string;
	/** Identifies the rule set: the bundle and grammar hashes. */
	salt: string;
	/** How long (ms) a file must have been left alone for its stamp alone to vouch for it (cli/unitCache.ts `settled`); default 2000. */
	settleMs?: number;
}

/** A cached result: what runFileTask returns for a readable file without warnings. */
export interface CachedResult {
	findings: Finding[];
	spans?: FunctionSpan[];
}

/** The user cache directory as Go's os.UserCacheDir defines it, or undefined. */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string | undefined {
	if (platform === 'win32') return env.LocalAppData || env.LOCALAPPDATA || undefined;
	if (platform === 'darwin') return home ? path.join(home, 'Library', 'Caches') : undefined;
	const xdg = env.XDG_CACHE_HOME;
	// Go ignores a relative XDG_CACHE_HOME.
	if (xdg && path.isAbsolute(xdg)) return xdg;
	return home ? path.join(home, '.cache') : undefined;
}

/**
 * Where the findings cache lives for this run, or why there is none. `setting`: `--cache` or
 * MEMLENS_CACHE (`off`, or a directory); the workspace (`cwd` and the analysed paths) is refused.
 */
export function cacheDirFor(setting: string | undefined, workspace: readonly string[], env: NodeJS.ProcessEnv = process.env): { dir?: string; note?: string } {
	if (setting === 'off') return {};
	const base = setting ? path.resolve(setting) : userCacheDir(env);
	if (!base) return { note: 'no user cache directory (HOME unset): findings are not cached' };
	const dir = setting ? base : path.join(base, 'memlens', 'findings');
	for (const w of workspace) {
		const rel = path.relative(path.resolve(w), dir);
		if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return { note: `cache directory ${dir} is inside the analysed workspace ${w}: findings are not cached` };
	}
	return { dir };
}

/** The rule set's identity: the hashes of the files it is made of (the bundle, the grammar). */
export function ruleSetSalt(files: readonly string[]): string | undefined {
	const h = createHash('sha256').update(FORMAT);
	try {
		for (const f of files) h.update('\0').update(readFileSync(f));
	} catch {
		return undefined;
	}
	return h.digest('hex');
}

/** The key of one file's rule run: every input the rules read (see the file comment). */
export function entryKey(salt: string, file: string, text: string, inputs: unknown): string {
	return createHash('sha256').update(salt).update('\0').update(file).update('\0').update(JSON.stringify(inputs)).update('\0').update(text).digest('hex');
}

function entryPath(dir: string, key: string): string {
	return path.join(dir, key.slice(0, 2), `${key}.json`);
}

/** A cgo file's rules read more than the file: it is not cached. */
export function cacheable(text: string): boolean {
	return !text.includes('"C"');
}

export function readEntry(cfg: CacheConfig, key: string): CachedResult | undefined {
	const p = entryPath(cfg.dir, key);
	let raw: string;
	try {
		raw = readFileSync(p, 'utf8');
	} catch {
		return undefined;
	}
	try {
		const r = JSON.parse(raw) as CachedResult & { key?: string };
		// A torn or foreign file is a miss, never an answer.
		if (r.key !== key || !Array.isArray(r.findings)) return undefined;
		try {
			// Used now: the last to go when the cache is trimmed (a read-only cache is still read).
			const now = new Date();
			utimesSync(p, now, now);
		} catch {
			// not ours to touch
		}
		return { findings: r.findings, ...(r.spans ? { spans: r.spans } : {}) };
	} catch {
		return undefined;
	}
}

/** Writes an entry (to a temp name, then renamed: a concurrent reader sees all of it or none). Never throws. */
export function writeEntry(cfg: CacheConfig, key: string, r: CachedResult): void {
	const p = entryPath(cfg.dir, key);
	const tmp = `${p}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
	try {
		mkdirSync(path.dirname(p), { recursive: true });
		writeFileSync(tmp, JSON.stringify({ key, findings: r.findings, ...(r.spans ? { spans: r.spans } : {}) }));
		renameSync(tmp, p);
	} catch {
		rmSync(tmp, { force: true });
	}
}

/** Removes the least recently used entries until the directory holds at most 3/4 of `maxBytes` (when it holds more than `maxBytes`). */
export function trimCache(dir: string, maxBytes: number = DEFAULT_MAX_BYTES): { bytes: number; removed: number } {
	const entries: { p: string; size: number; used: number }[] = [];
	let bytes = 0;
	let subdirs: string[];
	try {
		subdirs = readdirSync(dir);
	} catch {
		return { bytes: 0, removed: 0 };
	}
	for (const s of subdirs) {
		let names: string[];
		try {
			names = readdirSync(path.join(dir, s));
		} catch {
			continue;
		}
		for (const n of names) {
			const p = path.join(dir, s, n);
			try {
				const st = statSync(p);
				entries.push({ p, size: st.size, used: st.mtimeMs });
				bytes += st.size;
			} catch {
				// removed by another run meanwhile
			}
		}
	}
	if (bytes <= maxBytes) return { bytes, removed: 0 };
	entries.sort((a, b) => a.used - b.used);
	let removed = 0;
	for (const e of entries) {
		if (bytes <= maxBytes * 0.75) break;
		rmSync(e.p, { force: true });
		bytes -= e.size;
		removed++;
	}
	return { bytes, removed };
}
