/**
 * Result cache for escape runs: an LRU keyed by everything the compiler's answer depends on, so
 * re-opening an unchanged package spawns no process at all.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EscapeRunRequest } from '../escape/runner';
import { fileDigest, readHead } from '../util/boundedRead';

/** Inputs of one compile besides the package's files. */
export type CacheKeyInput = Pick<EscapeRunRequest, 'dir' | 'test' | 'overlay' | 'tags' | 'buildFlags' | 'env' | 'goBin'> & {
	goVersion: string | undefined;
};

/** A small LRU (Map keeps insertion order; a hit re-inserts). */
export class LruCache<V> {
	private readonly map = new Map<string, V>();
	constructor(private readonly max = 64) {}
	get(key: string): V | undefined {
		const v = this.map.get(key);
		if (v !== undefined) {
			this.map.delete(key);
			this.map.set(key, v);
		}
		return v;
	}
	set(key: string, value: V): void {
		this.map.delete(key);
		this.map.set(key, value);
		while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
	}
	/** Drops entries whose key starts with `prefix` (all when omitted). */
	clear(prefix?: string): void {
		if (prefix === undefined) this.map.clear();
		else for (const k of [...this.map.keys()]) if (k.startsWith(prefix)) this.map.delete(k);
	}
	get size(): number {
		return this.map.size;
	}
}

/** The nearest ancestor directory (including `dir`) containing `name`. */
async function findUp(dir: string, name: string): Promise<string | undefined> {
	for (let d = dir; ; d = path.dirname(d)) {
		try {
			await stat(path.join(d, name));
			return path.join(d, name);
		} catch {
			// keep climbing
		}
		if (path.dirname(d) === d) return undefined;
	}
}

/** One source file as the key sees it: a digest of its bytes and the module-local imports it names. */
interface FileDigest {
	digest: string;
	imports: string[];
}

interface DiskDigest extends FileDigest {
	size: number;
	mtimeMs: number;
	ino: number;
	prefix: string;
}

/**
 * Digests of files on disk, reused while size, mtime and inode are unchanged. Every open, save and
 * edit computes a key, and each used to read and hash every file of the package: opening the 71
 * files of net/http read 130 MB of source. A file is remembered only once its mtime is 2 s old,
 * so a write within the same clock tick (same size and mtime, new content) is never missed.
 */
const diskDigests = new Map<string, DiskDigest>();
const MAX_DISK_DIGESTS = 4096;
/** Files past this are not read whole for their digest (memory stays bounded whatever sits in the package). */
const BIG_FILE = 1024 * 1024;
const RACY_MS = 2000;

function digestOf(content: string | Buffer, prefix: string | undefined): FileDigest {
	const digest = createHash('sha256').update(content).digest('hex');
	return { digest, imports: prefix ? localImports(typeof content === 'string' ? content : content.toString('utf8'), prefix) : [] };
}

async function diskDigest(file: string, prefix: string | undefined): Promise<FileDigest> {
	let st: Stats;
	try {
		st = await stat(file);
	} catch {
		return digestOf('', prefix); // as an empty file, like a failed read
	}
	const memo = diskDigests.get(file);
	if (memo && memo.size === st.size && memo.mtimeMs === st.mtimeMs && memo.ino === st.ino && memo.prefix === (prefix ?? '')) return memo;
	let d: FileDigest;
	let read = st.size;
	if (st.isFile() && st.size > BIG_FILE) {
		// A big file is hashed in chunks; its imports are in its head.
		const head = await readHead(file, BIG_FILE);
		d = { digest: await fileDigest(file), imports: prefix && head ? localImports(head.text, prefix) : [] };
	} else {
		const bytes = st.isFile() ? await readFile(file).catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
		d = digestOf(bytes, prefix);
		read = bytes.length;
	}
	if (Date.now() - st.mtimeMs > RACY_MS && read === st.size) {
		diskDigests.delete(file);
		diskDigests.set(file, { ...d, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, prefix: prefix ?? '' });
		if (diskDigests.size > MAX_DISK_DIGESTS) diskDigests.delete(diskDigests.keys().next().value as string);
	}
	return d;
}

