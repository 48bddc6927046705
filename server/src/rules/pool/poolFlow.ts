/**
 * Per-path fate of one pooled object through its function: a small abstract interpreter over Go's
 * statements (if/else, switch with fallthrough, select, for with break/continue and labels,
 * defer, go, terminating calls). Each path carries a state: `none` (nothing taken on this path),
 * `held`, `released`, `handed` (ownership moved away), `unknown` (given to code the file cannot
 * see) or `deferred` (a deferred release or hand-off covers every later exit). An exit (return,
 * end of function, end of an iteration for a Get inside a loop) is a sure miss only when every
 * path reaching it still holds the object: a mix means a conditional Put (deliberate, or
 * correlated with an earlier condition) and is never claimed.
 * Conditions refine the paths: in `if x == nil` / `if !ok` nothing was taken, and a size check on
 * the object (`if cap(b) > max`) marks a deliberate drop (golang/go#23199).
 */
import type { Node } from '../../syntax/mirror';
import { blockStatements, callArgs, calleeName, contains, descendants } from '../shared/ast';
import { type Effect, type FileFacts, type Tracked, callEffect, carries, involves, mentions, ownCalls, storeEffect, stripParens, worst } from './poolOwnership';

export type PathState = 'none' | 'held' | 'released' | 'handed' | 'unknown' | 'deferred';
export type States = ReadonlySet<PathState>;

export interface FlowExit {
	/** The return statement, the function body (its end), or the loop (end of an iteration). */
	node: Node;
	kind: 'return' | 'end' | 'iteration';
	states: Set<PathState>;
}

export interface FlowEvent {
	node: Node;
	effect: Effect;
	deferred: boolean;
}

export interface Flow {
	exits: FlowExit[];
	events: FlowEvent[];
	/** A goto makes paths this walk does not follow: per-path claims are off. */
	gotos: boolean;
}

/** Calls after which the goroutine or the process does not go on. */
const NO_RETURN = /^(panic|os\.Exit|log\.(Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln)|runtime\.Goexit)$|\.(Fatal|Fatalf|Fatalln|FailNow|Skip|Skipf|SkipNow|Panic|Panicf)$/;
const BREAKABLE = new Set(['for_statement', 'expression_switch_statement', 'type_switch_statement', 'select_statement']);
const EMPTY: States = new Set();

function union(...sets: States[]): Set<PathState> {
	const out = new Set<PathState>();
	for (const s of sets) for (const x of s) out.add(x);
	return out;
}

function map(s: States, from: PathState, to: PathState): Set<PathState> {
	const out = new Set<PathState>();
	for (const x of s) out.add(x === from ? to : x);
	return out;
}

function same(a: States, b: States): boolean {
	return a.size === b.size && [...a].every((x) => b.has(x));
}

interface Jump {
	node: Node;
	states: Set<PathState>;
}

const AFTER: Record<Effect, PathState | undefined> = { none: undefined, release: 'released', handoff: 'handed', unknown: 'unknown' };

class Walker {
	readonly exits = new Map<number, FlowExit>();
	readonly events: FlowEvent[] = [];
	gotos = false;
	/** Per target loop/switch/select: the break (or continue) statements reaching it, with their states. */
	private readonly breaks = new Map<number, Jump[]>();
	private readonly continues = new Map<number, Jump[]>();
	private readonly targets: Node[] = [];
	private readonly labels = new Map<string, Node>();

	/** Whether a text may mention the object (a substring test: never misses, may over-match). */
	private readonly named: { test(text: string): boolean };

	constructor(
		private readonly f: FileFacts,
		private readonly t: Tracked,
		private readonly binding: Node,
		private readonly name: string,
		private readonly taken: { ok: ReadonlySet<string>; err: ReadonlySet<string> },
	) {
		const names = [...t.names];
		this.named = { test: (text: string) => names.some((n) => text.includes(n)) };
	}

	exit(node: Node, kind: FlowExit['kind'], s: States): void {
		const e = this.exits.get(node.id);
		if (e) for (const x of s) e.states.add(x);
		else this.exits.set(node.id, { node, kind, states: new Set(s) });
	}

	private readonly seen = new Set<string>();

	private apply(s: States, node: Node, effect: Effect, deferred = false): Set<PathState> {
		if (effect === 'none') return new Set(s);
		// Loops are walked more than once: one event per node and effect.
		const key = `${node.id}:${effect}:${deferred}`;
		if (!this.seen.has(key)) {
			this.seen.add(key);
			this.events.push({ node, effect, deferred });
		}
		return map(s, 'held', deferred ? 'deferred' : AFTER[effect]!);
	}

