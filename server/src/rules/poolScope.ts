/**
 * What a name used inside a function refers to, by Go's block scoping read off the syntax tree:
 * the nearest declaration before the use in an enclosing block, case clause, statement header
 * (`if x := …;`, `for k, v := range`, `switch y := x.(type)`, `case v := <-ch:`) or function
 * (receiver, parameters, named results, also of enclosing func literals). Undefined: declared at
 * package level or not in this file. The pool rules use it so that a shadowing `:=` is never taken
 * for the variable it hides, and so that a store into a package-level name counts as a hand-off.
 */
import type { Node } from '../syntax/mirror';
import { FUNCTION_TYPES, descendants } from './ast';

export interface LocalDecl {
	/** The declaring identifier. */
	id: Node;
	/** short_var_declaration, var_spec, const_spec, parameter_declaration, range_clause, receive_statement, type_switch_statement. */
	decl: Node;
	kind: 'param' | 'receiver' | 'result' | 'local';
	/** The written type, if any. */
	type?: Node;
	/** The expression bound to this name when there is one per name. */
	value?: Node;
}

const LISTS = new Set(['statement_list', 'block', 'source_file']);
const CASES = new Set(['expression_case', 'default_case', 'type_case', 'communication_case']);

function hasToken(n: Node, tok: string): boolean {
	return n.children.some((c) => c?.type === tok);
}

/** The names a simple statement declares (`:=` only), with the value of each when one per name. */
function declaredBy(stmt: Node | null, name: string): LocalDecl | undefined {
	if (!stmt) return undefined;
	switch (stmt.type) {
		case 'short_var_declaration': {
			const left = stmt.childForFieldName('left')?.namedChildren ?? [];
			const right = stmt.childForFieldName('right')?.namedChildren ?? [];
			const i = left.findIndex((l) => l?.type === 'identifier' && l.text === name);
			if (i < 0) return undefined;
			return { id: left[i]!, decl: stmt, kind: 'local', value: right.length === left.length ? (right[i] ?? undefined) : undefined };
		}
		case 'var_declaration':
		case 'const_declaration': {
			let found: LocalDecl | undefined;
			for (const spec of descendants(stmt, ['var_spec', 'const_spec'])) {
				const names = spec.childrenForFieldName('name');
				const i = names.findIndex((n) => n?.text === name);
				if (i < 0) continue;
				const vals = spec.childForFieldName('value')?.namedChildren ?? [];
				found = { id: names[i]!, decl: spec, kind: 'local', type: spec.childForFieldName('type') ?? undefined, value: vals.length === names.length ? (vals[i] ?? undefined) : undefined };
			}
			return found;
		}
		case 'range_clause':
		case 'receive_statement': {
			if (!hasToken(stmt, ':=')) return undefined;
			const id = (stmt.childForFieldName('left')?.namedChildren ?? []).find((l) => l?.type === 'identifier' && l.text === name);
			return id ? { id, decl: stmt, kind: 'local' } : undefined;
		}
		case 'for_clause':
			return declaredBy(stmt.childForFieldName('initializer'), name);
		default:
			return undefined;
	}
}

/** Parameters, receiver and named results of a function node. */
function declaredByFunction(fn: Node, name: string): LocalDecl | undefined {
	const groups: [Node | null, LocalDecl['kind']][] = [
		[fn.childForFieldName('receiver'), 'receiver'],
		[fn.childForFieldName('parameters'), 'param'],
		[fn.childForFieldName('result'), 'result'],
	];
	for (const [list, kind] of groups) {
		if (list?.type !== 'parameter_list') continue;
		for (const p of list.namedChildren) {
			if (p?.type !== 'parameter_declaration' && p?.type !== 'variadic_parameter_declaration') continue;
			const id = p.childrenForFieldName('name').find((n) => n?.text === name);
			if (id) return { id, decl: p, kind, type: p.childForFieldName('type') ?? undefined };
		}
	}
	return undefined;
}

/**
 * The local declaration `name` refers to at `use` (a node inside `outer`, the outermost function
 * to search), or undefined when the name is not declared in it (package level, another file).
 */
export function resolveLocal(use: Node, name: string, outer: Node): LocalDecl | undefined {
	let child: Node = use;
	for (let a = use.parent; a; child = a, a = a.parent) {
		if (LISTS.has(a.type) || CASES.has(a.type)) {
			// The nearest declaration among the statements before `child` in this list.
			let found: LocalDecl | undefined;
			for (const s of a.namedChildren) {
				if (!s || s.startIndex >= child.startIndex) break;
				const d = s.type === 'labeled_statement' ? declaredBy(s.namedChildren[1] ?? null, name) : declaredBy(s, name);
				if (d) found = d;
			}
			if (found) return found;
			if (a.type === 'communication_case') {
				const comm = a.childForFieldName('communication');
				if (comm && comm.id !== child.id) {
					const d = declaredBy(comm, name);
					if (d) return d;
				}
			}
			if (a.type === 'type_case' || a.type === 'default_case') {
				const sw = a.parent;
				const alias = sw?.type === 'type_switch_statement' ? sw.childForFieldName('alias')?.namedChildren.find((n) => n?.text === name) : undefined;
				if (alias && sw) return { id: alias, decl: sw, kind: 'local' };
			}
		} else if (a.type === 'if_statement' || a.type === 'expression_switch_statement' || a.type === 'type_switch_statement') {
			const init = a.childForFieldName('initializer');
			if (init && init.id !== child.id) {
				const d = declaredBy(init, name);
				if (d) return d;
			}
		} else if (a.type === 'for_statement') {
			const clause = a.namedChildren.find((c) => c?.type === 'range_clause' || c?.type === 'for_clause');
			if (clause && clause.id !== child.id) {
				const d = declaredBy(clause, name);
				if (d) return d;
			}
		} else if (FUNCTION_TYPES.has(a.type)) {
			const d = declaredByFunction(a, name);
			if (d) return d;
			if (a.id === outer.id) return undefined;
		}
	}
	return undefined;
}

/** The outermost function around `n` (a top-level declaration, or a func literal at package level). */
export function outermostFunction(n: Node): Node | null {
	let out: Node | null = null;
	for (let p = n.parent; p; p = p.parent) if (FUNCTION_TYPES.has(p.type)) out = p;
	return out;
}
