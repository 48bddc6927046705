/**
 * Reading files whose size we do not control (go.mod, go.sum, go.work: a workspace can hold a
 * 400 MB one) in bounded memory: the head of a file as text, a digest of its bytes read in chunks,
 * its lines streamed with each line capped. Only regular files are opened (a FIFO would block).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** What a head read gives: the text (whole lines only when cut), whether the file goes on, and its stamp. */
export interface Head {
	text: string;
	truncated: boolean;
	size: number;
	mtimeMs: number;
}

/** Files up to this are read whole; of longer ones only this much (a real go.mod is a few KB). */
export const HEAD_BYTES = 1024 * 1024;

function headOf(buf: Buffer, n: number, st: Stats): Head {
	const truncated = st.size > n;
	// A cut file ends at its last complete line (a line cut in two could read as another directive).
	const end = truncated ? buf.lastIndexOf(10, n - 1) + 1 : n;
	return { text: buf.toString('utf8', 0, end), truncated, size: st.size, mtimeMs: st.mtimeMs };
}

/** The first `max` bytes of a regular file (undefined when it is missing or not a regular file). */
export function readHeadSync(file: string, max = HEAD_BYTES): Head | undefined {
	let st: Stats;
	try {
		st = statSync(file);
	} catch {
		return undefined;
	}
	if (!st.isFile()) return undefined;
	let fd: number | undefined;
	try {
		fd = openSync(file, 'r');
		const buf = Buffer.allocUnsafe(Math.min(max, st.size));
		let n = 0;
		while (n < buf.length) {
			const r = readSync(fd, buf, n, buf.length - n, n);
			if (r === 0) break;
			n += r;
		}
		return headOf(buf, n, st);
	} catch {
		return undefined;
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

/** readHeadSync, without blocking the thread. */
export async function readHead(file: string, max = HEAD_BYTES): Promise<Head | undefined> {
	const st = await stat(file).catch(() => undefined);
	if (!st?.isFile()) return undefined;
	const h = await open(file, 'r').catch(() => undefined);
	if (!h) return undefined;
	try {
		const buf = Buffer.allocUnsafe(Math.min(max, st.size));
		let n = 0;
		while (n < buf.length) {
			const { bytesRead } = await h.read(buf, n, buf.length - n, n);
			if (bytesRead === 0) break;
			n += bytesRead;
		}
		return headOf(buf, n, st);
	} catch {
		return undefined;
	} finally {
		await h.close().catch(() => undefined);
	}
}

const CHUNK = 256 * 1024;
const digests = new Map<string, { size: number; mtimeMs: number; ino: number; digest: string }>();
const MAX_DIGESTS = 1024;

/**
 * sha256 (hex) of a regular file's bytes, read in 256 KB chunks; '' when there is no such file.
 * Remembered per path while size, mtime and inode stay the same and the mtime is 2 s old (a write
 * within the same clock tick keeps both).
 */
export async function fileDigest(file: string): Promise<string> {
	const st = await stat(file).catch(() => undefined);
	if (!st?.isFile()) return '';
	const memo = digests.get(file);
	if (memo && memo.size === st.size && memo.mtimeMs === st.mtimeMs && memo.ino === st.ino) return memo.digest;
	const h = await open(file, 'r').catch(() => undefined);
	if (!h) return '';
	const hash = createHash('sha256');
	try {
		const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, st.size)));
		for (;;) {
			const { bytesRead } = await h.read(buf, 0, buf.length, null);
			if (bytesRead === 0) break;
			hash.update(buf.subarray(0, bytesRead));
		}
	} catch {
		return '';
	} finally {
		await h.close().catch(() => undefined);
	}
	const digest = hash.digest('hex');
	if (Date.now() - st.mtimeMs > 2000) {
		digests.delete(file);
		digests.set(file, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, digest });
		if (digests.size > MAX_DIGESTS) digests.delete(digests.keys().next().value as string);
	}
	return digest;
}

/**
 * Calls `onLine` for each line of a regular file (without its `\n`; a line longer than `maxLine`
 * bytes is cut there), read in chunks: memory stays bounded whatever the file holds.
 */
export async function forEachLine(file: string, onLine: (line: string) => void, maxLine = 64 * 1024): Promise<boolean> {
	const st = await stat(file).catch(() => undefined);
	if (!st?.isFile()) return false;
	const h = await open(file, 'r').catch(() => undefined);
	if (!h) return false;
	let rest: Buffer[] = [];
	let restBytes = 0;
	const flush = () => {
		onLine(Buffer.concat(rest, restBytes).toString('utf8'));
		rest = [];
		restBytes = 0;
	};
	const keep = (piece: Buffer) => {
		const room = maxLine - restBytes;
		if (room <= 0 || piece.length === 0) return;
		const kept = Buffer.from(piece.subarray(0, Math.min(room, piece.length)));
		rest.push(kept);
		restBytes += kept.length;
	};
	try {
		const buf = Buffer.allocUnsafe(CHUNK);
		for (;;) {
			const { bytesRead } = await h.read(buf, 0, buf.length, null);
			if (bytesRead === 0) break;
			const chunk = buf.subarray(0, bytesRead);
			let start = 0;
			for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
				keep(chunk.subarray(start, nl));
				flush();
				start = nl + 1;
			}
			keep(chunk.subarray(start));
		}
		if (restBytes > 0) flush();
		return true;
	} catch {
		return false;
	} finally {
		await h.close().catch(() => undefined);
	}
}