	/** Calls and closures of an expression or simple statement, in source order. */
	effects(n: Node | null, s: States): Set<PathState> {
		let out = new Set(s);
		// No name of the object in the text: no call or closure here can involve it (cheap on keystrokes).
		if (!n || !this.named.test(n.text)) return out;
		for (const c of ownCalls(n)) if (involves(this.f, this.t, c)) out = this.apply(out, c, callEffect(this.f, this.t, c));
		for (const lit of descendants(n, 'func_literal')) {
			if (!isOwnLiteral(n, lit) || !mentions(this.t, lit)) continue;
			// A closure that puts it back is a cleanup registered for later (t.Cleanup, a callback); any other may keep it.
			const e = closureEffect(this.f, this.t, lit);
			out = this.apply(out, lit, e === 'release' ? 'release' : 'unknown', e === 'release');
		}
		return out;
	}

	stmts(list: Node[], s: States): Set<PathState> {
		let cur = new Set(s);
		for (const st of list) {
			if (!cur.size) break;
			cur = this.stmt(st, cur);
		}
		return cur;
	}

	stmt(n: Node, s: States): Set<PathState> {
		if (n.id === this.binding.id) {
			this.effects(n, s);
			return new Set(['held']);
		}
		switch (n.type) {
			case 'block':
				return this.stmts(blockStatements(n), s);
			case 'expression_statement': {
				const out = this.effects(n, s);
				const call = stripParens(n.namedChild(0));
				return call?.type === 'call_expression' && NO_RETURN.test(calleeName(call) ?? '') ? new Set() : out;
			}
			case 'return_statement': {
				let out = this.effects(n, s);
				if (this.named.test(n.text) && (n.namedChild(0)?.namedChildren ?? []).some((e) => carries(this.f, this.t, e))) out = this.apply(out, n, 'handoff');
				this.exit(n, 'return', out);
				return new Set();
			}
			case 'if_statement':
				return this.ifStmt(n, s);
			case 'for_statement':
				return this.loop(n, s);
			case 'expression_switch_statement':
			case 'type_switch_statement':
				return this.switchStmt(n, s);
			case 'select_statement':
				return this.selectStmt(n, s);
			case 'labeled_statement': {
				const inner = n.namedChildren.find((c) => c && c.type !== 'label_name');
				const label = n.namedChildren.find((c) => c?.type === 'label_name')?.text;
				if (!inner) return new Set(s);
				if (label) this.labels.set(label, inner);
				const out = this.stmt(inner, s);
				return BREAKABLE.has(inner.type) ? out : union(out, this.takeStates(this.breaks, inner));
			}
			case 'break_statement':
			case 'continue_statement': {
				const label = n.namedChildren.find((c) => c?.type === 'label_name')?.text;
				const loopsOnly = n.type === 'continue_statement';
				const target = label ? this.labels.get(label) : [...this.targets].reverse().find((x) => !loopsOnly || x.type === 'for_statement');
				if (!target) {
					this.gotos = true;
					return new Set();
				}
				const into = loopsOnly ? this.continues : this.breaks;
				into.set(target.id, [...(into.get(target.id) ?? []), { node: n, states: new Set(s) }]);
				return new Set();
			}
			case 'goto_statement':
				this.gotos = true;
				return new Set();
			case 'defer_statement':
				return this.deferStmt(n, s);
			case 'go_statement': {
				const out = this.effects(n.namedChild(0)?.childForFieldName('arguments') ?? null, s);
				return mentions(this.t, n) ? this.apply(out, n, 'handoff') : out;
			}
			case 'send_statement': {
				const out = this.effects(n, s);
				return carries(this.f, this.t, n.childForFieldName('value')) ? this.apply(out, n, 'handoff') : out;
			}
			case 'assignment_statement':
			case 'short_var_declaration': {
				if (!this.named.test(n.text)) return new Set(s);
				let out = this.effects(n, s);
				out = this.apply(out, n, storeEffect(this.f, this.t, n, this.t.fn));
				return out.has('held') && this.reassigned(n) ? this.apply(out, n, 'unknown') : out;
			}
			default:
				return this.effects(n, s);
		}
	}

	/** The binding's own name given another value: the walk no longer knows which object it holds. */
	private reassigned(n: Node): boolean {
		const left = n.childForFieldName('left')?.namedChildren ?? [];
		const right = n.childForFieldName('right')?.namedChildren ?? [];
		return left.some((l, i) => l?.type === 'identifier' && l.text === this.name && !carries(this.f, this.t, right.length === left.length ? right[i] : right[0]));
	}

