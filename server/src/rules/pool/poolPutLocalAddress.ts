/**
 * R2 pool-put-local-address: `P.Put(&x)` with x a local or parameter. Verified (Go 1.26): for
 * `buf := *pool.Get().(*[]byte); defer pool.Put(&buf)` the compiler prints `moved to heap: buf` at
 * the declaration and testing.AllocsPerRun counts one more allocation per call than the
 * keep-the-pointer form; `defer func() { *bp = buf; pool.Put(bp) }()` moves nothing.
 * Not a dangling pointer: the compiler moves x to the heap, so it is a cost, not a memory bug.
 */
import type { Node } from '../../syntax/mirror';
import type { Fix, RuleFinding, TextEdit } from '../../model';
import { callArgs, descendants, enclosingFunction, lineIndent, rangeOf } from '../shared/ast';
import { factsAt, type Rule } from '../types';
import { getBindings, poolCall, poolIndex, statementOf } from './poolShared';
import { resolveLocal } from '../shared/declarations';

/** The declaring identifier `use` refers to, when it is a local or parameter (Go's scoping). */
function declOf(use: Node): Node | undefined {
	return resolveLocal(use, use.text)?.id;
}

function reassigned(fn: Node, name: string, after: number): boolean {
	for (const s of descendants(fn, ['assignment_statement', 'inc_statement', 'dec_statement'])) {
		if (s.startIndex <= after) continue;
		const left = s.type === 'assignment_statement' ? (s.childForFieldName('left')?.namedChildren ?? []) : [s.namedChild(0)];
		if (left.some((l) => l?.text === name)) return true;
	}
	return false;
}

export const poolPutLocalAddress: Rule = {
	id: 'pool-put-local-address',
	doc: { summary: 'sync.Pool.Put(&x) of a local variable: the compiler moves x to the heap, one allocation per call', severity: 'warning', usesEscape: true },
	check(ctx) {
		const idx = poolIndex(ctx);
		if (idx.vars.size + idx.fields.size === 0) return [];
		const bindings = getBindings(ctx);
		const out: RuleFinding[] = [];
		for (const call of idx.putSites) {
			const pool = poolCall(idx, call, 'Put');
			const arg = pool ? callArgs(call)[0] : undefined;
			if (!pool || arg?.type !== 'unary_expression' || arg.childForFieldName('operator')?.text !== '&') continue;
			const operand = arg.childForFieldName('operand');
			const fn = enclosingFunction(call);
			if (operand?.type !== 'identifier' || !fn) continue;
			// One-time priming in init is harmless.
			if (fn.type === 'function_declaration' && fn.childForFieldName('name')?.text === 'init') continue;
			const decl = declOf(operand);
			if (!decl) continue;
			const x = operand.text;
			const moved = factsAt(ctx, decl).find((f) => f.kind === 'moved-to-heap' && f.subject === x);
			if (ctx.escape && !moved) continue; // the compiler did not move it (e.g. already heap-allocated)
			const message = moved
				? `\`${pool}.Put(&${x})\`: the compiler moved \`${x}\` to the heap (\`${moved.message}\`), one allocation per call, the cost the pool is meant to avoid. Keep the pointer that Get returned and Put that.`
				: `\`${pool}.Put(&${x})\` probably makes the compiler move \`${x}\` to the heap (one allocation per call, confirmed after the next build). Keep the pointer that Get returned and Put that.`;
			const fixes: Fix[] = [];
			const b = bindings.find((g) => g.ident.id === decl.id && g.deref && g.pool === pool && g.stmt.type === 'short_var_declaration');
			if (b) {
				const taken = new Set(descendants(fn, 'identifier').map((n) => n.text));
				const xp = [`${x}p`, `${x}Ptr`, `${x}Ptr2`].find((n) => !taken.has(n));
				const right = b.stmt.childForFieldName('right')?.namedChild(0);
				const inner = right?.childForFieldName('operand');
				if (xp && right && inner) {
					const indent = lineIndent(ctx.text, b.stmt);
					const edits: TextEdit[] = [{ range: rangeOf(b.stmt), newText: `${xp} := ${inner.text}\n${indent}${x} := *${xp}` }];
					if (!reassigned(fn, x, b.stmt.endIndex)) edits.push({ range: rangeOf(arg), newText: xp });
					else {
						const stmt = statementOf(call);
						const deferred = stmt.type === 'defer_statement';
						const sIndent = lineIndent(ctx.text, stmt);
						edits.push({
							range: rangeOf(stmt),
							newText: deferred ? `defer func() { *${xp} = ${x}; ${pool}.Put(${xp}) }()` : `*${xp} = ${x}\n${sIndent}${pool}.Put(${xp})`,
						});
					}
					fixes.push({ title: `Put the pointer from Get (${xp}) instead of &${x}`, edits, isPreferred: true });
				}
			}
			out.push({ rule: 'pool-put-local-address', range: rangeOf(arg), severity: moved ? 'warning' : 'information', message, fixes, related: [{ range: rangeOf(decl), message: `\`${x}\` is declared here` }] });
		}
		return out;
	},
};
