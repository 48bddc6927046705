/**
 * The shape of a loop, from the syntax tree: does a statement run on every iteration, does the
 * loop block waiting for events, does it leave only on a signal, is its count a literal, is what
 * an iteration started joined before the next.
 */
import type { Node } from '../../syntax/mirror';
import { blockStatements, bodyOf, calleeName, contains, descendants } from './ast';
import { localDeclarationOf } from './declarations';
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

/**
 * The most times the loop can run when the code fixes it: a literal bound (`literalBound`), or a
 * range over a slice whose every value in view is a composite literal, a re-slice of itself or an
 * append of a few elements outside loops (`var roots []string; roots = append(roots, a)`), declared
 * in the function or at the top of the file. Undefined when it depends on input.
 */
export function fixedCount(loop: Node): number | undefined {
	const lit = literalBound(loop);
	if (lit !== undefined) return lit;
	const rc = loop.namedChildren.find((c) => c?.type === 'range_clause');
	const right = rc?.childForFieldName('right');
	if (right?.type !== 'identifier') return undefined;
	const b = localDeclarationOf(right);
	const scope = b ? enclosingBody(b.id) : fileOf(right);
	if (!scope) return undefined;
	let literalMax = 0;
	let appended = 0;
	let seen = false;
	for (const n of descendants(scope, ['var_spec', 'short_var_declaration', 'assignment_statement'])) {
		const names = n.type === 'var_spec' ? n.childrenForFieldName('name') : (n.childForFieldName('left')?.namedChildren ?? []);
		const i = names.findIndex((x) => x?.type === 'identifier' && x.text === right.text);
		if (i < 0) continue;
		const target = localDeclarationOf(names[i]!);
		// The same variable: the local one, or (for a package variable) an unresolved name.
		if (b ? target?.id.startIndex !== b.id.startIndex : target !== undefined) continue;
		if (!b && n.type !== 'var_spec') return undefined; // a package variable assigned in some function
		if (!b && !atTopLevel(n)) continue;
		seen = true;
		const values = (n.type === 'var_spec' ? n.childForFieldName('value') : n.childForFieldName('right'))?.namedChildren.filter((v) => v !== null && v.type !== 'comment') ?? [];
		const v = values[i];
		if (!v) continue; // `var roots []string`
		const k = valueCount(v, right.text, scope);
		if (k === undefined) return undefined;
		if (v.type === 'composite_literal') literalMax = Math.max(literalMax, k);
		else appended += k;
	}
	return seen ? literalMax + appended : undefined;
}

function atTopLevel(n: Node): boolean {
	for (let p = n.parent; p; p = p.parent) {
		if (p.type === 'source_file') return true;
		if (p.type === 'function_declaration' || p.type === 'method_declaration' || p.type === 'func_literal') return false;
	}
	return false;
}

/** Elements a value puts in the slice `name`: a composite literal's count, an append's added count, a re-slice adds none. */
function valueCount(v: Node, name: string, scope: Node): number | undefined {
	if (v.type === 'composite_literal') return v.childForFieldName('body')?.namedChildren.filter((c) => c !== null && c.type !== 'comment').length ?? 0;
	if (v.type === 'slice_expression' && v.childForFieldName('operand')?.text === name) return 0;
	if (v.type === 'call_expression' && calleeName(v) === 'append') {
		const args = v.childForFieldName('arguments')?.namedChildren.filter((c) => c !== null && c.type !== 'comment') ?? [];
		if (args[0]?.text !== name || v.text.includes('...')) return undefined;
		for (let p = v.parent; p && !p.equals(scope); p = p.parent) if (p.type === 'for_statement') return undefined;
		return args.length - 1;
	}
	return undefined;
}

function enclosingBody(n: Node): Node | undefined {
	for (let p = n.parent; p; p = p.parent) if (p.type === 'function_declaration' || p.type === 'method_declaration' || p.type === 'func_literal') return p;
	return undefined;
}

function fileOf(n: Node): Node | undefined {
	let p: Node = n;
	while (p.parent) p = p.parent;
	return p.type === 'source_file' ? p : undefined;
}

/**
 * A `wg.Wait()` / `g.Wait()` / `<-ch` in a later statement of the same iteration joins what the
 * statement holding `node` started (a goroutine, `g.Go`) before the loop moves on.
 */
export function joinedLater(node: Node, loop: Node): boolean {
	const stmts = blockStatements(bodyOf(loop));
	const i = stmts.findIndex((s) => contains(s, node));
	if (i < 0) return false;
	return stmts.slice(i + 1).some(
		(s) =>
			descendants(s, 'call_expression').some((c) => /\.Wait$/.test(calleeName(c) ?? '') && waitsHere(c, s)) ||
			descendants(s, 'unary_expression').some((u) => u.child(0)?.type === '<-' && waitsHere(u, s)),
	);
}

/**
 * The wait or receive `n` blocks the iteration: not inside a func literal (which runs elsewhere)
 * nor in a select with a default case (`select { case <-ctx.Done(): …; default: }` polls and
 * moves on: rmapi's Mirror loop).
 */
function waitsHere(n: Node, stmt: Node): boolean {
	for (let p = n.parent; p; p = p.parent) {
		if (p.type === 'func_literal') return false;
		if (p.type === 'select_statement' && p.namedChildren.some((c) => c?.type === 'default_case')) return false;
		if (p.id === stmt.id) break;
	}
	return true;
}
