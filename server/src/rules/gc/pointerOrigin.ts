/**
 * Where a pointer (or an address held in a uintptr) points, read from the syntax of the function
 * that computes it: Go memory (a Go variable, `new`, a Go pointer type, a Go slice's array), C
 * memory (a C call's result, a `*C.T` value, mmap'd pages: the Go GC neither moves nor frees it),
 * or unknown (a parameter, a field of unknown type, a Go function's result). Used by
 * uintptr-stored-pointer; conservative: "unknown" whenever the syntax cannot tell.
 */
import type { Node } from '../../syntax/mirror';
import { callArgs, calleeName } from '../shared/ast';
import { resolveLocal } from '../shared/declarations';

export type Memory = 'go' | 'c' | 'unknown';

export interface Origin {
	memory: Memory;
	/** Unknown memory, but surely a pointer converted with unsafe.Pointer in a file without cgo (likely Go memory). */
	likelyGo?: boolean;
	/** For Go memory inside a local variable's own storage (`&x`, `&x.f`, `&arr[i]`): that variable. */
	local?: Node;
}

export interface Variable {
	kind: 'param' | 'var';
	/** The declaring node: a parameter_declaration, var_spec, short_var_declaration, range_clause… */
	node: Node;
	/** The written type, if any. */
	type?: string;
	/** The initialiser expression, if any. */
	init?: Node;
}

const GO: Origin = { memory: 'go' };
const C: Origin = { memory: 'c' };
const UNKNOWN: Origin = { memory: 'unknown' };

/** OS page allocators: memory outside the Go heap. */
const OS_ALLOC = /(^|\.)(Mmap|mmap|MapViewOfFile|VirtualAlloc)$/;

export const unwrap = (n: Node | null | undefined): Node | null => (n?.type === 'parenthesized_expression' ? unwrap(n.namedChild(0)) : n ?? null);

/** A type written with a cgo name (`*C.char`, `**C.char`, `C.gpointer`, `[]*C.T`). */
export function isCType(type: string | undefined): boolean {
	return !!type && /(^|[^\w.])C\.\w/.test(type);
}

/**
 * The local declaration `ident` refers to (declarations.ts), as the pointer analysis reads it: a
 * parameter (receiver, result) or a variable with its written type and initialiser (`m, err :=
 * syscall.Mmap(…)`: the call stands for each of its results); undefined for package-level names.
 */
export function variableOf(ident: Node): Variable | undefined {
	const d = resolveLocal(ident, ident.text);
	if (!d) return undefined;
	const type = d.type?.text;
	if (d.kind === 'param' || d.kind === 'receiver' || d.kind === 'result') return { kind: 'param', node: d.decl, type };
	const init = d.value ?? (d.multiValue?.type === 'call_expression' ? d.multiValue : undefined);
	return { kind: 'var', node: d.decl, type, init };
}

/** The variable a selector/index/paren chain starts from: `x` in `x.a[i].b`. */
export function baseIdent(n: Node | null): Node | null {
	n = unwrap(n);
	while (n && (n.type === 'selector_expression' || n.type === 'index_expression')) n = unwrap(n.childForFieldName('operand'));
	return n?.type === 'identifier' ? n : null;
}

/** A variable whose own storage holds the value (an array, a struct): `&x.f` is then inside `x`. */
function isValueVariable(d: Variable): boolean {
	if (d.type) return !/^\s*(\*|\[\]|map\b|chan\b|func\b|unsafe\.Pointer\b|interface\b)/.test(d.type);
	const init = unwrap(d.init ?? null);
	return init?.type === 'composite_literal' && !/^\s*\[\]|^\s*map\b/.test(init.childForFieldName('type')?.text ?? '');
}

