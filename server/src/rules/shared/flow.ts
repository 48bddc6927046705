/**
 * Control flow inside one function body, from the syntax tree: Go's terminating statements (the
 * spec's definition), where break/continue go, how a statement list can end, and whether a
 * statement inside a loop can run again in the same call ("does this loop go round after it?").
 * Calls that never return (panic, os.Exit, log.Fatal, t.Fatal, t.FailNow, t.Skip, runtime.Goexit)
 * end a path like `return` in `outcomes`; the spec's `isTerminating` counts only `panic`.
 */
import type { Node } from '../../syntax/mirror';
import { calleeName, descendants, dottedName, FUNCTION_TYPES } from './ast';

const LOOP = 'for_statement';
const BREAKABLE = new Set(['for_statement', 'select_statement', 'expression_switch_statement', 'type_switch_statement']);
const CASES = new Set(['expression_case', 'type_case', 'default_case', 'communication_case']);
/** Calls that do not come back to the caller. */
export const NO_RETURN_CALL = /^(panic|os\.Exit|runtime\.Goexit|(\w+\.)+(Fatal|Fatalf|Fatalln|FailNow|Skip|Skipf|SkipNow|Panic|Panicf|Panicln))$/;

/** The statements of a block, a case clause or a statement list (comments left out). */
export function statementsOf(node: Node | null | undefined): Node[] {
	if (!node) return [];
	const list = node.type === 'statement_list' ? node : node.namedChildren.find((c) => c?.type === 'statement_list');
	if (!list) return [];
	return list.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment' && n.type !== 'empty_statement');
}

/** The statement a labeled statement labels. */
function labeled(stmt: Node): Node | undefined {
	return stmt.namedChildren.find((c): c is Node => c !== null && c.type !== 'label_name' && c.type !== 'comment');
}

/** The for/switch/select a `break` leaves or the loop a `continue` continues (null: none, or a goto). */
export function jumpTarget(jump: Node): Node | null {
	const label = jump.namedChildren.find((c) => c?.type === 'label_name')?.text;
	const kinds = jump.type === 'continue_statement' ? new Set([LOOP]) : BREAKABLE;
	for (let n = jump.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
		if (label === undefined) {
			if (kinds.has(n.type)) return n;
		} else if (n.type === 'labeled_statement' && n.childForFieldName('label')?.text === label) {
			return labeled(n) ?? null;
		}
	}
	return null;
}

/** break statements (outside nested func literals) that leave `stmt`. */
export function breaksOf(stmt: Node): Node[] {
	return descendants(stmt, 'break_statement').filter((b) => jumpTarget(b)?.equals(stmt) && sameFunction(b, stmt));
}

/** Is `inner` in the same function as `outer` (not inside a func literal between them)? */
export function sameFunction(inner: Node, outer: Node): boolean {
	for (let n = inner.parent; n && !n.equals(outer); n = n.parent) if (FUNCTION_TYPES.has(n.type)) return false;
	return true;
}

/** An expression statement calling a function whose dotted name matches `re`. */
export function isCallTo(stmt: Node, re: RegExp): boolean {
	if (stmt.type !== 'expression_statement') return false;
	const call = stmt.namedChild(0);
	return call?.type === 'call_expression' && re.test(calleeName(call) ?? '');
}

/** Does the loop have no condition (`for {}`, `for init; ; post {}`)? */
export function hasNoCondition(loop: Node): boolean {
	const parts = loop.namedChildren.filter((c): c is Node => c !== null && c.type !== 'block' && c.type !== 'comment');
	if (parts.length === 0) return true;
	const clause = parts.find((c) => c.type === 'for_clause');
	return !!clause && !clause.childForFieldName('condition');
}

/** Go's terminating statement (spec "Terminating statements"); only the builtin panic counts as a call. */
export function isTerminating(stmt: Node): boolean {
	switch (stmt.type) {
		case 'return_statement':
		case 'goto_statement':
			return true;
		case 'expression_statement':
			return isCallTo(stmt, /^panic$/);
		case 'block':
			return endsInTerminating(statementsOf(stmt));
		case 'if_statement': {
			const alt = stmt.childForFieldName('alternative');
			return !!alt && isTerminating(stmt.childForFieldName('consequence')!) && isTerminating(alt);
		}
		case 'for_statement':
			return hasNoCondition(stmt) && !stmt.namedChildren.some((c) => c?.type === 'range_clause') && breaksOf(stmt).length === 0;
		case 'expression_switch_statement':
		case 'type_switch_statement': {
			const cases = stmt.namedChildren.filter((c): c is Node => c !== null && CASES.has(c.type));
			if (!cases.some((c) => c.type === 'default_case') || breaksOf(stmt).length > 0) return false;
			return cases.every((c) => {
				const s = statementsOf(c);
				const last = s[s.length - 1];
				return !!last && (last.type === 'fallthrough_statement' || isTerminating(last));
			});
		}
		case 'select_statement':
			return breaksOf(stmt).length === 0 && stmt.namedChildren.filter((c): c is Node => c !== null && CASES.has(c.type)).every((c) => endsInTerminating(statementsOf(c)));
		case 'labeled_statement': {
			const inner = labeled(stmt);
			return !!inner && isTerminating(inner);
		}
		default:
			return false;
	}
}

