/**
 * What happens to a pooled object at one call or store, read off the syntax: it is put back
 * (`release`), its ownership moves away (`handoff`: returned, stored outside the function, sent,
 * appended, given to a goroutine, kept by a callee), it is handed to code this file cannot see
 * and that may release or keep it (`unknown`), or nothing (`none`: a method of a standard-library
 * type, a write into a no-retain `io.Writer`, `len`, a conversion…).
 * Functions and methods declared in this file are summarised one call deep (what they do with a
 * parameter or their receiver); anything else of the package lives in files the rules do not
 * see, so it answers `unknown` (or `release` when its name says so: `putBuf`, `x.returnToPool()`).
 * Precision before recall: whenever the syntax cannot tell, the answer is `unknown`, and the
 * pool rules then make no claim about a missing Put.
 */
import type { Node } from '../../syntax/mirror';
import { FUNCTION_TYPES, callArgs, descendants, imports, perRun } from '../shared/ast';
import { ALIAS_METHODS, poolCall, type GetBinding, type PoolIndex } from './poolShared';
import { resolveLocal } from '../shared/declarations';
import { MAX_DEPTH, funcDecl, methodDecls, paramName, receiverName, summary } from './poolSummary';

export type Effect = 'none' | 'release' | 'handoff' | 'unknown';

/** The object being followed through one function. */
export interface Tracked {
	/** Local names that may hold it (the binding, `y := x.(*T)`, `w := bufio.NewWriter(x)`, …). */
	names: Set<string>;
	/** The function the names live in. */
	fn: Node;
	/** Pool key its Puts go to. */
	pool: string;
	/** Asserted type text (`*bytes.Buffer`, `*pp`), when known. */
	type?: string;
	/** Names asserted as *strings.Builder (their String() aliases). */
	builders: ReadonlySet<string>;
	/** The names that are the object itself (`x`, `m = x.(*T)`): a nil check on them means nothing was taken. */
	identity?: ReadonlySet<string>;
	/** How many calls deep this file's callees are still read (see poolSummary.ts); the rules start at MAX_DEPTH. */
	budget: number;
}

/** Per-file knowledge the classifier needs: the pool index, imports, declared functions. */
export interface FileFacts {
	idx: PoolIndex;
	root: Node;
	/** Local package name → import path. */
	packages: Map<string, string>;
	funcs: Map<string, Node>;
	/** Method name → its declarations (any receiver type). */
	methods: Map<string, Node[]>;
	/** What else a summary depends on: the pools and imports (cross-run summaries check it). */
	signature: string;
}

/** Names of calls that put an object back (another file's `putBuf(b)`, `m.returnToPool()`). */
export const RELEASE_NAME = /^(put|release|free|recycle|reclaim|unref|decref)|topool$|release$/i;
/** Methods of any type that, by the io and net contracts, never retain their argument. */
const NO_RETAIN_METHODS = new Set([
	...['Write', 'WriteString', 'WriteAt', 'Read', 'ReadAt', 'ReadFull', 'ReadFrom', 'WriteTo', 'Encode', 'Decode', 'EncodeElement', 'Unmarshal', 'Marshal', 'Sum', 'Printf', 'Print', 'Println', 'Equal', 'Compare'],
	// net's packet connections read into and write from the caller's buffer (facebook/dhcplb#3).
	...['ReadFromUDP', 'ReadFromUDPAddrPort', 'ReadMsgUDP', 'ReadMsgUDPAddrPort', 'WriteToUDP', 'WriteToUDPAddrPort', 'WriteMsgUDP', 'WriteMsgUDPAddrPort'],
	...['ReadFromIP', 'WriteToIP', 'ReadMsgIP', 'WriteMsgIP', 'ReadFromUnix', 'WriteToUnix', 'ReadMsgUnix', 'WriteMsgUnix'],
]);
/** Methods of standard types whose result shares the receiver's memory (spec §1.4). */
const ALIAS_RESULTS = new Set([...ALIAS_METHODS, 'Peek', 'ReadSlice', 'ReadLine', 'Bytes']);
const HARMLESS_BUILTINS = new Set(['len', 'cap', 'copy', 'clear', 'delete', 'print', 'println', 'min', 'max', 'new', 'make', 'complex', 'real', 'imag', 'close', 'panic', 'string']);
/** Standard packages whose functions may keep an argument (or return something holding it). */
const KEEPING_PACKAGES = new Set(['runtime', 'sync', 'sync/atomic', 'container/heap', 'container/list', 'container/ring', 'context', 'reflect', 'unsafe', 'slices', 'maps', 'iter', 'weak', 'unique']);
/** Standard functions whose result wraps or aliases an argument. */
const CARRYING_STD = /^(New|Append|Trim|Cut|Split|Fields|Multi|Tee|Limit|Nop|With|Wrap)/;

