/**
 * Code actions are computed together with the findings and looked up here (bash-language-server's
 * uriToCodeActions pattern): quick fixes per diagnostic, and `source.fixAll.memlens` = every safe
 * fix of the file in one non-overlapping edit.
 */
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver/node';
import type { Fix } from '../model';
import { FIX_ALL_KIND } from './capabilities';
import type { DiagnosticData } from '../report/diagnostics';
import type { FixableDiagnostic } from '../report/types';

export type { FixableDiagnostic };

function overlaps(a: Range, b: Range): boolean {
	const before = (p: Range['start'], q: Range['start']) => p.line < q.line || (p.line === q.line && p.character < q.character);
	return !before(a.end, b.start) && !before(b.end, a.start);
}

function keyOf(d: Diagnostic): string | undefined {
	const data = d.data as DiagnosticData | undefined;
	return typeof data?.key === 'string' ? data.key : undefined;
}

function quickFix(uri: string, d: Diagnostic, fix: Fix): CodeAction {
	const action: CodeAction = {
		title: fix.title,
		kind: CodeActionKind.QuickFix,
		diagnostics: [d],
		edit: { changes: { [uri]: fix.edits } },
	};
	if (fix.isPreferred) action.isPreferred = true;
	return action;
}

/** Every safe fix of the file, first safe fix per finding, overlapping edits dropped. */
export function fixAllEdits(items: readonly FixableDiagnostic[]): TextEdit[] {
	const edits: TextEdit[] = [];
	for (const it of items) {
		const fix = it.fixes.find((f) => f.safe);
		if (!fix || fix.edits.some((e) => edits.some((x) => overlaps(x.range, e.range)))) continue;
		edits.push(...fix.edits);
	}
	return edits;
}

/** Code actions per document, replaced on every publish. */
export class CodeActionStore {
	private readonly byUri = new Map<string, FixableDiagnostic[]>();

	set(uri: string, items: FixableDiagnostic[]): void {
		this.byUri.set(uri, items.filter((i) => i.fixes.length > 0));
	}

	delete(uri: string): void {
		this.byUri.delete(uri);
	}

	/** The actions for a `textDocument/codeAction` request. */
	actions(params: CodeActionParams): CodeAction[] {
		const uri = params.textDocument.uri;
		const items = this.byUri.get(uri) ?? [];
		const only = params.context.only;
		const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
		const out: CodeAction[] = [];
		if (wants(CodeActionKind.QuickFix)) {
			const requested = new Set(params.context.diagnostics.map(keyOf).filter((k): k is string => !!k));
			for (const it of items) {
				const key = keyOf(it.diagnostic);
				const match = (key !== undefined && requested.has(key)) || overlaps(it.diagnostic.range, params.range);
				if (match) for (const fix of it.fixes) out.push(quickFix(uri, it.diagnostic, fix));
			}
		}
		// Source actions only when asked for by kind (as editors do on save), never in the lightbulb.
		if (only && wants(FIX_ALL_KIND)) {
			const edits = fixAllEdits(items);
			if (edits.length) out.push({ title: 'Apply all safe Go MemLens fixes', kind: FIX_ALL_KIND, edit: { changes: { [uri]: edits } } });
		}
		return out;
	}
}
