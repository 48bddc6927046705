/**
 * Rule findings per open document, kept up to date at keystroke speed: an edit inside one
 * function re-checks that function only (a scoped run, see rules/scope.ts) and keeps the other
 * findings, moved with the text. Anything else (a first run, new compiler facts, settings, an edit
 * to imports/types/vars, several declarations at once) runs the rules over the whole file, and so
 * does the settle run once typing pauses, which also catches what one function's edit changed in
 * another (a pool wrapper's summary, say).
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { Position, RuleFinding } from '../model';
import type { RuleContext } from '../rules/types';
import { ALL_RULES } from '../rules/index';
import { contextDecls, FUNCTION_DECLS, inNodes, topLevelAt, type RuleMemo } from '../rules/scope';
import { wholeRunTree, type Node, type Tree } from '../syntax/mirror';
import { DIRECTIVE_HINT, type ChangedRanges } from '../syntax/treeCache';
import { shiftFindings, shiftPositions } from '../util/editShift';
import type { RuleInput } from '../report/types';

/** The rule context without the run-specific parts (scope, memo), as the caller builds it. */
export type { RuleInput };

interface DocState {
	/** Findings of the last run, moved through the edits since. */
	findings: RuleFinding[];
	memo: RuleMemo;
	/** Start positions of the non-function top-level declarations (moved through edits). */
	context: Position[];
	/** A context declaration was edited: the next run must be whole-file. */
	contextTouched: boolean;
	/** Settings, Go version, cgo-ness and fact availability the findings were computed under. */
	key: string;
	/** The last run was scoped: a settle run is due. */
	scoped: boolean;
}

export interface RuleRunResult {
	findings: RuleFinding[];
	/** 'scoped' when only the touched declarations were re-checked; 'declined': a whole-file run was due and `noWhole` said no (nothing ran). */
	mode: 'whole' | 'scoped' | 'shifted' | 'declined';
	/** Declarations re-checked on a scoped run. */
	decls: number;
}

/** Why a scoped run is not possible; undefined when it is (with the declarations to check). */
type Plan = { decls: Node[]; context: Node[] } | string;

const WHOLE_FILE_RULES = new Set(ALL_RULES.filter((r) => r.wholeFile).map((r) => r.id));

export class RuleRuns {
	private readonly docs = new Map<string, DocState>();

	/** Moves the document's last findings and context positions through LSP content changes. */
	shift(uri: string, changes: readonly TextDocumentContentChangeEvent[]): void {
		const s = this.docs.get(uri);
		if (!s) return;
		if (changes.some((c) => !('range' in c) || !c.range)) {
			this.docs.delete(uri);
			return;
		}
		s.findings = shiftFindings(s.findings, changes);
		const moved = shiftPositions(s.context, changes);
		if (moved.some((q) => !q)) s.contextTouched = true;
		s.context = moved.filter((q): q is Position => q !== undefined);
	}

	/** Was the last run scoped (a settle run would re-check the whole file)? */
	needsSettle(uri: string): boolean {
		return this.docs.get(uri)?.scoped ?? false;
	}

	forget(uri: string): void {
		this.docs.delete(uri);
	}

	/** The document's findings as last computed, moved through the edits since (none when never run). */
	findingsOf(uri: string): RuleFinding[] {
		return this.docs.get(uri)?.findings ?? [];
	}

	/** The key of the document's last run (settings, Go version, facts), if any. */
	keyOf(uri: string): string | undefined {
		return this.docs.get(uri)?.key;
	}

	/**
	 * Takes a whole-file run made elsewhere (the rule thread) as this document's last run. Without a
	 * memo or context (a run split over workers) scoped runs are not possible until the next whole
	 * run here or there (`scopable` false makes every later run whole-file).
	 */
	adopt(uri: string, key: string, findings: RuleFinding[], memo: RuleMemo | undefined, context: Position[] | undefined): void {
		this.docs.set(uri, { findings, memo: memo ?? new Map(), context: context ?? [], contextTouched: !memo || !context, key, scoped: false });
	}