/**
 * The file's facts for one run. Imports and declarations are read on first use only: a keystroke
 * in a function whose pooled objects meet no call of another function never walks the file's
 * top-level list.
 */
export function fileFacts(idx: PoolIndex, root: Node): FileFacts {
	let signature: string | undefined;
	return perRun(root, 'pool:fileFacts', () => {
		let packages: Map<string, string> | undefined;
		let decls: { funcs: Map<string, Node>; methods: Map<string, Node[]> } | undefined;
		const declared = () => {
			if (decls) return decls;
			decls = { funcs: new Map(), methods: new Map() };
			for (const d of root.namedChildren) {
				const name = d?.childForFieldName('name')?.text;
				if (!d || !name) continue;
				if (d.type === 'function_declaration') decls.funcs.set(name, d);
				else if (d.type === 'method_declaration') decls.methods.set(name, [...(decls.methods.get(name) ?? []), d]);
			}
			return decls;
		};
		return {
			idx,
			root,
			get packages() {
				if (!packages) {
					packages = new Map();
					for (const [p, name] of imports(root)) packages.set(name, p);
				}
				return packages;
			},
			get funcs() {
				return declared().funcs;
			},
			get methods() {
				return declared().methods;
			},
			get signature() {
				return (signature ??= `${[...idx.vars].sort()}|${[...idx.fields].sort()}|${[...this.packages].join(';')}`);
			},
		};
	});
}

export function stripParens(n: Node | null | undefined): Node | null {
	while (n?.type === 'parenthesized_expression') n = n.namedChild(0);
	return n ?? null;
}

/** Is `t` a type this package may have methods on (`*pp`, `T`), as opposed to `*bytes.Buffer`, `[]byte`? */
export function isLocalType(t: string | undefined): boolean | undefined {
	if (!t) return undefined;
	const base = t.replace(/^[*\s]+/, '');
	return /^[A-Za-z_]\w*(\[.*\])?$/.test(base) && !/^(byte|rune|string|int\d*|uint\d*|float\d+|bool|any|error)$/.test(base);
}

/** The standard-library import path `name` refers to at `at`, if it is a package name (not shadowed). */
function stdPackage(f: FileFacts, name: string, at: Node, fn: Node): string | undefined {
	const p = f.packages.get(name);
	if (p === undefined || resolveLocal(at, name, fn)) return undefined;
	return p.split('/')[0].includes('.') ? '' : p;
}

/** Does the value of `e` possibly reference the tracked object (or memory it owns)? */
export function carries(f: FileFacts, t: Tracked, e: Node | null | undefined): boolean {
	e = stripParens(e);
	if (!e) return false;
	switch (e.type) {
		case 'identifier':
			return t.names.has(e.text);
		case 'unary_expression': {
			const op = e.childForFieldName('operator')?.text;
			return (op === '&' || op === '*') && carries(f, t, e.childForFieldName('operand'));
		}
		case 'selector_expression':
		case 'index_expression':
		case 'slice_expression':
		case 'type_assertion_expression':
		case 'type_conversion_expression':
			return carries(f, t, e.childForFieldName('operand'));
		case 'composite_literal':
		case 'func_literal':
			return mentions(t, e);
		case 'call_expression':
			return callCarries(f, t, e);
		default:
			return false;
	}
}

/** Identifiers of the tracked names inside `n` (composite-literal keys are field names, not uses). */
export function mentions(t: Tracked, n: Node): boolean {
	return descendants(n, 'identifier').some((i) => t.names.has(i.text) && !(i.parent?.type === 'literal_element' && i.parent.parent?.type === 'keyed_element' && i.parent.parent.namedChild(0)?.id === i.parent.id));
}

