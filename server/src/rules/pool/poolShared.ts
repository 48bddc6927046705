/**
 * sync.Pool identification and one-level wrapper summaries within a file (spec §1.3), shared by
 * the six pool-* rules. Pure functions over the tree; results are cached per engine run so the six rules
 * walk the file once.
 */
import type { Node } from '../../syntax/mirror';
import type { LocatedEscapeFact, RuleContext } from '../types';
import { FUNCTION_TYPES, callArgs, descendants, dottedName, enclosingFunction, perRun } from '../shared/ast';
import { mentions, sitesByType } from '../scope';
import { summarise } from './poolWrappers';

export { fieldsAssigned, isResetOf } from './poolWrappers';

/**
 * A `getter` hands out a pooled object (`func acquire() *T { return p.Get().(*T) }`, also through a
 * local: `v := p.Get(); if v == nil { return new(T) }; return v.(*T)`); `resets` when it resets the
 * whole object first, `fields` the fields it assigns (`x.entries = entries`).
 */
export interface GetterSummary {
	name: string;
	pool: string;
	resets: boolean;
	generic: boolean;
	/** The object's type: the function's single result type (`*pp`), when written. */
	type?: string;
	fields: Set<string>;
	/** Declared as a method (call sites are matched by method name only). */
	method: boolean;
}

/** A `putter` calls `P.Put(param)`; `resets` when it resets the parameter before. */
export interface PutterSummary {
	name: string;
	pool: string;
	paramIndex: number;
	resets: boolean;
	generic: boolean;
}

/** Where a pooled object is bound to a variable: `x := P.Get().(T)`, `x := *P.Get().(*T)`, `x := getter()`. */
export interface GetBinding {
	name: string;
	/** The identifier node on the left. */
	ident: Node;
	/** The statement (short_var_declaration, assignment_statement, var_declaration). */
	stmt: Node;
	/** The Get call (or the getter call). */
	call: Node;
	/** Pool key (dotted text, e.g. `bufPool`, `s.pool`). */
	pool: string;
	/** Asserted type text (`*bytes.Buffer`), if any. */
	assertedType?: string;
	/** `x := *P.Get().(*T)`: x is a copy of the pointee. */
	deref: boolean;
	getter?: GetterSummary;
	func: Node;
}

export interface PoolIndex {
	/** Local name of package sync (undefined when the file does not import it). */
	syncName: string | undefined;
	/** Variable names declared as pools (package-level or local). */
	vars: Set<string>;
	/** Struct field names declared as pools. */
	fields: Set<string>;
	getters: Map<string, GetterSummary>;
	putters: Map<string, PutterSummary>;
	/** Every call expression of the file (walked once; the pool rules filter it). */
	calls: Node[];
	/** Nodes by type from the one walk over the file (see BUCKETS). */
	nodes: Map<string, Node[]>;
	/** `P.Get()` / `P.Put(x)` calls on known pools. */
	getSites: Node[];
	putSites: Node[];
}


function isPoolType(t: Node | null, sync: string): boolean {
	if (!t) return false;
	if (t.type === 'pointer_type') return isPoolType(t.namedChild(0), sync);
	return t.type === 'qualified_type' && t.text.replace(/\s+/g, '') === `${sync}.Pool`;
}

/** `sync.Pool{…}` or `&sync.Pool{…}`. */
export function isPoolLiteral(v: Node | null, sync: string): boolean {
	if (!v) return false;
	if (v.type === 'unary_expression' && v.childForFieldName('operator')?.text === '&') return isPoolLiteral(v.childForFieldName('operand'), sync);
	return v.type === 'composite_literal' && isPoolType(v.childForFieldName('type'), sync);
}

/** Does this expression name a pool (`bufPool`, `s.pool`, `p.bufs`)? */
export function isPoolExpr(idx: PoolIndex, e: Node | null): string | undefined {
	if (!e) return undefined;
	const name = dottedName(e);
	if (!name) return undefined;
	if (idx.vars.has(name)) return name;
	const last = name.split('.').pop()!;
	if (name.includes('.') && idx.fields.has(last)) return name;
	return undefined;
}

