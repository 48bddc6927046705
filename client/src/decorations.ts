/**
 * End-of-line heap notes and gutter marks from `goMemlens/heapSites`.
 * Sites are kept per document and only replaced when the server sends newer ones, so a re-run
 * never blanks the editor (no flicker); edits shift the notes below them and drop only the
 * notes on lines that were touched.
 */
import * as vscode from 'vscode';
import type { CostSite, HeapSite, HeapSitesParams } from '../../common/protocol';

interface DocSites {
	/** Document version the sites were computed for (null: saved content). */
	version: number | null;
	sites: HeapSite[];
	/** Cost notes of the loaded allocation profile (merged into the line's note). */
	costs: CostSite[];
}

/** Draws the server's heap sites in visible editors. */
export class HeapDecorations implements vscode.Disposable {
	private readonly byUri = new Map<string, DocSites>();
	private readonly disposables: vscode.Disposable[] = [];
	private type: vscode.TextEditorDecorationType | undefined;
	/** Notes on lines with a measured cost, by level (colour by share). */
	private costTypes: Record<CostSite['level'], vscode.TextEditorDecorationType> | undefined;
	private enabled = true;
	private kinds = new Set<string>();

	constructor(private readonly extensionUri: vscode.Uri) {
		this.readSettings();
		this.disposables.push(
			vscode.window.onDidChangeVisibleTextEditors(() => this.renderAll()),
			vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)),
			vscode.workspace.onDidCloseTextDocument((d) => this.byUri.delete(d.uri.toString())),
			vscode.workspace.onDidChangeConfiguration((e) => {
				if (!e.affectsConfiguration('goMemlens.decorations')) return;
				this.readSettings();
				this.renderAll();
			}),
		);
	}

	/** Handles a `goMemlens/heapSites` notification. */
	update(params: HeapSitesParams): void {
		const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === params.uri);
		// Sites computed for an older version would land on the wrong lines; the shifted ones we
		// already hold are closer to the truth until the server catches up.
		if (doc && params.version !== null && params.version < doc.version && this.byUri.has(params.uri)) return;
		this.byUri.set(params.uri, { version: params.version, sites: params.sites, costs: params.costs ?? [] });
		for (const editor of vscode.window.visibleTextEditors) {
			if (editor.document.uri.toString() === params.uri) this.render(editor);
		}
	}

	/** Whether notes are shown (the `goMemlens.decorations.enabled` setting). */
	get isEnabled(): boolean {
		return this.enabled;
	}

	/** Drops every note (the server restarted). */
	clear(): void {
		this.byUri.clear();
		this.renderAll();
	}

	dispose(): void {
		this.type?.dispose();
		for (const t of Object.values(this.costTypes ?? {})) t.dispose();
		for (const d of this.disposables) d.dispose();
	}

	private readSettings(): void {
		const cfg = vscode.workspace.getConfiguration('goMemlens.decorations');
		this.enabled = cfg.get<boolean>('enabled', true);
		this.kinds = new Set(cfg.get<string[]>('kinds', ['moved-to-heap', 'escapes-to-heap']));
		this.type?.dispose();
		const gutter = cfg.get<boolean>('gutter', true);
		const icon = (name: string) => vscode.Uri.joinPath(this.extensionUri, 'media', name);
		this.type = vscode.window.createTextEditorDecorationType({
			isWholeLine: false,
			rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
			after: { color: new vscode.ThemeColor('goMemlens.heapForeground'), margin: '0 0 0 2em', fontStyle: 'italic' },
			light: gutter ? { gutterIconPath: icon('gutter-light.svg'), gutterIconSize: '70%' } : {},
			dark: gutter ? { gutterIconPath: icon('gutter-dark.svg'), gutterIconSize: '70%' } : {},
		});
		for (const t of Object.values(this.costTypes ?? {})) t.dispose();
		const cost = (color: string, weight?: string) =>
			vscode.window.createTextEditorDecorationType({
				rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
				after: { color: new vscode.ThemeColor(color), margin: '0 0 0 2em', fontStyle: 'italic', ...(weight ? { fontWeight: weight } : {}) },
			});
		this.costTypes = { high: cost('goMemlens.costHighForeground', 'bold'), medium: cost('goMemlens.costForeground'), low: cost('goMemlens.costForeground') };
	}

	private renderAll(): void {
		for (const editor of vscode.window.visibleTextEditors) this.render(editor);
	}

	private render(editor: vscode.TextEditor): void {
		if (!this.type || editor.document.languageId !== 'go') return;
		const entry = this.byUri.get(editor.document.uri.toString());
		const costTypes = this.costTypes!;
		if (!this.enabled || !entry) {
			editor.setDecorations(this.type, []);
			for (const t of Object.values(costTypes)) editor.setDecorations(t, []);
			return;
		}
		const costs = new Map<number, CostSite>();
		for (const c of entry.costs) if (c.line < editor.document.lineCount) costs.set(c.line, c);
		// One note per line: several facts on a line are joined, so the line stays readable.
		const perLine = new Map<number, HeapSite[]>();
		for (const s of entry.sites) {
			if (!this.kinds.has(s.kind) || s.line >= editor.document.lineCount) continue;
			const list = perLine.get(s.line) ?? [];
			list.push(s);
			perLine.set(s.line, list);
		}
		const options: vscode.DecorationOptions[] = [];
		const costOptions: Record<CostSite['level'], vscode.DecorationOptions[]> = { high: [], medium: [], low: [] };
		for (const [line, sites] of perLine) {
			const end = editor.document.lineAt(line).range.end;
			const c = costs.get(line);
			const text = `↑ ${sites.map((s) => s.label).join(' · ')}`;
			// Where a heap note stands, one note says both (in the cost's colour).
			const o = {
				range: new vscode.Range(end, end),
				hoverMessage: sites.map((s) => s.label).join('\n\n') + (c ? `\n\nmeasured: ${c.label}` : ''),
				// The cost first: a long heap note runs past the window's edge.
				renderOptions: { after: { contentText: c ? `${c.label} · ${text}` : text } },
			};
			if (c) costOptions[c.level].push(o);
			else options.push(o);
		}
		for (const [line, c] of costs) {
			if (perLine.has(line)) continue;
			const end = editor.document.lineAt(line).range.end;
			costOptions[c.level].push({ range: new vscode.Range(end, end), hoverMessage: `measured: ${c.label}`, renderOptions: { after: { contentText: `⏵ ${c.label}` } } });
		}
		editor.setDecorations(this.type, options);
		for (const level of ['high', 'medium', 'low'] as const) editor.setDecorations(costTypes[level], costOptions[level]);
	}

	private onEdit(e: vscode.TextDocumentChangeEvent): void {
		const key = e.document.uri.toString();
		const entry = this.byUri.get(key);
		if (!entry || e.contentChanges.length === 0) return;
		let sites = entry.sites;
		let costs = entry.costs;
		for (const c of e.contentChanges) {
			sites = shiftSites(sites, c.range.start.line, c.range.end.line, lineCount(c.text));
			costs = shiftSites(costs, c.range.start.line, c.range.end.line, lineCount(c.text));
		}
		entry.sites = sites;
		entry.costs = costs;
		entry.version = e.document.version;
		for (const editor of vscode.window.visibleTextEditors) {
			if (editor.document === e.document) this.render(editor);
		}
	}
}

function lineCount(text: string): number {
	let n = 1;
	for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
	return n;
}

/**
 * Moves sites after an edit that replaced lines `startLine..endLine` with `newLines` lines:
 * sites on the touched lines are dropped (their facts may no longer hold), later ones shift.
 */
export function shiftSites<T extends { line: number }>(sites: T[], startLine: number, endLine: number, newLines: number): T[] {
	const delta = newLines - (endLine - startLine + 1);
	const out: T[] = [];
	for (const s of sites) {
		if (s.line < startLine) out.push(s);
		else if (s.line > endLine) out.push({ ...s, line: s.line + delta });
		// An edit inside one line that adds no line keeps that line's note: typing must not blink it.
		else if (startLine === endLine && newLines === 1) out.push(s);
	}
	return out;
}