function callCarries(f: FileFacts, t: Tracked, c: Node): boolean {
	const fn = stripParens(c.childForFieldName('function'));
	const args = callArgs(c);
	if (!fn) return args.some((a) => carries(f, t, a));
	if (fn.type === 'identifier') {
		if (fn.text === 'append') return args.some((a) => carries(f, t, a));
		if (HARMLESS_BUILTINS.has(fn.text)) return false;
		const decl = funcDecl(f, fn.text);
		if (decl && !resolveLocal(fn, fn.text, t.fn)) {
			return args.some((a, i) => carries(f, t, a) && summary(f, decl, paramName(decl, i), t.budget).returns);
		}
		return args.some((a) => carries(f, t, a));
	}
	if (fn.type === 'selector_expression') {
		const operand = fn.childForFieldName('operand');
		const m = fn.childForFieldName('field')?.text ?? '';
		if (operand?.type === 'identifier') {
			const std = stdPackage(f, operand.text, operand, t.fn);
			if (std) return args.some((a) => carries(f, t, a)) && (KEEPING_PACKAGES.has(std) || CARRYING_STD.test(m));
		}
		if (carries(f, t, operand)) {
			if (m === 'String') return t.builders.has(stripParens(operand)?.text ?? '');
			if (isLocalType(t.type) === false) return ALIAS_RESULTS.has(m);
			const decls = methodDecls(f, m);
			return !decls.length || decls.some((d) => summary(f, d, receiverName(d), t.budget).returns);
		}
		// Another object's method: `w.Write(b)` returns counts; this file's methods say what they return.
		if (NO_RETAIN_METHODS.has(m)) return false;
		const decls = methodDecls(f, m);
		if (decls.length) return decls.some((d) => args.some((a, i) => carries(f, t, a) && summary(f, d, paramName(d, i), t.budget).returns));
	}
	// A conversion `(*T)(p)` or a call of a func value: the result may be the argument.
	return args.some((a) => carries(f, t, a));
}

/** Is this call a conversion to a type (`(*T)(p)`, `unsafe.Pointer(p)`): its result is its argument. */
function isConversion(f: FileFacts, c: Node, outer: Node): boolean {
	const fn = c.childForFieldName('function');
	if (fn?.type === 'parenthesized_expression') {
		const inner = stripParens(fn);
		return inner?.type === 'unary_expression' && inner.childForFieldName('operator')?.text === '*';
	}
	const op = fn?.type === 'selector_expression' ? fn.childForFieldName('operand') : null;
	return op?.type === 'identifier' && stdPackage(f, op.text, op, outer) === 'unsafe';
}

/** What the call `c` does with the tracked object (only asked when it involves it). */
export function callEffect(f: FileFacts, t: Tracked, c: Node): Effect {
	const args = callArgs(c);
	const carried = args.map((a) => carries(f, t, a));
	const put = poolCall(f.idx, c, 'Put');
	if (put) return carried[0] ? (put === t.pool ? 'release' : 'handoff') : 'none';
	if (isConversion(f, c, t.fn)) return 'none';
	const fn = stripParens(c.childForFieldName('function'));
	if (!fn) return carried.some(Boolean) ? 'unknown' : 'none';
	if (fn.type === 'identifier') {
		if (fn.text === 'append') return carried.slice(1).some(Boolean) ? 'handoff' : 'none';
		if (HARMLESS_BUILTINS.has(fn.text)) return 'none';
		if (!carried.some(Boolean)) return 'none';
		if (resolveLocal(fn, fn.text, t.fn)) return 'unknown'; // a func value
		const decl = funcDecl(f, fn.text);
		if (decl) return worst(carried.map((on, i) => (on ? summary(f, decl, paramName(decl, i), t.budget).fate : 'none')));
		return RELEASE_NAME.test(fn.text) ? 'release' : 'unknown';
	}
	if (fn.type === 'func_literal') return carried.some(Boolean) ? 'unknown' : 'none';
	if (fn.type !== 'selector_expression') return carried.some(Boolean) ? 'unknown' : 'none';
	const operand = stripParens(fn.childForFieldName('operand'));
	const m = fn.childForFieldName('field')?.text ?? '';
	if (operand?.type === 'identifier') {
		const std = stdPackage(f, operand.text, operand, t.fn);
		if (std !== undefined) {
			if (!carried.some(Boolean)) return 'none';
			if (std === '') return RELEASE_NAME.test(m) ? 'release' : 'unknown';
			return KEEPING_PACKAGES.has(std) && !(std === 'runtime' && m === 'KeepAlive') ? 'handoff' : 'none';
		}
	}
	const effects: Effect[] = [];
	// A method of the object itself (`x.Reset()`, `p.free()`); a field's method (`x.buf.Reset()`) cannot release x.
	if (operand && isSelf(t, operand)) effects.push(operand.type === 'identifier' && stdCarrier(f, t, operand.text) ? 'none' : receiverEffect(f, t, m));
	if (carried.some(Boolean)) {
		if (NO_RETAIN_METHODS.has(m)) effects.push('none');
		else if (methodDecls(f, m).length) effects.push(worst(methodDecls(f, m).flatMap((d) => carried.map((on, i) => (on ? summary(f, d, paramName(d, i), t.budget).fate : 'none')))));
		else effects.push(RELEASE_NAME.test(m) ? 'release' : 'unknown');
	}
	return worst(effects);
}

