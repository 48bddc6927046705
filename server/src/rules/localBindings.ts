/**
 * What a name inside a function refers to, by Go's block scoping read off the syntax tree: the
 * receiver, a parameter, a named result or a local variable/constant, or nothing (a package-level
 * name, or one this file does not declare). Rules use it so that one `src` is never taken for
 * another (a shadowing `:=` in an inner block, an `if x := …;` initializer, a func literal's own
 * parameter).
 */
import type { Node } from '../syntax/mirror';
import { contains, descendants } from './ast';

export type BindingKind = 'receiver' | 'param' | 'result' | 'local';

export interface Binding {
	name: string;
	kind: BindingKind;
	/** The declaring identifier. */
	id: Node;
	/** The declaring statement, spec or parameter declaration. */
	decl: Node;
	/** The node whose extent is the binding's scope (a block, a case clause, an if/for/switch, a function). */
	scope: Node;
	/** Offset from which the name refers to this binding (Go: after the declaring statement). */
	visibleFrom: number;
	/** Declared type node, when written. */
	type?: Node;
	/** The value expression bound to this name, when one expression per name is written. */
	value?: Node;
	/** The whole right-hand side when it is a single multi-value call (`data, err := os.ReadFile(p)`). */
	multiValue?: Node;
}

const SCOPES = new Set([
	'block', 'if_statement', 'for_statement', 'expression_switch_statement', 'type_switch_statement',
	'expression_case', 'type_case', 'default_case', 'communication_case',
	'func_literal', 'function_declaration', 'method_declaration',
]);
const FUNCS = new Set(['func_literal', 'function_declaration', 'method_declaration']);
const DECLS = ['parameter_declaration', 'variadic_parameter_declaration', 'short_var_declaration', 'var_spec', 'const_spec', 'range_clause', 'receive_statement', 'type_switch_statement'];

function scopeOf(n: Node): Node | undefined {
	for (let p = n.parent; p; p = p.parent) if (SCOPES.has(p.type)) return p;
	return undefined;
}

function names(list: Node | null | undefined): Node[] {
	return (list?.namedChildren ?? []).filter((n): n is Node => n?.type === 'identifier' && n.text !== '_');
}

function hasDefine(n: Node): boolean {
	return n.children.some((c) => c?.type === ':=');
}

/** Per run: resolves identifiers of one file. Bindings are indexed once per top-level declaration. */
export class LocalScopes {
	private readonly byTop = new Map<string, Map<string, Binding[]>>();

	/** The binding `id` (an identifier) refers to, or undefined for package-level or unknown names. */
	resolve(id: Node): Binding | undefined {
		let top = id;
		while (top.parent?.parent) top = top.parent;
		if (!top.parent) return undefined;
		const list = this.bindings(top).get(id.text);
		if (!list) return undefined;
		let best: Binding | undefined;
		for (const b of list) {
			if (b.id.startIndex === id.startIndex) return b;
			if (!contains(b.scope, id) || b.visibleFrom > id.startIndex) continue;
			if (!best || b.scope.startIndex > best.scope.startIndex || (b.scope.startIndex === best.scope.startIndex && b.visibleFrom > best.visibleFrom)) best = b;
		}
		return best;
	}

	/** Identifiers (other than the declaring one) that refer to `b`, in source order. */
	uses(b: Binding): Node[] {
		return descendants(b.scope, 'identifier').filter((n) => n.text === b.name && n.startIndex !== b.id.startIndex && this.resolve(n)?.id.startIndex === b.id.startIndex);
	}

	private bindings(top: Node): Map<string, Binding[]> {
		const key = `${top.startIndex}:${top.endIndex}`;
		let m = this.byTop.get(key);
		if (!m) this.byTop.set(key, (m = collect(top)));
		return m;
	}
}

function collect(top: Node): Map<string, Binding[]> {
	const out = new Map<string, Binding[]>();
	const add = (b: Omit<Binding, 'name'>): void => {
		const name = b.id.text;
		const list = out.get(name);
		if (list) list.push({ name, ...b });
		else out.set(name, [{ name, ...b }]);
	};
	for (const d of descendants(top, DECLS)) {
		switch (d.type) {
			case 'parameter_declaration':
			case 'variadic_parameter_declaration': {
				const fn = d.parent?.parent;
				if (!fn || !FUNCS.has(fn.type) || !d.parent) continue;
				const list = d.parent;
				const kind: BindingKind = fn.childForFieldName('receiver')?.equals(list) ? 'receiver' : fn.childForFieldName('result')?.equals(list) ? 'result' : 'param';
				const type = d.childForFieldName('type') ?? undefined;
				for (const id of d.childrenForFieldName('name')) if (id && id.text !== '_') add({ kind, id, decl: d, scope: fn, visibleFrom: fn.startIndex, type });
				break;
			}
			case 'short_var_declaration':
			case 'var_spec':
			case 'const_spec': {
				const scope = scopeOf(d);
				if (!scope) continue;
				const ids = d.type === 'short_var_declaration' ? names(d.childForFieldName('left')) : d.childrenForFieldName('name').filter((n): n is Node => !!n && n.text !== '_');
				const all = d.type === 'short_var_declaration' ? (d.childForFieldName('left')?.namedChildren ?? []) : d.childrenForFieldName('name');
				const rhs = (d.type === 'short_var_declaration' ? d.childForFieldName('right') : d.childForFieldName('value'))?.namedChildren.filter((n): n is Node => !!n && n.type !== 'comment') ?? [];
				const type = d.type === 'short_var_declaration' ? undefined : (d.childForFieldName('type') ?? undefined);
				for (const id of ids) {
					const i = all.findIndex((n) => n?.equals(id));
					const value = rhs.length === all.length ? rhs[i] : undefined;
					const multiValue = rhs.length === 1 && all.length > 1 ? rhs[0] : undefined;
					add({ kind: 'local', id, decl: d, scope, visibleFrom: d.endIndex, type, value, multiValue });
				}
				break;
			}
			case 'range_clause':
			case 'receive_statement': {
				if (!hasDefine(d)) continue;
				const scope = d.type === 'range_clause' ? d.parent : scopeOf(d);
				if (!scope) continue;
				for (const id of names(d.childForFieldName('left'))) add({ kind: 'local', id, decl: d, scope, visibleFrom: d.endIndex });
				break;
			}
			case 'type_switch_statement':
				for (const id of names(d.childForFieldName('alias'))) add({ kind: 'local', id, decl: d, scope: d, visibleFrom: d.childForFieldName('value')?.endIndex ?? id.endIndex });
				break;
		}
	}
	return out;
}
