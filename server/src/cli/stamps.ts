/**
 * Stamps: what the CLI's unit cache (./unitCache.ts) knows of files without reading them. A stamp is
 * size, mtime, ctime and inode (ns): ctime changes on any write, even one that restores the mtime.
 */
import { createHash, type Hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import type { ModuleUnit } from './discover';

/** At most this many more files are stamped for a unit's world (`worldOf`); beyond, the build IDs decide. */
const WORLD_FILES = 100_000;

/** Directory names the go command never embeds or builds from (VCS metadata). */
const VCS_DIRS = new Set(['.git', '.hg', '.svn', '.bzr']);

/** A file's stamp: size, mtime, ctime, inode (ns); '' when it cannot be read. */
export function stampOf(file: string): string {
	let st: BigIntStats;
	try {
		st = statSync(file, { bigint: true });
	} catch {
		return '';
	}
	return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
}

/** Stamps already taken in this run (path → stamp), and the newest time among them (ns). */
export interface StampMemo {
	stamps: Map<string, string>;
	newestNs: bigint;
	/** The unit's local replace targets, read from go.mod once per memo. */
	replaces?: string[];
	/** A walk stops once this many files are stamped (`over` then says so). */
	limit?: number;
	over?: boolean;
}

export function stampMemo(): StampMemo {
	return { stamps: new Map(), newestNs: 0n };
}

/** A file's stamp, taken once per memo; its mtime and ctime raise the memo's newest time. */
function memoStamp(file: string, memo: StampMemo | undefined): string {
	if (!memo) return stampOf(file);
	let s = memo.stamps.get(file);
	if (s === undefined) {
		memo.stamps.set(file, (s = stampOf(file)));
		const [, m, c] = s.split(':');
		for (const t of [m, c]) if (t && BigInt(t) > memo.newestNs) memo.newestNs = BigInt(t);
	}
	return s;
}

/** Stamps of every file under `dir` (VCS metadata and nested modules left out), into `h`. */
function stampTree(dir: string, h: Hash, walked: Set<string>, top = true, memo?: StampMemo): void {
	if (walked.has(dir) || memo?.over) return;
	walked.add(dir);
	if (memo?.limit !== undefined && memo.stamps.size >= memo.limit) {
		memo.over = true;
		return;
	}
	let entries;
	try {
		entries = readdirSync(dir, { withFileTypes: true });
	} catch {
		h.update(`?${dir}\0`);
		return;
	}
	// Another module is not this unit's (the go command does not embed across a go.mod).
	if (!top && entries.some((e) => e.name === 'go.mod' && !e.isDirectory())) return;
	entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	for (const e of entries) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) {
			if (!VCS_DIRS.has(e.name)) stampTree(p, h, walked, false, memo);
		} else h.update(`${p}\0${memoStamp(p, memo)}\0`);
	}
}

/** Local directories the unit's go.mod replaces modules with. */
export function localReplaces(goMod: string, root: string): string[] {
	const out: string[] = [];
	const re = /=>\s*(?:"([^"]+)"|(\S+))/g;
	for (let m = re.exec(goMod); m; m = re.exec(goMod)) {
		const target = m[1] ?? m[2];
		if (/^(\.\.?([/\\]|$)|\/|[A-Za-z]:[/\\])/.test(target)) out.push(path.resolve(root, target));
	}
	return out;
}

/** The stamps of everything a unit's result reads from its own tree (a digest). */
export function stampsOf(unit: ModuleUnit, memo?: StampMemo): string {
	const h = createHash('sha256');
	const walked = new Set<string>();
	for (const f of ['go.mod', 'go.sum', 'go.work', 'go.work.sum']) h.update(`${f}\0${memoStamp(path.join(unit.root, f), memo)}\0`);
	for (const d of unit.packages) stampTree(d, h, walked, d === unit.root, memo);
	// vendor/ (module mode vendors dependencies there) and local replace targets are read by the build and vet.
	stampTree(path.join(unit.root, 'vendor'), h, walked, false, memo);
	for (const d of replacesOf(unit, memo)) stampTree(d, h, walked, true, memo);
	return h.digest('hex');
}

function replacesOf(unit: ModuleUnit, memo: StampMemo | undefined): string[] {
	if (memo?.replaces) return memo.replaces;
	let goMod = '';
	try {
		goMod = readFileSync(path.join(unit.root, 'go.mod'), 'utf8');
	} catch {
		// module-less unit
	}
	const out = localReplaces(goMod, unit.root);
	if (memo) memo.replaces = out;
	return out;
}

/**
 * The stamps of every source the unit's compile can read apart from the module cache (whose
 * directories the go command verifies against go.sum and keeps read-only): the whole module (not
 * only the unit's packages: a dependency inside the module), GOROOT/src (std, as the installed
 * Go has it: a patched std keeps its VERSION), vendor/ and local replace targets. `newestNs`: the
 * newest mtime or ctime among them.
 */
export function worldOf(unit: ModuleUnit, goroot: string, memo: StampMemo = stampMemo(), maxFiles = WORLD_FILES): { digest: string; newestNs: bigint } | undefined {
	const h = createHash('sha256').update('world\0');
	// A tree far bigger than its Go code (a web app's node_modules beside it) is not walked on every run.
	memo.limit = memo.stamps.size + maxFiles;
	const walked = new Set<string>();
	for (const f of ['go.mod', 'go.sum']) h.update(`${f}\0${memoStamp(path.join(unit.root, f), memo)}\0`);
	stampTree(unit.root, h, walked, true, memo);
	if (goroot) stampTree(path.join(goroot, 'src'), h, walked, true, memo);
	for (const d of replacesOf(unit, memo)) stampTree(d, h, walked, true, memo);
	const over = memo.over;
	memo.limit = undefined;
	memo.over = undefined;
	return over ? undefined : { digest: h.digest('hex'), newestNs: memo.newestNs };
}

/**
 * Whether stamps taken at `takenAtNs` vouch for content by themselves: git's rule for racily clean
 * files. A file written in the same clock tick as an earlier write (file times are coarse: a few
 * ms on Linux, 2 s on FAT) can keep its stamp; one last written more than `settleMs` before the
 * stamps were taken cannot be written again without a newer ctime.
 */
export function settled(newestNs: bigint, takenAtNs: bigint, settleMs: number): boolean {
	return newestNs + BigInt(Math.round(settleMs * 1e6)) < takenAtNs;
}