/** A statement list whose last statement is terminating. */
export function endsInTerminating(stmts: readonly Node[]): boolean {
	const last = stmts[stmts.length - 1];
	return !!last && isTerminating(last);
}

/** How control can leave a statement (list): fall through, leave the function, or jump. */
export class Outcomes {
	normal = false;
	/** return, panic or a call that does not return. */
	leave = false;
	/** goto: treated as "may go anywhere". */
	unknown = false;
	fallthrough = false;
	readonly breaks = new Map<string, Node>();
	readonly continues = new Map<string, Node>();

	static start(): Outcomes {
		const o = new Outcomes();
		o.normal = true;
		return o;
	}
	merge(o: Outcomes): this {
		this.normal ||= o.normal;
		this.leave ||= o.leave;
		this.unknown ||= o.unknown;
		this.fallthrough ||= o.fallthrough;
		for (const [k, v] of o.breaks) this.breaks.set(k, v);
		for (const [k, v] of o.continues) this.continues.set(k, v);
		return this;
	}
	/** Absorbs the jumps that target `stmt` (its breaks become a normal end). */
	closeBreaks(stmt: Node): this {
		if (this.breaks.delete(key(stmt))) this.normal = true;
		return this;
	}
}

const key = (n: Node): string => `${n.startIndex}:${n.type}`;

/** Runs `stmts` after `from` (when it can still fall through). */
export function sequence(from: Outcomes, stmts: readonly Node[]): Outcomes {
	for (const s of stmts) {
		if (!from.normal) break;
		from.normal = false;
		from.merge(outcomesOf(s));
	}
	return from;
}

/** How control can leave one statement. */
export function outcomesOf(stmt: Node): Outcomes {
	const o = new Outcomes();
	switch (stmt.type) {
		case 'return_statement':
			o.leave = true;
			return o;
		case 'goto_statement':
			o.unknown = true;
			return o;
		case 'expression_statement':
			if (isCallTo(stmt, NO_RETURN_CALL)) o.leave = true;
			else o.normal = true;
			return o;
		case 'break_statement':
		case 'continue_statement': {
			const t = jumpTarget(stmt);
			if (!t) o.normal = true;
			else (stmt.type === 'break_statement' ? o.breaks : o.continues).set(key(t), t);
			return o;
		}
		case 'fallthrough_statement':
			o.fallthrough = true;
			return o;
		case 'block':
			return sequence(Outcomes.start(), statementsOf(stmt));
		case 'if_statement': {
			const cons = stmt.childForFieldName('consequence');
			const alt = stmt.childForFieldName('alternative');
			if (cons) o.merge(outcomesOf(cons));
			if (alt) o.merge(outcomesOf(alt));
			else o.normal = true;
			return o;
		}
		case 'labeled_statement': {
			const inner = labeled(stmt);
			return inner ? outcomesOf(inner) : Outcomes.start();
		}
		case 'for_statement': {
			const body = sequence(Outcomes.start(), statementsOf(stmt.childForFieldName('body')));
			o.merge(body);
			o.normal = !hasNoCondition(stmt);
			o.continues.delete(key(stmt));
			o.closeBreaks(stmt);
			return o;
		}
		case 'expression_switch_statement':
		case 'type_switch_statement':
		case 'select_statement': {
			const cases = stmt.namedChildren.filter((c): c is Node => c !== null && CASES.has(c.type));
			for (const c of cases) {
				const r = sequence(Outcomes.start(), statementsOf(c));
				// fallthrough runs the next clause: its outcomes are merged in with every clause's.
				r.fallthrough = false;
				o.merge(r);
			}
			o.fallthrough = false;
			if (stmt.type !== 'select_statement' && !cases.some((c) => c.type === 'default_case')) o.normal = true;
			o.closeBreaks(stmt);
			return o;
		}
		default:
			o.normal = true;
			return o;
	}
}

/** The statements after `stmt` in its statement list (where control goes when it ends normally). */
export function siblingsAfter(stmt: Node): Node[] {
	const list = stmt.parent;
	if (!list || list.type !== 'statement_list') return [];
	const all = list.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment' && n.type !== 'empty_statement');
	const i = all.findIndex((s) => s.equals(stmt));
	return i < 0 ? [] : all.slice(i + 1);
}

/**
 * The guard of `if X == nil { … X = … }` (also `!X` with `X = true`, `X == 0`, `X == ""`, `X == false`):
 * X's text when the if's consequence assigns X, so once X is set the consequence does not run again.
 */