/**
 * `enc := json.NewEncoder(b)`: a local that carries the object without being it, made by a function
 * of a standard package that does not keep values: a value of a standard type, whose methods
 * (`enc.Encode`, `w.Flush`) cannot reach this file's pool (phuslu/log's Entry.Interface).
 */
function stdCarrier(f: FileFacts, t: Tracked, name: string): boolean {
	if (!t.identity || t.identity.has(name)) return false;
	const binds = descendants(t.fn, ['short_var_declaration', 'assignment_statement']).filter((s) => (s.childForFieldName('left')?.namedChildren ?? []).some((l) => l?.type === 'identifier' && l.text === name));
	return (
		binds.length > 0 &&
		binds.every((s) => {
			const left = s.childForFieldName('left')?.namedChildren ?? [];
			const right = s.childForFieldName('right')?.namedChildren ?? [];
			const i = left.findIndex((l) => l?.text === name);
			const r = stripParens(right.length === left.length ? right[i] : right[0]);
			const fn = r?.type === 'call_expression' ? r.childForFieldName('function') : null;
			const op = fn?.type === 'selector_expression' ? fn.childForFieldName('operand') : null;
			const std = op?.type === 'identifier' ? stdPackage(f, op.text, op, t.fn) : undefined;
			return !!std && !KEEPING_PACKAGES.has(std);
		})
	);
}

/** `x`, `*x`, `x.(T)` of a tracked name: the object itself as a receiver. */
function isSelf(t: Tracked, e: Node | null): boolean {
	const n = stripParens(e);
	if (!n) return false;
	if (n.type === 'identifier') return t.names.has(n.text);
	if (n.type === 'unary_expression' && n.childForFieldName('operator')?.text === '*') return isSelf(t, n.childForFieldName('operand')!);
	if (n.type === 'type_assertion_expression') return isSelf(t, n.childForFieldName('operand')!);
	return false;
}

function receiverEffect(f: FileFacts, t: Tracked, m: string): Effect {
	// Another package's type cannot reach this file's pool, but its `Release()` ends the object's use here.
	if (isLocalType(t.type) === false) return RELEASE_NAME.test(m) ? 'release' : 'none';
	const decls = methodDecls(f, m);
	if (decls.length) return worst(decls.map((d) => summary(f, d, receiverName(d), t.budget).fate));
	return RELEASE_NAME.test(m) ? 'release' : 'unknown';
}

const RANK: Record<Effect, number> = { none: 0, handoff: 1, unknown: 2, release: 3 };

/** The effect that decides: a release anywhere, else unknown, else a hand-off. */
export function worst(effects: Effect[]): Effect {
	let out: Effect = 'none';
	for (const e of effects) if (RANK[e] > RANK[out]) out = e;
	return out;
}

/** Every call expression in `n` that involves the tracked object (as receiver or argument). */
export function involves(f: FileFacts, t: Tracked, c: Node): boolean {
	const fn = stripParens(c.childForFieldName('function'));
	if (fn?.type === 'selector_expression' && isSelf(t, fn.childForFieldName('operand')!)) return true;
	return callArgs(c).some((a) => carries(f, t, a));
}

/** An assignment storing the object outside the function's locals (field, element, global, named result). */
export function storeEffect(f: FileFacts, t: Tracked, s: Node, fn: Node): Effect {
	const left = s.childForFieldName('left')?.namedChildren ?? [];
	const right = s.childForFieldName('right')?.namedChildren ?? [];
	let out: Effect = 'none';
	left.forEach((l, i) => {
		if (!l) return;
		const r = right.length === left.length ? right[i] : right[0];
		if (!r || !carries(f, t, r)) return;
		const target = stripParens(l);
		if (target?.type === 'identifier') {
			// `y := …` declares (or redeclares) a local: an alias, not a store.
			if (target.text === '_' || s.type === 'short_var_declaration') return;
			const decl = resolveLocal(target, target.text, fn);
			if (!decl || decl.kind === 'result') out = 'handoff';
			return;
		}
		// `x.f = x.g`, `*x = …`: the object's own storage.
		if (target && rootName(target) && t.names.has(rootName(target)!)) return;
		out = 'handoff';
	});
	return out;
}

