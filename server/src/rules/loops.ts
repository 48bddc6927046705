/**
 * The shape of a loop, from the syntax tree: does a statement run on every iteration, does the
 * loop block waiting for events, does it leave only on a signal, is its count a literal.
 */
import type { Node } from '../syntax/mirror';
import { calleeName, descendants } from './ast';
import { isCallTo, jumpTarget, NO_RETURN_CALL, sameFunction } from './flow';

/** Does `stmt` run on every iteration of `loop` that reaches the end of its body (not under an if, switch, select or inner loop)? */
export function onMainPath(stmt: Node, loop: Node): boolean {
	for (let n = stmt.parent; n && !n.equals(loop); n = n.parent) {
		if (!['statement_list', 'block', 'labeled_statement'].includes(n.type)) return false;
	}
	return true;
}

/**
 * Does the loop body block waiting for something outside nested func literals: a select without a
 * default case, a channel receive outside such a select, an Accept?
 */
export function waitsForEvents(loop: Node): boolean {
	const body = loop.childForFieldName('body');
	if (!body) return false;
	const polling = (sel: Node | null | undefined): boolean => !!sel && sel.namedChildren.some((c) => c?.type === 'default_case');
	for (const n of descendants(body, ['select_statement', 'unary_expression', 'call_expression'])) {
		if (!sameFunction(n, body)) continue;
		if (n.type === 'select_statement' && !polling(n)) return true;
		if (n.type === 'unary_expression' && n.childForFieldName('operator')?.text === '<-') {
			// A select case waits only when its select has no default (the select is counted itself).
			let c = n.parent;
			if (c?.type === 'receive_statement' || c?.type === 'expression_statement') c = c.parent;
			if (c?.type === 'communication_case') continue;
			return true;
		}
		if (n.type === 'call_expression' && /(^|\.)Accept$/.test(calleeName(n) ?? '')) return true;
	}
	return false;
}

/**
 * Every way out of the loop (return, a break or goto leaving it, a call that does not return) sits
 * in a select case that receives from a channel: the loop runs until a signal (`case <-stop: return`).
 */
export function exitsOnlyOnSignal(loop: Node): boolean {
	const body = loop.childForFieldName('body');
	if (!body) return false;
	const exits = descendants(body, ['return_statement', 'break_statement', 'goto_statement', 'expression_statement']).filter((s) => {
		if (!sameFunction(s, body)) return false;
		if (s.type === 'expression_statement') return isCallTo(s, NO_RETURN_CALL);
		if (s.type === 'break_statement') {
			const t = jumpTarget(s);
			return !t || !(t.startIndex >= body.startIndex && t.endIndex <= body.endIndex);
		}
		return true;
	});
	if (exits.length === 0) return false;
	return exits.every((s) => {
		for (let p = s.parent; p && !p.equals(body); p = p.parent) {
			if (p.type === 'communication_case') return p.childForFieldName('communication')?.type === 'receive_statement';
		}
		return false;
	});
}

/**
 * How many times the loop can run when a literal says so: `for i := 0; i < 10; i++` (also `<=`,
 * `i := 10; i > 0; i--` is not recognised), `for range 5`, `for _, x := range []T{a, b}`; else undefined.
 */
export function literalBound(loop: Node): number | undefined {
	const clause = loop.namedChildren.find((c) => c?.type === 'for_clause' || c?.type === 'range_clause');
	if (!clause) return undefined;
	if (clause.type === 'range_clause') {
		const right = clause.childForFieldName('right');
		if (right?.type === 'int_literal') return Number(right.text.replace(/_/g, ''));
		if (right?.type === 'composite_literal') return right.childForFieldName('body')?.namedChildren.filter((c) => c !== null && c.type !== 'comment').length;
		return undefined;
	}
	const cond = clause.childForFieldName('condition');
	if (cond?.type !== 'binary_expression') return undefined;
	const op = cond.childForFieldName('operator')?.text;
	const right = cond.childForFieldName('right');
	if (right?.type !== 'int_literal' || (op !== '<' && op !== '<=')) return undefined;
	const n = Number(right.text.replace(/_/g, ''));
	return Number.isFinite(n) ? n + (op === '<=' ? 1 : 0) : undefined;
}
