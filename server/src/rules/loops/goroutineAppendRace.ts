/**
 * goroutine-append-race (spec R17, case A): `S = append(S, …)` inside a goroutine literal
 * (`go func(){…}()`, `g.Go(func…)`, `wg.Go(func…)`) launched in a loop, on a slice the literal
 * does not declare, with no `.Lock()` before it in the literal. Every goroutine reads and writes
 * the same slice header: a data race (the race detector reports it; verified with Go 1.26), lost
 * elements, and a garbage backing array for every append that loses.
 */
import type { Node } from '../../syntax/mirror';
import type { RuleFinding, TextEdit } from '../../model';
import { factsAt, type Rule, type RuleContext } from '../types';
import { calleeName, callArgs, descendants, enclosingFunction, enclosingLoops, importEdit, lineIndent, rangeOf } from '../shared/ast';
import { sites } from '../scope';
import { leavesLoopAfter } from '../shared/loopExit';
import { isLocal, resolveName } from '../shared/declarations';
import { joinedLater } from '../shared/loopShape';

/** Calls that take a lock: `mu.Lock()`, and helpers such as `c.lock()`, `s.lockShard(i)` (not RLock: readers share). */
const LOCKING = /(^|\.)(lock\w*|\w*[a-z0-9_]Lock|Lock)$/;
const NOT_LOCKING = /(^|\.)(RLock|rlock)$|[Uu]nlock\w*$/;

function isLockCall(call: Node): boolean {
	const name = calleeName(call) ?? '';
	return LOCKING.test(name) && !NOT_LOCKING.test(name);
}

/**
 * Does `node` (inside the goroutine literal `lit`) run on the goroutine itself, in order? Not
 * when a func literal between them is handed to a call (`mu.Do(func(){…})`, `withLock(func…)`:
 * the callee may hold a lock around it) or stored.
 */
function runsInGoroutine(node: Node, lit: Node): boolean {
	for (let n = node.parent; n && !n.equals(lit); n = n.parent) {
		if (n.type !== 'func_literal') continue;
		const p = n.parent;
		const called = p?.type === 'call_expression' && p.childForFieldName('function')?.equals(n);
		const deferred = called && p!.parent?.type === 'defer_statement';
		if (!called && !deferred) return false;
	}
	return true;
}

/** The func literal a go statement or `X.Go(func…)` call runs concurrently, if any. */
function goroutineLiteral(node: Node): Node | undefined {
	if (node.type === 'go_statement') {
		const call = node.namedChild(0);
		const fn = call?.type === 'call_expression' ? call.childForFieldName('function') : null;
		return fn?.type === 'func_literal' ? fn : undefined;
	}
	if (node.type === 'call_expression' && /\.Go$/.test(calleeName(node) ?? '')) {
		const arg = callArgs(node)[0];
		return arg?.type === 'func_literal' ? arg : undefined;
	}
	return undefined;
}

/** Names declared anywhere inside `lit` (params, :=, var, range/for clauses). */
function declaredIn(lit: Node): Set<string> {
	const names = new Set<string>();
	for (const d of descendants(lit, ['parameter_declaration', 'var_spec'])) for (const n of d.childrenForFieldName('name')) if (n) names.add(n.text);
	for (const d of descendants(lit, ['short_var_declaration', 'range_clause'])) {
		if (d.type === 'range_clause' && !d.children.some((c) => c?.type === ':=')) continue;
		for (const n of descendants(d.childForFieldName('left') ?? d, 'identifier')) names.add(n.text);
	}
	return names;
}

/** The identifier declaring the variable `name` in scope at `from` (a local, a parameter or result, or a package-level var). */
function variableAt(from: Node, name: string): Node | undefined {
	const d = resolveName(from, name);
	return d && (isLocal(d) || d.kind === 'var') ? d.id : undefined;
}

function freshName(scope: Node, base: string): string {
	const used = new Set(descendants(scope, 'identifier').map((n) => n.text));
	let name = base;
	for (let i = 2; used.has(name); i++) name = `${base}${i}`;
	return name;
}

