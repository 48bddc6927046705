/**
 * What a `defer` inside a loop really does, and how sure we are that it is a mistake
 * (docs/rules/defer-in-loop.md, "Severity by evidence"):
 * - error: the deferred calls pile up without bound: the loop never exits, or it runs until told
 *   to stop (waits in a select, on a channel or in Accept; ranges over a channel) and the defer
 *   runs on every iteration, or on some iteration for something that is not meant to outlive it;
 * - warning: a release (Close, Unlock, cancel, free…) of a per-iteration resource in a loop that
 *   goes round again; a lock taken again by the next iteration (self-deadlock);
 * - information: any other deferred call on a per-iteration value;
 * - nothing: the defer runs at most once per call (flow.ts), an explicit release follows it in the
 *   iteration (a safety net), or what it releases outlives the iteration on purpose (kept in an
 *   outer variable, appended, stored, sent, handed to a goroutine or to an outer object, used after
 *   the loop, or acquired only to be held).
 */
import type { Node } from '../../syntax/mirror';
import type { Severity } from '../../model';
import { bodyOf, callArgs, calleeName, descendants, FUNCTION_TYPES } from '../shared/ast';
import { type Binding, declaredInside, reassignedIn, referencesTo } from '../shared/bindings';
import { localDeclarationOf } from '../shared/declarations';
import { hasNoCondition, outcomesOf, repeatingLoop } from '../shared/flow';
import { exitsOnlyOnSignal, fixedCount, onMainPath, waitsForEvents } from '../shared/loopShape';
import { handOff, persistsAcross, rootIdentifier } from '../shared/handoff';

const RELEASE = /(^|\.)(close|Close|cleanup|Cleanup|release|Unlock|RUnlock|Put|Stop|Done|Release|Free|Rollback|Shutdown|Unsubscribe|Destroy|free|cancel|\w*_destroy|\w*_free|\w*_unref)$/;
const ACQUIRE = /^(Lock|RLock|TryLock|Add|Acquire)$/;
/** Up to this many deferred calls held until the return is bounded and harmless (a few files, two probes, a table of cases). */
const SMALL_COUNT = 100;

export interface DeferJudgement {
	severity: Severity;
	message: string;
	/** The loop through which the defer runs again. */
	loop: Node;
	loopNote: string;
}

export interface JudgeOptions {
	imports: ReadonlySet<string>;
	isTest: boolean;
}

/** The loop never exits: no condition and no path out of it (no break, return, panic or goto). */
function neverExits(loop: Node): boolean {
	if (!hasNoCondition(loop)) return false;
	const o = outcomesOf(loop);
	return !o.normal && !o.leave && !o.unknown && o.breaks.size === 0 && o.continues.size === 0;
}

/** `for … range ch` over a channel: a parameter, var or `make(chan …)` of the function, a `.C` timer channel, or time.Tick. */
function rangedChannel(loop: Node): string | undefined {
	const rc = loop.namedChildren.find((c) => c?.type === 'range_clause');
	const right = rc?.childForFieldName('right');
	if (!right) return undefined;
	if (right.type === 'selector_expression' && right.childForFieldName('field')?.text === 'C') return right.text;
	if (right.type === 'call_expression' && /(^|\.)Tick$/.test(calleeName(right) ?? '')) return right.text;
	if (right.type !== 'identifier') return undefined;
	const b = localDeclarationOf(right);
	if (!b) return undefined;
	const d = b.decl;
	if ((d.type === 'parameter_declaration' || d.type === 'var_spec') && d.childForFieldName('type')?.type === 'channel_type') return right.text;
	if (d.type === 'short_var_declaration' || d.type === 'var_spec') {
		const left = d.type === 'var_spec' ? d.childrenForFieldName('name') : (d.childForFieldName('left')?.namedChildren ?? []);
		const values = (d.type === 'var_spec' ? d.childForFieldName('value') : d.childForFieldName('right'))?.namedChildren ?? [];
		const v = values[left.findIndex((n) => n?.equals(b.id))];
		if (v?.type === 'call_expression' && calleeName(v) === 'make' && callArgs(v)[0]?.type === 'channel_type') return right.text;
	}
	return undefined;
}

