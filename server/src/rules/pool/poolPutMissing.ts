/**
 * R5 pool-put-missing: an object from `P.Get()` (or a getter of this file) that goes out of the
 * function's hands without being put back. Not a leak (the GC frees it); the cost is that the
 * next Get allocates through `New` again, so the pool saves nothing on those paths.
 * Two claims, both from a per-path walk (./poolFlow.ts) and an ownership classifier
 * (./poolOwnership.ts):
 * - never put back: nothing in the function puts it back, hands it off, or gives it to code this
 *   file cannot see, and some path drops it;
 * - skipped: it is put back on some paths, and an exit (an early `return`, also one before a
 *   `defer P.Put(x)` registered later) is reached on every path still holding it.
 * Anything that may release or keep it (a method of a package type declared in another file, a
 * call of another file's function, a queue push, an alias returned or stored) silences the rule.
 */
import type { Node } from '../../syntax/mirror';
import type { Fix, Range, RuleFinding, TextEdit } from '../../model';
import { callArgs, descendants, enclosingLoops, lineIndent, rangeOf } from '../shared/ast';
import type { Rule, RuleContext } from '../types';
import { calledName, getBindings, ownDescendants, poolCall, poolIndex, statementOf, type GetBinding, type PoolIndex } from './poolShared';
import { type FileFacts, type Tracked, fileFacts, isLocalType, localAliases, stripParens, trackBinding } from './poolOwnership';
import { MAX_DEPTH, methodDecls, receiverName, summary } from './poolSummary';
import { closureEffect, followObject, type Flow, type FlowExit } from './poolFlow';
import { resolveLocal } from '../shared/declarations';

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

/**
 * Names whose truth says whether anything was taken: `ok` of `x, ok := v.(*T)`, and the error of
 * `x, err := getter()` (on `err != nil` the getter handed out nothing).
 */
export function okNames(t: Tracked, g: GetBinding): { ok: Set<string>; err: Set<string> } {
	const ok = new Set<string>();
	const err = new Set<string>();
	for (const s of descendants(g.func, ['short_var_declaration', 'assignment_statement'])) {
		const left = s.childForFieldName('left')?.namedChildren ?? [];
		const right = s.childForFieldName('right')?.namedChildren ?? [];
		const r = stripParens(right[0]);
		if (left.length !== 2 || right.length !== 1 || left[1]?.type !== 'identifier' || !(t.identity ?? t.names).has(left[0]?.text ?? '')) continue;
		if (r?.type === 'type_assertion_expression') ok.add(left[1].text);
		else if (s.id === g.stmt.id && r?.type === 'call_expression') err.add(left[1].text);
	}
	return { ok, err };
}

/** A deferred closure that releases or may keep the variable: it covers every Get bound to it, even a later one. */
function deferredClosureCovers(f: FileFacts, t: Tracked): boolean {
	return ownDescendants(t.fn, 'defer_statement').some((d) => {
		const fn = stripParens(d.namedChild(0)?.childForFieldName('function'));
		return fn?.type === 'func_literal' && closureEffect(f, t, fn) !== 'none';
	});
}

/** Exits every path reaches still holding the object. */
function sureMisses(flow: Flow): FlowExit[] {
	return flow.exits.filter((e) => e.states.size === 1 && e.states.has('held')).sort((a, b) => a.node.startIndex - b.node.startIndex);
}

function exitText(e: FlowExit): string {
	const line = e.kind === 'return' ? e.node.startPosition.row + 1 : e.node.endPosition.row + 1;
	if (e.kind === 'return') return `when the function returns at line ${line}`;
	if (e.kind === 'end') return `when the function ends (line ${line})`;
	return e.node.type === 'continue_statement' || e.node.type === 'break_statement' ? `when the loop leaves this iteration at line ${line}` : `at the end of the loop iteration (line ${line})`;
}

/** The return (or break/continue) itself, or the closing brace of a body that ends. */
function exitRange(e: FlowExit): Range {
	if (e.node.type !== 'block') return rangeOf(e.node);
	const end = e.node.endPosition;
	return { start: { line: end.row, character: Math.max(0, end.column - 1) }, end: { line: end.row, character: end.column } };
}

/** `P.Put(x)` or `putter(x)` of this object, exactly. */
function isOwnPut(idx: PoolIndex, g: GetBinding, c: Node | null): c is Node {
	if (c?.type !== 'call_expression') return false;
	const args = callArgs(c);
	if (poolCall(idx, c, 'Put') === g.pool && stripParens(args[0])?.text === g.name) return true;
	const putter = idx.putters.get(calledName(c) ?? '');
	return !!putter && putter.pool === g.pool && args[putter.paramIndex]?.text === g.name;
}

