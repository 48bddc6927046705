/**
 * Go's scope rules on the syntax tree: which declaration a name used at some point of the file
 * refers to. The one resolver every rule uses.
 *
 * A local name is in scope from the end of its declaration (its spec, for `var`/`const`) to the
 * end of the innermost block holding it, an `if`/`for`/`switch` header and each `case` clause
 * being implicit blocks: `if v := v.Load(); v != nil { … }` declares a new `v` for the condition
 * and both branches, while the `v` being loaded is the outer one. A `:=` naming a variable already
 * declared in the same block (or, in a function body, among the parameters and results) reuses it.
 * Each clause of `switch x := y.(type)` has its own `x`; they share the declaring identifier.
 * Names not declared in this file (another file of the package, an import, a builtin) resolve to
 * undefined: callers stay silent about them.
 */
import type { Node } from '../../syntax/mirror';

export type DeclarationKind = 'param' | 'receiver' | 'result' | 'var' | 'const' | 'short' | 'range' | 'typeSwitch' | 'receive' | 'func' | 'type' | 'typeParam';

export interface Declaration {
	kind: DeclarationKind;
	/** The declared name. */
	name: string;
	/** The identifier that declares it. */
	id: Node;
	/**
	 * The declaring node: short_var_declaration, var_spec, const_spec, range_clause, receive_statement,
	 * type_switch_statement, (variadic_)parameter_declaration, function_declaration, type_spec,
	 * type_parameter_declaration.
	 */
	decl: Node;
	/** The node whose extent is the name's scope: a block, a case clause, an if/for/switch, a function, the file. */
	scope: Node;
	/** The type the declaration spells (`x T`, `var x T`, a type-switch clause listing one type). */
	type?: Node;
	/** The value it is initialised with, when values and names pair up one to one (`x := e`, `var x = e`). */
	value?: Node;
	/** The one multi-value expression all the names come from (`data, err := os.ReadFile(p)`). */
	multiValue?: Node;
	/** `xs ...T`: the name holds a slice of `type`. */
	variadic?: boolean;
	/** Declared at package level (in this file). */
	pkg?: boolean;
}

const FUNCTIONS = new Set(['function_declaration', 'method_declaration', 'func_literal']);
/** Kinds a function's own body or signature declares (what "local" means to the rules). */
const LOCAL_KINDS = new Set<DeclarationKind>(['param', 'receiver', 'result', 'var', 'const', 'short', 'range', 'typeSwitch', 'receive']);

/** The declaration in scope at `use` (an identifier): for a declaring identifier, the one it hides or (`:=`) reuses. */
export function resolve(use: Node): Declaration | undefined {
	return resolveName(use, use.text);
}

/** The declaration `name` refers to at `at` (a node that need not be that name). */
export function resolveName(at: Node, name: string): Declaration | undefined {
	if (name === '_') return undefined;
	let child = at;
	for (let p = at.parent; p; child = p, p = p.parent) {
		const found = declaredIn(p, child, name, at.startIndex);
		if (found) return found;
	}
	return undefined;
}

/** What the identifier `id` denotes: the declaration it makes, or the one it refers to. */
export function declarationOf(id: Node): Declaration | undefined {
	return declaredAt(id) ?? resolve(id);
}

/** `declarationOf`, when it is a variable or constant of the function around `id` (or a parameter, receiver or result). */
export function localDeclarationOf(id: Node): Declaration | undefined {
	const d = declarationOf(id);
	return d && isLocal(d) ? d : undefined;
}

/**
 * `resolveName`, when the name is local to `fn` (its parameters, results, or a statement of its
 * body or of a function inside it); undefined for names declared outside `fn` or at package level.
 */
export function resolveLocal(at: Node, name: string, fn?: Node): Declaration | undefined {
	const d = resolveName(at, name);
	return d && isLocal(d) && (!fn || (d.id.startIndex >= fn.startIndex && d.id.endIndex <= fn.endIndex)) ? d : undefined;
}

/** Declared by a function's signature or a statement of its body (not a type, not at package level). */
export function isLocal(d: Declaration): boolean {
	return !d.pkg && LOCAL_KINDS.has(d.kind);
}

