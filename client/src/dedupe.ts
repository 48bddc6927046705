/**
 * One squiggle per problem beside gopls (goMemlens.dedupeWithOtherSources): our diagnostics pass
 * through the language client's `handleDiagnostics` middleware, and those another extension
 * already shows at the same place (client/src/duplicates.ts decides) are left out of our
 * collection. Other extensions publish on their own schedule, so their changes
 * (`onDidChangeDiagnostics`) re-run the choice on what the server last sent. A hidden diagnostic's
 * explanation goes into the hover at its place instead (`provideHover` middleware).
 */
import * as vscode from 'vscode';
import type { HandleDiagnosticsSignature, ProvideHoverSignature } from 'vscode-languageclient/node';
import { OUR_SOURCE, splitDuplicates } from './duplicates';

interface Hidden {
	ours: vscode.Diagnostic;
	other: vscode.Diagnostic;
}

export class DuplicateFilter implements vscode.Disposable {
	/** What the server last sent per document, before filtering. */
	private readonly sent = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
	private readonly hidden = new Map<string, Hidden[]>();
	private readonly disposables: vscode.Disposable[] = [];

	constructor(private readonly collection: () => vscode.DiagnosticCollection | undefined) {
		this.disposables.push(
			vscode.languages.onDidChangeDiagnostics((e) => {
				for (const uri of e.uris) {
					const last = this.sent.get(uri.toString());
					if (last) this.apply(last.uri, last.diagnostics, false);
				}
			}),
			vscode.workspace.onDidChangeConfiguration((e) => {
				if (!e.affectsConfiguration('goMemlens.dedupeWithOtherSources')) return;
				for (const { uri, diagnostics } of this.sent.values()) this.apply(uri, diagnostics, true);
			}),
		);
	}

	/** The `handleDiagnostics` middleware. */
	readonly handleDiagnostics = (uri: vscode.Uri, diagnostics: vscode.Diagnostic[], next: HandleDiagnosticsSignature): void => {
		const key = uri.toString();
		if (diagnostics.length === 0) {
			this.sent.delete(key);
			this.hidden.delete(key);
			return next(uri, diagnostics);
		}
		this.sent.set(key, { uri, diagnostics });
		next(uri, this.choose(uri, diagnostics));
	};

	/** The `provideHover` middleware: the server's hover, after what a hidden diagnostic of ours said here. */
	readonly provideHover = async (document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken, next: ProvideHoverSignature): Promise<vscode.Hover | null | undefined> => {
		const result = await next(document, position, token);
		const here = (this.hidden.get(document.uri.toString()) ?? []).filter((h) => h.ours.range.contains(position));
		if (here.length === 0) return result;
		const contents = [...here.map(hiddenText), ...(result?.contents ?? [])];
		return new vscode.Hover(contents, result?.range ?? here[0].ours.range);
	};

	/** Which of `diagnostics` to show now; records the hidden ones. */
	private choose(uri: vscode.Uri, diagnostics: vscode.Diagnostic[]): vscode.Diagnostic[] {
		const key = uri.toString();
		if (!vscode.workspace.getConfiguration('goMemlens', uri).get<boolean>('dedupeWithOtherSources', true)) {
			this.hidden.delete(key);
			return diagnostics;
		}
		const others = vscode.languages.getDiagnostics(uri).filter((d) => d.source !== OUR_SOURCE);
		const { keep, dropped } = splitDuplicates(diagnostics, others);
		if (dropped.length) this.hidden.set(key, dropped);
		else this.hidden.delete(key);
		return keep;
	}

	/** Filters again after another source or the setting changed; sets our collection only when the choice changed. */
	private apply(uri: vscode.Uri, diagnostics: vscode.Diagnostic[], force: boolean): void {
		const key = uri.toString();
		const before = signature(this.hidden.get(key));
		const keep = this.choose(uri, diagnostics);
		// Our own set() fires onDidChangeDiagnostics too: same choice, nothing to do.
		if (!force && signature(this.hidden.get(key)) === before) return;
		this.collection()?.set(uri, keep);
	}

	clear(): void {
		this.sent.clear();
		this.hidden.clear();
	}

	dispose(): void {
		for (const d of this.disposables) d.dispose();
		this.clear();
	}
}

function signature(hidden: readonly Hidden[] | undefined): string {
	return (hidden ?? []).map((h) => `${h.ours.code instanceof Object ? h.ours.code.value : h.ours.code}@${h.ours.range.start.line}:${h.ours.range.start.character}`).join('|');
}

/** A hidden diagnostic of ours, for the hover: its message, its related positions as links, its page. */
function hiddenText(h: Hidden): vscode.MarkdownString {
	const code = h.ours.code instanceof Object ? h.ours.code : { value: h.ours.code ?? '', target: undefined };
	const md = new vscode.MarkdownString();
	md.appendMarkdown(`**Go MemLens** (${String(code.value)}; ${h.other.source ?? 'another extension'} reports the same problem): `);
	// Our messages use backticks for code on purpose: they render as code here too.
	md.appendMarkdown(h.ours.message.replace(/\n/g, '  \n'));
	const related = h.ours.relatedInformation ?? [];
	if (related.length) md.appendMarkdown('\n\n');
	related.forEach((r, i) => {
		const pos = r.location.range.start;
		const link = r.location.uri.with({ fragment: `L${pos.line + 1},${pos.character + 1}` });
		md.appendMarkdown(`${i + 1}. `).appendText(r.message).appendMarkdown(` — [${basename(r.location.uri)}:${pos.line + 1}:${pos.character + 1}](${link.toString()})\n`);
	});
	if (code.target) md.appendMarkdown(`\n\n[docs](${code.target.toString()})`);
	return md;
}

function basename(uri: vscode.Uri): string {
	return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}
