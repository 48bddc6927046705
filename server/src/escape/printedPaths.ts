/**
 * Where a file path printed by the go command really points. Pure: the path flavour (posix or
 * win32) and the file-system questions are passed in.
 *
 * What cmd/go prints (Go 1.26, cmd/go/internal/work/shell.go `reportCmd`): the compiler runs with
 * absolute file names, and cmd/go rewrites the package directory and then each of its ancestors
 * to `base.ShortPath` of it, relative to the go command's working directory when that is shorter.
 * So every path of one `# pkg` section is absolute or relative to ONE directory: the package's own
 * files (`./log.go`, `sub/log.go`, `../sub/log.go`) and the files of bodies inlined from other
 * packages (`./log.go` for the module root's log.go when the go command ran at the root).
 *
 * On a build-cache hit cmd/go replays the section exactly as first printed, relative to the
 * directory *that* build ran in, which may not be ours (the CLI builds from the module root, the
 * LSP server in the package directory, a user in a terminal anywhere). So a section's base
 * directory is inferred: each relative path naming one of the package's own files proposes one,
 * the go command's own working directory is the other candidate, and the base under which every
 * printed path names an existing file, most of them the package's own, wins.
 *
 * With `-trimpath` the compiler prints a module's files under its module path
 * (`example.com/m/sub/log.go`) whatever the directory; the same inference finds that prefix. Files
 * of GOROOT and of the module cache then print as import paths and are not placed.
 */
import path from 'node:path';

export type PathFlavour = Pick<typeof path.posix, 'isAbsolute' | 'normalize' | 'resolve' | 'join' | 'dirname' | 'basename' | 'sep'>;

/**
 * A section's base: the printed segments `lead` stand for the directory `dir`. `[]`: paths are
 * relative to `dir`. `['..']`: the build ran in an unknown child of `dir` (`../sub/log.go` named
 * dir/sub/log.go); paths that climb out of it (`../x.go`) resolve, paths that stay in it cannot.
 * Names (`['example.com', 'm']`): a `-trimpath` build, which prints a module's files under its
 * module path; only paths under that prefix resolve.
 */
export interface Anchor {
	dir: string;
	lead: string[];
}

/** Windows drive (`C:\`, `C:/`) or UNC (`\\host\share`) paths are absolute in either flavour. */
const WIN_ABS = /^(?:[A-Za-z]:[\\/]|\\\\)/;

function isAbs(p: string, f: PathFlavour): boolean {
	return f.isAbsolute(p) || (f.sep === '\\' && WIN_ABS.test(p));
}

/** The segments of a relative path, `.` and inner `x/..` folded; leading `..` kept. */
function segments(p: string, f: PathFlavour): string[] {
	const norm = f.normalize(p);
	return norm.split(f.sep === '\\' ? /[\\/]/ : /\//).filter((s) => s !== '' && s !== '.');
}

/** The absolute file a printed path names under `base`, or undefined when it cannot be known. */
export function resolvePrinted(printed: string, base: Anchor, f: PathFlavour): string | undefined {
	if (isAbs(printed, f)) return f.normalize(printed);
	const segs = segments(printed, f);
	const lead = base.lead;
	if (segs.length > lead.length && lead.every((s, i) => segs[i] === s)) return f.join(base.dir, ...segs.slice(lead.length));
	// A relative base also resolves paths that climb further than it does.
	if (!lead.every((s) => s === '..')) return undefined;
	let ups = 0;
	while (segs[ups] === '..') ups++;
	if (ups < lead.length || segs.length === ups) return undefined;
	return f.resolve(base.dir, ...Array<string>(ups - lead.length).fill('..'), ...segs.slice(ups));
}

/** The base under which the relative `printed` names `file` (absolute), or undefined if it cannot. */
export function anchorFrom(printed: string, file: string, f: PathFlavour): Anchor | undefined {
	if (isAbs(printed, f)) return undefined;
	const segs = segments(printed, f);
	let dir = f.normalize(file);
	if (segs.length === 0 || f.basename(dir) !== segs[segs.length - 1]) return undefined;
	// Drop the shared tail (`sub/log.go`); what is left of the printed path stands for what is left of the file's.
	while (segs.length > 0 && segs[segs.length - 1] !== '..' && f.basename(dir) === segs[segs.length - 1]) {
		segs.pop();
		const up = f.dirname(dir);
		if (up === dir) return undefined;
		dir = up;
	}
	// `..` can only lead (`../sub`); a name after one is not a path the go command prints.
	const firstName = segs.findIndex((s) => s !== '..');
	if (firstName >= 0 && segs.slice(firstName).includes('..')) return undefined;
	return { dir, lead: segs };
}

export interface SectionPaths {
	/** Distinct paths printed in the section (absolute ones need no anchor and are ignored). */
	printed: Iterable<string>;
	/** The directory of the package the section is about, when known. */
	packageDir?: string;
	/** The directory the go command ran in (the answer for a fresh compile). */
	cwd: string;
	exists: (file: string) => boolean;
	flavour: PathFlavour;
}

/**
 * The section's base: fewest printed paths that name no existing file, then most that name one
 * of the package's own files, then the go command's working directory.
 */
export function chooseAnchor(s: SectionPaths): Anchor {
	const f = s.flavour;
	const rel = [...new Set(s.printed)].filter((p) => !isAbs(p, f));
	const fresh: Anchor = { dir: f.normalize(s.cwd), lead: [] };
	if (rel.length === 0) return fresh;
	const id = (a: Anchor) => `${a.dir}\0${a.lead.join('/')}`;
	const candidates = new Map<string, Anchor>([[id(fresh), fresh]]);
	const own = s.packageDir === undefined ? undefined : f.normalize(s.packageDir);
	if (own !== undefined) {
		for (const p of rel) {
			const file = f.join(own, f.basename(p));
			if (!s.exists(file)) continue;
			const a = anchorFrom(p, file, f);
			if (a && !candidates.has(id(a))) candidates.set(id(a), a);
		}
	}
	let best = fresh;
	let bestScore = [Infinity, 0];
	for (const a of candidates.values()) {
		let missing = 0;
		let mine = 0;
		for (const p of rel) {
			const r = resolvePrinted(p, a, f);
			if (r === undefined || !s.exists(r)) missing++;
			else if (own !== undefined && f.dirname(r) === own) mine++;
		}
		if (missing < bestScore[0] || (missing === bestScore[0] && mine > bestScore[1])) {
			best = a;
			bestScore = [missing, mine];
		}
	}
	return best;
}

/** Byte length of each line of a file's text (1-based line n is at index n-1); a `\r` before `\n` is not counted. */
export function lineByteLengths(text: string | Uint8Array): number[] {
	const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
	const out: number[] = [];
	let start = 0;
	for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, start)) {
		out.push(nl - start - (nl > start && bytes[nl - 1] === 13 ? 1 : 0));
		start = nl + 1;
	}
	out.push(bytes.length - start);
	return out;
}

/** True when a compiler position lies inside the file: the line exists and the column is on it. */
export function fitsFile(line: number, column: number, lengths: readonly number[]): boolean {
	if (!Number.isInteger(line) || line < 1 || line > lengths.length) return false;
	// Column 0: the compiler printed none. A token starts at or before the last byte; one past it
	// is an empty line's only column.
	return column >= 0 && column <= Math.max(1, lengths[line - 1]);
}
