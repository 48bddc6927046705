/**
 * The effective Go language version of one file (spec §1.1), for version-gated rules.
 *
 * Verified with Go 1.26 (`go run` of a program printing the values behind `&i` of a 3-clause loop):
 * - go 1.21 module, file `//go:build go1.22` → per-iteration loop variables ([0 1 2]); an
 *   untagged file of the same package keeps the shared variable ([3 3 3]);
 * - go 1.22 module, file `//go:build go1.21` → shared again: max(fileVer, go1.21) can downgrade
 *   (go/types check.go `initFiles`, "Set the version to max(fileVersion, go1.21)");
 * - no go.mod at all (`go run a.go b.go`): the toolchain's own version applies. We still report
 *   "language version unknown" (we cannot know which toolchain builds it), as the spec asks.
 * - a build constraint's version applies even without a module version (go/types does not
 *   require one), so it wins over "no module".
 * `-gcflags=-d=loopvar=2` is NOT a way to check this: it forces per-iteration loops everywhere.
 */
import { statSync } from 'node:fs';
import { forEachLine, readHeadSync } from '../util/boundedRead';
import path from 'node:path';
import type { GoVersionInfo } from '../model';

/** Parsed parts of a go.mod that matter for version gating. */
export interface GoModInfo {
	/** Minor of the `go` directive, undefined when there is none. */
	goMinor: number | undefined;
	/** `godebug asynctimerchan=1` present (line or block form). */
	asyncTimerChan: boolean;
}

/** Minor version of `1.21`, `1.21.3`, `1.22rc1`, `go1.22`; undefined for anything else. */
export function parseGoMinor(v: string): number | undefined {
	const m = /^(?:go)?1(?:\.(\d+))?/.exec(v.trim());
	if (!m) return undefined;
	return m[1] === undefined ? 0 : Number(m[1]);
}