/** `for i := 0; i < b.N; i++`, `for range b.N`, `for b.Loop()` with b a *testing.B: the loop runs as often as the benchmark asks. */
function benchmarkLoop(loop: Node): string | undefined {
	for (const c of loop.namedChildren) {
		if (!c || c.type === 'block' || c.type === 'comment') continue;
		for (const sel of descendants(c, 'selector_expression')) {
			const field = sel.childForFieldName('field')?.text;
			const recv = sel.childForFieldName('operand');
			if ((field !== 'N' && field !== 'Loop') || recv?.type !== 'identifier') continue;
			const b = localDeclarationOf(recv);
			if (b?.decl.type === 'parameter_declaration' && /^\*testing\.B$/.test(b.decl.childForFieldName('type')?.text ?? '')) return `it runs ${sel.text}${field === 'Loop' ? '()' : ''} times`;
		}
	}
	return undefined;
}

/**
 * A loop that runs until something tells it to stop: `for {}` / `for cond {}` blocking on events,
 * a range over a channel, or a benchmark's b.N loop. (A counting `for i := …; ; i++` is a retry loop.)
 */
function longRunning(loop: Node): string | undefined {
	const bench = benchmarkLoop(loop);
	if (bench) return bench;
	const ch = rangedChannel(loop);
	if (ch) return `the loop over the channel \`${ch}\` ends only when the channel is closed`;
	const clauses = loop.namedChildren.filter((c) => c !== null && c.type !== 'block' && c.type !== 'comment');
	const bare = clauses.length === 0 || (clauses.length === 1 && clauses[0]!.type !== 'for_clause' && clauses[0]!.type !== 'range_clause');
	if (bare && waitsForEvents(loop)) return 'it blocks waiting for events and runs until it is told to stop';
	if (bare && exitsOnlyOnSignal(loop)) return 'it leaves only when a channel signals it to stop';
	return undefined;
}

/** A deferred func literal that calls recover(): it guards the rest of the function against panics, it releases nothing. */
function recovers(call: Node): boolean {
	const fn = call.childForFieldName('function');
	if (fn?.type !== 'func_literal') return false;
	return descendants(fn, 'call_expression').some((c) => calleeName(c) === 'recover' && !inLiteral(c, fn));
}

interface Subjects {
	/** Variables of the iteration the deferred call releases (declared or assigned in the loop). */
	inner: Binding[];
	/** Those of them that hold a context.Context (`ctx` of `ctx, cancel := context.WithTimeout(…)`). */
	contexts: Binding[];
	/** What to name in the message (a `cancel()` names its context). */
	shown: Binding[];
	/** A name the call acts on that outlives the loop (declared outside, not reassigned in it): the same object every iteration. */
	outer?: Node;
	/** An element of an outer collection (`defer destroy(items[i])`): each iteration's object was stored there. */
	element?: Node;
}

function identifiersOf(e: Node): Node[] {
	const root = rootIdentifier(e);
	if (root) return [root];
	// Calls and conversions around a value: `unsafe.Pointer(p)`, `f.Name()`, `(*C.char)(s)`.
	return descendants(e, 'identifier').filter((id) => {
		const p = id.parent;
		if (p?.type === 'selector_expression' && !p.childForFieldName('operand')?.equals(id)) return false;
		if (p?.type === 'call_expression' && p.childForFieldName('function')?.equals(id)) return false;
		return true;
	});
}