/**
 * The statements a `defer` right after the Get replaces: plain `P.Put(x)` / `putter(x)` statements
 * and a `defer P.Put(x)` registered too late. Undefined when some release is of another form.
 */
function replacedPuts(idx: PoolIndex, g: GetBinding, flow: Flow): { stmts: Node[]; call: string } | undefined {
	const stmts: Node[] = [];
	let call: string | undefined;
	for (const e of flow.events) {
		if (e.effect !== 'release') continue;
		const c = e.deferred ? (e.node.type === 'defer_statement' ? e.node.namedChild(0) : null) : e.node;
		const st = e.deferred ? e.node : c ? statementOf(c) : undefined;
		if (!isOwnPut(idx, g, c) || !st || (!e.deferred && (st.type !== 'expression_statement' || stripParens(st.namedChild(0))?.id !== c.id))) return undefined;
		stmts.push(st);
		call ??= c.text;
	}
	return { stmts, call: call ?? `${g.pool}.Put(${g.name})` };
}

/**
 * `defer P.Put(x)` after the Get, the plain Puts removed. Safe for bulk application only when it
 * cannot double-Put or put back a live object: the object has no other name, nothing but those
 * plain Puts releases it, nothing hands it off or sees it unknown, every exit either holds it or
 * has put it back (no conditional Put), and the name is never given another value.
 */
function deferFix(ctx: RuleContext, idx: PoolIndex, g: GetBinding, t: Tracked, flow: Flow): Fix | undefined {
	if (enclosingLoops(g.stmt).length || g.deref || g.stmt.parent?.type !== 'statement_list') return undefined;
	const replaced = replacedPuts(idx, g, flow);
	const callText = replaced?.call ?? `${g.pool}.Put(${g.name})`;
	const at = { line: g.stmt.endPosition.row, character: g.stmt.endPosition.column };
	const edits: TextEdit[] = [{ range: { start: at, end: at }, newText: `\n${lineIndent(ctx.text, g.stmt)}defer ${callText}` }];
	for (const st of replaced?.stmts ?? []) edits.push(deleteStatement(ctx.text, st));
	const safe =
		!!replaced &&
		t.names.size === 1 &&
		flow.events.every((e) => e.effect === 'release') &&
		!flow.gotos &&
		flow.exits.every((e) => e.states.size === 1 && !e.states.has('none') && !e.states.has('handed') && !e.states.has('unknown')) &&
		replaced.stmts.every((p) => enclosingLoops(p).length === 0) &&
		(g.stmt.type === 'short_var_declaration' || g.stmt.parent?.parent?.id === g.func.childForFieldName('body')?.id);
	return { title: `defer ${callText} right after the Get`, edits, isPreferred: true, safe };
}

/**
 * The common correct shape, answered without the walk: the statements after the Get, in its own
 * list, reach `P.Put(x)` or `defer P.Put(x)` with no return, break, continue or goto before it, so
 * every path puts the object back before any exit (at worst a call in between panics).
 */
function putBeforeAnyExit(idx: PoolIndex, g: GetBinding): boolean {
	if (g.stmt.parent?.type !== 'statement_list') return false;
	for (let s = g.stmt.nextNamedSibling; s; s = s.nextNamedSibling) {
		if (s.type === 'comment') continue;
		const call = stripParens(s.type === 'defer_statement' ? s.namedChild(0) : s.type === 'expression_statement' ? s.namedChild(0) : null);
		if (isOwnPut(idx, g, call)) return true;
		if (descendants(s, ['return_statement', 'break_statement', 'continue_statement', 'goto_statement']).length) return false;
	}
	return false;
}

