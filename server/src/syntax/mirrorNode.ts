/**
 * One node of the rules' JS copy of a syntax tree (see ./mirror.ts): the subset of web-tree-sitter's
 * `Node` API the rules use, read once from tree-sitter and kept up to date with the text.
 */
import type { Point } from 'web-tree-sitter';
import type { MTree } from './mirror';

let nextId = 1;

/** One syntax node, read from tree-sitter once. The same API as web-tree-sitter's `Node`, for what the rules use. */
export class MNode {
	readonly id = nextId++;
	field: string | null = null;
	parent: MNode | null = null;
	/** Index in the parent's children. */
	idx = 0;
	/** Start offset relative to the parent's start (UTF-16 units). */
	rel = 0;
	/** Children; undefined for a top-level node not expanded yet. */
	kids: MNode[] | undefined;
	/** Preorder position and end within its top-level node's walk index (rules/shared/ast.ts `descendants`). */
	pre = 0;
	preEnd = 0;
	/** That index, on a top-level node (built by the rules' first walk, dropped with the children). */
	walkIndex: { order: MNode[]; byType: Map<string, number[]> } | undefined;
	private named: MNode[] | undefined;
	private absAt = -1;
	private abs = 0;

	constructor(
		readonly tree: MTree,
		readonly type: string,
		readonly isNamed: boolean,
		readonly isMissing: boolean,
		/** Length in UTF-16 units. */
		public len: number,
		/** tree-sitter's id for the subtree this was read from (to recognise reused subtrees); -1 when read from a declaration parsed alone, until the file's reparse confirms it. */
		public tsId: number,
	) {}

	get startIndex(): number {
		if (this.absAt === this.tree.epoch) return this.abs;
		const p = this.parent;
		// Top-level nodes keep their offsets in one array (an edit moves all those after it).
		this.abs = p === null ? this.rel : p.parent === null ? p.startIndex + this.tree.topRel[this.idx] : p.startIndex + this.rel;
		this.absAt = this.tree.epoch;
		return this.abs;
	}
	get endIndex(): number {
		return this.startIndex + this.len;
	}
	get startPosition(): Point {
		return this.tree.pointAt(this.startIndex);
	}
	get endPosition(): Point {
		return this.tree.pointAt(this.endIndex);
	}
	get text(): string {
		const s = this.startIndex;
		return this.tree.text.slice(s, s + this.len);
	}
	get isError(): boolean {
		return this.type === 'ERROR';
	}
	get hasError(): boolean {
		return this.preorder().some((n) => n.isError || n.isMissing);
	}

	get children(): MNode[] {
		return this.kids ?? this.tree.expand(this);
	}
	get namedChildren(): MNode[] {
		return (this.named ??= this.children.filter((c) => c.isNamed));
	}
	get childCount(): number {
		return this.children.length;
	}
	get namedChildCount(): number {
		return this.namedChildren.length;
	}
	child(i: number): MNode | null {
		return this.children[i] ?? null;
	}
	namedChild(i: number): MNode | null {
		return this.namedChildren[i] ?? null;
	}
	get firstChild(): MNode | null {
		return this.child(0);
	}
	get lastChild(): MNode | null {
		return this.child(this.children.length - 1);
	}
	get firstNamedChild(): MNode | null {
		for (const c of this.children) if (c.isNamed) return c;
		return null;
	}
	get lastNamedChild(): MNode | null {
		return this.namedChild(this.namedChildren.length - 1);
	}
	childForFieldName(name: string): MNode | null {
		for (const c of this.children) if (c.field === name) return c;
		return null;
	}
	childrenForFieldName(name: string): MNode[] {
		return this.children.filter((c) => c.field === name);
	}
	get nextSibling(): MNode | null {
		return this.parent?.children[this.idx + 1] ?? null;
	}
	get previousSibling(): MNode | null {
		return this.parent?.children[this.idx - 1] ?? null;
	}
	get nextNamedSibling(): MNode | null {
		const sibs = this.parent?.children ?? [];
		for (let i = this.idx + 1; i < sibs.length; i++) if (sibs[i].isNamed) return sibs[i];
		return null;
	}
	get previousNamedSibling(): MNode | null {
		const sibs = this.parent?.children ?? [];
		for (let i = this.idx - 1; i >= 0; i--) if (sibs[i].isNamed) return sibs[i];
		return null;
	}
	equals(other: MNode): boolean {
		return this === other;
	}
	/** This node and its descendants of `types`, in source order (as web-tree-sitter's). */
	descendantsOfType(types: string | readonly string[]): MNode[] {
		const want = typeof types === 'string' ? [types] : types;
		return this.preorder().filter((n) => want.includes(n.type));
	}
	/** This node and its descendants in preorder (iterative: hostile inputs nest deeper than the JS stack). */
	private preorder(): MNode[] {
		const out: MNode[] = [];
		const stack: MNode[] = [this];
		while (stack.length) {
			const n = stack.pop()!;
			out.push(n);
			const kids = n.children;
			for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
		}
		return out;
	}
	/** Drops the children of a top-level node (they are read again on the next access). */
	collapse(): void {
		this.kids = undefined;
		this.named = undefined;
		this.walkIndex = undefined;
	}
	/** `fresh` in place of the child `old` (already swapped in `kids`): keeps the named-children cache. */
	replaceKid(old: MNode, fresh: MNode): void {
		if (!this.named) return;
		const i = old.isNamed === fresh.isNamed ? this.named.indexOf(old) : -1;
		if (i >= 0) this.named[i] = fresh;
		else this.named = undefined;
	}
	setKids(kids: MNode[]): void {
		this.kids = kids;
		this.named = undefined;
		this.walkIndex = undefined;
	}
}

