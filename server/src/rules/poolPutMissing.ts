/**
 * R5 pool-put-missing: an object from `P.Get()` that is not put back on some path to function exit
 * (or at all) and not handed off. Not a leak (the GC frees it); the cost is that the next Get
 * allocates through `New` again, so the pool saves nothing on those paths.
 * Ownership transfers (returned, stored in a field/map/slice/global, sent on a channel, captured by
 * a goroutine, passed to a release-like function) and cap/len-guarded drops are not reported.
 */
import type { Node } from '../syntax/mirror';
import type { Fix, Range, RuleFinding, TextEdit } from '../model';
import { callArgs, contains, descendants, enclosingLoops, lineIndent, rangeOf } from './ast';
import type { Rule } from './types';
import { aliasRoot, calledName, getBindings, ownDescendants, poolCall, poolIndex, putCallsOf, statementOf, type GetBinding } from './poolShared';

const RELEASE_NAME = /(put|release|free|recycle|close|done)/i;

function mentions(n: Node, x: string): boolean {
	return descendants(n, 'identifier').some((i) => i.text === x);
}

/** x leaves this function's hands: returned, stored outward, sent, captured by `go`, composite-literal element, appended. */
function transferred(g: GetBinding): boolean {
	const x = g.name;
	const after = (n: Node) => n.startIndex >= g.stmt.endIndex;
	// A named result (`func f() (s *T)`) leaves with every return.
	const results = g.func.childForFieldName('result');
	if (results && descendants(results, 'identifier').some((i) => i.text === x)) return true;
	// x and locals bound to it (`br := v.(*bufio.Reader)`).
	const names = new Set([x]);
	for (const d of descendants(g.func, 'short_var_declaration')) {
		const l = d.childForFieldName('left')?.namedChild(0);
		const r = d.childForFieldName('right')?.namedChild(0) ?? null;
		if (after(d) && l && names.has(aliasRoot(r) ?? '')) names.add(l.text);
	}
	const isX = (e: Node | null) => names.has(aliasRoot(e) ?? '');
	for (const r of ownDescendants(g.func, 'return_statement')) {
		if (!after(r)) continue;
		for (const e of r.namedChild(0)?.namedChildren ?? []) {
			if (!e) continue;
			if (isX(e)) return true;
			// `return wrap(x)`: handed to something we cannot see into.
			if (e.type === 'call_expression' && callArgs(e).some(isX)) return true;
		}
	}
	for (const a of descendants(g.func, 'assignment_statement')) {
		if (!after(a)) continue;
		const right = a.childForFieldName('right');
		const left = a.childForFieldName('left')?.namedChildren ?? [];
		if (right && mentions(right, x) && left.some((l) => l && l.type !== 'identifier' && !l.text.startsWith(`*${x}`))) return true;
	}
	for (const s of descendants(g.func, ['send_statement', 'go_statement', 'literal_value'])) if (after(s) && mentions(s, x)) return true;
	for (const c of descendants(g.func, 'call_expression')) {
		if (!after(c)) continue;
		const args = callArgs(c);
		if (calledName(c) === 'append' && args.slice(1).some((a) => a.text === x)) return true;
	}
	return false;
}

/** A release-like call with x as an argument (`release(b)`, `pool.free(b)`), beyond exact putters. */
function releaseCalls(g: GetBinding): Node[] {
	return descendants(g.func, 'call_expression').filter((c) => {
		if (c.startIndex < g.stmt.endIndex || !RELEASE_NAME.test(calledName(c) ?? '')) return false;
		if (callArgs(c).some((a) => a.text === g.name || a.text === `&${g.name}`)) return true;
		// `x.free()`, `x.Release()`: the object releases itself (fmt's pp.free).
		const fn = c.childForFieldName('function');
		return fn?.type === 'selector_expression' && fn.childForFieldName('operand')?.text === g.name;
	});
}

function inDefer(n: Node, fn: Node): boolean {
	for (let p = n.parent; p && p.id !== fn.id; p = p.parent) if (p.type === 'defer_statement') return true;
	return false;
}

/** Return guarded by a size check on x (`if cap(*x) > max { return }`): an intentional drop. */
function capGuarded(r: Node, x: string): boolean {
	for (let p = r.parent; p; p = p.parent) {
		if (p.type === 'if_statement') {
			const cond = p.childForFieldName('condition')?.text ?? '';
			if (new RegExp(`\\b(cap|len)\\(\\s*\\(?\\*?${x}\\b|\\b${x}\\.(Cap|Len)\\(\\)`).test(cond)) return true;
		}
		if (p.type === 'func_literal' || p.type === 'function_declaration' || p.type === 'method_declaration') return false;
	}
	return false;
}

