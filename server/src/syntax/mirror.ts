/**
 * A JavaScript copy of a tree-sitter tree for the rules to walk.
 *
 * Every property read on a web-tree-sitter `Node` crosses into WASM and allocates a new wrapper.
 * The rules read each node many times, so on a keystroke they cost several times the reparse
 * itself. Here each node is read once into a plain object (`MNode`, the subset of the `Node` API
 * the rules use) and then kept up to date with the text:
 *
 * - Offsets are stored relative to the parent, so an edit moves the nodes after it by changing
 *   the offsets of a few top-level nodes, not of every node.
 * - Top-level nodes (children of `source_file`) are expanded lazily, on first access.
 * - After an edit inside one top-level node, only the nodes tree-sitter re-created are read
 *   again. A subtree tree-sitter reused keeps its id (its address in WASM memory), so the old
 *   copy is moved over as it is (see `rebuild`).
 *
 * Positions (rows and UTF-16 columns, counting `\n` as tree-sitter does) come from the text's
 * line starts.
 */
import type { Node as TsNode, Point, Tree as TsTree, TreeCursor } from 'web-tree-sitter';
import { MNode } from './mirrorNode';
import { LineStarts } from './lineStarts';

/** Where a change falls in the mirror, noted before the tree is edited (see `MTree.prepareEdit`). */
export interface PreparedEdit {
	start: number;
	oldEnd: number;
	newLen: number;
	index: number;
	oldTopId: number;
	count: number;
	/** The old node's type and parse state (the new one must match both). */
	type: number;
	state: number;
}

export interface OffsetRange {
	start: number;
	end: number;
}

/** One document's mirrored tree: the root's children are top-level nodes, expanded on demand. */
export class MTree {
	/**
	 * Set while the copy is ahead of `ts` (a keystroke changed it without the file's reparse, see
	 * ./mirrorSplice.ts): runs the deferred reparse, which ends with `settle`. Anything that reads
	 * `ts` calls it first.
	 */
	pendingParse: (() => void) | undefined;
	/** Bumped on every text change: cached absolute offsets older than this are recomputed. */
	epoch = 0;
	/** Set by the first edit: until then whole-file runs walk tree-sitter in place (`wholeRunTree`). */
	edited = false;
	/** Offsets of the top-level nodes relative to the root's start, by index. */
	topRel: Float64Array = new Float64Array(0);
	/** Length of the text under expanded top-level nodes (~250 bytes of copies per node, ~0.6 nodes per character). */
	expandedChars = 0;
	rootNode: MNode;
	/** @internal Type and field names by tree-sitter id (for ./mirrorSplice.ts). */
	readonly types: string[];
	/** @internal */
	readonly fields: (string | null)[];
	private readonly named: boolean[];

	constructor(
		/** @internal */
		public ts: TsTree,
		public text: string,
		public lines: LineStarts = LineStarts.of(text),
	) {
		const lang = ts.language;
		this.types = lang.types.map((t) => t ?? 'ERROR');
		this.fields = lang.fields;
		this.named = this.types.map((_, i) => lang.nodeTypeIsNamed(i));
		this.rootNode = this.readTop(ts);
	}

	pointAt(offset: number): Point {
		return this.lines.pointAt(offset);
	}

	/** The tree-sitter tree this mirrors (for the few lookups not mirrored). */
	get tsTree(): TsTree {
		this.pendingParse?.();
		return this.ts;
	}

	/** Reads a top-level node's subtree (lazily, the first time its children are asked for). */
	expand(n: MNode): MNode[] {
		if (n.parent !== this.rootNode) throw new Error(`mirror: ${n.type} has no children read`);
		this.pendingParse?.();
		// The deferred reparse disagreed with a spliced declaration and re-read the top-level list:
		// `n` is no longer in it (the rules run again over the new list).
		if (this.rootNode.kids![n.idx] !== n) return (n.kids = []);
		const ts = this.ts.rootNode.child(n.idx);
		if (!ts || ts.startIndex !== n.startIndex || ts.endIndex !== n.endIndex) throw new Error('mirror out of step with its tree');
		const c = ts.walk();
		try {
			this.fill(c, n);
		} finally {
			c.delete();
		}
		this.expandedChars += n.len;
		return n.kids!;
	}