/** `P.Get()` / `P.Put(x)` call on a pool: the pool key, else undefined. */
export function poolCall(idx: PoolIndex, call: Node, method: 'Get' | 'Put'): string | undefined {
	if (call.type !== 'call_expression') return undefined;
	const fn = call.childForFieldName('function');
	if (fn?.type !== 'selector_expression' || fn.childForFieldName('field')?.text !== method) return undefined;
	if (callArgs(call).length !== (method === 'Get' ? 0 : 1)) return undefined;
	return isPoolExpr(idx, fn.childForFieldName('operand'));
}

/** Name a call refers to for wrapper lookup: `f()` → f, `x.f()` → f (methods by name). */
export function calledName(call: Node): string | undefined {
	const fn = call.childForFieldName('function');
	if (!fn) return undefined;
	if (fn.type === 'identifier') return fn.text;
	if (fn.type === 'selector_expression') return fn.childForFieldName('field')?.text;
	return undefined;
}

export function stripParens(n: Node | null): Node | null {
	while (n?.type === 'parenthesized_expression') n = n.namedChild(0);
	return n;
}

/** The Get call inside `P.Get()`, `P.Get().(T)`, `*P.Get().(*T)`; with the asserted type and deref flag. */
export function unwrapGet(idx: PoolIndex, e: Node | null): { call: Node; pool: string; assertedType?: string; deref: boolean } | undefined {
	let n = stripParens(e);
	let deref = false;
	if (n?.type === 'unary_expression' && n.childForFieldName('operator')?.text === '*') {
		deref = true;
		n = stripParens(n.childForFieldName('operand'));
	}
	let assertedType: string | undefined;
	if (n?.type === 'type_assertion_expression') {
		assertedType = n.childForFieldName('type')?.text;
		n = stripParens(n.childForFieldName('operand'));
	}
	if (!n || n.type !== 'call_expression') return undefined;
	const pool = poolCall(idx, n, 'Get');
	return pool ? { call: n, pool, assertedType, deref } : undefined;
}

/** Is the function generic (type parameters, or a method on a generic receiver)? */
export function isGenericFunc(fn: Node | null): boolean {
	if (!fn) return false;
	if (fn.childForFieldName('type_parameters')) return true;
	const recv = fn.childForFieldName('receiver');
	return !!recv && recv.text.includes('[');
}

const BUCKETS = ['var_spec', 'short_var_declaration', 'field_declaration', 'call_expression', 'composite_literal', 'assignment_statement', 'type_spec', 'import_spec'];

/** What the pool index keeps from a whole-file run for later scoped runs (plain data). */
interface PoolMemo {
	vars: Set<string>;
	fields: Set<string>;
	getters: Map<string, GetterSummary>;
	putters: Map<string, PutterSummary>;
}
const MEMO_KEY = 'pool:index';

type PoolCtx = Pick<RuleContext, 'tree' | 'text' | 'scope' | 'memo'>;

/** One index per run: keyed by the scope of a scoped run, else by the tree. */
function cacheKey(ctx: PoolCtx): object {
	return ctx.scope ?? ctx.tree;
}

/**
 * The pools, getters and putters of a file, cached per run so the six pool rules walk it once.
 * Files that never mention `.Pool` are answered without walking the tree (walks are costly in
 * wasm). On a scoped run (see ./scope.ts) the nodes cover the scope only, and the pools, getters
 * and putters declared in untouched functions come from the last whole-file run.
 */
export function poolIndex(ctx: PoolCtx): PoolIndex {
	return perRun(cacheKey(ctx), 'pool:index', () => buildPoolIndex(ctx));
}

