/**
 * R1 pool-put-non-pointer: `Pool.Put(x)` of a value that is not pointer-shaped (slice, string,
 * array, struct, number). Put takes `any`, so the value is copied to the heap on every call.
 * Verified (Go 1.26, testing.AllocsPerRun): `p.Put(b[:0])` → 1 allocation per call and `-m` prints
 * `b[:0] escapes to heap`; `p.Put(0)` / `p.Put(x byte)` → 0 allocations although `-m` prints
 * `0 escapes to heap` (static data), so constants and one-byte types are excluded by syntax.
 */
import type { Node } from '../syntax/mirror';
import type { RuleFinding } from '../model';
import { callArgs, descendants, enclosingFunction, rangeOf } from './ast';
import type { Rule } from './types';
import { factsIn, isGenericFunc, poolCall, poolIndex } from './poolShared';

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

/** Finds the binding of `id` in its function (params, `var`, `:=`) and classifies it. */
function identKind(id: Node, fn: Node, named: Map<string, Node>, depth: number): string | undefined {
	const typeParams = new Set(descendants(fn.childForFieldName('type_parameters') ?? fn, 'type_parameter_declaration').flatMap((d) => d.childrenForFieldName('name').map((n) => n?.text)));
	let kind: string | undefined;
	for (const p of descendants(fn, ['parameter_declaration', 'var_spec', 'short_var_declaration'])) {
		if (p.startIndex > id.startIndex) break;
		if (p.type === 'short_var_declaration') {
			const names = p.childForFieldName('left')?.namedChildren ?? [];
			const i = names.findIndex((n) => n?.text === id.text);
			if (i < 0) continue;
			const vals = p.childForFieldName('right')?.namedChildren ?? [];
			kind = vals.length === names.length ? exprKind(vals[i] ?? null, fn, named, depth + 1) : undefined;
			continue;
		}
		if (!p.childrenForFieldName('name').some((n) => n?.text === id.text)) continue;
		const t = p.childForFieldName('type');
		if (t && (TINY.has(t.text) || typeParams.has(t.text))) return undefined;
		kind = t ? typeKind(t, named) : exprKind(p.childForFieldName('value')?.namedChild(0) ?? null, fn, named, depth + 1);
	}
	return kind;
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
