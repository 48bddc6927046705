/**
 * time-after-in-loop (spec R13): `case <-time.After(d):` in a select inside a loop, where another
 * case can go round the loop again. Each such iteration leaves a timer pending. Before Go 1.23
 * (decided by the MAIN module's go line, or `asynctimerchan=1`) an unstopped timer is not collected
 * until it fires. Verified with Go 1.26: 200k iterations of `time.After(time.Hour)` keep ~52 MB
 * live under `go 1.22` or `GODEBUG=asynctimerchan=1`, ~70 KB under `go 1.23`.
 */
import type { Node } from '../../syntax/mirror';
import type { GoVersionInfo, RuleFinding, Severity, TextEdit } from '../../model';
import type { Rule, RuleContext } from '../types';
import { calleeName, callArgs, descendants, enclosingLoops, enclosingFunction, imports, lineIndent, rangeOf } from '../shared/ast';
import { caseRepeats, statementsOf } from '../shared/flow';
import { literalBound } from '../shared/loopShape';
import { resolve } from '../shared/declarations';
import { sites } from '../scope';

/** Why old timer semantics apply, or undefined when timers are collected (go ≥ 1.23). */
function gate(v: GoVersionInfo): { why: string; severity: Severity } | undefined {
	if (v.asyncTimerChan) return { why: '`asynctimerchan=1` is set, which restores the pre-Go 1.23 timers', severity: 'warning' };
	const mm = v.mainModuleMinor;
	if (mm === undefined) {
		return { why: 'the main module\'s language version is unknown (no go.mod); before Go 1.23 such timers are not collected until they fire', severity: 'information' };
	}
	if (mm < 23) return { why: `in this main module (go 1.${mm}) unstopped timers are not collected until they fire (Go 1.23 changed that for modules declaring go ≥ 1.23)`, severity: 'warning' };
	return undefined;
}

function freshName(fn: Node | null, base: string): string {
	const used = new Set(fn ? descendants(fn, 'identifier').map((n) => n.text) : []);
	let name = base;
	for (let i = 2; used.has(name); i++) name = `${base}${i}`;
	return name;
}

function fixFor(ctx: RuleContext, call: Node, select: Node, cases: Node[], timePkg: string): TextEdit[] | undefined {
	const arg = callArgs(call)[0];
	if (!arg || callArgs(call).length !== 1) return undefined;
	const name = freshName(enclosingFunction(select), 'timer');
	const stmt = select.parent?.type === 'labeled_statement' ? select.parent : select;
	const indent = lineIndent(ctx.text, stmt);
	const at = { line: stmt.startPosition.row, character: stmt.startPosition.column };
	const edits: TextEdit[] = [
		{ range: { start: at, end: at }, newText: `${name} := ${timePkg}.NewTimer(${arg.text})\n${indent}` },
		{ range: rangeOf(call), newText: `${name}.C` },
	];
	for (const c of cases) {
		const colon = c.children.find((t) => t?.type === ':');
		if (!colon) return undefined;
		const pos = { line: colon.endPosition.row, character: colon.endPosition.column };
		edits.push({ range: { start: pos, end: pos }, newText: `\n${lineIndent(ctx.text, c)}\t${name}.Stop()` });
	}
	return edits;
}

interface Site {
	call: Node;
	select: Node;
	loop: Node;
	/** For `t := time.After(d)` … `case <-t:`: the variable and its declaration. */
	variable?: { name: string; decl: Node };
}

/** The per-iteration `time.After` a select case receives from, inline or through a variable declared in the loop. */
function timerSite(cc: Node, timePkg: string): Site | undefined {
	const comm = cc.childForFieldName('communication');
	const recv = comm?.type === 'receive_statement' ? comm.childForFieldName('right') : comm;
	if (recv?.type !== 'unary_expression' || recv.childForFieldName('operator')?.text !== '<-') return undefined;
	const operand = recv.childForFieldName('operand');
	const select = cc.parent;
	if (!operand || select?.type !== 'select_statement') return undefined;
	const loop = enclosingLoops(select)[0];
	if (!loop) return undefined;
	if (operand.type === 'call_expression') return calleeName(operand) === `${timePkg}.After` ? { call: operand, select, loop } : undefined;
	if (operand.type !== 'identifier') return undefined;
	// `name := time.After(…)` in this loop's own body (not an inner loop's, not a func literal's).
	const d = resolve(operand);
	const v = d?.kind === 'short' ? d.value : undefined;
	if (!d || !v || d.decl.childForFieldName('left')?.namedChildCount !== 1 || !enclosingLoops(d.decl)[0]?.equals(loop)) return undefined;
	return v.type === 'call_expression' && calleeName(v) === `${timePkg}.After` ? { call: v, select, loop, variable: { name: operand.text, decl: d.decl } } : undefined;
}

