/**
 * The static type of a name or a simple expression where the file spells it out: the type its
 * declaration names, or the value it starts from (`T{}`, `&T{}`, `new(T)`, another such name, an
 * element of a slice, array or map being ranged over). Names resolve with Go's scope rules
 * (declarations.ts). Anything else (a call's result, a field, a type from another file) is
 * unknown: undefined, and callers stay silent.
 */
import type { Node } from '../../syntax/mirror';
import { callArgs } from './ast';
import { resolve, type Declaration } from './declarations';

/** A type with its pointers peeled off: `**T` is T at depth 2. */
export interface Ty {
	node: Node;
	ptr: number;
}

export function strip(t: Node): Ty | undefined {
	let ptr = 0;
	let n: Node | null = t;
	while (n && (n.type === 'pointer_type' || n.type === 'parenthesized_type')) {
		if (n.type === 'pointer_type') ptr++;
		n = n.namedChild(0);
	}
	return n ? { node: n, ptr } : undefined;
}

/** Element type of `[]T`, `[N]T`, `map[K]T`. */
export function elementType(t: Node): Node | null {
	if (t.type === 'slice_type' || t.type === 'array_type') return t.childForFieldName('element');
	if (t.type === 'map_type') return t.childForFieldName('value');
	return null;
}

/**
 * The static type of a name or simple expression, where the file spells it: a declared type, or
 * the value it was initialised with (`T{}`, `&T{}`, `new(T)`, another such name, a range element).
 */
export class TypeOf {
	private depth = 0;

	ofUse(id: Node): Ty | undefined {
		const d = resolve(id);
		return d ? this.ofDecl(d) : undefined;
	}

	ofValue(v: Node): Ty | undefined {
		if (this.depth > 16) return undefined; // a chain of names this long is not worth following
		this.depth++;
		try {
			return this.value(v);
		} finally {
			this.depth--;
		}
	}

	private ofDecl(d: Declaration): Ty | undefined {
		if (d.variadic || d.kind === 'type' || d.kind === 'func' || d.kind === 'typeParam' || d.kind === 'const') return undefined;
		if (d.type) return strip(d.type);
		if (d.kind === 'range') return this.rangeElement(d.id);
		return d.value ? this.ofValue(d.value) : undefined;
	}

	private value(v: Node): Ty | undefined {
		switch (v.type) {
			case 'parenthesized_expression': {
				const inner = v.namedChild(0);
				return inner ? this.ofValue(inner) : undefined;
			}
			case 'identifier':
				return this.ofUse(v);
			case 'composite_literal': {
				const t = v.childForFieldName('type');
				return t ? strip(t) : undefined;
			}
			case 'unary_expression': {
				const op = v.childForFieldName('operator')?.text;
				const x = v.childForFieldName('operand');
				if (!x) return undefined;
				if (op === '&' && x.type === 'composite_literal') {
					const t = this.value(x);
					return t && { node: t.node, ptr: t.ptr + 1 };
				}
				if (op !== '*') return undefined;
				const t = this.ofValue(x);
				return t && t.ptr > 0 ? { node: t.node, ptr: t.ptr - 1 } : undefined;
			}
			case 'call_expression': {
				// new(T), unless `new` is declared in this file as something else.
				const fn = v.childForFieldName('function');
				const args = callArgs(v);
				if (fn?.type !== 'identifier' || fn.text !== 'new' || args.length !== 1 || resolve(fn)) return undefined;
				const t = strip(args[0]);
				return t && { node: t.node, ptr: t.ptr + 1 };
			}
			default:
				return undefined;
		}
	}

	/** `v` in `for k, v := range xs` with xs a slice, array or map of some T: T. */
	private rangeElement(name: Node): Ty | undefined {
		const clause = name.parent?.parent;
		if (clause?.type !== 'range_clause') return undefined;
		const ids = clause.childForFieldName('left')?.namedChildren ?? [];
		const right = clause.childForFieldName('right');
		if (ids.findIndex((n) => n?.equals(name)) !== 1 || right?.type !== 'identifier') return undefined;
		const coll = this.ofUse(right);
		const elem = coll && coll.ptr === 0 ? elementType(coll.node) : null;
		return elem ? strip(elem) : undefined;
	}
}
