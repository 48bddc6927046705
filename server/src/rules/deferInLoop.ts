/**
 * defer-in-loop (spec R14): a `defer` lexically inside a loop body. Deferred calls run when the
 * surrounding *function* returns, not at the end of each iteration, so every iteration's resource
 * (file, lock, pooled object) is held until then. In a loop that never exits they never run.
 */
import type { Node } from '../syntax/mirror';
import type { RuleFinding, Severity, TextEdit } from '../model';
import type { Rule } from './types';
import { bodyOf, callArgs, calleeName, descendants, enclosingFunction, enclosingLoops, FUNCTION_TYPES, lineIndent, rangeOf } from './ast';
import { sites } from './scope';

const RELEASE = /(^|\.)(Close|Unlock|RUnlock|Put|Stop|Done|Release|Free|Rollback|cancel)$/;
const BREAKABLE = new Set(['for_statement', 'select_statement', 'expression_switch_statement', 'type_switch_statement']);

function stmtsOf(block: Node | null): Node[] {
	if (!block) return [];
	const list = block.namedChildren.find((c) => c?.type === 'statement_list') ?? block;
	return list.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment' && n.type !== 'statement_list');
}

/** Jump statements inside `root` that are not inside a nested func literal. */
function jumps(root: Node, types: string[]): Node[] {
	return descendants(root, types).filter((j) => {
		for (let n = j.parent; n && !n.equals(root); n = n.parent) if (FUNCTION_TYPES.has(n.type)) return false;
		return true;
	});
}

function innermost(j: Node, kinds: Set<string>): Node | null {
	for (let n = j.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) if (kinds.has(n.type)) return n;
	return null;
}

/** The body always leaves the loop on its first pass (last statement is return or a break of it). */
function oneShot(loop: Node): boolean {
	const last = stmtsOf(bodyOf(loop)).at(-1);
	if (!last) return false;
	if (last.type === 'return_statement') return true;
	return last.type === 'break_statement' && !last.namedChild(0);
}

/** `for {}` with no way out but a panic: nothing deferred in it ever runs. */
function endless(loop: Node): boolean {
	if (loop.namedChildren.some((c) => c !== null && c.type !== 'block' && c.type !== 'comment')) return false;
	const body = bodyOf(loop);
	if (!body) return false;
	if (jumps(body, ['return_statement', 'goto_statement']).length > 0) return false;
	return !jumps(body, ['break_statement']).some((b) => b.namedChild(0) || innermost(b, BREAKABLE)?.equals(loop));
}

/** `for … range ch` where ch is declared in the function as a channel (parameter, var or make(chan …)). */
function rangesOverChannel(loop: Node): string | undefined {
	const rc = loop.namedChildren.find((c) => c?.type === 'range_clause');
	const right = rc?.childForFieldName('right');
	const fn = enclosingFunction(loop);
	if (!right || right.type !== 'identifier' || !fn) return undefined;
	for (const d of descendants(fn, ['parameter_declaration', 'var_spec', 'short_var_declaration'])) {
		if (d.startIndex > loop.startIndex) break;
		if (d.type === 'short_var_declaration') {
			const l = d.childForFieldName('left')?.namedChildren ?? [];
			const r = d.childForFieldName('right')?.namedChildren ?? [];
			const i = l.findIndex((n) => n?.text === right.text);
			const v = i >= 0 ? r[i] : undefined;
			if (v?.type === 'call_expression' && calleeName(v) === 'make' && callArgs(v)[0]?.type === 'channel_type') return right.text;
			continue;
		}
		if (d.childrenForFieldName('name').some((n) => n?.text === right.text) && d.childForFieldName('type')?.type === 'channel_type') return right.text;
	}
	return undefined;
}

/**
 * The wrap-in-a-closure fix, when it keeps the meaning: no return, goto or label, no break or
 * continue leaving the body; a `continue` of this loop becomes `return` in the closure.
 */
