/**
 * The keystroke path that defers the file's reparse (see TreeCache.applyChanges): the rules' copy
 * of the tree is changed without tree-sitter's new tree, by re-reading the smallest statement or
 * declaration parsed alone (`splice`) or by stretching the one token typed in (`stretch`, no parse
 * at all); `settle` checks the copy node by node once the file's reparse has run.
 */
import type { Node as TsNode, Tree as TsTree } from 'web-tree-sitter';
import type { LineStarts } from './lineStarts';
import { topsById, type MTree, type OffsetRange, type PreparedEdit } from './mirror';
import type { MNode } from './mirrorNode';
import { sameShape, sameTops } from './mirrorCheck';
import { RELEX, WORD_CHAR } from './relex';

/**
 * The smallest node a change noted in `edit` can be re-read from by parsing its text alone: the
 * innermost statement of a statement list holding the change strictly inside, else its
 * top-level node (read first if it was not).
 */
export function spliceTarget(m: MTree, edit: PreparedEdit): MNode {
	const top = m.rootNode.children[edit.index];
	let best = top;
	for (let n = top; ; ) {
		let next: MNode | undefined;
		for (const k of n.children) {
			const s = k.startIndex;
			if (s >= edit.oldEnd) break;
			if (s < edit.start && edit.oldEnd < s + k.len) {
				next = k;
				break;
			}
		}
		if (!next) return best;
		if (n.type === 'statement_list') best = next;
		n = next;
	}
}

/**
 * The leaf token under `within` (from `spliceTarget`) a change noted in `edit` falls in (its ends
 * included), if it is one whose text alone decides its kind (names, comments, string contents):
 * see `relexes`.
 */
export function tokenAt(within: MNode, edit: PreparedEdit): MNode | undefined {
	// The leaves the change touches (ends included): at most two, on either side of a boundary.
	const leaves: MNode[] = [];
	const visit = (n: MNode): void => {
		const kids = n.children;
		if (kids.length === 0) {
			leaves.push(n);
			return;
		}
		for (const k of kids) {
			const s = k.startIndex;
			if (s > edit.start) break;
			if (edit.oldEnd <= s + k.len) visit(k);
		}
	};
	visit(within);
	const words = leaves.filter((l) => RELEX.has(l.type));
	if (words.length !== 1) return undefined;
	// Text typed against a neighbour joins the token only if the neighbour cannot take it (`f` + `(`).
	for (const o of leaves) {
		if (o === words[0]) continue;
		const t = o.text;
		const c = o.startIndex >= edit.oldEnd ? t[0] : t[t.length - 1];
		if (c === undefined || WORD_CHAR.test(c)) return undefined;
	}
	return words[0];
}

/**
 * The keystroke path for a change inside one token that stays the same kind (see `relexes`):
 * the token and its ancestors grow by `delta`, what follows moves; no node is re-read. `pending`
 * runs the file's reparse later (it must end with `settle`). Returns the top-level node's new range.
 */
export function stretch(m: MTree, token: MNode, delta: number, text: string, lines: LineStarts, pending: () => void): OffsetRange {
	token.len += delta;
	const top = grow(m, token, delta, text, lines, pending);
	m.expandedChars += top.kids ? delta : 0;
	// Same shape, so its walk index stands; its id is the old tree's until `settle`.
	top.tsId = -1;
	return { start: top.startIndex, end: top.endIndex };
}

/**
 * After `n` changed length by `delta`: its ancestors grow, what follows them moves, the copy takes
 * the new text with its reparse pending. Returns `n`'s top-level node.
 */
function grow(m: MTree, n: MNode, delta: number, text: string, lines: LineStarts, pending: () => void): MNode {
	const root = m.rootNode;
	let top = n;
	while (top.parent !== root) {
		const p = top.parent!;
		const sibs = p.kids!;
		for (let i = top.idx + 1; i < sibs.length; i++) sibs[i].rel += delta;
		p.len += delta;
		top = p;
	}
	const rel = m.topRel;
	for (let k = top.idx + 1; k < rel.length; k++) rel[k] += delta;
	root.len += delta;
	m.edited = true;
	m.text = text;
	m.lines = lines;
	m.epoch++;
	m.pendingParse = pending;
	return top;
}

