/**
 * R3 pool-new-non-pointer: (a) `New` returns a non-pointer value (boxed on every pool miss, and
 * every Put of it then boxes again); (b) `New` returns `bytes.NewBuffer(make([]byte, N))` with
 * N ≠ 0: the buffer holds N zero bytes and writes append after them.
 * Verified (Go 1.26 `-m`): `New: func() any { return make([]byte, 4096) }` prints
 * `make([]byte, 4096) escapes to heap` twice at the same column (backing array + boxing). With
 * testing.AllocsPerRun, `v := p.Get(); …; p.Put(v)` is 0 allocs/op and `b := p.Get().([]byte); p.Put(b)` 1.
 */
import type { Node } from '../../syntax/mirror';
import type { Fix, RuleFinding } from '../../model';
import { FUNCTION_TYPES, callArgs, calleeName, descendants, rangeOf } from '../shared/ast';
import type { Rule, RuleContext } from '../types';
import { factsIn, getBindings, isPoolExpr, isPoolLiteral, isResetOf, poolCall, poolIndex, statementOf, type GetBinding, type PoolIndex } from './poolShared';
import { resolveLocal } from '../shared/declarations';

/** `New` func literals with the pool key they belong to. */
function newFuncs(ctx: RuleContext, idx: PoolIndex): { fn: Node; pool: string | undefined }[] {
	const out: { fn: Node; pool: string | undefined }[] = [];
	const sync = idx.syncName!;
	for (const lit of idx.nodes.get('composite_literal') ?? []) {
		if (!isPoolLiteral(lit, sync)) continue;
		let owner: Node | null = lit.parent;
		if (owner?.type === 'unary_expression') owner = owner.parent;
		const spec = owner?.type === 'expression_list' ? owner.parent : null;
		const pool = spec?.type === 'var_spec' ? spec.childForFieldName('name')?.text : spec?.type === 'short_var_declaration' ? spec.childForFieldName('left')?.namedChild(0)?.text : undefined;
		for (const kv of descendants(lit, 'keyed_element')) {
			if (kv.parent?.parent?.id !== lit.id) continue;
			const [k, v] = kv.namedChildren;
			const val = v?.namedChild(0) ?? v;
			if (k?.text === 'New' && val?.type === 'func_literal') out.push({ fn: val, pool });
		}
	}
	// `P.New = func() any { … }`
	for (const a of idx.nodes.get('assignment_statement') ?? []) {
		const l = a.childForFieldName('left')?.namedChild(0);
		const r = a.childForFieldName('right')?.namedChild(0);
		if (l?.type === 'selector_expression' && l.childForFieldName('field')?.text === 'New' && r?.type === 'func_literal') {
			const pool = isPoolExpr(idx, l.childForFieldName('operand'));
			if (pool) out.push({ fn: r, pool });
		}
	}
	return out;
}

/** Non-pointer kind of a returned expression (a), or undefined. */
function valueKind(e: Node, fn: Node): string | undefined {
	if (e.type === 'call_expression' && calleeName(e) === 'make') {
		return callArgs(e)[0]?.type === 'slice_type' ? 'a slice' : undefined;
	}
	if (e.type === 'composite_literal') {
		const t = e.childForFieldName('type');
		if (!t || t.type === 'map_type') return undefined;
		if (t.text.replace(/\s+/g, '') === 'struct{}') return undefined;
		return t.type === 'slice_type' ? 'a slice' : t.type === 'array_type' ? 'an array' : 'a struct value';
	}
	if (e.type === 'identifier') {
		// `x := make([]byte, n)` … `return x`: the value the name was declared with.
		const d = resolveLocal(e, e.text, fn);
		const v = d?.kind === 'short' && d.decl.childForFieldName('left')?.namedChild(0)?.equals(d.id) ? d.decl.childForFieldName('right')?.namedChild(0) : undefined;
		if (v && v.type !== 'identifier') return valueKind(v, fn);
	}
	return undefined;
}

/** Every Get of `pool` in the file is immediately reset (then a pre-filled buffer is harmless). */
function everyGetResets(ctx: RuleContext, pool: string | undefined): boolean {
	if (!pool) return false;
	const gets = getBindings(ctx).filter((g) => g.pool === pool);
	if (!gets.length) return false;
	return gets.every((g) => {
		if (g.getter?.resets) return true;
		const stmt = statementOf(g.stmt);
		const next = stmt.nextNamedSibling;
		return !!next && isResetOf(next, g.name);
	});
}

/**
 * Every Put of `pool` in the file puts back the very `any` a Get of it returned (`v := P.Get()` …
 * `P.Put(v)`, no assertion): those Puts box nothing, and the non-pointer costs a box per miss only.
 */