function checkBinding(ctx: RuleContext, f: FileFacts, g: GetBinding, out: RuleFinding[]): void {
	if (putBeforeAnyExit(f.idx, g)) return;
	const decl = resolveLocal(g.ident, g.name, g.func);
	if (!decl && g.stmt.type !== 'short_var_declaration' && g.stmt.type !== 'var_declaration') return; // a package-level variable: stored
	if (decl?.kind === 'result') return; // a named result leaves with the return
	const t = trackBinding(f, g);
	if (deferredClosureCovers(f, t)) return;
	const flow = followObject(f, t, g.stmt, g.name, okNames(t, g));
	const misses = sureMisses(flow);
	const inLoop = enclosingLoops(g.stmt).length > 0;
	const src = g.getter ? `${g.getter.name}()` : `${g.pool}.Get()`;
	const related: { range: Range; message: string }[] = [];
	let message: string;
	if (!flow.events.length) {
		// Nothing releases, keeps or hides it: every path that holds it at an exit drops it.
		if (!flow.exits.some((e) => e.states.has('held'))) return;
		message = `\`${g.name}\` from \`${src}\` is never put back${inLoop ? ' (inside a loop)' : ''}: nothing in this function puts it back or hands it on, so each call takes an object out of the pool for good and, once the pool is empty, each Get allocates through New. Put it back when done${inLoop ? '' : ` (\`defer ${g.pool}.Put(${g.name})\`)`} or drop the pool.`;
	} else {
		const releases = flow.events.filter((e) => e.effect === 'release');
		if (!releases.length || !misses.length || flow.gotos) return;
		const miss = misses[0];
		related.push({ range: exitRange(miss), message: 'this exit skips the Put' });
		for (const r of releases) related.push({ range: rangeOf(r.node), message: r.deferred ? 'the deferred Put, registered after that exit' : 'the Put that is skipped' });
		const late = releases.every((r) => r.deferred && r.node.startIndex > miss.node.startIndex);
		const why = late ? `: the deferred Put is registered after that ${miss.kind === 'return' ? 'return' : 'exit'}, so it does not cover it and that path` : ' (the Put is on another path), so that path';
		// A defer is advised only where the defer fix is safe: an object handed on (sent, stored,
		// returned) on another path would be put back under its new owner.
		const safeDefer = !inLoop && flow.events.every((e) => e.effect === 'release') && !flow.exits.some((e) => e.states.has('handed'));
		message = `\`${g.name}\` from \`${src}\` is not put back ${exitText(miss)}${why} drains the pool.${safeDefer ? ' Defer the Put right after the Get.' : inLoop ? '' : ' Put it back on that path too.'}`;
	}
	const fix = deferFix(ctx, poolIndex(ctx), g, t, flow);
	out.push({ rule: 'pool-put-missing', range: rangeOf(g.call), severity: inLoop ? 'warning' : 'information', message, fixes: fix ? [fix] : [], related });
}

/** `P.Get().(*T).M()` / `P.Get()` alone: the object is dropped unless M may release or keep it. */
function unbound(f: FileFacts, idx: PoolIndex, call: Node, out: RuleFinding[]): void {
	const pool = poolCall(idx, call, 'Get');
	if (!pool) return;
	let e: Node = call;
	let type: string | undefined;
	while (e.parent && (e.parent.type === 'type_assertion_expression' || e.parent.type === 'parenthesized_expression')) {
		e = e.parent;
		if (e.type === 'type_assertion_expression') type = e.childForFieldName('type')?.text;
	}
	const p = e.parent;
	const method = p?.type === 'selector_expression' && p.childForFieldName('operand')?.id === e.id && p.parent?.type === 'call_expression' ? p.parent : undefined;
	if (p?.type !== 'expression_statement' && !method) return;
	if (method && p && isLocalType(type) !== false) {
		// A method of a type of this package may put its receiver back (`p.Get().(*worker).run()`).
		const decls = methodDecls(f, p.childForFieldName('field')?.text ?? '');
		if (!decls.length || decls.some((d) => summary(f, d, receiverName(d)).fate !== 'none')) return;
	}
	out.push({
		rule: 'pool-put-missing',
		range: rangeOf(call),
		severity: enclosingLoops(call).length ? 'warning' : 'information',
		message: `The object from \`${pool}.Get()\` is used without keeping it, so it can never be put back: each call drains the pool by one object.`,
	});
}

export const poolPutMissing: Rule = {
	id: 'pool-put-missing',
	doc: { summary: 'object from sync.Pool.Get is not put back on some path (the next Get allocates again)', severity: 'information', usesEscape: false },
	check(ctx) {
		const idx = poolIndex(ctx);
		if (idx.vars.size + idx.fields.size === 0) return [];
		const f = fileFacts(idx, ctx.tree.rootNode);
		const out: RuleFinding[] = [];
		for (const g of getBindings(ctx)) checkBinding(ctx, f, g, out);
		for (const call of idx.getSites) unbound(f, idx, call, out);
		return out;
	},
};
