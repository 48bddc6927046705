/**
 * Which declaration an identifier refers to, from the syntax tree alone (Go's block scoping:
 * blocks, the implicit blocks of if/for/switch/select clauses, function parameters). Enough for the
 * rules to tell a variable of the loop body from an outer one of the same name (shadowing); no
 * types, no package scope (an identifier declared at package level or imported resolves to nothing).
 */
import type { Node } from '../syntax/mirror';
import { descendants, FUNCTION_TYPES } from './ast';

/** A local declaration: the declaring identifier and the statement or clause that declares it. */
export interface Binding {
	name: string;
	/** The identifier at the declaration. */
	id: Node;
	/** The declaring node: short_var_declaration, var_spec, const_spec, range_clause, parameter_declaration, … */
	decl: Node;
}

const STATEMENT_LISTS = new Set(['statement_list', 'block', 'source_file']);

/** Identifiers a statement declares in the block it stands in (`a, b := …`, `var a, b T`, `const …`). */
export function declaredBy(stmt: Node): Node[] {
	switch (stmt.type) {
		case 'short_var_declaration':
			return (stmt.childForFieldName('left')?.namedChildren ?? []).filter((n): n is Node => n?.type === 'identifier');
		case 'var_declaration':
		case 'const_declaration': {
			const kind = stmt.type === 'var_declaration' ? 'var_spec' : 'const_spec';
			const specs = stmt.namedChildren.flatMap((c) => (c?.type === kind ? [c] : c?.type === `${kind}_list` ? c.namedChildren.filter((s): s is Node => s?.type === kind) : []));
			return specs.flatMap((s) => s.childrenForFieldName('name').filter((n): n is Node => n?.type === 'identifier'));
		}
		case 'labeled_statement': {
			const inner = stmt.namedChildren.find((c) => c !== null && c.type !== 'label_name' && c.type !== 'comment');
			return inner ? declaredBy(inner) : [];
		}
		default:
			return [];
	}
}

function declaringNode(id: Node): Node {
	let n: Node = id;
	while (n.parent && !['short_var_declaration', 'var_spec', 'const_spec', 'range_clause', 'parameter_declaration', 'variadic_parameter_declaration', 'receive_statement', 'type_switch_statement'].includes(n.type)) n = n.parent;
	return n;
}

function binding(id: Node): Binding {
	return { name: id.text, id, decl: declaringNode(id) };
}

/** Names introduced by the header of `owner` that are visible inside `child` (a part of `owner`). */
function headerNames(owner: Node, child: Node): Node[] {
	switch (owner.type) {
		case 'if_statement':
		case 'expression_switch_statement': {
			const init = owner.childForFieldName('initializer');
			return init && !init.equals(child) ? declaredBy(init) : [];
		}
		case 'type_switch_statement': {
			const init = owner.childForFieldName('initializer');
			const out = init && !init.equals(child) ? declaredBy(init) : [];
			// The alias (`y := x.(type)`) is declared in every clause.
			if (child.type === 'type_case' || child.type === 'default_case') {
				const alias = owner.childForFieldName('alias');
				out.push(...(alias?.namedChildren ?? []).filter((n): n is Node => n?.type === 'identifier'));
			}
			return out;
		}
		case 'for_statement': {
			const clause = owner.namedChildren.find((c) => c?.type === 'for_clause' || c?.type === 'range_clause');
			if (!clause || clause.equals(child)) return [];
			if (clause.type === 'range_clause') {
				if (!clause.children.some((c) => c?.type === ':=')) return [];
				return (clause.childForFieldName('left')?.namedChildren ?? []).filter((n): n is Node => n?.type === 'identifier');
			}
			const init = clause.childForFieldName('initializer');
			return init ? declaredBy(init) : [];
		}
		case 'communication_case': {
			const comm = owner.childForFieldName('communication');
			if (comm?.type !== 'receive_statement' || comm.equals(child) || !comm.children.some((c) => c?.type === ':=')) return [];
			return (comm.childForFieldName('left')?.namedChildren ?? []).filter((n): n is Node => n?.type === 'identifier');
		}
		case 'function_declaration':
		case 'method_declaration':
		case 'func_literal': {
			const out: Node[] = [];
			for (const f of ['receiver', 'parameters', 'result']) {
				const list = owner.childForFieldName(f);
				if (!list || list.type !== 'parameter_list') continue;
				for (const p of list.namedChildren) {
					if (p?.type === 'parameter_declaration' || p?.type === 'variadic_parameter_declaration') {
						out.push(...p.childrenForFieldName('name').filter((n): n is Node => n?.type === 'identifier'));
					}
				}
			}
			return out;
		}
		default:
			return [];
	}
}

