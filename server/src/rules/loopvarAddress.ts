/**
 * loopvar-address (spec R8): `&v` / `&v.f` of a loop variable that outlives the iteration.
 * Before go1.22 every stored pointer aliases the one shared variable; from go1.22 the code is
 * correct but, when the compiler moves `v` to the heap, each iteration allocates a fresh `v`.
 */
import type { Node } from '../syntax/mirror';
import type { RuleFinding, Severity } from '../model';
import type { Rule, RuleContext } from './types';
import { bodyOf, calleeName, contains, descendants, rangeOf } from './ast';
import { bodyAssigns, copyLoopVarEdit, loopVars, lower, movedToHeap, resolvesThrough, sharedLoopVars, versionPhrase, type LoopVar } from './loopvarShared';
import { mentions, sites } from './scope';

type Use = 'stored' | 'passed' | 'returned' | 'other';

/** The identifier `&v` / `&v.f.g` takes the address of, if any. */
function addressedIdent(amp: Node): Node | null {
	if (amp.child(0)?.type !== '&') return null;
	let n = amp.childForFieldName('operand');
	while (n && (n.type === 'selector_expression' || n.type === 'parenthesized_expression')) {
		n = n.type === 'selector_expression' ? n.childForFieldName('operand') : n.namedChild(0);
	}
	return n?.type === 'identifier' ? n : null;
}

function useOf(amp: Node): Use {
	const p = amp.parent;
	if (!p) return 'other';
	if (p.type === 'argument_list') return calleeName(p.parent!) === 'append' ? 'stored' : 'passed';
	if (p.type === 'literal_element' || p.type === 'send_statement') return 'stored';
	if (p.type === 'expression_list') {
		const gp = p.parent;
		if (gp?.type === 'return_statement') return 'returned';
		if (gp?.type === 'assignment_statement' && gp.childForFieldName('right')?.equals(p)) return 'stored';
	}
	return 'other';
}

/** True when the statement holding `node` is directly followed by `break` or `return`. */
function leavesLoopRightAfter(node: Node): boolean {
	let st: Node | null = node;
	while (st && st.parent?.type !== 'statement_list') st = st.parent;
	if (!st || st.type !== 'assignment_statement') return false;
	const next = st.nextNamedSibling;
	return next?.type === 'break_statement' || next?.type === 'return_statement';
}

function message(ctx: RuleContext, loop: Node, v: LoopVar, use: Use, moved: boolean, shared: boolean): string {
	const ranged = loop.namedChildren.some((c) => c?.type === 'range_clause');
	const heap = moved ? ` The compiler moved \`${v.name}\` to the heap.` : '';
	if (use === 'returned') {
		return ranged
			? `\`&${v.name}\` points to the loop's copy of the element, not to the element itself.${heap}`
			: `\`&${v.name}\` escapes the loop.${heap}`;
	}
	if (shared) {
		const why = v.form === 'assign' ? `\`${v.name}\` is declared outside the loop (in every Go version)` : `loop variables are shared by all iterations ${versionPhrase(ctx.goVersion)}`;
		return `All pointers taken here point to the same variable \`${v.name}\`: ${why}, so they end up seeing the last iteration's value.${heap}`;
	}
	return `From Go 1.22 (${ctx.goVersion.label}, from ${ctx.goVersion.source}) each iteration has its own \`${v.name}\`; the compiler moved it to the heap, so this is one heap allocation per iteration${ranged ? ` (plus a copy of the element); \`&${v.name}\` points to that copy, not to the element` : ''}.`;
}

/** The innermost loop (possibly outside a func literal) whose iteration variable `id` names. */
function owningLoop(id: Node): { loop: Node; v: LoopVar } | undefined {
	for (let n = id.parent; n && n.type !== 'function_declaration' && n.type !== 'method_declaration'; n = n.parent) {
		if (n.type !== 'for_statement') continue;
		const body = bodyOf(n);
		const v = body && contains(body, id) ? loopVars(n).find((x) => x.name === id.text) : undefined;
		if (v) return resolvesThrough(id, n) ? { loop: n, v } : undefined;
	}
	return undefined;
}

function checkAmp(ctx: RuleContext, amp: Node, out: RuleFinding[]): void {
	const id = addressedIdent(amp);
	const owner = id && owningLoop(id);
	if (!owner) return;
	const { loop, v } = owner;
	const use = useOf(amp);
	const moved = movedToHeap(ctx, v, loop);
	const shared = v.form === 'assign' || sharedLoopVars(ctx.goVersion);
	// `found = &v; break`: only the last iteration's address survives, so sharing is harmless.
	if (shared && use === 'stored' && leavesLoopRightAfter(amp)) return;
	let severity: Severity;
	if (ctx.escape) {
		// The compiler is the judge: no `moved to heap` means no pointer outlives the iteration.
		if (!moved) return;
		severity = !shared || use === 'returned' ? 'information' : use === 'other' ? 'warning' : 'error';
	} else {
		// Without escape facts only the syntactically stored shape is reported (pre-1.22 semantics),
		// and only bare `&v`: `&v.f` addresses the pointee when v is a pointer.
		if (!shared || use !== 'stored' || amp.childForFieldName('operand')?.type !== 'identifier') return;
		severity = 'warning';
	}
	if (v.form === 'define' && ctx.goVersion.minor === undefined) severity = lower(severity);
	const edit = shared && use !== 'returned' && !bodyAssigns(loop, v.name) ? copyLoopVarEdit(ctx.text, loop, [v.name]) : undefined;
	out.push({
		rule: loopvarAddress.id,
		range: rangeOf(amp),
		severity,
		message: message(ctx, loop, v, use, moved, shared),
		related: [{ range: rangeOf(v.node), message: v.form === 'define' ? `\`${v.name}\` is declared here` : `every iteration assigns the same \`${v.name}\` here` }],
		fixes: edit ? [{ title: `Copy \`${v.name}\` per iteration (\`${v.name} := ${v.name}\`)`, edits: [edit], isPreferred: true }] : undefined,
	});
}

export const loopvarAddress: Rule = {
	id: 'loopvar-address',
	doc: {
		summary: 'The address of a loop variable outlives the iteration: aliasing before go1.22, a per-iteration heap allocation after.',
		severity: 'warning',
		usesEscape: true,
	},
	check(ctx) {
		const out: RuleFinding[] = [];
		if (!mentions(ctx, '&')) return out;
		for (const amp of sites(ctx, 'unary_expression')) checkAmp(ctx, amp, out);
		return out;
	},
};
