/**
 * One-level wrapper summaries within a file (spec §1.3): getters that hand out a pooled object
 * (also through a local: `v := p.Get(); if v == nil { return new(T) }; return v.(*T)`), putters
 * that put a parameter back, and what counts as resetting an object or one of its fields.
 */
import type { Node } from '../../syntax/mirror';
import { blockStatements, callArgs, descendants, enclosingFunction } from '../shared/ast';
import { aliasRoot, isGenericFunc, ownDescendants, poolCall, sitesWithin, statementOf, stripParens, unwrapGet, type PoolIndex } from './poolShared';

/** Method names that reset or re-initialise the receiver (`Reset`, `reset`, `Clear`, `init`). */
const RESET_METHODS = /^(Reset|reset|Clear|clear|Init|init)$/;

/** `x`, `*x`, `(*x)`, `(x)` → `x` / `*x` with parentheses and spaces gone. */
function plain(e: Node | null): string | undefined {
	return e?.text.replace(/[\s()]+/g, '');
}

/**
 * A statement resetting `x`: `x.Reset()`, `x.reset(…)`, `x.Truncate(0)`, `x = …`, `*x = …`,
 * `(*x) = T{…}`. Field assignments are not whole resets (see `fieldsAssigned`).
 */
export function isResetOf(stmt: Node, x: string): boolean {
	if (stmt.type === 'expression_statement') {
		const call = stripParens(stmt.namedChild(0));
		if (call?.type !== 'call_expression') return false;
		const fn = call.childForFieldName('function');
		if (fn?.type === 'selector_expression') {
			const op = plain(fn.childForFieldName('operand'));
			const m = fn.childForFieldName('field')?.text ?? '';
			return (op === x || op === `*${x}`) && (RESET_METHODS.test(m) || (m === 'Truncate' && callArgs(call)[0]?.text === '0'));
		}
		return false;
	}
	if (stmt.type === 'assignment_statement' && stmt.childForFieldName('operator')?.text === '=') {
		const left = stmt.childForFieldName('left')?.namedChildren ?? [];
		if (!left.some((l) => plain(l) === x || plain(l) === `*${x}`)) return false;
		// `x = x[:0]`, `*x = (*x)[:0]`, `*x = T{}` reset; `*x = append(*x, …)` does not.
		const right = stmt.childForFieldName('right')?.namedChild(0);
		if (!right) return false;
		if (right.type === 'slice_expression' && right.childForFieldName('end')?.text === '0' && !right.childForFieldName('start')) return true;
		return !descendants(right, 'identifier').some((i) => i.text === x);
	}
	return false;
}

/** Fields of `x` a statement assigns (`x.f = …`, `x.a, x.b = …`), unless the value reads the field itself. */
export function fieldsAssigned(stmt: Node, x: string): string[] {
	if (stmt.type !== 'assignment_statement' || stmt.childForFieldName('operator')?.text !== '=') return [];
	const left = stmt.childForFieldName('left')?.namedChildren ?? [];
	const right = stmt.childForFieldName('right')?.namedChildren ?? [];
	const out: string[] = [];
	left.forEach((l, i) => {
		if (l?.type !== 'selector_expression' || plain(l.childForFieldName('operand')) !== x) return;
		const field = l.childForFieldName('field')?.text;
		const r = right.length === left.length ? right[i] : undefined;
		// `x.buf = x.buf[:0]` resets; `x.buf = append(x.buf, …)` keeps the content.
		const keeps = r && r.text.includes(`${x}.${field}`) && !(r.type === 'slice_expression' && r.childForFieldName('end')?.text === '0' && !r.childForFieldName('start'));
		if (field && r && !keeps) out.push(field);
	});
	return out;
}

