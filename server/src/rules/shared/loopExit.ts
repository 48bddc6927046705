/**
 * Control flow after a statement inside a loop body: does every path leave the loop before the
 * iteration ends? A closure or pointer made in an iteration that the loop never goes past sees
 * no later iteration, so sharing the loop variable is harmless there (`go run(s); return`,
 * `found = &v; break`). Built on flow.ts (how each statement can end, where jumps go);
 * conservative: a path that goes round an inner loop, or any goto, counts as staying.
 */
import type { Node } from '../../syntax/mirror';
import { contains, FUNCTION_TYPES } from './ast';
import { Outcomes, repeatsAfter, sequence, siblingsAfter } from './flow';

/** The statement of `loop`'s own function (not of a func literal inside it) that holds `node`. */
function statementOf(node: Node, body: Node): Node | undefined {
	let st: Node | undefined;
	for (let n: Node | null = node; n && !n.equals(body); n = n.parent) {
		if (FUNCTION_TYPES.has(n.type)) st = undefined;
		else if (!st && n.parent?.type === 'statement_list') st = n;
	}
	return st;
}

/**
 * True when, after the statement holding `node` (inside `loop`'s body), every path leaves `loop`
 * (return, break out of it, continue of an outer loop, a call that never returns) before the
 * iteration ends.
 */
export function leavesLoopAfter(node: Node, loop: Node): boolean {
	const body = loop.childForFieldName('body');
	if (!body || !contains(body, node)) return false;
	const st = statementOf(node, body);
	if (!st) return false;
	// The loop control reaches again: none, or one around `loop`, means `loop` is left.
	const again = repeatsAfter(st, sequence(Outcomes.start(), siblingsAfter(st)), { onceGuards: false });
	return !again || !contains(loop, again);
}