function buildPoolIndex(ctx: PoolCtx): PoolIndex {
	const idx: PoolIndex = { syncName: undefined, vars: new Set(), fields: new Set(), getters: new Map(), putters: new Map(), calls: [], getSites: [], putSites: [], nodes: new Map() };
	// A gate before any walk: nothing to do if no pool is in sight (in the text a run reports in, or
	// known from the last whole-file run).
	const known = ctx.scope ? (ctx.memo?.get(MEMO_KEY) as PoolMemo | undefined) : undefined;
	if (!(known && known.vars.size + known.fields.size > 0) && !mentions(ctx, '.Pool')) return idx;
	idx.nodes = sitesByType(ctx, BUCKETS);
	const bucket = (t: string) => idx.nodes.get(t) ?? [];
	for (const spec of bucket('import_spec')) {
		if (spec.childForFieldName('path')?.text === '"sync"') idx.syncName = spec.childForFieldName('name')?.text ?? 'sync';
	}
	const syncName = idx.syncName;
	if (!syncName) return idx;
	const memo = ctx.scope ? (ctx.memo?.get(MEMO_KEY) as PoolMemo | undefined) : undefined;
	if (memo) {
		for (const v of memo.vars) idx.vars.add(v);
		for (const f of memo.fields) idx.fields.add(f);
	}
	for (const spec of bucket('var_spec')) {
		const poolish = isPoolType(spec.childForFieldName('type'), syncName) || (spec.childForFieldName('value')?.namedChildren ?? []).some((v) => isPoolLiteral(v, syncName));
		if (poolish) for (const n of spec.childrenForFieldName('name')) if (n) idx.vars.add(n.text);
	}
	for (const d of bucket('short_var_declaration')) {
		const vals = d.childForFieldName('right')?.namedChildren ?? [];
		const names = d.childForFieldName('left')?.namedChildren ?? [];
		vals.forEach((v, i) => {
			if (isPoolLiteral(v, syncName) && names[i]) idx.vars.add(names[i]!.text);
		});
	}
	for (const f of bucket('field_declaration')) {
		if (!isPoolType(f.childForFieldName('type'), syncName)) continue;
		for (const n of f.childrenForFieldName('name')) if (n) idx.fields.add(n.text);
	}
	if (memo) {
		// Summaries of untouched functions; the touched ones are summarised again below.
		const touched = new Set((ctx.scope?.decls ?? []).map((d) => d.childForFieldName('name')?.text));
		for (const [n, g] of memo.getters) if (!touched.has(n)) idx.getters.set(n, g);
		for (const [n, p] of memo.putters) if (!touched.has(n)) idx.putters.set(n, p);
	}
	if (idx.vars.size + idx.fields.size > 0) {
		idx.calls = bucket('call_expression');
		idx.getSites = idx.calls.filter((c) => poolCall(idx, c, 'Get'));
		idx.putSites = idx.calls.filter((c) => poolCall(idx, c, 'Put'));
		// Only functions holding a Get or Put can be wrappers.
		const seen = new Set<number>();
		for (const site of [...idx.getSites, ...idx.putSites]) {
			const fn = enclosingFunction(site);
			if (!fn || fn.type === 'func_literal' || seen.has(fn.id)) continue;
			seen.add(fn.id);
			summarise(idx, fn);
		}
	}
	if (!ctx.scope) ctx.memo?.set(MEMO_KEY, { vars: idx.vars, fields: idx.fields, getters: idx.getters, putters: idx.putters } satisfies PoolMemo);
	return idx;
}

/** Every Get bound to a variable in the file, or in the scope of a scoped run (cached per run). */
export function getBindings(ctx: PoolCtx): GetBinding[] {
	return perRun(cacheKey(ctx), 'pool:bindings', () => buildBindings(ctx));
}

