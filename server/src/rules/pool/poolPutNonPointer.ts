/**
 * R1 pool-put-non-pointer: `Pool.Put(x)` of a value that is not pointer-shaped (slice, string,
 * array, struct, number). Put takes `any`, so the value is copied to the heap on every call.
 * Verified (Go 1.26, testing.AllocsPerRun): `p.Put(b[:0])` → 1 allocation per call and `-m` prints
 * `b[:0] escapes to heap`; `p.Put(0)` / `p.Put(x byte)` → 0 allocations although `-m` prints
 * `0 escapes to heap` (static data), so constants and one-byte types are excluded by syntax.
 */
import type { Node } from '../../syntax/mirror';
import type { RuleFinding } from '../../model';
import { FUNCTION_TYPES, callArgs, descendants, enclosingFunction, rangeOf } from '../shared/ast';
import type { Rule } from '../types';
import { factsIn, isGenericFunc, poolCall, poolIndex } from './poolShared';
import { resolveLocal } from '../shared/declarations';

const BASIC = new Set(['string', 'int', 'int16', 'int32', 'int64', 'uint', 'uint16', 'uint32', 'uint64', 'uintptr', 'float32', 'float64', 'complex64', 'complex128', 'rune']);
const TINY = new Set(['byte', 'uint8', 'int8', 'bool']);
const LITERALS = new Set(['int_literal', 'float_literal', 'imaginary_literal', 'rune_literal', 'interpreted_string_literal', 'raw_string_literal', 'true', 'false', 'nil', 'iota']);

/** What kind of non-pointer value a type node is, or undefined for pointer-like/unknown types. */
function typeKind(t: Node | null, named: Map<string, Node>, depth = 0): string | undefined {
	if (!t || depth > 3) return undefined;
	switch (t.type) {
		case 'slice_type':
			return 'a slice';
		case 'array_type':
			return 'an array';
		case 'struct_type':
			return t.text.replace(/\s+/g, '') === 'struct{}' ? undefined : 'a struct';
		case 'parenthesized_type':
			return typeKind(t.namedChild(0), named, depth + 1);
		case 'type_identifier': {
			if (BASIC.has(t.text)) return t.text === 'string' ? 'a string' : 'a number';
			const decl = named.get(t.text);
			return decl ? typeKind(decl, named, depth + 1) : undefined;
		}
		default:
			return undefined;
	}
}

/** Kind of the value of an expression, when syntax tells. */
function exprKind(e: Node | null, fn: Node | null, named: Map<string, Node>, depth = 0): string | undefined {
	if (!e || depth > 3) return undefined;
	switch (e.type) {
		case 'parenthesized_expression':
			return exprKind(e.namedChild(0), fn, named, depth + 1);
		case 'slice_expression':
			return 'a slice';
		case 'composite_literal':
			return e.parent?.type === 'unary_expression' ? undefined : typeKind(e.childForFieldName('type'), named);
		case 'call_expression': {
			const f = e.childForFieldName('function')?.text;
			if (f === 'append') return 'a slice';
			if (f === 'make') return typeKind(callArgs(e)[0] ?? null, named);
			return undefined;
		}
		case 'type_assertion_expression':
			return typeKind(e.childForFieldName('type'), named);
		case 'identifier':
			return fn ? identKind(e, fn, named, depth) : undefined;
		default:
			return undefined;
	}
}

/** Classifies the declaration `id` refers to (parameter, `var`, `:=`), by Go's scoping. */
function identKind(id: Node, fn: Node, named: Map<string, Node>, depth: number): string | undefined {
	const d = resolveLocal(id, id.text);
	if (!d) return undefined;
	if (d.type) {
		const typeParams = new Set(
			[d.decl, ...ancestors(d.decl)].flatMap((f) => (FUNCTION_TYPES.has(f.type) ? descendants(f.childForFieldName('type_parameters') ?? f, 'type_parameter_declaration').flatMap((p) => p.childrenForFieldName('name').map((n) => n?.text)) : [])),
		);
		if (TINY.has(d.type.text) || typeParams.has(d.type.text)) return undefined;
		return typeKind(d.type, named);
	}
	return d.value ? exprKind(d.value, fn, named, depth + 1) : undefined;
}

function ancestors(n: Node): Node[] {
	const out: Node[] = [];
	for (let p = n.parent; p; p = p.parent) out.push(p);
	return out;
}

export const poolPutNonPointer: Rule = {
	id: 'pool-put-non-pointer',
	doc: { summary: 'sync.Pool.Put of a non-pointer value (slice, string, struct…): boxing it allocates on every Put', severity: 'warning', usesEscape: true },
	check(ctx) {
		const idx = poolIndex(ctx);
		if (idx.vars.size + idx.fields.size === 0) return [];
		const named = new Map<string, Node>();
		for (const ts of idx.nodes.get('type_spec') ?? []) {
			const n = ts.childForFieldName('name');
			const t = ts.childForFieldName('type');
			if (n && t && !ts.childForFieldName('type_parameters')) named.set(n.text, t);
		}
		const out: RuleFinding[] = [];
		for (const call of idx.putSites) {
			const pool = poolCall(idx, call, 'Put');
			if (!pool) continue;
			const arg = callArgs(call)[0];
			const fn = enclosingFunction(call);
			if (!arg || LITERALS.has(arg.type) || isGenericFunc(fn)) continue;
			const kind = exprKind(arg, fn, named);
			if (!kind) continue;
			const esc = factsIn(ctx, arg).find((f) => f.kind === 'escapes-to-heap');
			const what = `\`${pool}.Put(${arg.text})\` stores ${kind}, not a pointer: Put takes \`any\`, so the value is copied to the heap`;
			let message: string;
			let severity: RuleFinding['severity'] = 'warning';
			if (esc) message = `${what} on every call (the compiler reports \`${esc.message}\`). Pool a pointer (e.g. \`*[]byte\`) instead.`;
			else if (ctx.escape) {
				message = `${what} on every call unless the compiler can avoid it (no escape fact at this argument in the last build). Pool a pointer instead.`;
				severity = 'information';
			} else message = `${what}, which likely allocates on every call. Pool a pointer (e.g. \`*[]byte\`) instead.`;
			out.push({ rule: 'pool-put-non-pointer', range: rangeOf(arg), severity, message });
		}
		return out;
	},
};