/**
 * Cache key: `dir` and mode, then sha256 over every .go file of the package as the compiler will
 * see it (overlay content where given), go.mod/go.sum/go.work, tags, flags, env and go version.
 * Packages of the same module that this one imports are covered by their files' size+mtime (one
 * level, not transitive): their export data (inlinable bodies, escape tags) shapes our facts.
 * The key starts with `dir\0` so a package's entries can be dropped by prefix.
 */
export async function cacheKey(input: CacheKeyInput): Promise<string> {
	const h = createHash('sha256');
	const put = (label: string, value: string) => h.update(`${label}\0${value.length}\0${value}\0`);
	put('mode', input.test ? 'test' : 'build');
	put('go', `${input.goBin}\0${input.goVersion ?? ''}`);
	put('tags', input.tags.join(','));
	put('flags', JSON.stringify(input.buildFlags));
	put('env', JSON.stringify(Object.entries(input.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));

	const goMod = await findUp(input.dir, 'go.mod');
	// The module line is near the top; the files themselves go in as digests, read in chunks (a
	// workspace's go.mod or go.sum may be hundreds of MB).
	const modHead = goMod ? ((await readHead(goMod, 64 * 1024))?.text ?? '') : '';
	const modPath = /^module\s+"?([^\s"]+)"?/m.exec(modHead)?.[1];
	const prefix = goMod && modPath ? modPath + '/' : undefined;

	const names = new Set<string>();
	try {
		for (const e of await readdir(input.dir, { withFileTypes: true })) if (e.isFile() && e.name.endsWith('.go')) names.add(e.name);
	} catch {
		// a missing dir hashes as empty; the compile will say why
	}
	for (const real of input.overlay?.keys() ?? []) if (path.dirname(real) === input.dir && real.endsWith('.go')) names.add(path.basename(real));
	const imports = new Set<string>();
	for (const name of [...names].sort()) {
		const file = path.join(input.dir, name);
		const text = input.overlay?.get(file);
		// Only the digest of each file goes into the key; the text is not kept past this line.
		const d = text !== undefined ? digestOf(text, prefix) : await diskDigest(file, prefix);
		put(`file:${name}`, d.digest);
		for (const i of d.imports) imports.add(i);
	}

	put('go.mod', goMod ? await fileDigest(goMod) : '');
	if (goMod) put('go.sum', await fileDigest(path.join(path.dirname(goMod), 'go.sum')));
	const goWork = input.env.GOWORK ?? (await findUp(input.dir, 'go.work'));
	if (goWork && goWork !== 'off') put('go.work', await fileDigest(goWork));

	if (goMod && prefix) {
		for (const dep of [...imports].sort()) {
			const depDir = path.join(path.dirname(goMod), dep);
			if (depDir === input.dir) continue;
			put('dep', dep);
			try {
				for (const e of (await readdir(depDir)).sort()) {
					if (!e.endsWith('.go') || e.endsWith('_test.go')) continue;
					const s = await stat(path.join(depDir, e));
					put(`dep:${e}`, `${s.size}:${s.mtimeMs}`);
				}
			} catch {
				// not a directory of this module
			}
		}
	}
	return `${input.dir}\0${h.digest('hex')}`;
}

/** Module-relative directories of the imports in `src` that belong to the module (`prefix` = module path + `/`). */
function localImports(src: string, prefix: string): string[] {
	const out = new Set<string>();
	// Import specs are the only string literals that start with the module path in practice.
	for (const m of src.matchAll(/"([^"\s]+)"/g)) if (m[1].startsWith(prefix)) out.add(m[1].slice(prefix.length));
	return [...out];
}
