/**
 * Scoped rule runs: on a keystroke only the top-level declarations the edit touched are
 * re-checked. Rules find their sites through `sites`,
 * which walks the scope (the touched declarations plus the file's non-function declarations:
 * imports, types, package-level vars) instead of the whole file; file-level data computed on the
 * last whole-file run (`RuleMemo`) stands in for what lives in untouched functions. The whole-file
 * run that follows once typing pauses replaces any result that depended on another function.
 */
import type { Node, Point, Tree } from '../syntax/mirror';
import type { RuleContext } from './types';
import { descendants, perRun } from './shared/ast';
import { topIndexAt } from '../syntax/mirror';

/** File-level data the rules keep from the last whole-file run of a document (plain data only: nodes of an old tree are freed). */
export type RuleMemo = Map<string, unknown>;

export const FUNCTION_DECLS = new Set(['function_declaration', 'method_declaration']);

/** Roots rules walk for sites and file-level data: the scope plus its context declarations, or the whole file. */
export function scopeRoots(ctx: Pick<RuleContext, 'tree' | 'scope'>): Node[] {
	if (!ctx.scope) return [ctx.tree.rootNode];
	return [...ctx.scope.context, ...ctx.scope.decls].sort((a, b) => a.startIndex - b.startIndex);
}

function walk(roots: readonly Node[], types: string | string[]): Node[] {
	return roots.length === 1 ? descendants(roots[0], types) : roots.flatMap((r) => descendants(r, types));
}

/** Every node of `types` where a finding may be reported: the touched declarations, or the whole file. */
export function sites(ctx: Pick<RuleContext, 'tree' | 'scope'>, types: string | string[]): Node[] {
	return walk(ctx.scope ? ctx.scope.decls : [ctx.tree.rootNode], types);
}

/** Nodes of several types over the scope and its context (file-level lookups: types, imports, package vars), bucketed by type. */
export function sitesByType(ctx: Pick<RuleContext, 'tree' | 'scope'>, types: string[]): Map<string, Node[]> {
	const out = new Map<string, Node[]>(types.map((t) => [t, []]));
	for (const n of walk(scopeRoots(ctx), types)) out.get(n.type)?.push(n);
	return out;
}

/** The memo value `key`: computed and stored on whole-file runs, read back on scoped runs. */
export function memoized<T>(ctx: Pick<RuleContext, 'scope' | 'memo'>, key: string, compute: () => T): T | undefined {
	if (ctx.scope) return ctx.memo?.get(key) as T | undefined;
	const v = compute();
	ctx.memo?.set(key, v);
	return v;
}

/** The child of the root (a top-level declaration, comment or ERROR node) holding a UTF-16 offset, or a named one holding a point, if any. */
export function topLevelAt(tree: Tree, at: number | Point): Node | undefined {
	const tops = tree.rootNode.children;
	if (typeof at === 'number') return tops[topIndexAt(tops, at)];
	const n = tops[topIndexAt(tops, tree.lines.lineStart(at.row) + at.column)];
	return n?.isNamed ? n : undefined;
}

/** The non-function top-level declarations (imports, types, vars, consts): a scoped run's context. Walks the root's children. */
export function contextDecls(tree: Tree): Node[] {
	return tree.rootNode.namedChildren.filter((n): n is Node => !!n && !FUNCTION_DECLS.has(n.type) && n.type !== 'comment');
}

/** The top-level declarations a run may look at: the whole file's, or the scope and its context. */
export function topLevel(ctx: Pick<RuleContext, 'tree' | 'scope'>): Node[] {
	if (ctx.scope) return scopeRoots(ctx);
	return ctx.tree.rootNode.namedChildren.filter((n): n is Node => n !== null);
}

/** Names of the package-level variables (`var` declarations at top level). */
export function packageVars(ctx: Pick<RuleContext, 'tree' | 'scope'>): Set<string> {
	const out = new Set<string>();
	for (const d of topLevel(ctx)) {
		if (d.type !== 'var_declaration') continue;
		for (const s of descendants(d, 'var_spec')) for (const n of s.childrenForFieldName('name')) if (n) out.add(n.text);
	}
	return out;
}

/** Does the LSP position (0-based line, UTF-16 character) fall inside one of `nodes`? */
export function inNodes(nodes: readonly Node[], line: number, character = 0): boolean {
	return nodes.some((d) => {
		const s = d.startPosition;
		const e = d.endPosition;
		return (line > s.row || (line === s.row && character >= s.column)) && (line < e.row || (line === e.row && character < e.column));
	});
}

/**
 * Does the text a run can report in mention `needle`? A cheap gate before a rule walks anything:
 * the whole text on a whole-file run; on a scoped run only the touched declarations and their
 * context (scanning a long file on every keystroke costs more than the rules).
 */
export function mentions(ctx: Pick<RuleContext, 'text' | 'scope'>, needle: string): boolean {
	const scope = ctx.scope;
	if (!scope) return ctx.text.includes(needle);
	return perRun(scope, `mentions:${needle}`, () => scope.decls.some((d) => d.text.includes(needle)) || scope.context.some((d) => d.text.includes(needle)));
}