function fix(ctx: RuleContext, stmt: Node, target: Node, outerLoop: Node): TextEdit[] | undefined {
	if (stmt.parent?.type !== 'statement_list' && stmt.parent?.type !== 'block') return undefined;
	const fn = enclosingFunction(outerLoop);
	if (!fn) return undefined;
	const base = target.type === 'identifier' ? target.text : target.childForFieldName('field')?.text;
	if (!base) return undefined;
	const sync = importEdit(ctx.tree.rootNode, 'sync');
	if (sync.name === '_' || sync.name === '.') return undefined;
	const mu = freshName(ctx.tree.rootNode, `${base}Mu`);
	const loopStmt = outerLoop.parent?.type === 'labeled_statement' ? outerLoop.parent : outerLoop;
	const at = rangeOf(loopStmt).start;
	const indent = lineIndent(ctx.text, stmt);
	const r = rangeOf(stmt);
	const edits: TextEdit[] = [
		{ range: { start: at, end: at }, newText: `var ${mu} ${sync.name}.Mutex // guards ${target.text}\n${lineIndent(ctx.text, loopStmt)}` },
		{ range: { start: r.start, end: r.start }, newText: `${mu}.Lock()\n${indent}` },
		{ range: { start: r.end, end: r.end }, newText: `\n${indent}${mu}.Unlock()` },
	];
	if (sync.edit) edits.push(sync.edit);
	return edits;
}

/** Rule R17 `goroutine-append-race` (case A); see docs/rules/goroutine-append-race.md. */
export const goroutineAppendRace: Rule = {
	id: 'goroutine-append-race',
	scopeGate: /\bfunc\s*\(/,
	doc: { summary: 'S = append(S, …) in goroutines launched in a loop without a lock: a data race on the slice', severity: 'error', usesEscape: true },
	check(ctx) {
		const out: RuleFinding[] = [];
		for (const launcher of sites(ctx, ['go_statement', 'call_expression'])) {
			const lit = goroutineLiteral(launcher);
			const loops = lit ? enclosingLoops(launcher) : [];
			if (!lit || loops.length === 0) continue;
			const body = lit.childForFieldName('body');
			if (!body) continue;
			const local = declaredIn(lit);
			// Started once per iteration, joined before the next one, or the loop is left right after: no two run at once.
			if (joinedLater(launcher, loops[0]) || leavesLoopAfter(launcher, loops[loops.length - 1])) continue;
			const lockCalls = descendants(body, 'call_expression');
			const locks = lockCalls.filter(isLockCall);
			// Unlocks that release before a later statement (a deferred Unlock holds to the end).
			const unlocks = lockCalls.filter((c) => /(^|\.)[Uu]nlock\w*$/.test(calleeName(c) ?? '') && !/RUnlock$/.test(calleeName(c) ?? '') && c.parent?.type !== 'defer_statement');
			for (const a of descendants(body, 'assignment_statement')) {
				if (a.childForFieldName('operator')?.text !== '=') continue;
				const lhs = a.childForFieldName('left')?.namedChildren ?? [];
				const rhs = a.childForFieldName('right')?.namedChildren ?? [];
				if (lhs.length !== 1 || rhs.length !== 1) continue;
				const target = lhs[0]!;
				const call = rhs[0]!;
				if (call.type !== 'call_expression' || calleeName(call) !== 'append') continue;
				if (callArgs(call)[0]?.text !== target.text) continue;
				if (target.type !== 'identifier' && target.type !== 'selector_expression') continue;
				const root = target.type === 'identifier' ? target : descendants(target, 'identifier')[0];
				if (!root || local.has(root.text) || !runsInGoroutine(a, lit)) continue;
				const lastLock = locks.filter((l) => l.startIndex < a.startIndex).at(-1);
				if (lastLock && !unlocks.some((u) => u.startIndex > lastLock.startIndex && u.startIndex < a.startIndex)) continue;
				const decl = variableAt(launcher, root.text);
				// Declared inside the innermost loop: one slice per iteration, one goroutine each.
				if (decl && decl.startIndex > loops[0].startIndex && decl.endIndex <= loops[0].endIndex) continue;
				const moved = decl ? factsAt(ctx, decl).some((f) => f.kind === 'moved-to-heap') : false;
				const edits = fix(ctx, a, target, loops[loops.length - 1]);
				out.push({
					rule: 'goroutine-append-race',
					range: rangeOf(a),
					severity: 'error',
					message:
						`\`${target.text} = append(${target.text}, …)\` runs in goroutines launched in a loop with no lock held: ` +
						`they all read and write the same slice header, a data race (the race detector reports it) that loses elements ` +
						`and turns every losing append's new backing array into garbage.` +
						(moved ? ` The compiler moved \`${root.text}\` to the heap: the goroutines share it by reference.` : '') +
						' Guard it with a mutex, or preallocate and write by index.',
					related: [{ range: rangeOf(launcher), message: 'goroutine started on every iteration' }],
					fixes: edits ? [{ title: `Guard the append with a sync.Mutex`, edits, isPreferred: true, safe: false }] : undefined,
				});
			}
		}
		return out;
	},
};