function wrapFix(text: string, loop: Node): TextEdit[] | undefined {
	const body = bodyOf(loop);
	if (!body || body.hasError) return undefined;
	if (jumps(body, ['return_statement', 'goto_statement', 'labeled_statement']).length > 0) return undefined;
	const rewrites: Node[] = [];
	for (const j of jumps(body, ['break_statement', 'continue_statement'])) {
		if (j.namedChild(0)) return undefined;
		const t = innermost(j, j.type === 'continue_statement' ? new Set(['for_statement']) : BREAKABLE);
		if (!t || t.equals(loop)) {
			if (j.type === 'break_statement') return undefined;
			rewrites.push(j);
		}
	}
	// Re-indenting would change multi-line raw strings.
	if (descendants(body, 'raw_string_literal').some((r) => r.text.includes('\n'))) return undefined;
	const open = body.startIndex + 1;
	const close = body.endIndex - 1;
	let inner = text.slice(open, close);
	for (const r of rewrites.sort((a, b) => b.startIndex - a.startIndex)) {
		inner = inner.slice(0, r.startIndex - open) + 'return' + inner.slice(r.endIndex - open);
	}
	const ind = lineIndent(text, loop);
	const lines = inner.replace(/^[ \t]*\n/, '').replace(/\s+$/, '').split('\n');
	const moved = lines.map((l) => (l.trim() ? `\t${l}` : l)).join('\n');
	const newText = `\n${ind}\tfunc() {\n${moved}\n${ind}\t}()\n${ind}`;
	return [{ range: { start: pos(body.startPosition, 1), end: pos(body.endPosition, -1) }, newText }];
}

function pos(p: { row: number; column: number }, delta: number) {
	return { line: p.row, character: p.column + delta };
}

/** Rule R14 `defer-in-loop`; see docs/rules/defer-in-loop.md. */
export const deferInLoop: Rule = {
	id: 'defer-in-loop',
	scopeGate: /\bdefer\b/,
	doc: { summary: 'defer inside a loop: deferred calls run when the function returns, not per iteration', severity: 'warning', usesEscape: false },
	check(ctx) {
		const out: RuleFinding[] = [];
		for (const d of sites(ctx, 'defer_statement')) {
			const loops = enclosingLoops(d);
			if (loops.length === 0 || !enclosingFunction(d)) continue;
			const loop = loops.find((l) => !oneShot(l));
			if (!loop) continue;
			const call = d.namedChildren.find((c) => c?.type === 'call_expression') ?? null;
			const callee = call ? calleeName(call) ?? '' : '';
			const lit = call?.childForFieldName('function')?.type === 'func_literal';
			const what = !call ? 'the deferred call' : lit ? 'a func literal' : `\`${call.text.length > 40 ? `${callee}(…)` : call.text}\``;
			let severity: Severity = RELEASE.test(callee) ? 'warning' : 'information';
			let message =
				`${what} is deferred inside a loop: deferred calls run when the surrounding function returns, ` +
				'not at the end of each iteration, so every iteration\'s deferred call (and what it holds) waits until then.';
			const ch = loops.map(rangesOverChannel).find(Boolean);
			if (ch) {
				severity = 'error';
				message = `${what} is deferred inside a loop over the channel \`${ch}\`: the loop ends only when the channel is closed, and the deferred calls pile up until the function returns after that.`;
			}
			if (loops.some(endless)) {
				severity = 'error';
				message = `${what} is deferred inside a loop that never exits: the function never returns normally, so the deferred calls never run and pile up.`;
			}
			const edits = wrapFix(ctx.text, loops[0]);
			out.push({
				rule: 'defer-in-loop',
				range: rangeOf(d),
				severity,
				message,
				related: [{ range: rangeOf(loop.childForFieldName('body') ?? loop), message: 'the loop' }],
				fixes: edits ? [{ title: 'Run the loop body in a func literal so the defer runs per iteration', edits, isPreferred: true, safe: false }] : undefined,
			});
		}
		return out;
	},
};