/** Deletes a statement, with its whole line when it stands alone on it. */
function deleteStatement(text: string, stmt: Node): TextEdit {
	const lineStart = text.lastIndexOf('\n', stmt.startIndex - 1) + 1;
	const nl = text.indexOf('\n', stmt.endIndex);
	const lineEnd = nl < 0 ? text.length : nl;
	if (text.slice(lineStart, stmt.startIndex).trim() === '' && text.slice(stmt.endIndex, lineEnd).trim() === '' && nl >= 0) {
		return { range: { start: { line: stmt.startPosition.row, character: 0 }, end: { line: stmt.endPosition.row + 1, character: 0 } }, newText: '' };
	}
	return { range: rangeOf(stmt), newText: '' };
}

export const poolPutMissing: Rule = {
	id: 'pool-put-missing',
	doc: { summary: 'object from sync.Pool.Get is not put back on some path (the next Get allocates again)', severity: 'information', usesEscape: false },
	check(ctx) {
		const idx = poolIndex(ctx);
		if (idx.vars.size + idx.fields.size === 0) return [];
		const out: RuleFinding[] = [];
		for (const g of getBindings(ctx)) {
			const fname = g.func.childForFieldName('name')?.text;
			if (fname && idx.getters.has(fname)) continue;
			if (transferred(g)) continue;
			const puts = [...new Map([...putCallsOf(idx, g.func, g.name, g.pool), ...releaseCalls(g)].map((p) => [p.id, p])).values()].filter(
				(p) => p.startIndex >= g.stmt.endIndex,
			);
			if (puts.some((p) => inDefer(p, g.func))) continue;
			const inLoop = enclosingLoops(g.stmt).length > 0;
			const severity = inLoop ? 'warning' : 'information';
			const src = g.getter ? `${g.getter.name}()` : `${g.pool}.Get()`;
			let message: string | undefined;
			const related: { range: Range; message: string }[] = [];
			if (!puts.length) {
				message = `\`${g.name}\` from \`${src}\` is never put back${inLoop ? ' (inside a loop)' : ''}: this path takes objects out of the pool without returning them, so once the pool is empty each Get allocates through New. Put it back when done (\`defer ${g.pool}.Put(${g.name})\`) or drop the pool.`;
			} else {
				const scope = g.stmt.parent ?? g.func;
				const uncovered = ownDescendants(g.func, 'return_statement').filter((r) => {
					if (r.startIndex < g.stmt.endIndex || !contains(scope, r) || capGuarded(r, g.name)) return false;
					return !puts.some((p) => {
						const ps = statementOf(p);
						return !!ps.parent && contains(ps.parent, r) && ps.endIndex <= r.startIndex;
					});
				});
				if (!uncovered.length) continue;
				const r = uncovered[0];
				related.push({ range: rangeOf(r), message: 'this return skips the Put' });
				for (const p of puts) related.push({ range: rangeOf(p), message: 'the Put that is skipped' });
				message = `\`${g.name}\` from \`${src}\` is not put back when the function returns at line ${r.startPosition.row + 1} (the Put is on another path), so that path drains the pool. Use \`defer\` right after the Get.`;
			}
			const fixes: Fix[] = [];
			if (!inLoop && !g.deref) {
				const plain = puts.filter((p) => poolCall(idx, p, 'Put') || idx.putters.has(calledName(p) ?? ''));
				const callText = plain[0]?.text ?? `${g.pool}.Put(${g.name})`;
				const at = { line: g.stmt.endPosition.row, character: g.stmt.endPosition.column };
				const edits: TextEdit[] = [{ range: { start: at, end: at }, newText: `\n${lineIndent(ctx.text, g.stmt)}defer ${callText}` }];
				for (const p of plain) {
					const st = statementOf(p);
					if (st.type === 'expression_statement') edits.push(deleteStatement(ctx.text, st));
				}
				fixes.push({ title: `defer ${callText} right after the Get`, edits, isPreferred: true });
			}
			out.push({ rule: 'pool-put-missing', range: rangeOf(g.call), severity, message, fixes, related });
		}
		// Get results used without binding (`P.Get().(*T).Do()`): never put back.
		for (const call of idx.getSites) {
			const pool = poolCall(idx, call, 'Get');
			if (!pool) continue;
			let e: Node = call;
			while (e.parent && (e.parent.type === 'type_assertion_expression' || e.parent.type === 'parenthesized_expression')) e = e.parent;
			const p = e.parent;
			if (p?.type === 'expression_statement' || (p?.type === 'selector_expression' && p.childForFieldName('operand')?.id === e.id)) {
				out.push({
					rule: 'pool-put-missing',
					range: rangeOf(call),
					severity: enclosingLoops(call).length ? 'warning' : 'information',
					message: `The object from \`${pool}.Get()\` is used without keeping it, so it can never be put back: each call drains the pool by one object.`,
				});
			}
		}
		return out;
	},
};