/** Memory behind a slice value's backing array. */
function sliceOrigin(s: Node | null, u: string, depth: number): Origin {
	s = unwrap(s);
	if (!s || depth > 3) return UNKNOWN;
	if (s.type === 'slice_expression') return sliceOrigin(s.childForFieldName('operand'), u, depth + 1);
	if (s.type === 'call_expression') {
		const callee = calleeName(s) ?? '';
		if (callee === 'make' || callee === 'append' || callee === 'C.GoBytes') return GO;
		if (callee === `${u}.Slice`) return pointerOrigin(callArgs(s)[0] ?? null, u, depth + 1);
		if (OS_ALLOC.test(callee) || callee.startsWith('C.')) return C;
		return UNKNOWN;
	}
	if (s.type === 'composite_literal') return GO;
	if (s.type !== 'identifier') return UNKNOWN;
	const d = variableOf(s);
	if (!d) return UNKNOWN;
	if (isCType(d.type)) return C;
	if (d.init) return sliceOrigin(d.init, u, depth + 1);
	// A slice or array parameter or variable of a Go type: Go memory (an array variable is local).
	if (d.type && /^\s*\[\]/.test(d.type)) return GO;
	if (d.type && /^\s*\[/.test(d.type)) return d.kind === 'var' ? { memory: 'go', local: s } : GO;
	return UNKNOWN;
}

/** Memory a pointer expression points to (`&x`, `p`, `C.malloc(n)`, `unsafe.Pointer(&b[0])`…). */
export function pointerOrigin(e: Node | null, u: string, depth = 0): Origin {
	e = unwrap(e);
	if (!e || depth > 4) return UNKNOWN;
	switch (e.type) {
		case 'call_expression': {
			const callee = calleeName(e) ?? '';
			const fn = e.childForFieldName('function');
			const arg = callArgs(e)[0] ?? null;
			// Conversions keep the memory: unsafe.Pointer(x), uintptr(x), (*T)(x).
			if (callee === `${u}.Pointer` || callee === 'uintptr' || fn?.type === 'parenthesized_expression') return pointerOrigin(arg, u, depth + 1);
			if (callee === `${u}.SliceData` || callee === `${u}.StringData`) return sliceOrigin(arg, u, depth + 1);
			if (callee === `${u}.Add`) return pointerOrigin(arg, u, depth + 1);
			if (callee === 'new') return GO;
			if (callee.startsWith('C.') || OS_ALLOC.test(callee)) return C;
			return UNKNOWN;
		}
		case 'unary_expression': {
			if (e.child(0)?.type !== '&') return UNKNOWN;
			const x = unwrap(e.childForFieldName('operand'));
			if (!x || x.type === 'composite_literal') return GO;
			const base = baseIdent(x);
			const d = base && variableOf(base);
			if (!base || !d) return x.type === 'identifier' ? GO : UNKNOWN; // a package-level variable
			if (x.equals(base)) return { memory: 'go', local: base };
			// A C struct or array held in a Go variable is Go memory too.
			if (isValueVariable(d)) return { memory: 'go', local: base };
			// Through a pointer or slice: the memory it points to.
			if (isCType(d.type)) return C;
			if (x.type === 'index_expression' && unwrap(x.childForFieldName('operand'))?.equals(base)) return sliceOrigin(base, u, depth + 1);
			const pointee = d.init ? pointerOrigin(d.init, u, depth + 1) : d.type && /^\s*\*/.test(d.type) ? GO : UNKNOWN;
			return { memory: pointee.memory };
		}
		case 'identifier': {
			const d = variableOf(e);
			if (!d) return UNKNOWN;
			if (isCType(d.type)) return C;
			if (d.init) return pointerOrigin(d.init, u, depth + 1);
			return d.type && /^\s*\*/.test(d.type) ? GO : UNKNOWN;
		}
		case 'selector_expression': {
			const base = baseIdent(e);
			const d = base && variableOf(base);
			return d && isCType(d.type) && /^\s*\*/.test(d.type ?? '') ? C : UNKNOWN;
		}
		default:
			return UNKNOWN;
	}
}

/**
 * Memory behind a uintptr initialiser: `uintptr(unsafe.Pointer(p)) + off`, `uintptr(p)`, `v.Pointer()`.
 * Without cgo (`cgo` false) a pointer of unknown origin converted explicitly with unsafe.Pointer is
 * likely Go memory (unless it visibly comes from mmap), but another package may hand out C memory.
 */
export function uintptrOrigin(init: Node | null | undefined, u: string, cgo: boolean): Origin {
	let n = unwrap(init ?? null);
	while (n?.type === 'binary_expression' && /^(\+|-|&\^)$/.test(n.childForFieldName('operator')?.text ?? '')) n = unwrap(n.childForFieldName('left'));
	if (n?.type !== 'call_expression') return UNKNOWN;
	const callee = calleeName(n) ?? '';
	if (/\.(Pointer|UnsafeAddr)$/.test(callee) && !callArgs(n).length && callee !== `${u}.Pointer`) return GO;
	if (callee !== 'uintptr') return UNKNOWN;
	const arg = unwrap(callArgs(n)[0] ?? null);
	const origin = pointerOrigin(arg, u);
	const explicit = arg?.type === 'call_expression' && calleeName(arg) === `${u}.Pointer`;
	if (origin.memory === 'unknown' && explicit && !cgo && !/mmap/i.test(arg.text)) return { memory: 'unknown', likelyGo: true };
	return origin;
}