/** What the deferred call acts on: its arguments' variables, else its receiver; a func literal's captures. */
function subjectsOf(call: Node, loop: Node, opts: JudgeOptions): Subjects {
	const fn = call.childForFieldName('function');
	const ids: Node[] = [];
	for (const a of callArgs(call)) ids.push(...identifiersOf(a));
	if (fn?.type === 'func_literal') {
		const body = fn.childForFieldName('body');
		for (const id of body ? descendants(body, 'identifier') : []) {
			const b = localDeclarationOf(id);
			if (b && !declaredInside(b, fn) && (declaredInside(b, loop) || reassignedIn(b, loop))) ids.push(id);
		}
	}
	// The receiver when there is no argument (`f.Close()`), a local func value (`cancel()`).
	let recv: Node | undefined;
	if (fn?.type === 'selector_expression' && ids.length === 0) recv = rootIdentifier(fn.childForFieldName('operand'));
	if (fn?.type === 'identifier' && localDeclarationOf(fn)) recv = fn;
	if (recv) ids.push(recv);
	const out: Subjects = { inner: [], contexts: [], shown: [] };
	const recvExpr = fn?.type === 'selector_expression' ? fn.childForFieldName('operand') : null;
	for (const a of recvExpr ? [...callArgs(call), recvExpr] : callArgs(call)) {
		const ix = descendants(a, 'index_expression').find((x) => {
			const root = rootIdentifier(x.childForFieldName('operand'));
			return !!root && !!localDeclarationOf(root) && persistsAcross(root, loop, opts.imports);
		});
		out.element ??= ix;
	}
	for (const id of ids) {
		if (opts.imports.has(id.text) && !localDeclarationOf(id)) continue;
		// An unresolved argument is a package-level name (often a constant): only a receiver counts.
		if (!localDeclarationOf(id) && !(recv && id.equals(recv))) continue;
		if (persistsAcross(id, loop, opts.imports)) {
			out.outer ??= id;
			continue;
		}
		const b = localDeclarationOf(id);
		if (b && !out.inner.some((x) => x.id.equals(b.id))) out.inner.push(b);
	}
	out.shown = [...out.inner];
	// `ctx, cancel := context.WithTimeout(…)`; `defer cancel()`: the context goes with its cancel.
	if (fn?.type === 'identifier') {
		const b = localDeclarationOf(fn);
		const assignment = b ? assignmentOf(fn, b, loop) : undefined;
		if (b && assignment) {
			const rhs = assignment.childForFieldName('right')?.namedChildren ?? [];
			const fromContext = rhs.length === 1 && rhs[0]?.type === 'call_expression' && /^context\.With/.test(calleeName(rhs[0]) ?? '');
			const siblings: Binding[] = [];
			for (const sib of assignment.childForFieldName('left')?.namedChildren ?? []) {
				if (sib?.type !== 'identifier' || sib.text === b.name || sib.text === '_' || sib.text === 'err') continue;
				const sb = localDeclarationOf(sib);
				if (sb) siblings.push(sb);
			}
			out.inner.push(...siblings);
			if (fromContext) out.contexts.push(...siblings);
			if (siblings.length) out.shown = siblings;
		}
	}
	return out;
}

/** The statement in the loop that gives the func value `fn` its value this iteration (`ctx, cancel := …` or `ctx, cancel = …`). */
function assignmentOf(fn: Node, b: Binding, loop: Node): Node | undefined {
	if (b.decl.type === 'short_var_declaration' && declaredInside(b, loop)) return b.decl;
	const body = bodyOf(loop);
	if (!body) return undefined;
	let last: Node | undefined;
	for (const a of descendants(body, 'assignment_statement')) {
		if (a.startIndex > fn.startIndex) break;
		if ((a.childForFieldName('left')?.namedChildren ?? []).some((t) => t?.type === 'identifier' && t.text === b.name)) last = a;
	}
	return last;
}

/** Is the variable used in the loop beyond being acquired, compared with nil and released by this defer? */
function usedInIteration(b: Binding, loop: Node, d: Node): boolean {
	const body = bodyOf(loop);
	if (!body) return false;
	for (const r of referencesTo(b, body)) {
		if (r.equals(b.id) || (r.startIndex >= d.startIndex && r.endIndex <= d.endIndex)) continue;
		const p = r.parent;
		if (p?.type === 'expression_list' && p.parent?.type === 'assignment_statement' && p.parent.childForFieldName('left')?.equals(p)) continue;
		if (p?.type === 'binary_expression' && /^[!=]=$/.test(p.childForFieldName('operator')?.text ?? '')) {
			const other = p.childForFieldName('left')?.equals(r) ? p.childForFieldName('right') : p.childForFieldName('left');
			if (other?.type === 'nil') continue;
		}
		if (p?.type === 'selector_expression' && p.parent?.type === 'call_expression' && ACQUIRE.test(p.childForFieldName('field')?.text ?? '')) continue;
		return true;
	}
	return false;
}

/**
 * The deferred release also made explicitly later in the iteration, on the way round (`defer
 * f.Close()` … `f.Close()`; or `defer os.Remove(f.Name())` … `f.Close()`): the defer is a safety
 * net for early exits, nothing is held from one iteration to the next.
 */