	/**
	 * The findings for the document's current tree. `changed` are the text ranges changed since the
	 * last run (TreeCache.takeChanged); `whole` forces a whole-file run. `run` is the rule engine.
	 */
	run(uri: string, input: RuleInput, key: string, changed: ChangedRanges | 'all', whole: boolean, run: (ctx: RuleContext) => RuleFinding[], noWhole = false): RuleRunResult {
		const prev = this.docs.get(uri);
		const plan = whole || !prev || prev.key !== key || prev.contextTouched || changed === 'all' ? 'whole-file run asked for' : planScoped(input.tree, prev, changed);
		// The caller has whole-file runs made elsewhere (the rule thread, for big files).
		if (typeof plan === 'string' && noWhole) return { findings: prev?.findings ?? [], mode: 'declined', decls: 0 };
		if (typeof plan === 'string') {
			const memo: RuleMemo = new Map();
			const findings = run({ ...input, tree: wholeRunTree(input.tree), memo });
			const context = contextDecls(input.tree).map((n) => ({ line: n.startPosition.row, character: n.startPosition.column }));
			this.docs.set(uri, { findings, memo, context, contextTouched: false, key, scoped: false });
			return { findings, mode: 'whole', decls: 0 };
		}
		if (plan.decls.length === 0) {
			// Text changed outside any declaration (blank lines, a deleted function): the findings only
			// moved, but what a deleted function meant to the others is left to the settle run.
			if (changed.length > 0) prev!.scoped = true;
			return { findings: prev!.findings, mode: 'shifted', decls: 0 };
		}
		// Only the facts inside the scope can matter to it (rules look facts up by position).
		const rows = [...plan.decls, ...plan.context].map((n) => [n.startPosition.row, n.endPosition.row]);
		const escape = input.escape?.filter((f) => rows.some(([a, b]) => f.at.line >= a && f.at.line <= b));
		const fresh = run({ ...input, escape, memo: prev!.memo, scope: { ...plan, fileEscape: input.escape } });
		// Whole-file rules ran over everything: their old findings are replaced, not kept.
		const kept = prev!.findings.filter((f) => !inAny(plan.decls, f) && !WHOLE_FILE_RULES.has(f.rule));
		const findings = [...kept, ...fresh.filter((f) => inAny(plan.decls, f) || WHOLE_FILE_RULES.has(f.rule))].sort(byPosition);
		this.docs.set(uri, { ...prev!, findings, scoped: true });
		return { findings, mode: 'scoped', decls: plan.decls.length };
	}
}

/** The function declarations the changes touched and the context nodes, or why a whole-file run is needed. */
function planScoped(tree: Tree, prev: DocState, changed: ChangedRanges): Plan {
	const decls = new Map<number, Node>();
	for (const r of changed) {
		const first = topLevelAt(tree, r.start);
		const last = topLevelAt(tree, Math.max(r.start, r.end - 1));
		if (first?.id !== last?.id) return 'the change spans several declarations';
		if (!first) continue; // whitespace between declarations
		if (FUNCTION_DECLS.has(first.type)) {
			decls.set(first.id, first);
			continue;
		}
		if (first.type !== 'comment') return `a ${first.type} changed`;
		// A comment between declarations: only a suppression directive in it (now, or before the
		// edit) can matter, for the declaration it trails or the one on the next line.
		if (DIRECTIVE_HINT.test(first.text)) return 'a directive comment changed';
		// No directive on the changed lines before or after the edit (TreeCache checks): nothing moves
		// but text, unless the comment sits against a non-function declaration (a cgo preamble, say).
		const quiet = !changed.directives;
		const prevDecl = first.previousNamedSibling;
		const nextDecl = first.nextNamedSibling;
		const neighbours = [
			prevDecl && prevDecl.endPosition.row === first.startPosition.row ? prevDecl : null,
			nextDecl && nextDecl.startPosition.row <= first.endPosition.row + 1 ? nextDecl : null,
		];
		for (const n of neighbours) {
			if (!n || n.type === 'comment') continue;
			if (!FUNCTION_DECLS.has(n.type)) return 'a comment next to a non-function declaration changed';
			if (!quiet) decls.set(n.id, n);
		}
	}
	const context: Node[] = [];
	for (const p of prev.context) {
		const top = topLevelAt(tree, { row: p.line, column: p.character });
		if (!top || FUNCTION_DECLS.has(top.type) || top.startPosition.row !== p.line || top.startPosition.column !== p.character) {
			return 'the file-level declarations moved';
		}
		context.push(top);
	}
	return { decls: [...decls.values()], context };
}

function inAny(decls: readonly Node[], f: RuleFinding): boolean {
	return inNodes(decls, f.range.start.line, f.range.start.character);
}

function byPosition(a: RuleFinding, b: RuleFinding): number {
	return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.rule.localeCompare(b.rule);
}