function buildBindings(ctx: PoolCtx): GetBinding[] {
	const idx = poolIndex(ctx);
	const out: GetBinding[] = [];
	if (idx.vars.size + idx.fields.size === 0) return out;
	const stmts = ['short_var_declaration', 'assignment_statement', 'var_spec'].flatMap((t) => idx.nodes.get(t) ?? []).sort((a, b) => a.startIndex - b.startIndex);
	for (const stmt of stmts) {
		const left = stmt.type === 'var_spec' ? stmt.childForFieldName('name') : stmt.childForFieldName('left')?.namedChild(0);
		const right = stmt.type === 'var_spec' ? stmt.childForFieldName('value')?.namedChild(0) : stmt.childForFieldName('right')?.namedChild(0);
		if (!left || left.type !== 'identifier' || !right) continue;
		const func = enclosingFunction(stmt);
		if (!func) continue;
		const g = unwrapGet(idx, right);
		const owner = stmt.type === 'var_spec' ? (stmt.parent?.type === 'var_declaration' ? stmt.parent : stmt) : stmt;
		if (g) {
			out.push({ name: left.text, ident: left, stmt: owner, call: g.call, pool: g.pool, assertedType: g.assertedType, deref: g.deref, func });
			continue;
		}
		const call = stripParens(right);
		const getter = call?.type === 'call_expression' ? idx.getters.get(calledName(call) ?? '') : undefined;
		if (getter && call && func.childForFieldName('name')?.text !== getter.name && getterCall(ctx, getter, call)) {
			out.push({ name: left.text, ident: left, stmt: owner, call, pool: getter.pool, deref: false, getter, func });
		}
	}
	return out;
}

/** Method names too common to take `x.Name()` for a call of this file's getter method. */
const COMMON_METHODS = new Set(['Get', 'Load', 'Next', 'Pop', 'Value', 'New', 'Take', 'Acquire', 'Alloc', 'Clone', 'Copy', 'Read']);

/**
 * Is `call` a call of the getter? Functions match by name; a method only when its name is
 * unusual and no other method of the file has it (`h.Get("k")` is not `pool.Get()`).
 */
function getterCall(ctx: PoolCtx, getter: GetterSummary, call: Node): boolean {
	const fn = call.childForFieldName('function');
	if (!getter.method) return fn?.type === 'identifier';
	if (fn?.type !== 'selector_expression' || COMMON_METHODS.has(getter.name)) return false;
	return ctx.tree.rootNode.namedChildren.filter((d) => d?.type === 'method_declaration' && d.childForFieldName('name')?.text === getter.name).length === 1;
}

/** The Get bindings of the run grouped by their enclosing function. */
export function bindingsByFunc(ctx: PoolCtx): Map<Node, GetBinding[]> {
	return perRun(cacheKey(ctx), 'pool:bindingsByFunc', () => {
		const out = new Map<Node, GetBinding[]>();
		for (const b of getBindings(ctx)) {
			const list = out.get(b.func);
			if (list) list.push(b);
			else out.set(b.func, [b]);
		}
		return out;
	});
}

/** A list of sites sorted by start offset, with the offsets (each read is a wasm call), made once per list. */
const sortedSites = new WeakMap<readonly Node[], { nodes: Node[]; starts: number[] }>();

/**
 * The sites that lie inside `node`, in document order: a binary search, since scanning every site
 * of the file per function is quadratic on generated files.
 */
export function sitesWithin(sites: readonly Node[], node: Node): Node[] {
	let sorted = sortedSites.get(sites);
	if (!sorted) {
		const pairs = sites.map((n) => [n.startIndex, n] as const).sort((a, b) => a[0] - b[0]);
		sortedSites.set(sites, (sorted = { nodes: pairs.map((p) => p[1]), starts: pairs.map((p) => p[0]) }));
	}
	const { nodes, starts } = sorted;
	const from = node.startIndex;
	const to = node.endIndex;
	let lo = 0;
	let hi = starts.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (starts[mid]! < from) lo = mid + 1;
		else hi = mid;
	}
	const out: Node[] = [];
	for (let i = lo; i < starts.length && starts[i]! < to; i++) if (nodes[i]!.endIndex <= to) out.push(nodes[i]!);
	return out;
}