	/**
	 * Before `tree.edit`: notes where a change of the old text ([start, oldEnd) replaced by newLen
	 * units) falls. Only a change strictly inside one top-level node can be followed node by node.
	 */
	prepareEdit(old: TsTree, start: number, oldEnd: number, newLen: number): PreparedEdit | undefined {
		const tops = this.rootNode.children;
		const i = topIndexAt(tops, start);
		const top = tops[i];
		if (!top || !(top.startIndex < start && oldEnd < top.endIndex)) return undefined;
		const ts = old.rootNode.child(i);
		if (!ts || ts.hasError) return undefined;
		return { start, oldEnd, newLen, index: i, oldTopId: ts.id, count: tops.length, type: ts.typeId, state: ts.parseState };
	}

	/**
	 * Follows a reparse: `ts` is the new tree, `text` its text. With `edit` (from `prepareEdit`,
	 * one change) and the new top-level node at the same index being the old one moved (same start,
	 * end moved by the change, same type and parse state, no errors in it before or after, as many
	 * top-level nodes), only that node is read again: the parser's re-shaping stopped at its end
	 * (tree-sitter-go has no external scanner, and the next node starts in the same state on the same
	 * text), so every other top-level copy is still right. An error elsewhere in the file is
	 * recovered from the same state on the same text, the same way (test/unit/mirror.test.ts checks
	 * the copy against the tree after thousands of random edits of broken code).
	 * Otherwise the top-level list is read again, reusing copies by tree-sitter id. Returns whether
	 * the change stayed inside one top-level node (its new range then bounds what changed).
	 */
	update(ts: TsTree, text: string, lines: LineStarts, edit?: PreparedEdit): OffsetRange | undefined {
		const root = this.rootNode;
		const tops = root.children;
		const old = edit ? tops[edit.index] : undefined;
		const delta = edit ? edit.newLen - (edit.oldEnd - edit.start) : 0;
		const tsTop = edit && old ? ts.rootNode.child(edit.index) : null;
		const inPlace =
			edit &&
			old &&
			tsTop &&
			ts.rootNode.childCount === edit.count &&
			tsTop.startIndex === old.startIndex &&
			tsTop.endIndex === old.endIndex + delta &&
			tsTop.typeId === edit.type &&
			tsTop.parseState === edit.state &&
			!tsTop.hasError;
		// Copies that may be reused, with their offsets in the old text (read before anything moves).
		const reuse = !inPlace ? topsById(tops) : undefined;
		// The old copy's ids are those of the old tree only if tree-sitter still had the very subtree we read.
		const from = inPlace && old?.kids && old.tsId === edit?.oldTopId ? old : undefined;
		const fromStart = from ? from.startIndex : 0;
		const oldText = this.text;
		this.edited = true;
		this.ts = ts;
		this.text = text;
		this.lines = lines;
		this.epoch++;
		if (!inPlace || !old || !tsTop || !edit) {
			this.rootNode = this.readTop(ts, reuse, oldText);
			this.expandedChars = this.rootNode.children.reduce((n, t) => n + (t.kids ? t.len : 0), 0);
			return undefined;
		}
		if (old.kids) this.expandedChars -= old.len;
		const rel = this.topRel;
		for (let k = edit.index + 1; k < rel.length; k++) rel[k] += delta;
		root.len += delta;
		const fresh = this.node(tsTop.typeId, false, tsTop.endIndex - tsTop.startIndex, tsTop.id);
		fresh.parent = root;
		fresh.idx = edit.index;
		fresh.rel = 0;
		fresh.field = old.field;
		tops[edit.index] = fresh;
		root.replaceKid(old, fresh);
		if (from) {
			const c = tsTop.walk();
			try {
				this.fill(c, fresh, oldText, from, fromStart);
			} finally {
				c.delete();
			}
			this.expandedChars += fresh.len;
		}
		return { start: tsTop.startIndex, end: tsTop.endIndex };
	}