/** The same declaration (by its declaring identifier). */
export function sameDeclaration(a: Declaration | undefined, b: Declaration | undefined): boolean {
	return !!a && !!b && a.id.startIndex === b.id.startIndex && a.name === b.name;
}

/**
 * The declaration `id` makes when it is a declaring identifier (Go's "defs"), or undefined: a use,
 * or a name on the left of a `:=` that reuses a variable of the same block.
 */
export function declaredAt(id: Node): Declaration | undefined {
	const name = id.text;
	const p = id.parent;
	if (name === '_' || !p) return undefined;
	switch (p.type) {
		case 'expression_list': {
			const owner = p.parent;
			if (!owner || !owner.childForFieldName(owner.type === 'type_switch_statement' ? 'alias' : 'left')?.equals(p)) return undefined;
			if (owner.type === 'short_var_declaration') {
				const prev = resolve(id);
				if (prev && reusedBy(prev, owner)) return undefined;
				const d = statementDecl(owner, name, scopeOfStatement(owner));
				return d?.id.equals(id) ? d : undefined;
			}
			if (owner.type === 'range_clause' && defines(owner) && owner.parent) return { kind: 'range', name, id, decl: owner, scope: owner.parent };
			if (owner.type === 'receive_statement' && defines(owner) && owner.parent?.type === 'communication_case') return { kind: 'receive', name, id, decl: owner, scope: owner.parent };
			if (owner.type === 'type_switch_statement') return { kind: 'typeSwitch', name, id, decl: owner, scope: owner };
			return undefined;
		}
		case 'var_spec':
		case 'const_spec': {
			const stmt = p.parent?.type.endsWith('_list') ? p.parent.parent : p.parent;
			if (!stmt || !p.childrenForFieldName('name').some((n) => n?.equals(id))) return undefined;
			const top = stmt.parent?.type === 'source_file';
			const d = statementDecl(stmt, name, top ? stmt.parent! : scopeOfStatement(stmt));
			return d?.id.equals(id) ? (top ? { ...d, pkg: true } : d) : undefined;
		}
		case 'parameter_declaration':
		case 'variadic_parameter_declaration': {
			const fn = p.parent?.parent;
			if (!fn || !FUNCTIONS.has(fn.type) || !p.childrenForFieldName('name').some((n) => n?.equals(id))) return undefined;
			return paramDecl(fn, name);
		}
		case 'function_declaration':
			return p.childForFieldName('name')?.equals(id) && p.parent ? { kind: 'func', name, id, decl: p, scope: p.parent, pkg: true } : undefined;
		default:
			return undefined;
	}
}

/** Does the `:=` statement `stmt` reuse `prev` (declared earlier in the same block, or a parameter of the function whose body that block is)? */
function reusedBy(prev: Declaration, stmt: Node): boolean {
	const scope = scopeOfStatement(stmt);
	if (prev.scope.equals(scope)) return true;
	return (prev.kind === 'param' || prev.kind === 'receiver' || prev.kind === 'result') && scope.type === 'block' && !!prev.scope.childForFieldName('body')?.equals(scope);
}

/** The block (or if/for/switch, or the file) whose scope a statement's declarations belong to. */
function scopeOfStatement(stmt: Node): Node {
	let s = stmt;
	while (s.parent?.type === 'labeled_statement') s = s.parent;
	const p = s.parent;
	if (!p) return s;
	if (p.type === 'statement_list') return p.parent ?? p;
	if (p.type === 'for_clause') return p.parent ?? p;
	return p;
}

