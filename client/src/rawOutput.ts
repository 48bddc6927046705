/**
 * Read-only virtual documents holding what the Go compiler printed (`-m=2` output or a build
 * error), in the `memlens-escape` language, with every `file.go:line:col` position clickable.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';

/** URI scheme of the virtual documents. */
export const rawOutputScheme = 'memlens-output';

interface Entry {
	text: string;
	/** Directory that relative positions (`./a.go:3:2`) are relative to. */
	cwd: string;
}

/** Matches `a.go:12:10`, `./a.go:12`, `/abs/a.go:3:4` (column optional). */
const positionPattern = /(?<![\w./-])((?:\.{1,2}\/|\/)?[\w.@+\-/]*\.go):(\d+)(?::(\d+))?/g;

/** Content and link provider for `memlens-output:` documents. */
export class RawOutputDocuments implements vscode.TextDocumentContentProvider, vscode.DocumentLinkProvider, vscode.Disposable {
	private readonly entries = new Map<string, Entry>();
	private readonly changed = new vscode.EventEmitter<vscode.Uri>();
	readonly onDidChange = this.changed.event;
	private readonly registrations: vscode.Disposable[];

	constructor() {
		this.registrations = [
			vscode.workspace.registerTextDocumentContentProvider(rawOutputScheme, this),
			vscode.languages.registerDocumentLinkProvider({ scheme: rawOutputScheme }, this),
		];
	}

	/** Opens (or refreshes) a virtual document titled `title` with `text`. */
	async show(title: string, text: string, cwd: string): Promise<vscode.TextEditor> {
		// The title becomes the tab label; the extension picks the grammar.
		const uri = vscode.Uri.from({ scheme: rawOutputScheme, path: `/${title.replace(/[\\/]/g, '_')}.memlens-escape` });
		this.entries.set(uri.toString(), { text, cwd });
		this.changed.fire(uri);
		const doc = await vscode.workspace.openTextDocument(uri);
		if (doc.languageId !== 'memlens-escape') await vscode.languages.setTextDocumentLanguage(doc, 'memlens-escape');
		return vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
	}

	provideTextDocumentContent(uri: vscode.Uri): string {
		return this.entries.get(uri.toString())?.text ?? '(no output: re-run the analysis with "Go MemLens: Re-run Analysis")';
	}

	provideDocumentLinks(doc: vscode.TextDocument): vscode.DocumentLink[] {
		const entry = this.entries.get(doc.uri.toString());
		if (!entry) return [];
		const links: vscode.DocumentLink[] = [];
		for (let line = 0; line < doc.lineCount; line++) {
			const text = doc.lineAt(line).text;
			for (const m of findPositions(text)) {
				const target = vscode.Uri.file(path.resolve(entry.cwd, m.file)).with({ fragment: `L${m.line}${m.column ? `,${m.column}` : ''}` });
				const link = new vscode.DocumentLink(new vscode.Range(line, m.start, line, m.end), target);
				link.tooltip = `Open ${m.file} at line ${m.line}`;
				links.push(link);
			}
		}
		return links;
	}

	dispose(): void {
		for (const r of this.registrations) r.dispose();
		this.changed.dispose();
	}
}

/** A source position printed by the compiler, with its UTF-16 span in the line. */
export interface PrintedPosition {
	file: string;
	line: number;
	column?: number;
	start: number;
	end: number;
}

/** Finds every `file.go:line[:col]` in one line of compiler output. */
export function findPositions(text: string): PrintedPosition[] {
	const out: PrintedPosition[] = [];
	for (const m of text.matchAll(positionPattern)) {
		const start = m.index ?? 0;
		out.push({ file: m[1], line: Number(m[2]), column: m[3] ? Number(m[3]) : undefined, start, end: start + m[0].length });
	}
	return out;
}
