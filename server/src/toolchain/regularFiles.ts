/**
 * Files that are not regular files (FIFOs, sockets, devices, links to them) must never be opened
 * by us or by the toolchain: opening a FIFO blocks until something writes to it, so `go list`
 * (and a Node file read, which holds a thread-pool thread) would wait forever. The toolchain is
 * kept away from them with `-overlay` entries that delete them (overlay.ts), and our own reads go
 * through `readRegular`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** Names the go command opens in a package directory (Go, cgo, assembly, SWIG and syso sources). */
const SOURCE = /\.(go|c|h|cc|cpp|cxx|hh|hpp|hxx|m|s|S|sx|f|F|for|f90|swig|swigcxx|syso)$/;

/** Absolute paths of the source-like entries of `dir` that are not regular files (links followed). */
export async function nonRegularSources(dir: string): Promise<string[]> {
	let entries;
	try {
		entries = await readdir(dir, { withFileTypes: true });
	} catch {
		return [];
	}
	const out: string[] = [];
	for (const e of entries) {
		if (!SOURCE.test(e.name) || e.isFile() || e.isDirectory()) continue;
		const p = path.join(dir, e.name);
		// A symlink counts by what it points to; a dangling one is not opened by anyone.
		if (e.isSymbolicLink()) {
			const st = await stat(p).catch(() => undefined);
			if (!st || st.isFile() || st.isDirectory()) continue;
		}
		out.push(p);
	}
	return out.sort();
}

/** The file's text, or undefined when it is missing, unreadable or not a regular file. */
export async function readRegular(file: string): Promise<string | undefined> {
	const st = await stat(file).catch(() => undefined);
	if (!st?.isFile()) return undefined;
	return readFile(file, 'utf8').catch(() => undefined);
}

/** A short description of what a non-regular file is, for the status. */
export async function fileKind(file: string): Promise<string> {
	const st = await stat(file).catch(() => undefined);
	if (!st) return 'not a regular file';
	if (st.isFIFO()) return 'a FIFO';
	if (st.isSocket()) return 'a socket';
	if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
	return 'not a regular file';
}
