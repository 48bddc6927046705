/**
 * loopvar-capture (spec R7): a func literal that may run after its iteration (go, defer,
 * `g.Go`, parallel subtest, stored or registered callback) references a loop variable that all
 * iterations share: a `:=` loop variable before go1.22, or an outer variable the loop assigns
 * (`for _, v = range`) in every version.
 */
import type { Node } from '../../syntax/mirror';
import type { RuleFinding, Severity } from '../../model';
import type { Rule, RuleContext } from '../types';
import { bodyOf, calleeName, callArgs, contains, descendants, enclosingFunction, enclosingLoops, imports, rangeOf } from '../shared/ast';
import { sites } from '../scope';
import { leavesLoopAfter } from '../shared/loopExit';
import { assignTarget, bodyAssigns, copyLoopVarEdit, loopVars, lower, movedToHeap, overwrittenSlotOnly, sharedLoopVars, targetRoot, versionPhrase, writtenAfter, type LoopVar } from './loopvarShared';
import { identRefs, resolvesThrough } from '../shared/bindings';
import { joinedLater } from '../shared/loopShape';

interface Deferred {
	/** What runs the literal later, for the message. */
	how: string;
	severity: Severity;
	/** Go statements and `g.Go` can be joined in the same iteration (`wg.Wait()`, `<-done`). */
	joinable: boolean;
}

const CALLBACK_REGISTRARS = /(^|\.)(AfterFunc|HandleFunc|Handle)$/;

/**
 * How the literal `lit` runs, judged at `site`: the literal itself, or a use of the name it was
 * bound to in the iteration (`f := func(){…}; go f()`).
 */
function literalContext(site: Node, lit: Node, loop: Node, testing: boolean): Deferred | undefined {
	const parent = site.parent;
	if (!parent) return undefined;
	if (parent.type === 'call_expression' && parent.childForFieldName('function')?.equals(site)) {
		const st = parent.parent;
		if (st?.type === 'go_statement') return { how: 'the go statement', severity: 'error', joinable: true };
		if (st?.type === 'defer_statement') return { how: 'the defer statement (it runs when the function returns)', severity: 'warning', joinable: false };
		return undefined; // invoked immediately: synchronous
	}
	if (parent.type === 'argument_list') {
		const call = parent.parent;
		const name = call ? calleeName(call) ?? '' : '';
		if (/\.Go$/.test(name)) return { how: `\`${name}\``, severity: 'error', joinable: true };
		if (/\.Run$/.test(name) && callArgs(call!)[1]?.equals(site)) {
			// Only the subtest's own `t.Parallel()`: one inside a nested subtest makes that one parallel,
			// and the outer `t.Run` still waits for it before returning.
			const parallel = descendants(lit, 'call_expression').some((c) => /\.Parallel$/.test(calleeName(c) ?? '') && enclosingFunction(c)?.equals(lit));
			return parallel ? { how: 'a parallel subtest (`t.Parallel()` runs it after the loop)', severity: 'error', joinable: false } : undefined;
		}
		// `t.Cleanup(f)` runs f when the test ends (in a file that imports testing).
		if (CALLBACK_REGISTRARS.test(name) || (testing && /\.Cleanup$/.test(name))) {
			// Registered on an object made in this iteration (`mux := NewServeMux()`): it lives with that object.
			const recv = targetRoot(call!.childForFieldName('function')?.childForFieldName('operand'));
			if (recv && !resolvesThrough(recv, loop)) return undefined;
			return { how: `\`${name}\` (it runs later)`, severity: 'warning', joinable: false };
		}
		if (name === 'append' && call && storedOutside(call, loop)) return { how: 'a stored func value (appended to a slice that outlives the iteration)', severity: 'warning', joinable: false };
		return undefined;
	}
	if (parent.type === 'expression_list' && storedOutside(site, loop)) {
		return { how: 'a stored func value (assigned to a location that outlives the iteration)', severity: 'warning', joinable: false };
	}
	if (parent.type === 'send_statement') return { how: 'a func value sent on a channel', severity: 'warning', joinable: false };
	return undefined;
}

/** Uses, later in the iteration, of the name a `f := func(){…}` in the loop body binds the literal to. */
function boundUses(lit: Node, loop: Node): Node[] {
	const list = lit.parent?.type === 'expression_list' ? lit.parent : null;
	const decl = list?.parent;
	if (!list || decl?.type !== 'short_var_declaration' || !decl.childForFieldName('right')?.equals(list) || !decl.parent) return [];
	const idx = list.namedChildren.findIndex((c) => c?.equals(lit));
	const name = decl.childForFieldName('left')?.namedChild(idx);
	const body = bodyOf(loop);
	if (name?.type !== 'identifier' || !body) return [];
	return identRefs(body, name.text).filter((r) => r.startIndex > decl.endIndex && resolvesThrough(r, decl.parent!));
}