/** `ident` is a name being declared by the header part `child` of `owner` (`if v := …`, `for i, x := range`, `case v := <-ch`). */
function declaringInHeader(owner: Node, child: Node, ident: Node): Node | undefined {
	if (!['if_statement', 'expression_switch_statement', 'type_switch_statement', 'for_statement', 'communication_case'].includes(owner.type)) return undefined;
	let names: Node[] = [];
	if (child.type === 'short_var_declaration') names = declaredBy(child);
	else if (child.type === 'for_clause') names = declaredBy(child.childForFieldName('initializer') ?? child);
	else if ((child.type === 'range_clause' || child.type === 'receive_statement') && child.children.some((c) => c?.type === ':=')) {
		names = (child.childForFieldName('left')?.namedChildren ?? []).filter((n): n is Node => n?.type === 'identifier');
	}
	return names.find((n) => n.equals(ident));
}

/**
 * The local declaration `ident` refers to, or undefined (package level, imported, builtin, a field
 * name, or not found). An identifier on the left of its own `:=` resolves to itself.
 */
export function declarationOf(ident: Node): Binding | undefined {
	const name = ident.text;
	if (name === '_') return undefined;
	let child: Node = ident;
	for (let p = ident.parent; p; child = p, p = p.parent) {
		if (STATEMENT_LISTS.has(p.type)) {
			if (p.type === 'source_file') return undefined;
			// The nearest declaring statement before (or being) the one holding the identifier.
			const stmts = p.namedChildren;
			const at = stmts.findIndex((s) => s?.equals(child));
			let found: Node | undefined;
			for (let i = at; i >= 0; i--) {
				const s = stmts[i];
				if (!s) continue;
				// A `:=` declares its names only after itself, except for the identifier being declared.
				const hit = declaredBy(s).find((d) => d.text === name);
				if (!hit || (i === at && !isDeclaredHere(hit, ident))) continue;
				found = hit;
				// `x, err := …` after `x := …` in the same block reuses x: keep looking for the first.
				if (s.type !== 'short_var_declaration') break;
			}
			if (found) return binding(found);
			continue;
		}
		const hit = headerNames(p, child).find((d) => d.text === name) ?? declaringInHeader(p, child, ident);
		if (hit) return binding(hit);
		if (FUNCTION_TYPES.has(p.type) && p.type !== 'func_literal') return undefined;
	}
	return undefined;
}

/** `ident` is the declaring occurrence `hit` itself (an identifier in a `:=` value refers to the outer name). */
function isDeclaredHere(hit: Node, ident: Node): boolean {
	return hit.equals(ident);
}

/** Same binding (by position of the declaring identifier). */
export function sameBinding(a: Binding | undefined, b: Binding | undefined): boolean {
	return !!a && !!b && a.id.startIndex === b.id.startIndex && a.name === b.name;
}

/** Is the binding declared inside `region` (its header included)? */
export function declaredInside(b: Binding | undefined, region: Node): boolean {
	return !!b && b.id.startIndex >= region.startIndex && b.id.endIndex <= region.endIndex;
}

/** Identifiers in `region` that refer to binding `b`. */
export function referencesTo(b: Binding, region: Node): Node[] {
	return descendants(region, 'identifier').filter((n) => n.text === b.name && !isCompositeKey(n) && sameBinding(declarationOf(n), b));
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
		if (targets.some((t) => t?.type === 'identifier' && t.text === b.name && sameBinding(declarationOf(t), b))) return true;
	}
	return false;
}
