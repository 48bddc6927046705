/**
 * Small tree-sitter-go helpers shared by the rules. Add functions here (do not rename existing
 * ones) when two rules need the same walk.
 */
import type { Node } from '../../syntax/mirror';
import { MNode } from '../../syntax/mirrorNode';
import type { Range, TextEdit } from '../../model';

export const FUNCTION_TYPES = new Set(['function_declaration', 'method_declaration', 'func_literal']);

/** LSP range of a node (web-tree-sitter positions are already 0-based UTF-16). */
export function rangeOf(node: Node): Range {
	return {
		start: { line: node.startPosition.row, character: node.startPosition.column },
		end: { line: node.endPosition.row, character: node.endPosition.column },
	};
}

/** Nearest enclosing function declaration, method or func literal (not `node` itself). */
export function enclosingFunction(node: Node): Node | null {
	for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) return n;
	return null;
}

/** Loops (`for_statement`) between `node` and its enclosing function, innermost first. */
export function enclosingLoops(node: Node): Node[] {
	const loops: Node[] = [];
	for (let n = node.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
		if (n.type === 'for_statement') loops.push(n);
	}
	return loops;
}

/**
 * Shared indexes during one engine run (`withWalkCache`): the rules ask for the same walks over and
 * over. Dropped when the run ends, so nothing outlives it (the mirrored nodes do, from one
 * keystroke to the next).
 */
let shared: Map<object, Map<string, unknown>> | undefined;

/** Runs `fn` with descendant walks indexed (re-entrant: an inner call reuses the outer run's indexes). */
export function withWalkCache<T>(fn: () => T): T {
	if (shared) return fn();
	shared = new Map();
	try {
		return fn();
	} finally {
		shared = undefined;
	}
}

/** `compute()`, computed once per engine run for `owner` and `name` (every call outside a run). */
export function perRun<T>(owner: object, name: string, compute: () => T): T {
	if (!shared) return compute();
	let m = shared.get(owner);
	if (!m) shared.set(owner, (m = new Map()));
	if (m.has(name)) return m.get(name) as T;
	const v = compute();
	m.set(name, v);
	return v;
}

/**
 * A top-level node's subtree in preorder, with each type's preorder positions: any node's
 * descendants of a type are then one binary search away (a subtree is a contiguous preorder range,
 * `node.pre` to `node.preEnd`, stamped on the nodes when the index is built). Kept on the
 * top-level node: the mirror replaces a top-level node whose subtree changed, never edits one.
 */
export interface WalkIndex {
	order: Node[];
	byType: Map<string, number[]>;
}

function buildIndex(top: Node): WalkIndex {
	const order: Node[] = [];
	const byType = new Map<string, number[]>();
	const add = (n: Node): void => {
		n.pre = order.length;
		order.push(n);
		const list = byType.get(n.type);
		if (list) list.push(n.pre);
		else byType.set(n.type, [n.pre]);
	};
	// Iterative (hostile inputs nest deeper than the JS stack allows).
	const nodes: Node[] = [top];
	const next: number[] = [0];
	add(top);
	while (nodes.length) {
		const n = nodes[nodes.length - 1];
		const i = next[next.length - 1];
		const kids = n.children;
		if (i < kids.length) {
			next[next.length - 1] = i + 1;
			add(kids[i]);
			nodes.push(kids[i]);
			next.push(0);
		} else {
			n.preEnd = order.length;
			nodes.pop();
			next.pop();
		}
	}
	return { order, byType };
}

