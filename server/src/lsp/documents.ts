/**
 * The open Go documents. didOpen/didChange/didClose are handled here rather than by TextDocuments
 * because the syntax tree cache needs the raw incremental changes.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { refuseReason } from './changeCheck';

/** One open Go file. */
export interface OpenDoc {
	uri: string;
	/** Absolute file path (file URIs only). */
	filePath: string;
	/** Package directory. */
	dir: string;
	doc: TextDocument;
}

/** True for documents the server analyses: `go` language or a `.go` file URI. */
export function isGoDocument(uri: string, languageId?: string): boolean {
	if (!uri.startsWith('file:')) return false;
	return languageId === 'go' || uri.endsWith('.go');
}

export class DocumentStore {
	private readonly docs = new Map<string, OpenDoc>();
	/** Whether a document's version equals its file, for the file's size and mtime then (see `overlay`). */
	private readonly onDisk = new Map<string, { version: number; size: number; mtimeMs: number; same: boolean }>();
	private readonly desynced = new Set<string>();

	open(uri: string, languageId: string, version: number, text: string): OpenDoc {
		const filePath = URI.parse(uri).fsPath;
		const d: OpenDoc = { uri, filePath, dir: path.dirname(filePath), doc: TextDocument.create(uri, languageId, version, text) };
		this.docs.set(uri, d);
		this.desynced.delete(uri);
		return d;
	}

	/**
	 * Applies incremental (or full) changes; undefined for unknown documents. A change that does not
	 * fit the text is refused, nothing of the event is applied, and the document is out of sync
	 * (`desynced`) until a full-text change replaces it: incremental changes made on the client's
	 * text, which the server no longer has, are refused too.
	 */
	change(uri: string, changes: TextDocumentContentChangeEvent[], version: number): { d: OpenDoc; refused?: string } | undefined {
		const d = this.docs.get(uri);
		if (!d) return undefined;
		const reason = refuseReason(changes, d.doc.lineCount);
		if (reason) {
			this.desynced.add(uri);
			return { d, refused: reason };
		}
		if (this.desynced.has(uri)) {
			if (!changes.some((c) => !('range' in c) || c.range === undefined)) return { d, refused: 'the document is out of sync since a refused change: waiting for its full text' };
			this.desynced.delete(uri);
		}
		d.doc = TextDocument.update(d.doc, changes, version);
		return { d };
	}

	/** A refused change left the document's text different from the client's. */
	isDesynced(uri: string): boolean {
		return this.desynced.has(uri);
	}

	close(uri: string): OpenDoc | undefined {
		const d = this.docs.get(uri);
		this.docs.delete(uri);
		this.onDisk.delete(uri);
		this.desynced.delete(uri);
		return d;
	}

	get(uri: string): OpenDoc | undefined {
		return this.docs.get(uri);
	}

	all(): OpenDoc[] {
		return [...this.docs.values()];
	}

	/** Open documents of one package directory. */
	inDir(dir: string): OpenDoc[] {
		return this.all().filter((d) => d.dir === dir);
	}

	/**
	 * The `-overlay` for a package: every open buffer of the directory whose text differs from
	 * the file on disk (so unchanged files keep the build cache warm). A file is read only when its
	 * size matches the buffer and the answer is not already known for this version, size and mtime:
	 * every open and edit asks, and opening the 71 files of net/http used to read 2,500 files.
	 */
	async overlay(dir: string): Promise<Map<string, string>> {
		const out = new Map<string, string>();
		for (const d of this.inDir(dir)) {
			if (!d.filePath.endsWith('.go')) continue;
			const text = d.doc.getText();
			const version = d.doc.version;
			if (!(await this.sameAsDisk(d, text, version))) out.set(d.filePath, text);
		}
		return out;
	}

	private async sameAsDisk(d: OpenDoc, text: string, version: number): Promise<boolean> {
		const st = await stat(d.filePath).catch(() => undefined);
		if (!st || !st.isFile()) return false;
		const memo = this.onDisk.get(d.uri);
		if (memo && memo.version === version && memo.size === st.size && memo.mtimeMs === st.mtimeMs) return memo.same;
		const same = st.size === Buffer.byteLength(text) && (await readFile(d.filePath, 'utf8').catch(() => undefined)) === text;
		// Remembered only once the mtime is 2 s old: a rewrite in the same clock tick keeps size and mtime.
		if (Date.now() - st.mtimeMs > 2000 && this.docs.get(d.uri) === d) this.onDisk.set(d.uri, { version, size: st.size, mtimeMs: st.mtimeMs, same });
		return same;
	}
}
