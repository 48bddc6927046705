/**
 * Control flow after a statement inside a loop body: does every path leave the loop before the
 * iteration ends? A closure or pointer made in an iteration that the loop never goes past sees
 * no later iteration, so sharing the loop variable is harmless there (`go run(s); return`,
 * `found = &v; break`). Syntactic and conservative: any jump whose target is unclear (goto,
 * `continue`, a `break` out of a construct it cannot follow, `fallthrough`) answers false.
 */
import type { Node } from '../syntax/mirror';
import { calleeName, FUNCTION_TYPES } from './ast';

const BREAKABLE = new Set(['for_statement', 'expression_switch_statement', 'type_switch_statement', 'select_statement']);
const CASES = new Set(['expression_case', 'default_case', 'type_case', 'communication_case']);

/** Calls that never return to the caller (the goroutine or process ends). */
const NO_RETURN = /^(panic|os\.Exit|log\.(Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln)|runtime\.Goexit)$|\.(Fatal|Fatalf|FailNow|Skip|Skipf|SkipNow)$/;

type Step = { kind: 'leave' } | { kind: 'unknown' } | { kind: 'through' } | { kind: 'jump'; to: Node };

/** The statement holding `node` whose parent is a statement list (or `node` itself). */
function statementOf(node: Node, stop: Node): Node | undefined {
	for (let n: Node | null = node; n && n.id !== stop.id; n = n.parent) {
		if (n.parent?.type === 'statement_list') return n;
	}
	return undefined;
}

/** The for/switch/select a `break`/`continue` jumps out of (labeled or innermost), within its function. */
function jumpTarget(jump: Node, loopsOnly: boolean): Node | undefined {
	const label = jump.namedChildren.find((c) => c?.type === 'label_name')?.text;
	for (let n = jump.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
		if (label) {
			if (n.type === 'labeled_statement' && n.childForFieldName('label')?.text === label) return n.namedChildren.find((c) => c && BREAKABLE.has(c.type)) ?? undefined;
		} else if (loopsOnly ? n.type === 'for_statement' : BREAKABLE.has(n.type)) return n;
	}
	return undefined;
}

/** Is `inner` inside `outer` (or the same node)? */
function within(inner: Node, outer: Node): boolean {
	return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** Jumps in `st` (outside nested functions) whose target lies outside `st`. */
function escapingJumps(st: Node): Node[] {
	const out: Node[] = [];
	const walk = (n: Node): void => {
		for (const c of n.namedChildren) {
			if (!c || FUNCTION_TYPES.has(c.type)) continue;
			if (c.type === 'goto_statement' || c.type === 'fallthrough_statement') out.push(c);
			else if (c.type === 'break_statement' || c.type === 'continue_statement') {
				const t = jumpTarget(c, c.type === 'continue_statement');
				if (!t || !within(t, st) || t.id === st.id) out.push(c);
			}
			walk(c);
		}
	};
	walk(st);
	return out;
}

/** The first statement of a statement list, or null. */
function firstStatement(list: Node | null | undefined): Node | null {
	return list?.namedChildren.find((c) => c && c.type !== 'comment') ?? null;
}

/** The statement list of a block (tree-sitter-go wraps a block's statements in one). */
function listOf(block: Node | null | undefined): Node | null {
	return block?.namedChildren.find((c) => c?.type === 'statement_list') ?? null;
}

/** What executing statement `s` does with respect to leaving `loop`. */
function step(s: Node, loop: Node): Step {
	switch (s.type) {
		case 'return_statement':
			return { kind: 'leave' };
		case 'goto_statement':
		case 'fallthrough_statement':
			return { kind: 'unknown' };
		case 'continue_statement': {
			const t = jumpTarget(s, true);
			// `continue outer` leaves this loop for good (a new run of it declares new variables).
			return t && t.id !== loop.id && within(loop, t) ? { kind: 'leave' } : { kind: 'unknown' };
		}
		case 'break_statement': {
			const t = jumpTarget(s, false);
			if (!t) return { kind: 'unknown' };
			if (t.id === loop.id || within(loop, t)) return { kind: 'leave' };
			return { kind: 'jump', to: t.parent?.type === 'labeled_statement' ? t.parent : t };
		}
		case 'expression_statement': {
			const call = s.namedChild(0);
			return call?.type === 'call_expression' && NO_RETURN.test(calleeName(call) ?? '') ? { kind: 'leave' } : { kind: 'through' };
		}
		case 'block':
			return runList(firstStatement(listOf(s)), loop, false) ? { kind: 'leave' } : escapingJumps(s).length ? { kind: 'unknown' } : { kind: 'through' };
		case 'if_statement': {
			const branches: (Node | undefined)[] = [];
			for (let n: Node | null = s; n; ) {
				branches.push(listOf(n.childForFieldName('consequence')) ?? undefined);
				const alt = n.childForFieldName('alternative');
				if (alt?.type === 'if_statement') n = alt;
				else {
					branches.push(alt ? listOf(alt) ?? undefined : undefined);
					n = null;
				}
			}
			// No else: the missing branch falls through.
			if (branches.every((b) => b && runList(firstStatement(b), loop, false))) return { kind: 'leave' };
			return escapingJumps(s).length ? { kind: 'unknown' } : { kind: 'through' };
		}
		default:
			return escapingJumps(s).length ? { kind: 'unknown' } : { kind: 'through' };
	}
}

/**
 * Runs statements from `cur` on: true when every path leaves `loop`. With `climb`, the end of a
 * block, case or if goes on after it (up to the loop body's end, which means another iteration);
 * without, the end of the list is the answer (a branch that falls through).
 */
function runList(cur: Node | null, loop: Node, climb: boolean, list: Node | null = cur?.parent ?? null): boolean {
	const body = bodyBlock(loop);
	for (;;) {
		for (; cur; cur = cur.nextNamedSibling) {
			if (cur.type === 'comment') continue;
			const r = step(cur, loop);
			if (r.kind === 'leave') return true;
			if (r.kind === 'unknown') return false;
			if (r.kind === 'jump') {
				// A `break` out of a switch/select inside the loop: go on after that statement.
				if (!climb || r.to.parent?.type !== 'statement_list' || !within(r.to, loop)) return false;
				return runList(r.to.nextNamedSibling, loop, climb, r.to.parent);
			}
		}
		if (!climb || !list) return false;
		// The end of `list`: control goes on after the construct holding it.
		const holder = list.parent;
		if (!holder || holder.id === body?.id) return false;
		let after: Node | null = null;
		if (holder.type === 'block' && holder.parent?.type === 'statement_list') after = holder;
		else if (holder.type === 'block' && holder.parent?.type === 'if_statement') {
			after = holder.parent;
			while (after.parent?.type === 'if_statement') after = after.parent;
		} else if (CASES.has(holder.type)) after = holder.parent;
		if (after?.parent?.type === 'labeled_statement') after = after.parent;
		if (!after || after.parent?.type !== 'statement_list' || !within(after, body ?? loop)) return false;
		list = after.parent;
		cur = after.nextNamedSibling;
	}
}

function bodyBlock(loop: Node): Node | null {
	return loop.childForFieldName('body');
}

/**
 * True when, after the statement holding `node` (inside `loop`'s body), every path leaves `loop`
 * (return, break out of it, a call that never returns) before the iteration ends.
 */
export function leavesLoopAfter(node: Node, loop: Node): boolean {
	const body = bodyBlock(loop);
	if (!body || !within(node, body)) return false;
	const st = statementOf(node, body);
	if (!st?.parent) return false;
	return runList(st.nextNamedSibling, loop, true, st.parent);
}