/** The type name of a tree-sitter type id (as the copies have it). */
export function typeName(m: MTree, typeId: number): string {
	return m.types[typeId] ?? 'ERROR';
}

/**
 * The keystroke path without the file's reparse: `target` (from `spliceTarget`: the change
 * noted in `edit` is strictly inside it) is replaced by a copy of `alone`, the only node of a
 * parse of its new text by itself; its ancestors grow and what follows moves. `pending` runs the
 * file's reparse later (it must end with `settle`). Returns the top-level node's new range.
 */
export function splice(m: MTree, target: MNode, edit: PreparedEdit, alone: TsNode, text: string, lines: LineStarts, pending: () => void): OffsetRange {
	const delta = edit.newLen - (edit.oldEnd - edit.start);
	let top = grow(m, target, delta, text, lines, pending);
	const fresh = m.node(alone.typeId, false, alone.endIndex - alone.startIndex, -1);
	const parent = target.parent!;
	fresh.parent = parent;
	fresh.idx = target.idx;
	fresh.rel = target.rel;
	fresh.field = target.field;
	parent.kids![target.idx] = fresh;
	parent.replaceKid(target, fresh);
	if (target === top) {
		if (target.kids) m.expandedChars -= target.len;
		m.expandedChars += fresh.len;
		top = fresh;
	} else {
		m.expandedChars += delta;
		// Edited in place: its walk index is stale, and its id is the old tree's until `settle`.
		top.walkIndex = undefined;
		top.tsId = -1;
	}
	const c = alone.walk();
	try {
		m.fill(c, fresh, '', undefined, 0, alone.startIndex, false);
	} finally {
		c.delete();
	}
	return { start: top.startIndex, end: top.endIndex };
}

/**
 * Ends a deferred reparse: `ts` is the file's tree for the current text. Checks the declarations
 * spliced since (`spliced`: index → the old node's type and parse state) node by node against
 * it, taking tree-sitter's ids; with the same parse state and extent the parser's re-shaping
 * stopped there, so the other top-level copies stand (as in `update`), else they are checked
 * one by one. 'kept': the copy was right; 'reread': it was, but other top-level nodes were
 * re-parsed (error recovery elsewhere in the file) and the list was read again; 'wrong': a
 * spliced copy differed (what the rules saw was wrong: run them again).
 */
export function settle(m: MTree, ts: TsTree, spliced: ReadonlyMap<number, { type: number; state: number }>): 'kept' | 'reread' | 'wrong' {
	m.ts = ts;
	m.pendingParse = undefined;
	const root = m.rootNode;
	const tops = root.children;
	let ok = ts.rootNode.childCount === tops.length && ts.rootNode.endIndex - ts.rootNode.startIndex === root.len;
	let sameStates = true;
	for (const [index, was] of spliced) {
		if (!ok) break;
		const real = ts.rootNode.child(index);
		ok = !!real && real.typeId === was.type && !real.hasError && sameShape(real.walk(), tops[index], m.types, m.fields);
		sameStates &&= real?.parseState === was.state;
	}
	// A comment's parse state is the parser's where it sits, which a reparse may not give back:
	// then the other top-level nodes are checked one by one (tree-sitter kept them: same ids).
	const kept = ok && (sameStates || sameTops(ts, tops, spliced, m.types, m.fields));
	if (!kept) {
		m.rootNode = m.readTop(ts, topsById(tops), m.text);
		m.expandedChars = m.rootNode.children.reduce((n, t) => n + (t.kids ? t.len : 0), 0);
	}
	return kept ? 'kept' : ok ? 'reread' : 'wrong';
}

/** A statement parsed alone is parsed in a function body. */
export const STATEMENT_HEAD = 'func _() {\n';
export const STATEMENT_TAIL = '\n}\n';

/** The only statement of a function declaration's body, if it has exactly one. */
export function onlyStatement(fn: TsNode | null): TsNode | null {
	const list = fn?.childForFieldName('body')?.namedChild(0);
	return list?.type === 'statement_list' && list.childCount === 1 ? list.child(0) : null;
}