/** A declaration of `name` that `p` makes visible to its child `child` (which holds the use, at offset `at`). */
function declaredIn(p: Node, child: Node, name: string, at: number): Declaration | undefined {
	switch (p.type) {
		case 'statement_list': {
			// Earlier statements of the same block: the first one declaring the name (a later `:=`
			// naming it again in the same block reuses it).
			const scope = p.parent ?? p;
			for (const s of p.namedChildren) {
				if (!s || s.startIndex >= child.startIndex) break;
				const d = statementDecl(s, name, scope);
				if (d) return (d.kind === 'short' && reusedParam(scope, name)) || d;
			}
			// `var a, b = 1, a`: a name is in scope after its own spec.
			if (child.type === 'var_declaration' || child.type === 'const_declaration') return statementDecl(child, name, scope, at);
			return undefined;
		}
		case 'if_statement':
		case 'expression_switch_statement':
		case 'type_switch_statement': {
			if (p.type === 'type_switch_statement') {
				const alias = typeSwitchDecl(p, child, name);
				if (alias) return alias;
			}
			const init = p.childForFieldName('initializer');
			return init && !init.equals(child) ? statementDecl(init, name, p) : undefined;
		}
		case 'for_clause': {
			const init = p.childForFieldName('initializer');
			return init && !init.equals(child) && p.parent ? statementDecl(init, name, p.parent) : undefined;
		}
		case 'for_statement': {
			if (!same(child, p.childForFieldName('body'))) return undefined;
			const clause = p.namedChildren.find((c) => c?.type === 'for_clause' || c?.type === 'range_clause');
			if (!clause) return undefined;
			if (clause.type === 'for_clause') {
				const init = clause.childForFieldName('initializer');
				return init ? statementDecl(init, name, p) : undefined;
			}
			if (!defines(clause)) return undefined;
			const id = identifiers(clause.childForFieldName('left')).find((n) => n.text === name);
			return id ? { kind: 'range', name, id, decl: clause, scope: p } : undefined;
		}
		case 'communication_case': {
			const comm = p.childForFieldName('communication');
			if (!comm || comm.equals(child) || comm.type !== 'receive_statement' || !defines(comm)) return undefined;
			const id = identifiers(comm.childForFieldName('left')).find((n) => n.text === name);
			return id ? { kind: 'receive', name, id, decl: comm, scope: p } : undefined;
		}
		case 'type_spec':
			return typeParamDecl(p, p.childForFieldName('type_parameters'), name);
		case 'function_declaration':
		case 'method_declaration':
		case 'func_literal': {
			// Type parameters: the function's own, or a method's receiver type arguments (`func (b Box[T])`).
			const tp = typeParamDecl(p, p.childForFieldName('type_parameters'), name) ?? (p.type === 'method_declaration' ? receiverTypeParam(p, name) : undefined);
			if (tp) return tp;
			return same(child, p.childForFieldName('body')) ? paramDecl(p, name) : undefined;
		}
		case 'source_file':
			for (const top of p.namedChildren) {
				if (!top) continue;
				if (top.type === 'function_declaration') {
					const id = top.childForFieldName('name');
					if (id?.text === name) return { kind: 'func', name, id, decl: top, scope: p, pkg: true };
					continue;
				}
				const d = statementDecl(top, name, p);
				if (d) return { ...d, pkg: true };
			}
			return undefined;
		default:
			return undefined;
	}
}

/** In a function body's own block, a `:=` naming a parameter, receiver or result reuses it. */
function reusedParam(block: Node, name: string): Declaration | undefined {
	const fn = block.parent;
	return block.type === 'block' && fn && FUNCTIONS.has(fn.type) && same(block, fn.childForFieldName('body')) ? paramDecl(fn, name) : undefined;
}

/** The receiver, parameter or named result `name` of a function. */
function paramDecl(fn: Node, name: string): Declaration | undefined {
	const lists: [Node | null, DeclarationKind][] = [
		[fn.childForFieldName('parameters'), 'param'],
		[fn.type === 'method_declaration' ? fn.childForFieldName('receiver') : null, 'receiver'],
		[fn.childForFieldName('result'), 'result'],
	];
	for (const [list, kind] of lists) {
		if (list?.type !== 'parameter_list') continue;
		for (const d of list.namedChildren) {
			if (d?.type !== 'parameter_declaration' && d?.type !== 'variadic_parameter_declaration') continue;
			const id = d.childrenForFieldName('name').find((n) => n?.text === name);
			if (!id) continue;
			const type = d.childForFieldName('type');
			return { kind, name, id, decl: d, scope: fn, ...(type ? { type } : {}), ...(d.type === 'variadic_parameter_declaration' ? { variadic: true } : {}) };
		}
	}
	return undefined;
}