/** Names in `fn` bound to a Get of the pool (`v := p.Get()`, `x := p.Get().(*T)`) and locals assigned from them (`m = v.(*T)`). */
function getNames(idx: PoolIndex, fn: Node): { names: Set<string>; pool: string } | undefined {
	const names = new Set<string>();
	let pool: string | undefined;
	// The Get sites of the function (already indexed): `x := p.Get()…` binds x.
	for (const call of sitesWithin(idx.getSites, fn)) {
		let e: Node = call;
		while (e.parent && ['type_assertion_expression', 'parenthesized_expression', 'unary_expression'].includes(e.parent.type)) e = e.parent;
		const stmt = e.parent?.type === 'expression_list' ? e.parent.parent : null;
		if (stmt?.type !== 'short_var_declaration' && stmt?.type !== 'assignment_statement') continue;
		if (stmt.childForFieldName('right')?.namedChild(0)?.id !== e.id) continue;
		const l = stmt.childForFieldName('left')?.namedChild(0);
		if (l?.type === 'identifier' && unwrapGet(idx, e)) {
			names.add(l.text);
			pool ??= unwrapGet(idx, e)!.pool;
		}
	}
	if (!pool) return undefined;
	// Locals assigned from them (`m = v.(*T)`), only when the text can hold such an assignment.
	const text = fn.text;
	if (![...names].some((n) => new RegExp(`[=,]\\s*\\(?\\s*${n}\\s*\\)?\\s*(\\.\\(|[,;)\\n]|$)`).test(text))) return { names, pool };
	const stmts = ownDescendants(fn, ['short_var_declaration', 'assignment_statement']);
	for (let pass = 0; pass < 2; pass++) {
		for (const s of stmts) {
			const l = s.childForFieldName('left')?.namedChild(0);
			const root = aliasRoot(s.childForFieldName('right')?.namedChild(0) ?? null);
			if (l?.type === 'identifier' && root && names.has(root)) names.add(l.text);
		}
	}
	return { names, pool };
}

/** A Put of `pool`, of one of `names`, inside a func literal of `fn`. */
function putInLiteral(idx: PoolIndex, fn: Node, names: ReadonlySet<string>, pool: string): boolean {
	return sitesWithin(idx.putSites, fn).some((c) => {
		if (enclosingFunction(c)?.id === fn.id || poolCall(idx, c, 'Put') !== pool) return false;
		const root = aliasRoot(callArgs(c)[0] ?? null);
		return !!root && names.has(root);
	});
}

/** Records `fn` in the index's getters and putters when it is one. */
export function summarise(idx: PoolIndex, fn: Node): void {
	const name = fn.childForFieldName('name')?.text;
	const body = fn.childForFieldName('body');
	if (!name || !body) return;
	const generic = isGenericFunc(fn);
	const stmts = blockStatements(body);
	// Getter: a return whose first value is a Get (`return p.Get().(*T)`) or a local holding one.
	const result = fn.childForFieldName('result');
	const type = result && result.type !== 'parameter_list' ? result.text : undefined;
	const method = fn.type === 'method_declaration';
	let bound: ReturnType<typeof getNames> | null = null;
	for (const r of result ? ownDescendants(fn, 'return_statement') : []) {
		const ret = r.namedChild(0)?.namedChild(0) ?? null;
		const direct = unwrapGet(idx, ret);
		const root = aliasRoot(ret);
		if (direct) {
			idx.getters.set(name, { name, pool: direct.pool, resets: false, generic, type, fields: new Set(), method });
			break;
		}
		if (root && bound === null) bound = getNames(idx, fn);
		if (bound && root && bound.names.has(root)) {
			// The object also went to a goroutine or closure that puts it back (`go func() { work(ch);
			// p.Put(v) }()`): the caller is lent it, and owns nothing to put back.
			if (putInLiteral(idx, fn, bound.names, bound.pool)) break;
			const after = stmts.filter((t) => t.endIndex <= r.startIndex);
			const resets = [...bound.names].some((n) => after.some((t) => isResetOf(t, n)));
			const fields = new Set([...bound.names].flatMap((n) => after.flatMap((t) => fieldsAssigned(t, n))));
			idx.getters.set(name, { name, pool: bound.pool, resets, generic, type, fields, method });
			break;
		}
	}
	// Putter: `P.Put(param)` on a parameter.
	const params = descendants(fn.childForFieldName('parameters') ?? fn, 'parameter_declaration').flatMap((p) =>
		p.namedChildren.filter((c): c is Node => c?.type === 'identifier').map((c) => c.text),
	);
	for (const call of descendants(body, 'call_expression')) {
		const pool = poolCall(idx, call, 'Put');
		if (!pool) continue;
		const arg = callArgs(call)[0]?.text;
		const i = params.indexOf(arg ?? '');
		if (i < 0) continue;
		// A reset right before the Put, also inside a guard (`if b != nil { b.Reset(); p.Put(b) }`).
		let resets = false;
		for (let t = statementOf(call).previousNamedSibling; t && !resets; t = t.previousNamedSibling) resets = isResetOf(t, arg!);
		idx.putters.set(name, { name, pool, paramIndex: i, resets, generic });
	}
}