/** Reads the `go` and `godebug` directives of a go.mod text (comments stripped). */
export function parseGoMod(text: string): GoModInfo {
	let goMinor: number | undefined;
	let asyncTimerChan = false;
	let inGodebugBlock = false;
	for (const raw of text.split(/\r?\n/)) {
		const line = raw.replace(/\/\/.*$/, '').trim();
		if (!line) continue;
		if (inGodebugBlock) {
			if (line.startsWith(')')) inGodebugBlock = false;
			else if (/^asynctimerchan\s*=\s*1$/.test(line)) asyncTimerChan = true;
			continue;
		}
		const go = /^go\s+(\S+)$/.exec(line);
		if (go) {
			goMinor = parseGoMinor(go[1]);
			continue;
		}
		if (/^godebug\s*\($/.test(line)) inGodebugBlock = true;
		else if (/^godebug\s+asynctimerchan\s*=\s*1$/.test(line)) asyncTimerChan = true;
	}
	return { goMinor, asyncTimerChan };
}

/** A `//go:build` expression. */
type BuildExpr =
	| { op: 'tag'; tag: string }
	| { op: 'not'; x: BuildExpr }
	| { op: 'and' | 'or'; x: BuildExpr; y: BuildExpr };

/** Parses a `//go:build` expression (`!`, `&&`, `||`, parentheses); undefined on a syntax error. */
export function parseBuildExpr(src: string): BuildExpr | undefined {
	const tokens = src.match(/&&|\|\||[!()]|[\p{L}\p{N}_.]+|\S/gu) ?? [];
	let i = 0;
	const or = (): BuildExpr | undefined => {
		let x = and();
		while (x && tokens[i] === '||') {
			i++;
			const y = and();
			x = y ? { op: 'or', x, y } : undefined;
		}
		return x;
	};
	const and = (): BuildExpr | undefined => {
		let x = not();
		while (x && tokens[i] === '&&') {
			i++;
			const y = not();
			x = y ? { op: 'and', x, y } : undefined;
		}
		return x;
	};
	const not = (): BuildExpr | undefined => {
		const t = tokens[i];
		if (t === '!') {
			i++;
			const x = not();
			return x ? { op: 'not', x } : undefined;
		}
		if (t === '(') {
			i++;
			const x = or();
			if (tokens[i] !== ')') return undefined;
			i++;
			return x;
		}
		if (t !== undefined && /^[\p{L}\p{N}_.]+$/u.test(t)) {
			i++;
			return { op: 'tag', tag: t };
		}
		return undefined;
	};
	const e = or();
	return e && i === tokens.length ? e : undefined;
}

/** Port of go/build/constraint `minVersion`: -1 means "implies nothing". */
function minVersion(z: BuildExpr, sign: number): number {
	switch (z.op) {
		case 'and':
			return (sign < 0 ? Math.min : Math.max)(minVersion(z.x, sign), minVersion(z.y, sign));
		case 'or':
			return (sign < 0 ? Math.max : Math.min)(minVersion(z.x, sign), minVersion(z.y, sign));
		case 'not':
			return minVersion(z.x, -sign);
		case 'tag': {
			if (sign < 0) return -1;
			if (z.tag === 'go1') return 0;
			const m = /^go1\.(\d+)$/.exec(z.tag);
			return m ? Number(m[1]) : -1;
		}
	}
}

/**
 * The minimum go1.N minor implied by the file's `//go:build` line (only the header before
 * `package` counts, as for cmd/go), or undefined.
 */
export function buildConstraintMinor(text: string): number | undefined {
	// Line by line from the top: the header is a few lines, the file may be 5,000 (read on every keystroke).
	for (let start = 0; start <= text.length; ) {
		const nl = text.indexOf('\n', start);
		const end = nl < 0 ? text.length : nl;
		const line = text.slice(start, end).trim();
		start = end + 1;
		if (!line) continue;
		const m = /^\/\/go:build\s+(.*)$/.exec(line);
		if (m) {
			const expr = parseBuildExpr(m[1]);
			const v = expr ? minVersion(expr, 1) : -1;
			return v >= 0 ? v : undefined;
		}
		// Only line comments and blank lines may precede the constraint (block comments are rare; stop).
		if (!line.startsWith('//')) return undefined;
	}
	return undefined;
}

function hasDebugAsyncTimerChan(text: string): boolean {
	return /^\/\/go:debug\s+asynctimerchan=1\s*$/m.test(text);
}

/** The nearest go.mod at or above `dir`, by probing with `readFile`. */
export function findGoMod(dir: string, readFile: (p: string) => string | undefined): { path: string; text: string } | undefined {
	for (let d = dir; ; ) {
		const p = path.join(d, 'go.mod');
		const text = readFile(p);
		if (text !== undefined) return { path: p, text };
		const up = path.dirname(d);
		if (up === d) return undefined;
		d = up;
	}
}

/**
 * The effective language version of `filePath` with content `text` (pure: go.mod is read through
 * `readFile`, which returns undefined for a missing file). Order: setting override, then the
 * `//go:build` minimum (max(go1.N, go1.21)), then the nearest go.mod `go` line (missing → go1.16),
 * no go.mod → unknown. A go.work does not change a file's module, so it is not consulted.
 */
export function effectiveGoVersion(
	filePath: string,
	text: string,
	opts: { override?: string; readFile?: (p: string) => string | undefined },
): GoVersionInfo {
	const readFile = opts.readFile ?? (() => undefined);
	const mod = findGoMod(path.dirname(filePath), readFile);
	const modInfo = mod ? parseGoMod(mod.text) : undefined;
	const modMinor = modInfo ? (modInfo.goMinor ?? 16) : undefined;
	const asyncTimerChan = (modInfo?.asyncTimerChan ?? false) || hasDebugAsyncTimerChan(text);
	const base = { mainModuleMinor: modMinor, asyncTimerChan };

	const override = opts.override?.trim() ? parseGoMinor(opts.override) : undefined;
	if (override !== undefined) {
		return { ...base, minor: override, label: `go1.${override}`, source: 'setting', mainModuleMinor: modMinor ?? override };
	}
	const fileMinor = buildConstraintMinor(text);
	if (fileMinor !== undefined) {
		const minor = Math.max(fileMinor, 21);
		return { ...base, minor, label: `go1.${minor}`, source: 'build constraint' };
	}
	if (!modInfo) return { ...base, minor: undefined, label: 'unknown', source: 'no module' };
	return {
		...base,
		minor: modMinor,
		label: `go1.${modMinor}`,
		source: modInfo.goMinor === undefined ? 'go.mod (no go directive)' : 'go.mod',
	};
}

/**
 * Human wording of where a version came from, for rule messages:
 * "go 1.21, from go.mod", "go 1.22, from the file's //go:build line", "language version unknown: no go.mod".
 */
export function describeGoVersion(v: GoVersionInfo): string {
	if (v.minor === undefined) return 'language version unknown: no go.mod';
	const ver = `go 1.${v.minor}`;
	switch (v.source) {
		case 'go.mod':
			return `${ver}, from go.mod`;
		case 'go.mod (no go directive)':
			return `${ver}: go.mod has no go directive, so cmd/go assumes 1.16`;
		case 'build constraint':
			return `${ver}, from the file's //go:build line`;
		case 'setting':
			return `${ver}, from the goMemlens.goVersionOverride setting`;
		default:
			return ver;
	}
}

/**
 * Edge: reads go.mod files from disk, cached by path + size + mtime (so edits to go.mod are seen).
 * A go.mod is read whole up to 1 MB; of a bigger one (a hostile workspace can hold 400 MB) only
 * its first 1 MB is read at once, and the rest is scanned in the background, in bounded memory,
 * for the `go` and `godebug` lines: once that is done `onScanned` is called and the next read has
 * the whole file's answer.
 */
export class GoModReader {
	private readonly cache = new Map<string, { size: number; mtimeMs: number; text: string | undefined; scanning?: boolean }>();
	/** A big go.mod's background scan finished (its directives may differ from its head's). */
	onScanned: (() => void) | undefined;

	/** A `readFile` for effectiveGoVersion. */
	readonly readFile = (p: string): string | undefined => {
		let size: number;
		let mtimeMs: number;
		try {
			const st = statSync(p);
			if (!st.isFile()) return undefined;
			size = st.size;
			mtimeMs = st.mtimeMs;
		} catch {
			this.cache.delete(p);
			return undefined;
		}
		const hit = this.cache.get(p);
		if (hit && hit.mtimeMs === mtimeMs && hit.size === size) return hit.text;
		const head = readHeadSync(p);
		const entry = { size, mtimeMs, text: head?.text, scanning: head?.truncated };
		this.cache.set(p, entry);
		if (head?.truncated) void this.scan(p, entry);
		return entry.text;
	};

	/** effectiveGoVersion with go.mod read from disk. */
	version(filePath: string, text: string, override?: string): GoVersionInfo {
		return effectiveGoVersion(filePath, text, { override, readFile: this.readFile });
	}

	/** Keeps only the lines that matter for version gating (go, godebug and its block) of a big go.mod. */
	private async scan(p: string, entry: { size: number; mtimeMs: number; text: string | undefined; scanning?: boolean }): Promise<void> {
		const kept: string[] = [];
		let inBlock = false;
		const ok = await forEachLine(p, (raw) => {
			const line = raw.replace(/\/\/.*$/, '').trim();
			if (inBlock) {
				kept.push(line);
				if (line.startsWith(')')) inBlock = false;
			} else if (/^go\s/.test(line) || /^godebug\b/.test(line)) {
				kept.push(line);
				inBlock = /^godebug\s*\($/.test(line);
			}
		});
		if (this.cache.get(p) !== entry) return; // changed meanwhile: the next read starts again
		entry.scanning = false;
		if (!ok) return;
		entry.text = kept.join('\n');
		this.onScanned?.();
	}
}