function lowerBound(xs: readonly number[], x: number): number {
	let lo = 0;
	let hi = xs.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (xs[mid] < x) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** Every descendant of `node` (including it) of the given types, in source order. */
export function descendants(node: Node, types: string | string[]): Node[] {
	if (!shared) return node.descendantsOfType(types);
	if (!copied(node)) {
		if (!node.parent) return rootWalk(node, types);
		// A tree-sitter node (a huge file is walked in place, see syntax/mirror.ts `inPlaceTree`):
		// its wrappers are new objects on every access, so walks are memoized by position.
		const key = `${node.id}:${node.startIndex}:${node.endIndex}:${typeof types === 'string' ? types : types.join(',')}`;
		const walks = perRun(shared, 'walks', () => new Map<string, Node[]>());
		let hit = walks.get(key);
		if (!hit) walks.set(key, (hit = node.descendantsOfType(types).filter((n): n is Node => n !== null)));
		return hit.slice();
	}
	if (!node.parent) return (matches(node, types) ? [node] : []).concat(node.children.flatMap((c) => descendants(c, types)));
	let top = node;
	while (top.parent?.parent) top = top.parent;
	const idx = (top.walkIndex ??= buildIndex(top));
	const want = typeof types === 'string' ? [types] : types;
	const hits: number[] = [];
	for (const t of want) {
		const list = idx.byType.get(t);
		if (!list) continue;
		for (let i = lowerBound(list, node.pre); i < list.length && list[i] < node.preEnd; i++) hits.push(list[i]);
	}
	if (want.length > 1) hits.sort((a, b) => a - b);
	return hits.map((i) => idx.order[i]);
}

/**
 * Node types asked of an in-place root so far in this thread. tree-sitter's `descendantsOfType`
 * costs a walk of the whole tree whatever it finds, and the rules ask the root for about ten sets
 * of types: the first root walk of a run asks for every type asked before, and the run's later
 * root walks are answered from its buckets (most of the rules' time on an unedited file otherwise).
 */
const rootTypes = new Set<string>();

interface RootIndex {
	order: Node[];
	/** Type → positions in `order` (preorder, as tree-sitter returns them). */
	byType: Map<string, number[]>;
}

function rootWalk(root: Node, types: string | string[]): Node[] {
	const want = typeof types === 'string' ? [types] : types;
	// web-tree-sitter 0.27 answers only the ERROR nodes when ERROR is one of several types asked.
	if (want.includes('ERROR')) return root.descendantsOfType(types).filter((n): n is Node => n !== null);
	const runs = perRun(shared!, 'rootWalks', () => new Map<string, RootIndex>());
	const key = `${root.id}:${root.startIndex}:${root.endIndex}`;
	let idx = runs.get(key);
	if (!idx || want.some((t) => !idx!.byType.has(t))) {
		for (const t of want) rootTypes.add(t);
		const all = [...rootTypes];
		const order = root.descendantsOfType(all).filter((n): n is Node => n !== null);
		const byType = new Map<string, number[]>(all.map((t) => [t, []]));
		order.forEach((n, i) => byType.get(n.type)?.push(i));
		runs.set(key, (idx = { order, byType }));
	}
	const hits: number[] = [];
	for (const t of new Set(want)) for (const i of idx.byType.get(t)!) hits.push(i);
	if (want.length > 1) hits.sort((a, b) => a - b);
	return hits.map((i) => idx!.order[i]);
}

/** Is `node` from the JS copy (not a tree-sitter node walked in place)? Not a type guard: both have the rules' API. */
function copied(node: Node): boolean {
	return node instanceof MNode;
}

function matches(node: Node, types: string | string[]): boolean {
	return typeof types === 'string' ? node.type === types : types.includes(node.type);
}

/**
 * The dotted name of a call's function: `time.After`, `pool.Put`, `C.CString`, `make`, or
 * `a.b.c.Put` for chains of identifiers and fields; undefined for other callees.
 */
export function calleeName(call: Node): string | undefined {
	const fn = call.childForFieldName('function');
	return fn ? dottedName(fn) : undefined;
}

/** `a`, `a.b`, `a.b.c` for identifier/selector chains; undefined otherwise. */
export function dottedName(node: Node): string | undefined {
	switch (node.type) {
		case 'identifier':
		case 'field_identifier':
		case 'package_identifier':
		case 'type_identifier':
			return node.text;
		case 'selector_expression': {
			const operand = node.childForFieldName('operand');
			const field = node.childForFieldName('field');
			if (!operand || !field) return undefined;
			const left = dottedName(operand);
			return left === undefined ? undefined : `${left}.${field.text}`;
		}
		case 'parenthesized_expression': {
			const inner = node.namedChild(0);
			return inner ? dottedName(inner) : undefined;
		}
		default:
			return undefined;
	}
}

/** The argument expressions of a call (named children of `arguments`, comments excluded). */
export function callArgs(call: Node): Node[] {
	const args = call.childForFieldName('arguments');
	if (!args) return [];
	return args.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment');
}

/** Identifiers declared by the header of a `for … range` or 3-clause loop with `:=`. */
export function loopHeaderVars(loop: Node): Node[] {
	const clause = loop.namedChildren.find((c) => c?.type === 'range_clause' || c?.type === 'for_clause');
	if (!clause) return [];
	if (clause.type === 'range_clause') {
		if (!clause.children.some((c) => c?.type === ':=')) return [];
		const left = clause.childForFieldName('left');
		return left ? descendants(left, 'identifier').filter((n) => n.text !== '_') : [];
	}
	const init = clause.childForFieldName('initializer');
	if (!init || init.type !== 'short_var_declaration') return [];
	const left = init.childForFieldName('left');
	return left ? descendants(left, 'identifier').filter((n) => n.text !== '_') : [];
}

/** The body block of a loop or function node. */
export function bodyOf(node: Node): Node | null {
	return node.childForFieldName('body');
}

/** True if `inner` lies within `outer` (or is it). */
export function contains(outer: Node, inner: Node): boolean {
	return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/**
 * The file's import specs. Go puts imports before every other declaration, so only the leading
 * top-level nodes are walked (not the whole tree: walks cost per node across the WASM boundary);
 * ERROR nodes among them (a half-typed import block) are searched too.
 */
export function importSpecs(root: Node): Node[] {
	if (root.type !== 'source_file') return descendants(root, 'import_spec');
	const out: Node[] = [];
	for (let c = root.firstNamedChild; c; c = c.nextNamedSibling) {
		if (c.type === 'import_declaration' || c.type === 'ERROR') out.push(...descendants(c, 'import_spec'));
		else if (c.type !== 'package_clause' && c.type !== 'comment') break;
	}
	return out;
}

/** Import paths of the file (`"sync"`, `"C"`, …) mapped to the local package name used. */
export function imports(root: Node): Map<string, string> {
	const out = new Map<string, string>();
	for (const spec of importSpecs(root)) {
		const pathNode = spec.childForFieldName('path');
		if (!pathNode) continue;
		const p = pathNode.text.slice(1, -1);
		const name = spec.childForFieldName('name')?.text ?? p.split('/').pop()!;
		out.set(p, name);
	}
	return out;
}

/** Leading whitespace of the line holding `node` (to indent inserted statements). */
export function lineIndent(text: string, node: Node): string {
	const lineStart = text.lastIndexOf('\n', node.startIndex - 1) + 1;
	const m = /^[ \t]*/.exec(text.slice(lineStart, node.startIndex));
	return m ? m[0] : '';
}

/**
 * The local name of `importPath` in this file and, when the file does not import it yet, the edit
 * that adds it (into the last import block, after the last import, or after the package clause).
 */
export function importEdit(root: Node, importPath: string): { name: string; edit?: TextEdit } {
	const have = imports(root).get(importPath);
	if (have !== undefined) return { name: have };
	const name = importPath.split('/').pop()!;
	const decls: Node[] = [];
	for (let c = root.firstNamedChild; c && (c.type === 'import_declaration' || c.type === 'package_clause' || c.type === 'comment'); c = c.nextNamedSibling) {
		if (c.type === 'import_declaration') decls.push(c);
	}
	const last = decls[decls.length - 1];
	const list = last?.namedChildren.find((n) => n?.type === 'import_spec_list');
	if (list) {
		const specs = list.namedChildren.filter((n): n is Node => n?.type === 'import_spec');
		const after = specs[specs.length - 1];
		const at = after ? after.endPosition : { row: list.startPosition.row, column: list.startPosition.column + 1 };
		const pos = { line: at.row, character: at.column };
		return { name, edit: { range: { start: pos, end: pos }, newText: `\n\t"${importPath}"` } };
	}
	let pkg: Node | null = root.firstNamedChild;
	while (pkg && pkg.type === 'comment') pkg = pkg.nextNamedSibling;
	const anchor = last ?? (pkg?.type === 'package_clause' ? pkg : undefined);
	const pos = anchor ? { line: anchor.endPosition.row, character: anchor.endPosition.column } : { line: 0, character: 0 };
	return { name, edit: { range: { start: pos, end: pos }, newText: `${last ? '\n' : '\n\n'}import "${importPath}"` } };
}

/** One walk for several node types, bucketed by type (each root walk costs a full traversal). */
export function byType(node: Node, types: string[]): Map<string, Node[]> {
	const out = new Map<string, Node[]>(types.map((t) => [t, []]));
	for (const n of descendants(node, types)) out.get(n.type)?.push(n);
	return out;
}

/** The block's statements (tree-sitter-go wraps them in a `statement_list`). */
export function blockStatements(block: Node | null): Node[] {
	if (!block) return [];
	const list = block.namedChildren.find((c) => c?.type === 'statement_list');
	const src = list ?? block;
	return src.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment');
}