	/** Drops the children read for every top-level node (memory; they are read again when needed). */
	collapse(): void {
		for (const t of this.rootNode.children) t.collapse();
		this.expandedChars = 0;
	}

	/** @internal */
	node(typeId: number, missing: boolean, len: number, tsId: number): MNode {
		return new MNode(this, this.types[typeId] ?? 'ERROR', this.named[typeId] ?? true, missing, len, tsId);
	}

	/** The root and its children (not expanded), reusing the copies in `reuse` that tree-sitter reused. */
	/** @internal */
	readTop(ts: TsTree, reuse?: Reusable, oldText = ''): MNode {
		const r = ts.rootNode;
		const root = this.node(r.typeId, false, r.endIndex - r.startIndex, r.id);
		root.rel = r.startIndex;
		const kids: MNode[] = [];
		const rels: number[] = [];
		const c = r.walk();
		try {
			if (c.gotoFirstChild()) {
				do {
					const start = c.startIndex;
					const len = c.endIndex - start;
					const n = this.reused(reuse, c, start, len, oldText) ?? this.node(c.nodeTypeId, len === 0 && c.nodeIsMissing, len, c.nodeId);
					n.parent = root;
					n.idx = kids.length;
					n.rel = 0;
					rels.push(start - r.startIndex);
					n.field = this.fields[c.currentFieldId] ?? null;
					kids.push(n);
				} while (c.gotoNextSibling());
			}
		} finally {
			c.delete();
		}
		root.setKids(kids);
		this.topRel = Float64Array.from(rels);
		return root;
	}

	/**
	 * The old copy of the node under the cursor if tree-sitter reused its subtree: same id (its
	 * address), and, because an id kept from an older tree could name a freed and reallocated
	 * subtree, the same type, length and text too.
	 */
	private reused(reuse: Reusable | undefined, c: TreeCursor, start: number, len: number, oldText: string): MNode | undefined {
		const prev = reuse?.get(c.nodeId);
		return prev && this.same(prev.node, prev.start, c, start, len, oldText) ? prev.node : undefined;
	}

	/** Is `old` (at `oldStart` in `oldText`) the subtree under the cursor, moved? */
	private same(old: MNode, oldStart: number, c: TreeCursor, start: number, len: number, oldText: string): boolean {
		if (old.len !== len || !old.kids || old.kids.length === 0 || old.type !== this.types[c.nodeTypeId]) return false;
		return oldText.slice(oldStart, oldStart + len) === this.text.slice(start, start + len);
	}