function explicitRelease(call: Node, subjects: readonly Binding[], loop: Node, d: Node): boolean {
	const body = bodyOf(loop);
	if (!body || call.childForFieldName('function')?.type === 'func_literal') return false;
	const lists = new Set<Node>();
	for (let n = d.parent; n && !n.equals(loop); n = n.parent) if (n.type === 'statement_list') lists.add(n);
	return descendants(body, 'call_expression').some((c) => {
		if (c.startIndex <= d.endIndex || inLiteral(c, body)) return false;
		let stmt: Node = c;
		while (stmt.parent && stmt.parent.type !== 'statement_list') stmt = stmt.parent;
		if (!stmt.parent || ![...lists].some((l) => l.equals(stmt.parent!))) return false;
		if (c.text === call.text) return true;
		const fn = c.childForFieldName('function');
		if (fn?.type !== 'selector_expression' || !RELEASE.test(calleeName(c) ?? '') || callArgs(c).length > 0) return false;
		const recv = rootIdentifier(fn.childForFieldName('operand'));
		const rb = recv && localDeclarationOf(recv);
		return !!rb && subjects.some((b) => b.id.equals(rb.id));
	});
}

function inLiteral(n: Node, within: Node): boolean {
	for (let p = n.parent; p && !p.equals(within); p = p.parent) if (FUNCTION_TYPES.has(p.type)) return true;
	return false;
}

/** Another method of the deferred call's receiver is called in the loop before the defer (`r.openScope()` … `defer r.closeScope()`). */
function opensInLoop(call: Node, loop: Node, d: Node): boolean {
	const fn = call.childForFieldName('function');
	const recv = fn?.type === 'selector_expression' ? fn.childForFieldName('operand')?.text : undefined;
	const body = bodyOf(loop);
	if (!recv || !body) return false;
	const callee = calleeName(call);
	return descendants(body, 'call_expression').some((c) => {
		if (c.startIndex >= d.startIndex || inLiteral(c, body)) return false;
		const f = c.childForFieldName('function');
		return f?.type === 'selector_expression' && f.childForFieldName('operand')?.text === recv && calleeName(c) !== callee;
	});
}

/** The variable gets its value from a call in the loop body (`tc, err := newConfig()`, `x = make()`). */
function madeInLoop(b: Binding, loop: Node): boolean {
	const body = bodyOf(loop);
	if (!body) return false;
	const fromCall = (rhs: Node | null | undefined) => (rhs?.namedChildren ?? []).some((v) => v?.type === 'call_expression');
	if (b.decl.type === 'short_var_declaration' && declaredInside(b, body)) return fromCall(b.decl.childForFieldName('right'));
	return descendants(body, 'assignment_statement').some(
		(a) => (a.childForFieldName('left')?.namedChildren ?? []).some((t) => t?.type === 'identifier' && t.text === b.name) && fromCall(a.childForFieldName('right')),
	);
}

/** `mu.Lock()` in the loop with `defer mu.Unlock()` on the same outer mutex: the next iteration blocks. */
function relocks(call: Node, loop: Node, d: Node): string | undefined {
	const callee = calleeName(call) ?? '';
	const m = /^(.+)\.(Unlock|RUnlock)$/.exec(callee);
	if (!m) return undefined;
	const lock = m[2] === 'Unlock' ? 'Lock' : 'RLock';
	const body = bodyOf(loop);
	const again = body && descendants(body, 'call_expression').some((c) => calleeName(c) === `${m[1]}.${lock}` && !inLiteral(c, body) && !(c.startIndex >= d.startIndex && c.endIndex <= d.endIndex));
	return again ? `${m[1]}.${lock}()` : undefined;
}

function describe(call: Node | null): string {
	if (!call) return 'the deferred call';
	if (call.childForFieldName('function')?.type === 'func_literal') return 'a func literal';
	const callee = calleeName(call) ?? '';
	return `\`${call.text.length > 40 && callee ? `${callee}(…)` : call.text}\``;
}

/** Why a defer in a loop is not reported (for tests and the bench's notes). */
export interface DeferSkip {
	skip: 'runs-once' | 'test' | 'benchmark' | 'no-call' | 'bounded' | 'safety-net' | 'recover' | 'outer' | 'handed-off' | 'held-on-purpose';
	detail?: string;
}

/** The judgement for one defer statement, or undefined when it should not be reported. */
export function judgeDefer(d: Node, opts: JudgeOptions): DeferJudgement | undefined {
	const j = assessDefer(d, opts);
	return 'skip' in j ? undefined : j;
}

