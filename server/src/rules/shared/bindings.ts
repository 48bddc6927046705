/**
 * Where a local variable is used, on top of the scope resolver (declarations.ts): its references
 * in a region, whether it is declared there, whether the region assigns it as a whole, whether a
 * name is hidden inside a region. Enough for the rules to tell a variable of the loop body from an
 * outer one of the same name (shadowing).
 */
import type { Node } from '../../syntax/mirror';
import { contains, descendants } from './ast';
import { type Declaration, localDeclarationOf, resolve, sameDeclaration } from './declarations';

/** A local declaration: a parameter, receiver, result, or a name a statement of the body declares. */
export type Binding = Declaration;

/** Is the binding declared inside `region` (its header included)? */
export function declaredInside(b: Binding | undefined, region: Node): boolean {
	return !!b && b.id.startIndex >= region.startIndex && b.id.endIndex <= region.endIndex;
}

/** Identifiers in `region` that refer to binding `b` (its declaring identifier included). */
export function referencesTo(b: Binding, region: Node): Node[] {
	return descendants(region, 'identifier').filter((n) => n.text === b.name && !isCompositeKey(n) && sameDeclaration(localDeclarationOf(n), b));
}

/** Identifiers other than the declaring one that refer to `b`, in source order. */
export function usesOf(b: Binding): Node[] {
	return referencesTo(b, b.scope).filter((n) => !n.equals(b.id));
}

/** `k` in `T{k: v}`: a field name, not a variable. */
function isCompositeKey(id: Node): boolean {
	const el = id.parent;
	return el?.type === 'literal_element' && el.parent?.type === 'keyed_element' && !!el.parent.childForFieldName('key')?.equals(el);
}

/** Is `b` assigned as a whole (`b = …`, `b, err = …`, `b++`) inside `region`? A field or element store does not count. */
export function reassignedIn(b: Binding, region: Node): boolean {
	for (const a of descendants(region, ['assignment_statement', 'inc_statement', 'dec_statement'])) {
		const targets = a.type === 'assignment_statement' ? (a.childForFieldName('left')?.namedChildren ?? []) : [a.namedChild(0)];
		if (targets.some((t) => t?.type === 'identifier' && t.text === b.name && sameDeclaration(localDeclarationOf(t), b))) return true;
	}
	return false;
}

/** Declared by a statement of the function body (not a parameter, receiver or result). */
export function declaredInBody(b: Binding): boolean {
	return b.kind !== 'param' && b.kind !== 'receiver' && b.kind !== 'result';
}

/**
 * True when `ident` (inside `stop`) refers to the variable that `stop` (a loop, a statement list,
 * the parent of a function…) sees: no declaration inside `stop` hides it (declarations.ts). A
 * loop's own header variables, and the names its statement list declares, are seen by `stop`.
 */
export function resolvesThrough(ident: Node, stop: Node): boolean {
	if (!contains(stop, ident)) return false;
	const d = resolve(ident);
	return !d || d.scope.equals(stop) || !contains(stop, d.scope);
}

/** True for the identifier that a `:=`, `var`, parameter or `case x := <-ch` declares. */
export function isDeclaringIdent(ident: Node): boolean {
	const p = ident.parent;
	if (!p) return false;
	if (p.type === 'var_spec' || p.type === 'const_spec' || p.type === 'parameter_declaration' || p.type === 'variadic_parameter_declaration') {
		return p.childrenForFieldName('name').some((n) => n?.equals(ident));
	}
	const decl = p.type === 'expression_list' ? p.parent : null;
	if (!decl || !decl.childForFieldName('left')?.equals(p)) return false;
	if (decl.type === 'short_var_declaration') return true;
	return (decl.type === 'range_clause' || decl.type === 'receive_statement') && decl.children.some((c) => c?.type === ':=');
}

/** Identifiers named `name` under `root` that may be variable references (not declaring ones, not struct literal keys), whatever they resolve to. */
export function identRefs(root: Node, name: string): Node[] {
	return descendants(root, 'identifier').filter((n) => {
		if (n.text !== name || isDeclaringIdent(n)) return false;
		// `T{name: …}`: the key of a keyed element is almost always a field name.
		return !isCompositeKey(n);
	});
}