/** Variable form: `t := time.NewTimer(d)`, `<-t.C`, `t.Stop()` in the other cases; only when t has no other use. */
function varFix(v: { name: string; decl: Node }, call: Node, others: Node[], timePkg: string, text: string): TextEdit[] | undefined {
	const scope = v.decl.parent;
	const arg = callArgs(call)[0];
	if (!scope || !arg || callArgs(call).length !== 1) return undefined;
	const uses = descendants(scope, 'identifier').filter((n) => n.text === v.name && n.startIndex > v.decl.endIndex);
	const receives = uses.filter((n) => {
		const u = n.parent;
		if (u?.type !== 'unary_expression' || u.childForFieldName('operator')?.text !== '<-') return false;
		return u.parent?.type === 'communication_case' || u.parent?.parent?.type === 'communication_case';
	});
	if (receives.length !== uses.length || uses.length === 0) return undefined;
	const edits: TextEdit[] = [{ range: rangeOf(call), newText: `${timePkg}.NewTimer(${arg.text})` }];
	for (const u of uses) edits.push({ range: { start: rangeOf(u).end, end: rangeOf(u).end }, newText: '.C' });
	for (const c of others) {
		const colon = c.children.find((t) => t?.type === ':');
		if (!colon) return undefined;
		const pos = { line: colon.endPosition.row, character: colon.endPosition.column };
		edits.push({ range: { start: pos, end: pos }, newText: `\n${lineIndent(text, c)}\t${v.name}.Stop()` });
	}
	return edits;
}

/** The loop's condition when it is a flag: `for !done` → {name: 'done', stopsWhen: true}; `for running` → false. */
function flagCondition(loop: Node): { name: string; stopsWhen: boolean } | undefined {
	const clause = loop.namedChildren.find((c) => c?.type === 'for_clause');
	let cond = clause ? clause.childForFieldName('condition') : loop.namedChildren.find((c) => c !== null && c.type !== 'block' && c.type !== 'range_clause' && c.type !== 'comment');
	while (cond?.type === 'parenthesized_expression') cond = cond.namedChild(0);
	if (cond?.type === 'identifier') return { name: cond.text, stopsWhen: false };
	if (cond?.type === 'unary_expression' && cond.childForFieldName('operator')?.text === '!' && cond.childForFieldName('operand')?.type === 'identifier') {
		return { name: cond.childForFieldName('operand')!.text, stopsWhen: true };
	}
	return undefined;
}

/**
 * The case ends the loop through its condition: an unconditional `done = true` (or `running =
 * false`) among the case's own statements, where the loop is `for !done` (`for running`).
 */
function stopsLoop(clause: Node, loop: Node): boolean {
	const flag = flagCondition(loop);
	if (!flag) return false;
	return statementsOf(clause).some((st) => {
		if (st.type !== 'assignment_statement' || st.childForFieldName('operator')?.text !== '=') return false;
		const left = st.childForFieldName('left')?.namedChildren ?? [];
		const right = st.childForFieldName('right')?.namedChildren ?? [];
		return left.some((l, i) => l?.text === flag.name && right[i]?.type === (flag.stopsWhen ? 'true' : 'false'));
	});
}

/** A three-clause loop with a condition, or a range loop: its header bounds the iterations. */
function headerBounded(loop: Node): boolean {
	const clause = loop.namedChildren.find((c) => c?.type === 'for_clause' || c?.type === 'range_clause');
	return clause?.type === 'range_clause' || !!clause?.childForFieldName('condition');
}

/** Rule R13 `time-after-in-loop`; see docs/rules/time-after-in-loop.md. */
export const timeAfterInLoop: Rule = {
	id: 'time-after-in-loop',
	scopeGate: /\bselect\b/,
	doc: {
		summary: 'time.After in a looping select leaves one pending timer per iteration (main module go < 1.23 or asynctimerchan=1)',
		severity: 'warning',
		usesEscape: false,
	},
	check(ctx) {
		const g = gate(ctx.goVersion);
		if (!g) return [];
		const timePkg = imports(ctx.tree.rootNode).get('time');
		if (!timePkg || timePkg === '_' || timePkg === '.') return [];
		const out: RuleFinding[] = [];
		const isTest = /_test\.go$/.test(ctx.filePath);
		// Walk the (few) select cases rather than every call in the file.
		for (const cc of sites(ctx, 'communication_case')) {
			const site = timerSite(cc, timePkg);
			if (!site) continue;
			const { call, select } = site;
			const others = select.namedChildren.filter(
				(n): n is Node => n !== null && (n.type === 'communication_case' || n.type === 'default_case') && !n.equals(cc),
			);
			// The timer stays pending only if another case ends the iteration and the loop comes
			// round again (flow.ts: not when the case, or what follows the select, leaves the loop).
			let again: Node | null = null;
			const looping = others.find((c) => (again = caseRepeats(c)) !== null && !stopsLoop(c, again));
			if (!looping || !again) continue;
			// A test runs once: a loop its header bounds (a literal count, `i < n`, a range) leaves a
			// bounded number of timers, once.
			if (isTest && (literalBound(again) !== undefined || headerBounded(again))) continue;
			const d = callArgs(call)[0]?.text ?? 'd';
			const edits = site.variable ? varFix(site.variable, call, others, timePkg, ctx.text) : fixFor(ctx, call, select, others, timePkg);
			out.push({
				rule: 'time-after-in-loop',
				range: rangeOf(call),
				severity: g.severity,
				message:
					`\`${timePkg}.After(${d})\` creates a new timer on every iteration; when another case ends the iteration, ` +
					`that timer stays pending for ${d}: ${g.why}. Reuse one \`${timePkg}.NewTimer\` and stop it.`,
				related: [{ range: rangeOf(looping), message: 'this case can go round the loop again while the timer is pending' }],
				fixes: edits
					? [{ title: `Use a ${timePkg}.NewTimer and stop it in the other cases`, edits, isPreferred: true, safe: false }]
					: undefined,
			});
		}
		return out;
	},
};