	/**
	 * Reads the descendants of `top` (the cursor is on it). With `oldTop` (the old copy of this node,
	 * at `oldTopStart` in `oldText`), subtrees tree-sitter reused are moved over, not read: found
	 * among the children of the old node at the same place (a one-character edit keeps the path to
	 * it: no index of the old copy is needed).
	 */
	/** @internal */
	fill(c: TreeCursor, top: MNode, oldText = '', oldTop?: MNode, oldTopStart = 0, cursorTopStart = top.startIndex, ids = true): void {
		top.setKids([]);
		if (!c.gotoFirstChild()) return;
		let parent = top;
		let parentStart = cursorTopStart;
		let oldParent = oldTop;
		let oldParentStart = oldTopStart;
		const stack: [number, MNode | undefined, number][] = [];
		for (;;) {
			const start = c.startIndex;
			const len = c.endIndex - start;
			const kids = parent.kids!;
			const k = kids.length;
			let n: MNode | undefined;
			let oldHere: MNode | undefined;
			let oldHereStart = 0;
			// Only tree-sitter's ids tell a reused subtree: the same text can be parsed another way in
			// another place (`(a.B)` is a type after `new`, an expression after `f`).
			if (ids && oldParent?.kids) {
				const id = c.nodeId;
				const olds = oldParent.kids;
				const o = olds[k];
				// The same index first, then the siblings (a token added or removed shifts them).
				if (o && o.tsId === id && this.same(o, oldParentStart + o.rel, c, start, len, oldText)) n = o;
				else {
					for (const s of olds) {
						if (s === o || s.tsId !== id || !this.same(s, oldParentStart + s.rel, c, start, len, oldText)) continue;
						n = s;
						break;
					}
				}
				if (!n && o && o.type === this.types[c.nodeTypeId]) {
					oldHere = o;
					oldHereStart = oldParentStart + o.rel;
				}
			}
			const descend = !n;
			if (!n) {
				n = this.node(c.nodeTypeId, len === 0 && c.nodeIsMissing, len, ids ? c.nodeId : -1);
				n.setKids([]);
			}
			n.parent = parent;
			n.idx = k;
			n.rel = start - parentStart;
			n.field = this.fields[c.currentFieldId] ?? null;
			kids.push(n);
			if (descend && c.gotoFirstChild()) {
				stack.push([parentStart, oldParent, oldParentStart]);
				parent = n;
				parentStart = start;
				oldParent = oldHere;
				oldParentStart = oldHereStart;
				continue;
			}
			while (!c.gotoNextSibling()) {
				if (parent === top) return;
				c.gotoParent();
				parent = parent.parent!;
				[parentStart, oldParent, oldParentStart] = stack.pop()!;
			}
		}
	}
}

/** Old copies by tree-sitter id, with their start in the old text. */
type Reusable = Map<number, { node: MNode; start: number }>;

/** The index of the top-level node holding `offset` (start ≤ offset < end), or -1. */
export function topIndexAt(tops: readonly MNode[], offset: number): number {
	let lo = 0;
	let hi = tops.length - 1;
	while (lo <= hi) {
		const mid = (lo + hi) >> 1;
		const t = tops[mid];
		const start = t.startIndex;
		if (offset < start) hi = mid - 1;
		else if (offset >= start + t.len) lo = mid + 1;
		else return mid;
	}
	return -1;
}

/** The read top-level copies with children, by tree-sitter id. */
export function topsById(tops: readonly MNode[]): Reusable {
	const out: Reusable = new Map();
	for (const t of tops) if (t.kids && t.kids.length > 0) out.set(t.tsId, { node: t, start: t.startIndex });
	return out;
}

/**
 * Above this length a whole-file rule run walks tree-sitter's nodes in place instead of the copy:
 * the copy takes ~250 bytes a node (~150 a character), 1.35 GB of RSS for a 4.5 MB file against
 * 0.6 GB walking in place. Keystrokes still go through the copy (they read one declaration).
 */
export const IN_PLACE_CHARS = 1_000_000;

/**
 * The tree a whole-file rule run should walk: the copy once the document has been edited (the
 * keystrokes that follow re-read from it), tree-sitter's own tree for a document only opened (no
 * copies for the dozens of files an editor opens and nobody types in) or a huge text.
 * The rules use only the part of the Node API that web-tree-sitter's nodes have too, and
 * rules/shared/ast.ts `descendants` tells the two apart; the cast is that contract.
 */
export function wholeRunTree(tree: MTree): MTree {
	return tree.text.length > IN_PLACE_CHARS || !tree.edited ? (tree.tsTree as unknown as MTree) : tree;
}

/** A mirror of a whole tree (CLI, tests): top-level nodes are read when first walked. */
export function mirrorOf(tree: TsTree, text: string): MTree {
	return new MTree(tree, text);
}

/** The names the rules use: they walk mirrors, never tree-sitter's nodes. */
export type { MNode as Node, MTree as Tree, Point };
export { MNode };