/**
 * `x = <expr>` / `s.f = <expr>` / `m[k] = <expr>` where the target is declared outside the loop,
 * unless it is one slot that each iteration overwrites and the loop never reads (after a range
 * loop it holds the last iteration's closure, which sees the last value either way).
 */
function storedOutside(expr: Node, loop: Node): boolean {
	const target = assignTarget(expr);
	const root = targetRoot(target);
	return !!target && !!root && resolvesThrough(root, loop) && !overwrittenSlotOnly(target, loop);
}

function message(ctx: RuleContext, v: LoopVar, how: string, moved: boolean): string {
	const heap = moved ? ` The compiler moved \`${v.name}\` to the heap: the literal captures it by reference.` : '';
	if (v.form === 'assign') {
		return `\`${v.name}\` is declared outside the loop and assigned by each iteration, so all iterations share it (in every Go version): the func literal run by ${how} may see a later iteration's value.${heap}`;
	}
	return `Loop variable \`${v.name}\` is shared by all iterations ${versionPhrase(ctx.goVersion)}: the func literal run by ${how} may see a later iteration's value. Go 1.22 made \`:=\` loop variables per-iteration.${heap}`;
}

function checkLiteral(ctx: RuleContext, lit: Node, loop: Node, out: RuleFinding[]): void {
	const vars = loopVars(loop).filter((v) => v.form === 'assign' || sharedLoopVars(ctx.goVersion));
	const litBody = bodyOf(lit);
	const loopBody = bodyOf(loop);
	if (!vars.length || !litBody || !loopBody || !contains(loopBody, lit)) return;
	const testing = imports(ctx.tree.rootNode).has('testing');
	let how: Deferred | undefined;
	let site = lit;
	for (const s of [lit, ...boundUses(lit, loop)]) {
		how = literalContext(s, lit, loop, testing);
		site = s;
		if (how) break;
	}
	if (!how || (how.joinable && joinedLater(site, loop))) return;
	// Every path leaves the loop after the literal starts: no later iteration writes the variable.
	const leaves = leavesLoopAfter(site, loop);
	for (const v of vars) {
		if (leaves && (v.form === 'define' || !writtenAfter(loop, v.name))) continue;
		const refs = identRefs(litBody, v.name).filter((r) => resolvesThrough(r, loop));
		if (!refs.length) continue;
		const moved = movedToHeap(ctx, v, loop);
		const edit = bodyAssigns(loop, v.name) ? undefined : copyLoopVarEdit(ctx.text, loop, [v.name]);
		const severity = v.form === 'define' && ctx.goVersion.minor === undefined ? lower(how.severity) : how.severity;
		// One finding per literal and variable, at its first use; the other uses are related.
		out.push({
			rule: loopvarCapture.id,
			range: rangeOf(refs[0]),
			severity,
			message: message(ctx, v, how.how, moved),
			related: [
				{ range: rangeOf(v.node), message: v.form === 'define' ? `\`${v.name}\` is declared here, once for the whole loop` : `every iteration assigns the same \`${v.name}\` here` },
				...refs.slice(1).map((r) => ({ range: rangeOf(r), message: `the literal also reads \`${v.name}\` here` })),
				...(site.equals(lit) ? [] : [{ range: rangeOf(site.parent ?? site), message: `the literal, bound to \`${site.text}\`, is started here` }]),
			],
			fixes: edit ? [{ title: `Copy \`${v.name}\` per iteration (\`${v.name} := ${v.name}\`)`, edits: [edit], isPreferred: true }] : undefined,
		});
	}
}

export const loopvarCapture: Rule = {
	id: 'loopvar-capture',
	scopeGate: /\bfunc\s*\(/,
	doc: {
		summary: 'A func literal run later (go, defer, g.Go, parallel subtest, stored) captures a loop variable shared by all iterations.',
		severity: 'warning',
		usesEscape: true,
	},
	check(ctx) {
		const out: RuleFinding[] = [];
		// Each literal against the loops around it in its own function (a literal nested in another
		// literal is judged through the outer one, which is what runs later).
		for (const lit of sites(ctx, 'func_literal')) {
			for (const loop of enclosingLoops(lit)) checkLiteral(ctx, lit, loop, out);
		}
		return out;
	},
};
