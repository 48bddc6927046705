/**
 * "Show what stays on the stack in this function": the compiler's `does not escape` facts, hidden
 * by default (goMemlens.escapeSeverities), shown for the functions the user picks, so a fix can be
 * confirmed without every stack value of the file turning into a diagnostic. Pure: which top-level
 * functions there are (from the syntax tree), which facts fall in them, and the code lenses.
 */
import type { Position, Range } from 'vscode-languageserver-types';
import type { Settings } from '../../../common/settings';
import type { Tree } from '../syntax/mirror';
import type { PlacedFact } from './diagnostics';

/** A top-level function or method declaration. */
export interface FunctionSpan {
	/** Stable across edits: `Name`, `(*T).Name`; `#2`, `#3`… for a repeated one (several `init`s). */
	key: string;
	/** The declaration, `func` to its closing brace. */
	range: Range;
	/** The function's name (where the lens goes). */
	nameRange: Range;
}

export interface StackLens {
	key: string;
	range: Range;
	/** `does not escape` facts in the function. */
	count: number;
	/** Shown now (the lens hides them). */
	on: boolean;
}

// `func (r *T[K]) Name[` or `func Name(`: the receiver's type and the name.
const HEADER = /^func\s*(?:\(\s*(?:[\p{L}_][\p{L}\p{N}_]*\s+)?([^)]*?)\s*\)\s*)?([\p{L}_][\p{L}\p{N}_]*)/u;

/** The file's top-level functions and methods, in source order. */
export function functionSpans(tree: Tree): FunctionSpan[] {
	const out: FunctionSpan[] = [];
	const seen = new Map<string, number>();
	for (const node of tree.rootNode.children) {
		if (node.type !== 'function_declaration' && node.type !== 'method_declaration') continue;
		const start = node.startIndex;
		const m = HEADER.exec(tree.text.slice(start, Math.min(node.endIndex, start + 400)));
		if (!m) continue;
		const recv = m[1]?.replace(/\s+/g, '');
		let key = recv ? `(${recv}).${m[2]}` : m[2];
		const n = (seen.get(key) ?? 0) + 1;
		seen.set(key, n);
		if (n > 1) key += `#${n}`;
		const nameAt = start + m[0].length - m[2].length;
		out.push({ key, range: { start: point(tree, start), end: point(tree, node.endIndex) }, nameRange: { start: point(tree, nameAt), end: point(tree, nameAt + m[2].length) } });
	}
	return out;
}

function point(tree: Tree, offset: number): Position {
	const p = tree.pointAt(offset);
	return { line: p.row, character: p.column };
}

function before(a: Position, b: Position): boolean {
	return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** The span holding `p` (spans are in source order and do not overlap). */
export function spanAt(spans: readonly FunctionSpan[], p: Position): FunctionSpan | undefined {
	let lo = 0;
	let hi = spans.length - 1;
	while (lo <= hi) {
		const mid = (lo + hi) >> 1;
		const s = spans[mid];
		if (before(p, s.range.start)) hi = mid - 1;
		else if (before(s.range.end, p)) lo = mid + 1;
		else return s;
	}
	return undefined;
}

/** `does not escape` facts by the function they are in. */
function stackFactsBySpan(spans: readonly FunctionSpan[], placed: readonly PlacedFact[]): Map<FunctionSpan, PlacedFact[]> {
	const out = new Map<FunctionSpan, PlacedFact[]>();
	for (const pf of placed) {
		if (pf.fact.kind !== 'does-not-escape') continue;
		const s = spanAt(spans, pf.range.start);
		if (!s) continue;
		const list = out.get(s);
		if (list) list.push(pf);
		else out.set(s, [pf]);
	}
	return out;
}

/** The `does not escape` facts of the functions in `keys`. */
export function factsOnStack(spans: readonly FunctionSpan[], placed: readonly PlacedFact[], keys: ReadonlySet<string>): Set<PlacedFact> {
	const out = new Set<PlacedFact>();
	if (keys.size === 0) return out;
	for (const [span, facts] of stackFactsBySpan(spans, placed)) if (keys.has(span.key)) for (const pf of facts) out.add(pf);
	return out;
}

/**
 * One lens per function the compiler kept something on the stack in; none when the settings
 * already show every `does not escape` fact.
 */
export function stackLenses(spans: readonly FunctionSpan[], placed: readonly PlacedFact[], keys: ReadonlySet<string>, settings: Settings): StackLens[] {
	if (settings.escapeSeverities['does-not-escape'] !== 'off') return [];
	const out: StackLens[] = [];
	for (const [span, facts] of stackFactsBySpan(spans, placed)) out.push({ key: span.key, range: span.nameRange, count: facts.length, on: keys.has(span.key) });
	return out.sort((a, b) => a.range.start.line - b.range.start.line);
}

/** The lens's title: what clicking it does. */
export function stackLensTitle(l: StackLens): string {
	const values = `${l.count} value${l.count === 1 ? '' : 's'}`;
	return l.on ? `Hide what stays on the stack (${values})` : `Show what stays on the stack in this function (${values})`;
}
