/**
 * `go build -overlay` support: unsaved buffers are written to a fresh temp dir (never into the
 * user's workspace) with a `{"Replace":{real: backing}}` file, removed after the build. A file
 * mapped to "" is deleted for the go command: how files that must not be opened (a FIFO among a
 * package's sources, toolchain/regularFiles.ts) are kept from it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface OverlayFiles {
	/** Path of the overlay JSON to pass as `-overlay=`. */
	file: string;
	/** Backing temp file → real file, for the parser (older toolchains print backing paths). */
	backingToReal: Map<string, string>;
	/** Removes the temp dir; safe to call twice. */
	dispose(): Promise<void>;
}

/**
 * Writes the overlay for `contents` (real absolute path → unsaved text) and `hidden` (real paths
 * the go command must see as absent), in a new directory under `parent` (default: the OS temp dir).
 */
export async function writeOverlay(contents: ReadonlyMap<string, string>, opts: { parent?: string; hidden?: readonly string[] } = {}): Promise<OverlayFiles> {
	const dir = await mkdtemp(path.join(opts.parent ?? os.tmpdir(), 'memlens-overlay-'));
	const replace: Record<string, string> = {};
	const backingToReal = new Map<string, string>();
	try {
		let i = 0;
		for (const [real, text] of contents) {
			// Short names: the compiler takes _test.go / GOOS suffixes from the real name, and a copy named
			// after a 254-byte file name would not fit the file system's limit once prefixed.
			const backing = path.join(dir, `${i++}${real.endsWith('_test.go') ? '_test' : ''}.go`);
			await writeFile(backing, text);
			replace[real] = backing;
			backingToReal.set(backing, real);
		}
		for (const h of opts.hidden ?? []) if (!contents.has(h)) replace[h] = '';
		const file = path.join(dir, 'overlay.json');
		await writeFile(file, JSON.stringify({ Replace: replace }));
		let disposed = false;
		return {
			file,
			backingToReal,
			dispose: async () => {
				if (disposed) return;
				disposed = true;
				await rm(dir, { recursive: true, force: true }).catch(() => undefined);
			},
		};
	} catch (e) {
		await rm(dir, { recursive: true, force: true }).catch(() => undefined);
		throw e;
	}
}
