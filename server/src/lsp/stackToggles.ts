/**
 * Per document, the functions whose `does not escape` facts the user asked to see (the stack
 * lens, report/stackLens.ts), and the hover and lenses read from a document's last report.
 */
import type { CodeLens, Hover, Position } from 'vscode-languageserver/node';
import { Commands } from '../../../common/protocol';
import type { Settings } from '../../../common/settings';
import { factSeverity, type PlacedFact } from '../report/diagnostics';
import type { FileReport } from '../report/fileReport';
import { hoverAt, type HoverContext } from '../report/hover';
import { functionSpans, spanAt, stackLenses, stackLensTitle } from '../report/stackLens';
import type { Tree } from '../syntax/mirror';
import type { ResolvedSettings } from './settingsCache';

export class StackToggles {
	/** Replaced, never mutated: a report made with one set is reused only while it is the same set. */
	private readonly keys = new Map<string, ReadonlySet<string>>();

	of(uri: string): ReadonlySet<string> | undefined {
		return this.keys.get(uri);
	}

	forget(uri: string): void {
		this.keys.delete(uri);
	}

	/** Flips one function: `target` is a lens's function key or a position inside it. False when there is no such function. */
	toggle(uri: string, tree: Tree, target: string | Position): boolean {
		const spans = functionSpans(tree);
		const key = typeof target === 'string' ? spans.find((s) => s.key === target)?.key : spanAt(spans, target)?.key;
		if (!key) return false;
		const next = new Set(this.keys.get(uri));
		if (!next.delete(key)) next.add(key);
		if (next.size) this.keys.set(uri, next);
		else this.keys.delete(uri);
		return true;
	}

	lenses(uri: string, tree: Tree, placed: readonly PlacedFact[], memlens: Settings): CodeLens[] {
		const lenses = stackLenses(functionSpans(tree), placed, this.keys.get(uri) ?? new Set(), memlens);
		return lenses.map((l) => ({ range: l.range, command: { title: stackLensTitle(l), command: Commands.toggleStackFacts, arguments: [uri, l.key] } }));
	}

	/** The hover of a report: a fact counts as published when its severity (or the stack lens) shows it. */
	hover(report: FileReport, settings: ResolvedSettings, pos: Position, ctx: Omit<HoverContext, 'published'>): Hover | null {
		return hoverAt(pos, report.placed, report.findings, {
			...ctx,
			published: (pf) => factSeverity(pf.fact.kind, settings.memlens, report.onStack.has(pf)) !== undefined,
		});
	}
}