	private take(m: Map<number, Jump[]>, n: Node): Jump[] {
		const s = m.get(n.id) ?? [];
		m.delete(n.id);
		return s;
	}

	private takeStates(m: Map<number, Jump[]>, n: Node): Set<PathState> {
		return union(...this.take(m, n).map((j) => j.states));
	}

	private ifStmt(n: Node, s: States): Set<PathState> {
		let cur: States = s;
		const init = n.childForFieldName('initializer');
		if (init) cur = this.stmt(init, cur);
		const cond = n.childForFieldName('condition');
		cur = this.effects(cond, cur);
		const [yes, no] = cond ? this.refine(cond, cur) : [cur, cur];
		const cons = n.childForFieldName('consequence');
		const alt = n.childForFieldName('alternative');
		return union(cons ? this.stmt(cons, yes) : yes, alt ? this.stmt(alt, no) : no);
	}

	/** The states on the true and false side of a condition. */
	private refine(cond: Node, s: States): [States, States] {
		const c = stripParens(cond);
		if (!c) return [s, s];
		const drop = map(s, 'held', 'none');
		if (c.type === 'unary_expression' && c.childForFieldName('operator')?.text === '!') {
			const [y, n] = this.refine(c.childForFieldName('operand')!, s);
			return [n, y];
		}
		if (c.type === 'identifier' && this.taken.ok.has(c.text)) return [s, drop];
		if (c.type !== 'binary_expression') return [s, s];
		const op = c.childForFieldName('operator')?.text;
		const l = c.childForFieldName('left')!;
		const r = c.childForFieldName('right')!;
		if (op === '&&') {
			const [y1, n1] = this.refine(l, s);
			const [y2, n2] = this.refine(r, y1);
			return [y2, union(n1, n2)];
		}
		if (op === '||') {
			const [y1, n1] = this.refine(l, s);
			const [y2, n2] = this.refine(r, n1);
			return [union(y1, y2), n2];
		}
		const self = this.t.identity ?? this.t.names;
		const isNil = (a: Node, b: Node) => stripParens(b)?.type === 'nil' && stripParens(a)?.type === 'identifier' && self.has(stripParens(a)!.text);
		if ((op === '==' || op === '!=') && (isNil(l, r) || isNil(r, l))) return op === '==' ? [drop, s] : [s, drop];
		const isErr = (a: Node, b: Node) => stripParens(b)?.type === 'nil' && stripParens(a)?.type === 'identifier' && this.taken.err.has(stripParens(a)!.text);
		if ((op === '==' || op === '!=') && (isErr(l, r) || isErr(r, l))) return op === '!=' ? [drop, s] : [s, drop];
		// A size check on the object itself: whatever a side does with it is deliberate.
		if (['<', '>', '<=', '>='].includes(op ?? '') && (this.sizeOf(l) || this.sizeOf(r))) return [drop, drop];
		return [s, s];
	}

	/** `cap(x)`, `len(*x)`, `x.Cap()`, `x.Len()`, `cap(x.buf)` of the tracked object. */
	private sizeOf(e: Node): boolean {
		return descendants(e, 'call_expression').some((c) => {
			const name = calleeName(c) ?? '';
			if (name === 'cap' || name === 'len') return callArgs(c).some((a) => mentions(this.t, a));
			const fn = c.childForFieldName('function');
			return fn?.type === 'selector_expression' && /^(Cap|Len|Size|Available)$/.test(fn.childForFieldName('field')?.text ?? '') && mentions(this.t, fn);
		});
	}

	private loop(n: Node, s: States): Set<PathState> {
		const clause = n.namedChildren.find((c) => c && c.type !== 'block' && c.type !== 'comment') ?? null;
		const body = n.childForFieldName('body');
		let entry: States = s;
		if (clause?.type === 'for_clause') {
			const init = clause.childForFieldName('initializer');
			if (init) entry = this.stmt(init, entry);
			entry = this.effects(clause.childForFieldName('condition'), entry);
		} else if (clause?.type === 'range_clause') entry = this.effects(clause.childForFieldName('right'), entry);
		else if (clause) entry = this.effects(clause, entry);
		const forever = !clause;
		// A Get declared in the body is a new object each iteration: the old one is gone at the back edge.
		const perIteration = !!body && contains(body, this.binding) && this.binding.type !== 'assignment_statement';
		this.targets.push(n);
		let head: States = entry;
		for (let i = 0; i < 4; i++) {
			const out = body ? this.stmt(body, head) : new Set(head);
			const jumps = this.take(this.continues, n);
			let back = union(out, ...jumps.map((j) => j.states));
			if (perIteration) {
				if (body && out.size) this.exit(body, 'iteration', out);
				for (const j of jumps) this.exit(j.node, 'iteration', j.states);
				back = map(back, 'held', 'none');
			}
			const next = union(entry, back);
			if (same(next, head)) break;
			head = next;
		}
		this.targets.pop();
		const breaks = this.take(this.breaks, n);
		if (perIteration) for (const j of breaks) this.exit(j.node, 'iteration', j.states);
		const brk = union(...breaks.map((j) => j.states));
		return union(forever ? EMPTY : head, perIteration ? map(brk, 'held', 'none') : brk);
	}

