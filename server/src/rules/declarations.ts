/**
 * Go's scope rules on the syntax tree: which declaration a name used at some point of the file
 * refers to. A local name is in scope from the end of its declaration to the end of the innermost
 * block holding it (an `if`/`for`/`switch` header and each `case` clause being implicit blocks), so
 * `if v := v.Load(); v != nil { … }` declares a new `v` for the condition and both branches, while
 * the `v` being loaded is the outer one. Names not declared in this file (another file of the
 * package, an import, a builtin) resolve to undefined: callers stay silent about them.
 */
import type { Node } from '../syntax/mirror';

export type DeclarationKind = 'param' | 'receiver' | 'result' | 'var' | 'const' | 'short' | 'range' | 'typeSwitch' | 'receive' | 'func' | 'type' | 'typeParam';

export interface Declaration {
	kind: DeclarationKind;
	/** The identifier that declares the name. */
	name: Node;
	/** The type the declaration spells (`x T`, `var x T`, a type-switch clause listing one type). */
	type?: Node;
	/** The value it is initialised with, when values and names pair up one to one (`x := e`, `var x = e`). */
	value?: Node;
	/** `xs ...T`: the name holds a slice of `type`. */
	variadic?: boolean;
	/** Declared at package level (in this file). */
	pkg?: boolean;
}

/** The declaration `use` (an identifier) refers to in this file, or undefined when it is declared elsewhere. */
export function resolve(use: Node): Declaration | undefined {
	const name = use.text;
	if (name === '_') return undefined;
	let child = use;
	for (let p = use.parent; p; child = p, p = p.parent) {
		const found = declaredIn(p, child, name);
		if (found) return found;
	}
	return undefined;
}

/** A declaration of `name` that `p` makes visible to its child `child` (which holds the use). */
function declaredIn(p: Node, child: Node, name: string): Declaration | undefined {
	switch (p.type) {
		case 'statement_list':
			// Earlier statements of the same block: the first one declaring the name (a later `:=`
			// naming it again in the same block reuses it).
			for (const s of p.namedChildren) {
				if (!s || s.startIndex >= child.startIndex) break;
				const d = statementDecl(s, name);
				if (d) return d;
			}
			return undefined;
		case 'if_statement':
		case 'expression_switch_statement':
		case 'type_switch_statement': {
			if (p.type === 'type_switch_statement') {
				const alias = typeSwitchDecl(p, child, name);
				if (alias) return alias;
			}
			const init = p.childForFieldName('initializer');
			return init && !init.equals(child) ? statementDecl(init, name) : undefined;
		}
		case 'for_clause': {
			const init = p.childForFieldName('initializer');
			return init && !init.equals(child) ? statementDecl(init, name) : undefined;
		}
		case 'for_statement': {
			if (!same(child, p.childForFieldName('body'))) return undefined;
			const clause = p.namedChildren.find((c) => c?.type === 'for_clause' || c?.type === 'range_clause');
			if (!clause) return undefined;
			if (clause.type === 'for_clause') {
				const init = clause.childForFieldName('initializer');
				return init ? statementDecl(init, name) : undefined;
			}
			if (!clause.children.some((c) => c?.type === ':=')) return undefined;
			const ids = clause.childForFieldName('left')?.namedChildren ?? [];
			const at = ids.findIndex((n) => n?.type === 'identifier' && n.text === name);
			return at >= 0 ? { kind: 'range', name: ids[at]! } : undefined;
		}
		case 'communication_case': {
			const comm = p.childForFieldName('communication');
			if (!comm || comm.equals(child) || comm.type !== 'receive_statement' || !comm.children.some((c) => c?.type === ':=')) return undefined;
			const id = comm.childForFieldName('left')?.namedChildren.find((n) => n?.type === 'identifier' && n.text === name);
			return id ? { kind: 'receive', name: id } : undefined;
		}
		case 'type_spec':
			return typeParamDecl(p.childForFieldName('type_parameters'), name);
		case 'function_declaration':
		case 'method_declaration':
		case 'func_literal': {
			// Type parameters: the function's own, or a method's receiver type arguments (`func (b Box[T])`).
			const tp = typeParamDecl(p.childForFieldName('type_parameters'), name) ?? (p.type === 'method_declaration' ? receiverTypeParam(p, name) : undefined);
			if (tp) return tp;
			if (!same(child, p.childForFieldName('body'))) return undefined;
			const lists: [Node | null, DeclarationKind][] = [
				[p.childForFieldName('parameters'), 'param'],
				[p.type === 'method_declaration' ? p.childForFieldName('receiver') : null, 'receiver'],
				[p.childForFieldName('result'), 'result'],
			];
			for (const [list, kind] of lists) {
				if (list?.type !== 'parameter_list') continue;
				for (const d of list.namedChildren) {
					if (d?.type !== 'parameter_declaration' && d?.type !== 'variadic_parameter_declaration') continue;
					const id = d.childrenForFieldName('name').find((n) => n?.text === name);
					if (id) return { kind, name: id, type: d.childForFieldName('type') ?? undefined, ...(d.type === 'variadic_parameter_declaration' ? { variadic: true } : {}) };
				}
			}
			return undefined;
		}
		case 'source_file':
			for (const top of p.namedChildren) {
				if (!top) continue;
				if (top.type === 'function_declaration') {
					const id = top.childForFieldName('name');
					if (id?.text === name) return { kind: 'func', name: id, pkg: true };
					continue;
				}
				const d = statementDecl(top, name);
				if (d) return { ...d, pkg: true };
			}
			return undefined;
		default:
			return undefined;
	}
}

