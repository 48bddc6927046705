/**
 * time-after-in-loop (spec R13): `case <-time.After(d):` in a select inside a loop, where another
 * case can go round the loop again. Each such iteration leaves a timer pending. Before Go 1.23
 * (decided by the MAIN module's go line, or `asynctimerchan=1`) an unstopped timer is not collected
 * until it fires. Verified with Go 1.26: 200k iterations of `time.After(time.Hour)` keep ~52 MB
 * live under `go 1.22` or `GODEBUG=asynctimerchan=1`, ~70 KB under `go 1.23`.
 */
import type { Node } from '../syntax/mirror';
import type { GoVersionInfo, RuleFinding, Severity, TextEdit } from '../model';
import type { Rule, RuleContext } from './types';
import { bodyOf, calleeName, callArgs, descendants, enclosingLoops, enclosingFunction, FUNCTION_TYPES, imports, lineIndent, rangeOf } from './ast';
import { sites } from './scope';

const BREAKABLE = new Set(['for_statement', 'select_statement', 'expression_switch_statement', 'type_switch_statement']);
// Calls that do not come back: panics, process exit, Goexit (t.Fatal/FailNow/Skip call it), log.Fatal/Panic.
const NO_RETURN_CALLS = /^(panic|os\.Exit|runtime\.Goexit|\w+\.(Fatal|Fatalf|Fatalln|FailNow|Skip|Skipf|SkipNow|Panic|Panicf|Panicln))$/;

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

/** The label naming `loop`, if it is the statement of a labeled_statement. */
function labelOf(loop: Node): string | undefined {
	const p = loop.parent;
	return p?.type === 'labeled_statement' ? p.childForFieldName('label')?.text : undefined;
}

/** The loop/select/switch an unlabeled break (or loop a continue) binds to, within the function. */
function target(stmt: Node, kinds: Set<string>): Node | null {
	for (let n = stmt.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) if (kinds.has(n.type)) return n;
	return null;
}

/** Does the statement list certainly leave the loop (return, panic, goto, labeled jump out)? */
function leaves(stmts: Node[], loop: Node, label: string | undefined): boolean {
	const last = stmts[stmts.length - 1];
	if (!last) return false;
	switch (last.type) {
		case 'return_statement':
		case 'goto_statement':
			return true;
		case 'expression_statement': {
			const call = last.namedChild(0);
			return call?.type === 'call_expression' && NO_RETURN_CALLS.test(calleeName(call) ?? '');
		}
		case 'break_statement': {
			const l = last.namedChild(0)?.text;
			if (l === undefined) return false; // an unlabeled break only leaves the select
			// A label on the select (or a switch) inside the loop: that break stays in the loop too.
			for (let n = last.parent; n && !n.equals(loop); n = n.parent) {
				if (n.type === 'labeled_statement' && n.childForFieldName('label')?.text === l) return false;
			}
			return true;
		}
		case 'continue_statement': {
			const l = last.namedChild(0)?.text;
			return l !== undefined && l !== label;
		}
		case 'block':
			return leaves(blockStmts(last), loop, label);
		case 'if_statement': {
			const alt = last.childForFieldName('alternative');
			if (!alt) return false;
			const cons = last.childForFieldName('consequence');
			return leaves(blockStmts(cons), loop, label) && leaves(alt.type === 'block' ? blockStmts(alt) : [alt], loop, label);
		}
		default:
			return false;
	}
}

function blockStmts(block: Node | null): Node[] {
	if (!block) return [];
	const list = block.namedChildren.find((c) => c?.type === 'statement_list');
	const src = list ?? block;
	return src.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment' && n.type !== 'statement_list');
}

/** Statements of a select case body (everything after the communication). */
function caseStmts(c: Node): Node[] {
	const comm = c.childForFieldName('communication');
	const out: Node[] = [];
	for (const n of c.namedChildren) {
		if (!n || n.type === 'comment' || (comm && n.equals(comm))) continue;
		if (n.type === 'statement_list') out.push(...n.namedChildren.filter((s): s is Node => s !== null && s.type !== 'comment'));
		else out.push(n);
	}
	return out;
}

/** Can control go from this case body to the loop's next iteration? */
function reachesNextIteration(c: Node, select: Node, loop: Node): boolean {
	const label = labelOf(loop);
	if (!leaves(caseStmts(c), loop, label)) return true;
	for (const j of descendants(c, ['continue_statement', 'break_statement'])) {
		const l = j.namedChild(0)?.text;
		if (j.type === 'continue_statement') {
			if (l === undefined ? target(j, new Set(['for_statement']))?.equals(loop) : l === label) return true;
		} else if (l === undefined && target(j, BREAKABLE)?.equals(select)) {
			return true;
		}
	}
	return false;
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
	// Latest `name := time.After(…)` before the select, in this loop's own body.
	let found: Site | undefined;
	for (const d of descendants(bodyOf(loop) ?? loop, 'short_var_declaration')) {
		if (d.startIndex > select.startIndex) break;
		if (!enclosingLoops(d)[0]?.equals(loop)) continue; // also excludes func literals in the body
		const l = d.childForFieldName('left')?.namedChildren ?? [];
		const r = d.childForFieldName('right')?.namedChildren ?? [];
		if (l.length !== 1 || l[0]?.text !== operand.text) continue;
		const v = r[0];
		found = v?.type === 'call_expression' && calleeName(v) === `${timePkg}.After` ? { call: v, select, loop, variable: { name: operand.text, decl: d } } : undefined;
	}
	return found;
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
		// Walk the (few) select cases rather than every call in the file.
		for (const cc of sites(ctx, 'communication_case')) {
			const site = timerSite(cc, timePkg);
			if (!site) continue;
			const { call, select, loop } = site;
			const others = select.namedChildren.filter(
				(n): n is Node => n !== null && (n.type === 'communication_case' || n.type === 'default_case') && !n.equals(cc),
			);
			const looping = others.find((c) => reachesNextIteration(c, select, loop));
			if (!looping) continue;
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