/** The judgement for one defer statement, or why it is not reported. */
export function assessDefer(d: Node, opts: JudgeOptions): DeferJudgement | DeferSkip {
	const loop = repeatingLoop(d);
	if (!loop) return { skip: 'runs-once' };
	const call = d.namedChildren.find((c) => c?.type === 'call_expression') ?? null;
	const what = describe(call);
	const held = 'deferred calls run when the surrounding function returns, not at the end of each iteration';
	if (neverExits(loop)) {
		return { loop, severity: 'error', loopNote: 'this loop has no way out', message: `${what} is deferred inside a loop that never exits: the function never returns normally, so the deferred calls never run and pile up.` };
	}
	const running = longRunning(loop);
	// In a test the deferred calls are the test's cleanup: fixtures live until the test ends, and its
	// loops are bounded by its table; only a benchmark's b.N loop (or a loop with no way out) grows.
	if (opts.isTest && !(running && benchmarkLoop(loop))) return { skip: 'test' };
	// A benchmark loop whose deferred call holds nothing of the iteration measures defer itself.
	if (opts.isTest && call && subjectsOf(call, loop, opts).inner.length === 0) return { skip: 'benchmark' };
	if (running && onMainPath(d, loop)) {
		return {
			loop,
			severity: 'error',
			loopNote: 'every iteration of this loop defers another call',
			message: `${what} is deferred on every iteration of a long-running loop (${running}): ${held}, so the deferred calls, and what they hold, pile up without bound until then.`,
		};
	}
	if (!call) return { skip: 'no-call' };
	const subjects = subjectsOf(call, loop, opts);
	const relock = subjects.outer && relocks(call, loop, d);
	if (relock) {
		return {
			loop,
			severity: 'warning',
			loopNote: 'the loop goes round again',
			message: `${what} is deferred inside a loop that calls \`${relock}\` again on its next iteration: the deferred unlock has not run yet, so a sync mutex blocks there for ever.`,
		};
	}
	// A loop the code runs a fixed, small number of times holds at most that many until the return.
	const fixed = running ? undefined : fixedCount(loop);
	if (fixed !== undefined && fixed <= SMALL_COUNT) return { skip: 'bounded', detail: `at most ${fixed} iterations` };
	if (explicitRelease(call, subjects.inner, loop, d)) return { skip: 'safety-net' };
	if (recovers(call)) return { skip: 'recover' };
	if (subjects.element) return { skip: 'handed-off', detail: `element of ${subjects.element.text}` };
	const release = RELEASE.test(calleeName(call) ?? '');
	if (subjects.inner.length === 0) {
		// The same outer object every time: brackets opened in the loop (`r.open()`; `defer r.close()`) close at the end on purpose.
		if (subjects.outer && opensInLoop(call, loop, d)) return { skip: 'outer', detail: subjects.outer.text };
		return {
			loop,
			severity: release ? 'warning' : 'information',
			loopNote: 'the loop goes round again before the deferred call runs',
			message: `${what} is deferred inside a loop: ${held}, so one deferred call per iteration piles up and they all run then, last first.`,
		};
	}
	const body = bodyOf(loop)!;
	const moved = handOff(subjects.inner, body, { imports: opts.imports, ignore: d, contexts: subjects.contexts });
	if (moved) return { skip: 'handed-off', detail: `${moved.name} ${moved.kind} at line ${moved.at.startPosition.row + 1}` };
	// A non-release call that is the only use of values made in the iteration (`tc := newConfig(…)`;
	// `defer cfg.apply(tc)`): that action was put off to the end on purpose. A release is still reported.
	if (!release && subjects.inner.every((b) => madeInLoop(b, loop) && !usedInIteration(b, loop, d))) return { skip: 'held-on-purpose' };
	if (running) {
		return {
			loop,
			severity: 'error',
			loopNote: 'this long-running loop goes round again',
			message: `${what} is deferred inside a long-running loop (${running}): ${held}, so each time this branch runs another deferred call, and what it holds, piles up until then.`,
		};
	}
	const names = subjects.shown.map((b) => `\`${b.name}\``).join(', ');
	return {
		loop,
		severity: release ? 'warning' : 'information',
		loopNote: 'the loop goes round again before the deferred call runs',
		message: `${what} is deferred inside a loop: ${held}, so every iteration's ${names} ${subjects.shown.length > 1 ? 'are' : 'is'} held until then.`,
	};
}