/** In a type switch `switch x := y.(type)`, each clause declares its own `x`: typed when the clause lists one type. */
function typeSwitchDecl(sw: Node, child: Node, name: string): Declaration | undefined {
	if (child.type !== 'type_case' && child.type !== 'default_case') return undefined;
	const id = sw.childForFieldName('alias')?.namedChildren.find((n) => n?.type === 'identifier' && n.text === name);
	if (!id) return undefined;
	const types = child.type === 'type_case' ? child.childrenForFieldName('type').filter((t): t is Node => !!t) : [];
	return { kind: 'typeSwitch', name: id, ...(types.length === 1 && types[0].text !== 'nil' ? { type: types[0] } : {}) };
}

/** The declaration of `name` a statement (or top-level declaration) makes in its block. */
function statementDecl(s: Node, name: string): Declaration | undefined {
	switch (s.type) {
		case 'labeled_statement': {
			const inner = s.namedChildren.find((c) => c && c.type !== 'label_name');
			return inner ? statementDecl(inner, name) : undefined;
		}
		case 'short_var_declaration': {
			const left = s.childForFieldName('left')?.namedChildren ?? [];
			const at = left.findIndex((n) => n?.type === 'identifier' && n.text === name);
			if (at < 0) return undefined;
			const right = s.childForFieldName('right')?.namedChildren ?? [];
			return { kind: 'short', name: left[at]!, ...(right.length === left.length && right[at] ? { value: right[at]! } : {}) };
		}
		case 'var_declaration':
		case 'const_declaration': {
			const specType = s.type === 'var_declaration' ? 'var_spec' : 'const_spec';
			for (const spec of specsOf(s, specType)) {
				const names = spec.childrenForFieldName('name');
				const at = names.findIndex((n) => n?.text === name);
				if (at < 0) continue;
				const values = spec.childForFieldName('value')?.namedChildren ?? [];
				const type = spec.childForFieldName('type');
				return {
					kind: s.type === 'var_declaration' ? 'var' : 'const',
					name: names[at]!,
					...(type ? { type } : {}),
					...(values.length === names.length && values[at] ? { value: values[at]! } : {}),
				};
			}
			return undefined;
		}
		case 'type_declaration':
			for (const spec of s.namedChildren) {
				const id = spec?.childForFieldName('name');
				if (id?.text === name) return { kind: 'type', name: id };
			}
			return undefined;
		default:
			return undefined;
	}
}

function same(a: Node, b: Node | null): boolean {
	return !!b && a.equals(b);
}

function typeParamDecl(list: Node | null, name: string): Declaration | undefined {
	for (const d of list?.namedChildren ?? []) {
		if (d?.type !== 'type_parameter_declaration') continue;
		const id = d.childrenForFieldName('name').find((n) => n?.text === name);
		if (id) return { kind: 'typeParam', name: id };
	}
	return undefined;
}

function receiverTypeParam(m: Node, name: string): Declaration | undefined {
	for (const d of m.childForFieldName('receiver')?.namedChildren ?? []) {
		let t = d?.childForFieldName('type');
		if (t?.type === 'pointer_type') t = t.namedChild(0);
		if (t?.type !== 'generic_type') continue;
		for (const a of t.childForFieldName('type_arguments')?.namedChildren ?? []) {
			const id = a?.type === 'type_elem' ? a.namedChild(0) : a;
			if (id?.type === 'type_identifier' && id.text === name) return { kind: 'typeParam', name: id };
		}
	}
	return undefined;
}

function specsOf(decl: Node, specType: string): Node[] {
	const out: Node[] = [];
	for (const c of decl.namedChildren) {
		if (c?.type === specType) out.push(c);
		else if (c?.type === `${specType}_list`) for (const s of c.namedChildren) if (s?.type === specType) out.push(s);
	}
	return out;
}