/** The variable at the root of `a.b[i].c`, `*p`, `(x)`. */
export function rootName(e: Node): string | undefined {
	const n = stripParens(e);
	if (!n) return undefined;
	if (n.type === 'identifier') return n.text;
	if (n.type === 'selector_expression' || n.type === 'index_expression' || n.type === 'slice_expression') return rootName(n.childForFieldName('operand')!);
	if (n.type === 'unary_expression') return rootName(n.childForFieldName('operand')!);
	return undefined;
}

/** The object of binding `g`, with every local that may hold it. */
export function trackBinding(f: FileFacts, g: GetBinding): Tracked {
	const builders = new Set<string>(g.assertedType?.replace(/\s+/g, '') === '*strings.Builder' ? [g.name] : []);
	const t: Tracked = { names: new Set([g.name]), fn: g.func, pool: g.pool, type: g.assertedType ?? g.getter?.type, builders, budget: MAX_DEPTH };
	const body = g.func.childForFieldName('body');
	if (body) {
		t.identity = localAliases(f, body, g.func, t.names, t, true);
		// `v := p.Get()` then `b := v.(*bytes.Buffer)`: the type comes from the assertion.
		t.type ??= descendants(body, 'type_assertion_expression').find((a) => t.identity!.has(stripParens(a.childForFieldName('operand'))?.text ?? ''))?.childForFieldName('type')?.text;
		t.names = localAliases(f, body, g.func, t.names, t);
	}
	return t;
}

/**
 * The local names that may hold the object in `scope`: `seed` plus every local assigned an
 * expression that carries it (`m = v.(*T)`, `x, ok := v.(*T)`, `w := bufio.NewWriter(b)`,
 * `p := (*Page)(unsafe.Pointer(&buf[0]))`), flow-insensitively, to a fixed point.
 */
export function localAliases(f: FileFacts, scope: Node, fn: Node, seed: Set<string>, base: Pick<Tracked, 'type' | 'builders' | 'budget'>, identity = false): Set<string> {
	const names = new Set(seed);
	// The callee budget goes on: summaries read through these aliases must not restart at full depth.
	const t: Tracked = { names, fn, pool: '', type: base.type, builders: base.builders, budget: base.budget };
	const stmts = descendants(scope, ['short_var_declaration', 'assignment_statement', 'var_spec', 'range_clause', 'type_switch_statement']);
	for (let pass = 0, grew = true; grew && pass < 4; pass++) {
		grew = false;
		for (const s of stmts) {
			if (![...names].some((n) => s.text.includes(n))) continue; // cannot mention the object
			let left: Node[];
			let right: Node[];
			if (s.type === 'var_spec') {
				left = s.childrenForFieldName('name').filter((n): n is Node => !!n);
				right = s.childForFieldName('value')?.namedChildren.filter((n): n is Node => !!n) ?? [];
			} else if (s.type === 'type_switch_statement') {
				left = s.childForFieldName('alias')?.namedChildren.filter((n): n is Node => !!n) ?? [];
				right = [s.childForFieldName('value')].filter((n): n is Node => !!n);
			} else {
				left = s.childForFieldName('left')?.namedChildren.filter((n): n is Node => !!n) ?? [];
				right = s.childForFieldName('right')?.namedChildren.filter((n): n is Node => !!n) ?? [];
			}
			if (s.type === 'range_clause') {
				if (identity) continue;
				// `for _, v := range x.items`: v may be an element the object owns.
				if (!carries(f, t, right[0])) continue;
				for (const l of left.slice(1)) if (l.type === 'identifier' && l.text !== '_' && !names.has(l.text)) (names.add(l.text), (grew = true));
				continue;
			}
			left.forEach((l, i) => {
				if (l.type !== 'identifier' || l.text === '_' || names.has(l.text)) return;
				// `x, ok := v.(*T)` pairs x with the assertion; `a, b := f(x)` gives both f's results.
				const r = right.length === left.length ? right[i] : right.length === 1 && (i === 0 || right[0].type === 'call_expression') ? right[0] : undefined;
				const holds = identity ? isSelf(t, r ?? null) && stripParens(r)?.type !== 'unary_expression' : carries(f, t, r);
				if (r && holds && !(right.length === 1 && i > 0 && right[0].type === 'type_assertion_expression')) {
					names.add(l.text);
					grew = true;
				}
			});
		}
	}
	return names;
}

/** Calls in `n` that are not inside a nested func literal (those run some other time). */
export function ownCalls(n: Node): Node[] {
	return descendants(n, 'call_expression').filter((c) => {
		for (let p = c.parent; p && p.id !== n.id; p = p.parent) if (FUNCTION_TYPES.has(p.type)) return false;
		return true;
	});
}