	private switchStmt(n: Node, s: States): Set<PathState> {
		let head: States = s;
		const init = n.childForFieldName('initializer');
		if (init) head = this.stmt(init, head);
		head = this.effects(n.childForFieldName('value'), head);
		this.targets.push(n);
		let out = new Set<PathState>();
		let carry: States = EMPTY;
		let hasDefault = false;
		for (const c of n.namedChildren) {
			if (!c || !['expression_case', 'type_case', 'default_case'].includes(c.type)) continue;
			hasDefault ||= c.type === 'default_case';
			const list = c.namedChildren.find((x) => x?.type === 'statement_list');
			const stmts = list ? list.namedChildren.filter((x): x is Node => !!x && x.type !== 'comment') : [];
			const res = this.stmts(stmts, union(head, carry));
			if (stmts[stmts.length - 1]?.type === 'fallthrough_statement') carry = res;
			else {
				out = union(out, res);
				carry = EMPTY;
			}
		}
		this.targets.pop();
		return union(out, hasDefault ? EMPTY : head, this.takeStates(this.breaks, n));
	}

	private selectStmt(n: Node, s: States): Set<PathState> {
		this.targets.push(n);
		let out = new Set<PathState>();
		for (const c of n.namedChildren) {
			if (!c || (c.type !== 'communication_case' && c.type !== 'default_case')) continue;
			const comm = c.childForFieldName('communication');
			const head = comm ? this.stmt(comm, s) : s;
			const list = c.namedChildren.find((x) => x?.type === 'statement_list');
			out = union(out, this.stmts(list ? list.namedChildren.filter((x): x is Node => !!x && x.type !== 'comment') : [], head));
		}
		this.targets.pop();
		return union(out, this.takeStates(this.breaks, n));
	}

	private deferStmt(n: Node, s: States): Set<PathState> {
		const call = n.namedChild(0);
		if (call?.type !== 'call_expression') return new Set(s);
		const fn = stripParens(call.childForFieldName('function'));
		let e: Effect = 'none';
		if (fn?.type === 'func_literal') e = mentions(this.t, fn) ? closureEffect(this.f, this.t, fn) : 'none';
		if (involves(this.f, this.t, call)) e = worst([e, callEffect(this.f, this.t, call)]);
		return this.apply(s, n, e, true);
	}
}

/** Is `lit` directly an operand of `n` (an assignment's value, a call's argument)? */
function isOwnLiteral(n: Node, lit: Node): boolean {
	for (let p = lit.parent; p && p.id !== n.id; p = p.parent) if (p.type === 'func_literal') return false;
	return true;
}

/** What a func literal does with the object: the worst of its calls, stores, sends and returns. */
export function closureEffect(f: FileFacts, t: Tracked, lit: Node): Effect {
	const effects: Effect[] = [];
	for (const c of descendants(lit, 'call_expression')) if (involves(f, t, c)) effects.push(callEffect(f, t, c));
	for (const s of descendants(lit, ['send_statement', 'go_statement', 'assignment_statement', 'return_statement'])) {
		if (s.type === 'assignment_statement') effects.push(storeEffect(f, t, s, t.fn));
		else if (s.type === 'return_statement') effects.push((s.namedChild(0)?.namedChildren ?? []).some((e) => carries(f, t, e)) ? 'unknown' : 'none');
		else effects.push(mentions(t, s) ? 'handoff' : 'none');
	}
	return worst(effects);
}

/** Follows the object bound by `binding` through `fn`'s body. */
export function followObject(f: FileFacts, t: Tracked, binding: Node, name: string, taken: { ok: ReadonlySet<string>; err: ReadonlySet<string> }): Flow {
	const body = t.fn.childForFieldName('body');
	const w = new Walker(f, t, binding, name, taken);
	if (body) {
		const end = w.stmt(body, new Set(['none']));
		if (end.size) w.exit(body, 'end', end);
	}
	return { exits: [...w.exits.values()], events: w.events, gotos: w.gotos };
}