export function onceGuard(ifStmt: Node): string | undefined {
	const cons = ifStmt.childForFieldName('consequence');
	const cond = ifStmt.childForFieldName('condition');
	if (!cons || !cond) return undefined;
	const conjuncts: Node[] = [];
	const split = (e: Node): void => {
		while (e.type === 'parenthesized_expression' && e.namedChild(0)) e = e.namedChild(0)!;
		if (e.type === 'binary_expression' && e.childForFieldName('operator')?.text === '&&') {
			for (const f of ['left', 'right']) {
				const side = e.childForFieldName(f);
				if (side) split(side);
			}
		} else conjuncts.push(e);
	};
	split(cond);
	for (const c of conjuncts) {
		let x: Node | null = null;
		if (c.type === 'unary_expression' && c.childForFieldName('operator')?.text === '!') x = c.childForFieldName('operand');
		else if (c.type === 'binary_expression' && c.childForFieldName('operator')?.text === '==') {
			const l = c.childForFieldName('left');
			const r = c.childForFieldName('right');
			const zero = (n: Node | null) => !!n && (n.type === 'nil' || n.type === 'false' || n.text === '0' || n.text === '""');
			x = zero(r) ? l : zero(l) ? r : null;
		}
		const name = x ? dottedName(x) : undefined;
		if (!name) continue;
		const assigned = descendants(cons, 'assignment_statement').some(
			(a) => sameFunction(a, cons) && (a.childForFieldName('left')?.namedChildren ?? []).some((t) => t !== null && dottedName(t) === name),
		);
		if (assigned) return name;
	}
	return undefined;
}

/** Is a name (or the root of `a.b.c`) declared inside `region`? Conservative: any declaration of the name there counts. */
function declaresRoot(region: Node, dotted: string): boolean {
	const root = dotted.split('.')[0];
	for (const d of descendants(region, ['short_var_declaration', 'var_spec', 'range_clause', 'receive_statement', 'parameter_declaration'])) {
		const names = d.type === 'var_spec' || d.type === 'parameter_declaration' ? d.childrenForFieldName('name') : (d.childForFieldName('left')?.namedChildren ?? []);
		if (names.some((n) => n?.text === root)) return true;
	}
	return false;
}

/**
 * The innermost loop of the enclosing function through which `stmt`, once run, can run again in the
 * same call; null when every path from `stmt` leaves the function or the loops first (it runs at
 * most once per call), or when it stands under a once-guard (`if t == nil { t = …; stmt }`) whose
 * variable outlives the loops.
 */
export function repeatingLoop(stmt: Node): Node | null {
	return repeatsAfter(stmt, sequence(Outcomes.start(), siblingsAfter(stmt)));
}

/**
 * The innermost loop that control reaches again once `node` (a statement, or a case clause whose
 * body has run) ends with outcomes `out`; null when every path leaves the function or the loops.
 * With `onceGuards` (the default), a once-guard around `node` whose variable outlives the loops
 * means the loop goes round without running `node` again.
 */
export function repeatsAfter(node: Node, out: Outcomes, { onceGuards = true } = {}): Node | null {
	const stmt = node;
	const guards: string[] = [];
	if (CASES.has(node.type) && out.fallthrough) {
		const next = node.nextNamedSibling;
		if (next && CASES.has(next.type)) out.merge(sequence(Outcomes.start(), statementsOf(next)));
		out.fallthrough = false;
	}
	for (let p = node.parent; p && !FUNCTION_TYPES.has(p.type); node = p, p = p.parent) {
		if (p.type === 'statement_list') continue;
		if (p.type === 'block') {
			// A plain block statement falls through to what follows it; a body is handled at its owner.
			if (p.parent?.type === 'statement_list') out = sequence(out, siblingsAfter(p));
			continue;
		}
		if (CASES.has(p.type)) {
			if (out.fallthrough) {
				// Falls into the next clause: what that clause can do happens too.
				const next = p.nextNamedSibling;
				if (next && CASES.has(next.type)) out.merge(sequence(Outcomes.start(), statementsOf(next)));
				out.fallthrough = false;
			}
			continue;
		}
		if (p.type === 'if_statement') {
			const cons = p.childForFieldName('consequence');
			if (onceGuards && cons?.equals(node)) {
				const g = onceGuard(p);
				if (g) guards.push(g);
			}
			out = sequence(out, siblingsAfter(p));
			continue;
		}
		if (p.type === 'expression_switch_statement' || p.type === 'type_switch_statement' || p.type === 'select_statement') {
			out.closeBreaks(p);
			out = sequence(out, siblingsAfter(p));
			continue;
		}
		if (p.type === 'labeled_statement') {
			out = sequence(out, siblingsAfter(p));
			continue;
		}
		if (p.type === LOOP) {
			const k = key(p);
			if (out.normal || out.unknown || out.continues.has(k)) {
				if (!guards.some((g) => !declaresRoot(p, g))) return p;
				// Guarded: the loop may go round, but not through `stmt` again.
				out.normal = true;
			}
			out.continues.delete(k);
			out.closeBreaks(p);
			out = sequence(out, siblingsAfter(p.parent?.type === 'labeled_statement' ? p.parent : p));
			continue;
		}
		if (p.type === 'ERROR') return enclosingLoop(stmt);
	}
	return null;
}

function enclosingLoop(stmt: Node): Node | null {
	for (let n = stmt.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) if (n.type === LOOP) return n;
	return null;
}

/** After the body of a select or switch case has run, does control come back to an enclosing loop? */
export function caseRepeats(clause: Node): Node | null {
	return repeatsAfter(clause, sequence(Outcomes.start(), statementsOf(clause)));
}