/** In a type switch `switch x := y.(type)`, each clause declares its own `x`: typed when the clause lists one type. */
function typeSwitchDecl(sw: Node, child: Node, name: string): Declaration | undefined {
	if (child.type !== 'type_case' && child.type !== 'default_case') return undefined;
	const id = identifiers(sw.childForFieldName('alias')).find((n) => n.text === name);
	if (!id) return undefined;
	const types = child.type === 'type_case' ? child.childrenForFieldName('type').filter((t): t is Node => !!t) : [];
	return { kind: 'typeSwitch', name, id, decl: sw, scope: sw, ...(types.length === 1 && types[0].text !== 'nil' ? { type: types[0] } : {}) };
}

/**
 * The declaration of `name` a statement (or top-level declaration) makes in its block, `scope`.
 * With `before`, only the specs of a var/const declaration that end by then count.
 */
function statementDecl(s: Node, name: string, scope: Node, before = Infinity): Declaration | undefined {
	switch (s.type) {
		case 'labeled_statement': {
			const inner = s.namedChildren.find((c) => c && c.type !== 'label_name' && c.type !== 'comment');
			return inner ? statementDecl(inner, name, scope, before) : undefined;
		}
		case 'short_var_declaration': {
			const left = (s.childForFieldName('left')?.namedChildren ?? []).filter((n): n is Node => !!n && n.type !== 'comment');
			const at = left.findIndex((n) => n.type === 'identifier' && n.text === name);
			if (at < 0) return undefined;
			return { kind: 'short', name, id: left[at], decl: s, scope, ...valueOf(left.length, s.childForFieldName('right'), at) };
		}
		case 'var_declaration':
		case 'const_declaration': {
			const specType = s.type === 'var_declaration' ? 'var_spec' : 'const_spec';
			for (const spec of specsOf(s, specType)) {
				if (spec.endIndex > before) break;
				const names = spec.childrenForFieldName('name');
				const at = names.findIndex((n) => n?.text === name);
				if (at < 0) continue;
				const type = spec.childForFieldName('type');
				return {
					kind: s.type === 'var_declaration' ? 'var' : 'const',
					name,
					id: names[at]!,
					decl: spec,
					scope,
					...(type ? { type } : {}),
					...valueOf(names.length, spec.childForFieldName('value'), at),
				};
			}
			return undefined;
		}
		case 'type_declaration':
			for (const spec of s.namedChildren) {
				const id = spec?.childForFieldName('name');
				if (spec && id?.text === name) return { kind: 'type', name, id, decl: spec, scope };
			}
			return undefined;
		default:
			return undefined;
	}
}

/** The value of the name at `at` of `count` names: its own expression, or the one multi-value expression. */
function valueOf(count: number, list: Node | null, at: number): Pick<Declaration, 'value' | 'multiValue'> {
	const values = (list?.namedChildren ?? []).filter((n): n is Node => !!n && n.type !== 'comment');
	if (values.length === count) return values[at] ? { value: values[at] } : {};
	return values.length === 1 && count > 1 ? { multiValue: values[0] } : {};
}

function defines(n: Node): boolean {
	return n.children.some((c) => c?.type === ':=');
}

function identifiers(list: Node | null): Node[] {
	return (list?.namedChildren ?? []).filter((n): n is Node => n?.type === 'identifier');
}

function same(a: Node, b: Node | null): boolean {
	return !!b && a.equals(b);
}

function typeParamDecl(owner: Node, list: Node | null, name: string): Declaration | undefined {
	for (const d of list?.namedChildren ?? []) {
		if (d?.type !== 'type_parameter_declaration') continue;
		const id = d.childrenForFieldName('name').find((n) => n?.text === name);
		if (id) return { kind: 'typeParam', name, id, decl: d, scope: owner };
	}
	return undefined;
}

function receiverTypeParam(m: Node, name: string): Declaration | undefined {
	for (const d of m.childForFieldName('receiver')?.namedChildren ?? []) {
		let t = d?.childForFieldName('type');
		if (t?.type === 'pointer_type') t = t.namedChild(0);
		if (!d || t?.type !== 'generic_type') continue;
		for (const a of t.childForFieldName('type_arguments')?.namedChildren ?? []) {
			const id = a?.type === 'type_elem' ? a.namedChild(0) : a;
			if (id?.type === 'type_identifier' && id.text === name) return { kind: 'typeParam', name, id, decl: d, scope: m };
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