/** Nodes inside `fn` that are not inside a nested func literal. */
export function ownDescendants(fn: Node, types: string | string[]): Node[] {
	return descendants(fn, types).filter((n) => {
		for (let p = n.parent; p && p.id !== fn.id; p = p.parent) if (FUNCTION_TYPES.has(p.type)) return false;
		return true;
	});
}

/** Calls in `scope` that put `x` back: `P.Put(x)` on the same pool, or a putter called with x. */
export function putCallsOf(idx: PoolIndex, scope: Node, x: string, pool: string): Node[] {
	// The calls inside `scope` (an indexed walk: filtering every call of the file per Get is quadratic).
	const inScope = idx.calls.length > 64 ? descendants(scope, 'call_expression') : idx.calls;
	return inScope.filter((c) => {
		if (c.startIndex < scope.startIndex || c.endIndex > scope.endIndex) return false;
		const args = callArgs(c);
		const p = poolCall(idx, c, 'Put');
		if (p) return p === pool && stripParens(args[0] ?? null)?.text === x;
		const putter = idx.putters.get(calledName(c) ?? '');
		return !!putter && putter.pool === pool && args[putter.paramIndex]?.text === x;
	});
}

/** The statement directly inside a block (or case) that contains `n`. */
export function statementOf(n: Node): Node {
	let cur = n;
	while (cur.parent && !['block', 'statement_list', 'source_file', 'expression_case', 'default_case', 'type_case', 'communication_case'].includes(cur.parent.type)) {
		cur = cur.parent;
	}
	return cur;
}

/** Identifiers named `x` in `scope` (expression identifiers, not field names). */
export function identUses(scope: Node, x: string): Node[] {
	return descendants(scope, 'identifier').filter((i) => i.text === x);
}

export const ALIAS_METHODS = new Set(['Bytes', 'Next', 'AvailableBuffer']);

/**
 * The variable whose pooled memory `e` shares, per the aliasing table (spec §1.4): `x`, `*x`, `&x`,
 * `x[a:b]`, `(*x)[:n]`, `x.Bytes()`, `x.Next(n)`, `x.String()` only for strings.Builder (Buffer's copies).
 * `builders` holds the names asserted as *strings.Builder.
 */
export function aliasRoot(e: Node | null, builders: ReadonlySet<string> = new Set()): string | undefined {
	e = stripParens(e);
	if (!e) return undefined;
	switch (e.type) {
		case 'identifier':
			return e.text;
		case 'unary_expression': {
			const op = e.childForFieldName('operator')?.text;
			return op === '*' || op === '&' ? aliasRoot(e.childForFieldName('operand'), builders) : undefined;
		}
		case 'slice_expression':
		case 'type_assertion_expression':
			return aliasRoot(e.childForFieldName('operand'), builders);
		case 'call_expression': {
			const fn = e.childForFieldName('function');
			if (fn?.type !== 'selector_expression') return undefined;
			const m = fn.childForFieldName('field')?.text ?? '';
			const root = aliasRoot(fn.childForFieldName('operand'), builders);
			if (!root) return undefined;
			if (ALIAS_METHODS.has(m) || (m === 'String' && builders.has(root))) return root;
			return undefined;
		}
		default:
			return undefined;
	}
}

/**
 * Escape facts located inside `node`'s range. The compiler positions a call at its `(` and a
 * slice expression at its `[` (Go 1.26: `b[:0] escapes to heap` at the `[`), so an expression's
 * facts are not at its first character, which is all `factsAt` matches.
 */
export function factsIn(ctx: RuleContext, node: Node): LocatedEscapeFact[] {
	if (!ctx.escape) return [];
	const s = node.startPosition;
	const e = node.endPosition;
	return ctx.escape.filter((f) => {
		const { line, character } = f.at;
		if (line < s.row || line > e.row) return false;
		if (line === s.row && character < s.column) return false;
		return !(line === e.row && character >= e.column);
	});
}
