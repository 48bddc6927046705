/**
 * The open Go documents. didOpen/didChange/didClose are handled here rather than by TextDocuments
 * because the syntax tree cache needs the raw incremental changes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';

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

	open(uri: string, languageId: string, version: number, text: string): OpenDoc {
		const filePath = URI.parse(uri).fsPath;
		const d: OpenDoc = { uri, filePath, dir: path.dirname(filePath), doc: TextDocument.create(uri, languageId, version, text) };
		this.docs.set(uri, d);
		return d;
	}

	/** Applies incremental (or full) changes; undefined for unknown documents. */
	change(uri: string, changes: TextDocumentContentChangeEvent[], version: number): OpenDoc | undefined {
		const d = this.docs.get(uri);
		if (!d) return undefined;
		d.doc = TextDocument.update(d.doc, changes, version);
		return d;
	}

	close(uri: string): OpenDoc | undefined {
		const d = this.docs.get(uri);
		this.docs.delete(uri);
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
	 * the file on disk (so unchanged files keep the build cache warm).
	 */
	async overlay(dir: string): Promise<Map<string, string>> {
		const out = new Map<string, string>();
		for (const d of this.inDir(dir)) {
			if (!d.filePath.endsWith('.go')) continue;
			const text = d.doc.getText();
			const disk = await readFile(d.filePath, 'utf8').catch(() => undefined);
			if (disk !== text) out.set(d.filePath, text);
		}
		return out;
	}
}
