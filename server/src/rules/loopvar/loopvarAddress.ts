/**
 * loopvar-address (spec R8): `&v` / `&v.f` of a loop variable that outlives the iteration.
 * Before go1.22 every kept pointer aliases the one shared variable; from go1.22 the code is
 * correct but, when the compiler moves `v` to the heap, each iteration allocates a fresh `v`.
 */
import type { Node } from '../../syntax/mirror';
import type { RuleFinding, Severity } from '../../model';
import type { LocatedEscapeFact, Rule, RuleContext } from '../types';
import { bodyOf, calleeName, contains, rangeOf } from '../shared/ast';
import { leavesLoopAfter } from '../shared/loopExit';
import { assignTarget, bodyAssigns, copyLoopVarEdit, isRangeLoop, loopVars, lower, movedFact, overwrittenSlotOnly, sharedLoopVars, targetRoot, versionPhrase, type LoopVar } from './loopvarShared';
import { mentions, sites } from '../scope';
import { resolvesThrough } from '../shared/bindings';

/**
 * Where the pointer goes: `kept` (appended to, indexed into or sent on something that outlives
 * the iteration, or handed to a goroutine or deferred call: several pointers survive), `slot` (one location overwritten each iteration and
 * never read in the loop), `passed` (to a callee), `returned`, or `other` (bound locally first).
 */
type Use = 'kept' | 'slot' | 'passed' | 'returned' | 'other';

/** The identifier `&v` / `&v.f.g` takes the address of, if any. */
function addressedIdent(amp: Node): Node | null {
	if (amp.child(0)?.type !== '&') return null;
	let n = amp.childForFieldName('operand');
	while (n && (n.type === 'selector_expression' || n.type === 'parenthesized_expression')) {
		n = n.type === 'selector_expression' ? n.childForFieldName('operand') : n.namedChild(0);
	}
	return n?.type === 'identifier' ? n : null;
}

/** Where a store into `target` leaves the pointer, seen from `loop`. */
function storeUse(target: Node | undefined, loop: Node): Use {
	const root = targetRoot(target);
	// A location declared in the iteration (`p = &v` with `var p *T` in the body) is per-iteration.
	if (!target || !root || !resolvesThrough(root, loop)) return 'other';
	return overwrittenSlotOnly(target, loop) ? 'slot' : 'kept';
}

function useOf(expr: Node, loop: Node): Use {
	const p = expr.parent;
	if (!p) return 'other';
	if (p.type === 'argument_list') {
		const call = p.parent!;
		// `go worker(&v)` / `defer f(&v)`: the callee runs after the iteration, with the pointer.
		if (call.parent?.type === 'go_statement' || call.parent?.type === 'defer_statement') return 'kept';
		if (calleeName(call) !== 'append') return 'passed';
		// `xs = append(xs, &v)`: kept when xs outlives the iteration.
		const target = assignTarget(call);
		return target ? (storeUse(target, loop) === 'other' ? 'other' : 'kept') : 'other';
	}
	if (p.type === 'send_statement') return 'kept';
	if (p.type === 'literal_element') {
		// `T{p: &v}` / `&T{&v}`: follow the composite literal.
		let lit: Node | null = p;
		while (lit && lit.type !== 'composite_literal') lit = lit.parent;
		if (!lit) return 'other';
		const outer = lit.parent?.type === 'unary_expression' && lit.parent.child(0)?.type === '&' ? lit.parent : lit;
		return useOf(outer, loop);
	}
	if (p.type === 'expression_list') {
		const gp = p.parent;
		if (gp?.type === 'return_statement') return 'returned';
		if (gp?.type === 'assignment_statement' && gp.childForFieldName('right')?.equals(p)) return storeUse(assignTarget(expr), loop);
	}
	return 'other';
}

function message(ctx: RuleContext, loop: Node, v: LoopVar, use: Use, moved: boolean, shared: boolean, amp: Node): string {
	const into = amp.text === `&${v.name}` ? 'to' : 'into';
	const ranged = isRangeLoop(loop);
	const heap = moved ? ` The compiler moved \`${v.name}\` to the heap.` : '';
	if (use === 'returned') {
		return `\`&${v.name}\` points to the loop's copy of the element, not to the element itself.${heap}`;
	}
	if (shared) {
		const why = v.form === 'assign' ? `\`${v.name}\` is declared outside the loop (in every Go version)` : `loop variables are shared by all iterations ${versionPhrase(ctx.goVersion)}`;
		if (use === 'kept') return `All pointers kept here point to the same variable \`${v.name}\`: ${why}, so they end up seeing the last iteration's value.${heap}`;
		return `\`&${v.name}\` may outlive the iteration (the compiler moved \`${v.name}\` to the heap), and ${why}: wherever this pointer is kept, it sees later iterations' values, not this one's.`;
	}
	return `From Go 1.22 (${ctx.goVersion.label}, from ${ctx.goVersion.source}) each iteration has its own \`${v.name}\`; the compiler moved it to the heap, so each iteration allocates a new \`${v.name}\` on the heap${ranged ? ` holding a copy of the element; \`${amp.text}\` points ${into} that copy, not ${into} the element` : ''}.`;
}

/** Does the fact's reason chain (when printed) take the address of `name` on `amp`'s line? */
function movedThrough(fact: LocatedEscapeFact, amp: Node, name: string): boolean {
	const steps = fact.flows.flatMap((f) => f.steps);
	if (!steps.length) return true;
	const line = amp.startPosition.row + 1;
	return steps.some((s) => s.reason === 'address-of' && s.pos.line === line && new RegExp(`^&\\(*${name}\\b`).test(s.expr));
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
	const use = useOf(amp, loop);
	const fact = movedFact(ctx, v, loop);
	const moved = fact !== undefined;
	const shared = v.form === 'assign' || sharedLoopVars(ctx.goVersion);
	// Sharing is harmless when only the last iteration's pointer survives: one overwritten slot
	// after a range loop, or a pointer made in an iteration the loop never goes past.
	if (shared && (use === 'slot' || (leavesLoopAfter(amp, loop) && v.form === 'define'))) return;
	// `return &v` outside a range loop: one allocation that the compiler's own `moved to heap`
	// already shows (go1.26 keeps such a variable shared: no per-iteration copy); nothing to add.
	if (use === 'returned' && !isRangeLoop(loop)) return;
	let severity: Severity;
	if (ctx.escape) {
		// The compiler is the judge: no `moved to heap` means no pointer outlives the iteration, and
		// when its reason chain is printed, this `&` must be in it (`moved to heap: cpw` because a
		// closure captured cpw says nothing about `&cpw.state`, which addresses cpw's pointee).
		if (!fact || !movedThrough(fact, amp, v.name)) return;
		severity = shared && use === 'kept' ? 'error' : 'information';
	} else {
		// Without escape facts only the kept shape is reported (shared semantics), and only bare
		// `&v`: `&v.f` addresses the pointee when v is a pointer.
		if (!shared || use !== 'kept' || amp.childForFieldName('operand')?.type !== 'identifier') return;
		severity = 'warning';
	}
	if (v.form === 'define' && ctx.goVersion.minor === undefined) severity = lower(severity);
	const edit = shared && use !== 'returned' && !bodyAssigns(loop, v.name) ? copyLoopVarEdit(ctx.text, loop, [v.name]) : undefined;
	out.push({
		rule: loopvarAddress.id,
		range: rangeOf(amp),
		severity,
		message: message(ctx, loop, v, use, moved, shared, amp),
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