function putsKeepInterface(ctx: RuleContext, idx: PoolIndex, pool: string | undefined): boolean {
	if (!pool) return false;
	const puts = idx.putSites.filter((c) => poolCall(idx, c, 'Put') === pool);
	if (!puts.length) return false;
	const gets = getBindings(ctx).filter((g) => g.pool === pool && !g.getter && !g.assertedType && !g.deref);
	return puts.every((c) => {
		const arg = callArgs(c)[0];
		if (arg?.type !== 'identifier') return false;
		const d = resolveLocal(arg, arg.text);
		return !!d && gets.some((g) => g.ident.startIndex === d.id.startIndex && g.name === arg.text && !assignedElsewhere(g));
	});
}

/** The Get's variable is assigned again in its function (then it may hold something else at the Put). */
function assignedElsewhere(g: GetBinding): boolean {
	return descendants(g.func, 'assignment_statement').some((a) => a.id !== g.stmt.id && (a.childForFieldName('left')?.namedChildren ?? []).some((l) => l?.type === 'identifier' && l.text === g.name));
}

export const poolNewNonPointer: Rule = {
	id: 'pool-new-non-pointer',
	doc: { summary: 'sync.Pool.New returns a non-pointer value (boxed on every miss) or a bytes.Buffer pre-filled with N zero bytes', severity: 'warning', usesEscape: true },
	check(ctx) {
		const idx = poolIndex(ctx);
		if (!idx.syncName) return [];
		const out: RuleFinding[] = [];
		for (const { fn, pool } of newFuncs(ctx, idx)) {
			const body = fn.childForFieldName('body');
			if (!body) continue;
			for (const ret of descendants(body, 'return_statement')) {
				// Only returns of this literal, not of nested func literals.
				let p = ret.parent;
				while (p && p.id !== fn.id && !FUNCTION_TYPES.has(p.type)) p = p.parent;
				if (p?.id !== fn.id) continue;
				const e = ret.namedChild(0)?.namedChild(0);
				if (!e) continue;
				const kind = valueKind(e, fn);
				if (kind) {
					const esc = factsIn(ctx, e).filter((f) => f.kind === 'escapes-to-heap');
					// `-m` prints the fact twice (value + box); the -m=2 parser may merge them into one.
					const compiler = esc.length >= 2 ? ` The compiler reports \`${esc[0].message}\` ${esc.length} times: the value and its box.` : esc.length ? ` The compiler reports \`${esc[0].message}\`.` : '';
					// Puts that hand back the `any` they got box nothing: what is left is one small box per miss.
					const kept = putsKeepInterface(ctx, idx, pool);
					out.push({
						rule: 'pool-new-non-pointer',
						range: rangeOf(e),
						severity: kept ? 'hint' : 'warning',
						message: kept
							? `\`New\` returns ${kind}, not a pointer: every pool miss allocates it and boxes it into \`any\` (a second, small allocation). The Puts in this file put back the \`any\` a Get returned, so they do not box again.${compiler} Returning a pointer (\`b := make(…); return &b\`) saves the box on a miss.`
							: `\`New\` returns ${kind}, not a pointer: every pool miss allocates it and boxes it into \`any\` (a second allocation), and each Put of it boxes again.${compiler} Return a pointer (\`b := make(…); return &b\`) and assert \`*T\` at the Get sites.`,
					});
					continue;
				}
				// (b) bytes.NewBuffer(make([]byte, N)), N ≠ 0.
				if (e.type !== 'call_expression' || calleeName(e) !== `${bytesName(ctx)}.NewBuffer`) continue;
				const mk = callArgs(e)[0];
				if (mk?.type !== 'call_expression' || calleeName(mk) !== 'make') continue;
				const margs = callArgs(mk);
				if (margs.length !== 2 || margs[1].text === '0') continue;
				const resets = everyGetResets(ctx, pool);
				const insertAt = { line: margs[1].startPosition.row, character: margs[1].startPosition.column };
				const fix: Fix = { title: `Use make(…, 0, ${margs[1].text}): capacity, not length`, edits: [{ range: { start: insertAt, end: insertAt }, newText: '0, ' }], isPreferred: true };
				out.push({
					rule: 'pool-new-non-pointer',
					range: rangeOf(mk),
					severity: resets ? 'information' : 'warning',
					message: `\`${e.text}\` starts with ${margs[1].text} zero bytes of content (length, not capacity): writes append after them${resets ? ' (harmless here: every Get of this pool resets the buffer first)' : ''}. Use \`make([]byte, 0, ${margs[1].text})\`.`,
					fixes: [fix],
				});
			}
		}
		return out;
	},
};

function bytesName(ctx: RuleContext): string {
	for (const spec of poolIndex(ctx).nodes.get('import_spec') ?? []) {
		if (spec.childForFieldName('path')?.text === '"bytes"') return spec.childForFieldName('name')?.text ?? 'bytes';
	}
	return 'bytes';
}
