/**
 * Where a value goes after it is computed, for subslice-retention: stored in a package variable,
 * in an object that existed before the call (a field, map or slice reached from a pointer
 * receiver or parameter), sent on a channel, or returned. Local variables and local objects are
 * followed (a few hops) to where they end up; a value passed to a call other than `append` is
 * taken as consumed there.
 */
import type { Node } from '../../syntax/mirror';
import { calleeName, callArgs, imports } from '../shared/ast';
import { type Binding, declaredInBody, usesOf } from '../shared/bindings';
import { localDeclarationOf } from '../shared/declarations';

export type Place = 'package' | 'object' | 'send' | 'return';

export interface Sink {
	place: Place;
	/** For the message: `stored in the field \`s.cache\``, `appended to \`out\`, which is returned`… */
	what: string;
	/** The statement or expression that keeps it. */
	at: Node;
	/** For `object`: the receiver or parameter whose object keeps it. */
	root?: Binding;
	/** The value went into a composite literal or a local object on the way (a new value holds it). */
	newValue: boolean;
	/** It went into a map (as element or key) or a slice (element, append) on the way: a collection that accumulates. */
	collection: boolean;
}

interface Via {
	newValue: boolean;
	collection: boolean;
}

const DIRECT: Via = { newValue: false, collection: false };

export interface FlowEnv {
	root: Node;
	/** Local package names of the file's imports (`otherpkg.Cache[k] = …` is package-level). */
	pkgNames?: ReadonlySet<string>;
}

const MAX_HOPS = 3;

export function importedNames(root: Node): Set<string> {
	return new Set(imports(root).values());
}

/** The identifier at the base of `a.b[c].d`, `*p`, `(x)`. */
export function rootIdent(n: Node): Node | undefined {
	for (let cur: Node | null = n; cur; ) {
		switch (cur.type) {
			case 'identifier':
				return cur;
			case 'selector_expression':
			case 'slice_expression':
				cur = cur.childForFieldName('operand');
				break;
			case 'index_expression':
				cur = cur.childForFieldName('operand');
				break;
			case 'parenthesized_expression':
				cur = cur.namedChild(0);
				break;
			case 'unary_expression':
				cur = cur.childForFieldName('operator')?.text === '*' ? cur.childForFieldName('operand') : null;
				break;
			default:
				return undefined;
		}
	}
	return undefined;
}

function sharesThroughPath(target: Node): boolean {
	// A store through an index (map or slice element) or a dereference reaches shared memory even
	// when the variable itself is a value.
	for (let cur: Node | null = target; cur && cur.type !== 'identifier'; cur = cur.namedChild(0)) {
		if (cur.type === 'index_expression') return true;
		if (cur.type === 'unary_expression' && cur.childForFieldName('operator')?.text === '*') return true;
	}
	return false;
}

type Target = { place: Place; root?: Binding } | { place: 'local'; root: Binding } | undefined;

/** What kind of place an assignment target or append target is. */
function placeOf(target: Node, env: FlowEnv): Target {
	const r = rootIdent(target);
	if (!r) return undefined;
	const b = localDeclarationOf(r);
	if (!b) {
		// Not declared in the function: a package-level variable (of this file, another file of the
		// package, or `otherpkg.Var` of an import).
		if (env.pkgNames?.has(r.text) && !(r.parent?.type === 'selector_expression' && r.parent.childForFieldName('operand')?.equals(r))) return undefined;
		return { place: 'package' };
	}
	if (b.kind === 'result') return { place: 'return' };
	if (declaredInBody(b) || target.type === 'identifier') return { place: 'local', root: b };
	const shared = b.type?.type === 'pointer_type' || b.type?.type === 'map_type' || b.type?.type === 'slice_type' || sharesThroughPath(target);
	return shared ? { place: 'object', root: b } : { place: 'local', root: b };
}

function storeWhat(target: Node, place: Place): string {
	if (place === 'package') return target.type === 'identifier' ? `stored in the package variable \`${target.text}\`` : `stored in \`${target.text}\``;
	if (target.type === 'selector_expression') return `stored in the field \`${target.text}\``;
	return `stored in \`${target.text}\``;
}

/** Where the value of `node` is kept beyond the call, if anywhere we can see. */
export function sinkOf(node: Node, env: FlowEnv, hops = 0, via: Via = DIRECT): Sink | undefined {
	const p = node.parent;
	if (!p) return undefined;
	switch (p.type) {
		case 'parenthesized_expression':
		case 'literal_element':
		case 'keyed_element':
		case 'literal_value':
			return sinkOf(p, env, hops, via);
		case 'composite_literal':
			return sinkOf(p, env, hops, { ...via, newValue: true });
		case 'unary_expression':
			return p.childForFieldName('operator')?.text === '&' ? sinkOf(p, env, hops, via) : undefined;
		case 'send_statement':
			return p.childForFieldName('value')?.equals(node) ? { place: 'send', what: 'sent on a channel', at: p, ...via } : undefined;
		case 'return_statement':
			return { place: 'return', what: 'returned', at: p, ...via };
		case 'index_expression': {
			// `m[piece] = v`: the map keeps the key.
			if (!p.childForFieldName('index')?.equals(node)) return undefined;
			const list = p.parent;
			const st = list?.parent;
			if (list?.type !== 'expression_list' || st?.type !== 'assignment_statement' || !st.childForFieldName('left')?.equals(list)) return undefined;
			return storeInto(p, st, env, hops, { ...via, collection: true }, `kept as a key of \`${p.childForFieldName('operand')?.text ?? p.text}\``);
		}
		case 'expression_list': {
			const st = p.parent;
			if (st?.type === 'return_statement') return { place: 'return', what: 'returned', at: st, ...via };
			if (st?.type === 'var_spec') {
				if (!st.childForFieldName('value')?.equals(p)) return undefined;
				const idx = p.namedChildren.findIndex((c) => c?.equals(node));
				const id = st.childrenForFieldName('name')[idx];
				return id ? followLocal(id, st, env, hops, via) : undefined;
			}
			if (st?.type !== 'assignment_statement' && st?.type !== 'short_var_declaration') return undefined;
			if (!st.childForFieldName('right')?.equals(p)) return undefined;
			// `s += piece` concatenates: a copy.
			if (st.type === 'assignment_statement' && st.childForFieldName('operator')?.text !== '=') return undefined;
			const idx = p.namedChildren.findIndex((c) => c?.equals(node));
			const lhs = st.childForFieldName('left')?.namedChildren[idx];
			if (!lhs || lhs.text === '_') return undefined;
			return storeInto(lhs, st, env, hops, lhs.type === 'index_expression' ? { ...via, collection: true } : via);
		}
		case 'argument_list': {
			const call = p.parent;
			if (call && calleeName(call) !== 'append') return storedByMethod(call, node, env, hops, via);
			if (!call) return undefined;
			const target = callArgs(call)[0];
			if (!target || target.equals(node)) return undefined;
			const s = sinkOf(call, env, hops, { ...via, collection: true });
			if (!s) return undefined;
			const back = s.at.type === 'assignment_statement' && s.at.childForFieldName('left')?.text === target.text;
			const what = back && s.place !== 'return' && !s.what.includes(', which') ? `appended to \`${target.text}\`` : `appended to \`${target.text}\`, which is ${s.what}`;
			return { ...s, what };
		}
		default:
			return undefined;
	}
}

/** Methods that keep their argument in the receiver's collection (sync.Map, atomic.Value, caches, lists). */
const STORE_METHODS = new Set(['Store', 'LoadOrStore', 'Swap', 'CompareAndSwap', 'Set', 'Add', 'Put', 'Insert', 'Push', 'PushBack', 'PushFront']);

/** `cache.Store(k, piece)`: kept by the object the method belongs to. Other calls consume their arguments. */
function storedByMethod(call: Node, arg: Node, env: FlowEnv, hops: number, via: Via): Sink | undefined {
	const fn = call.childForFieldName('function');
	const method = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text : undefined;
	const x = fn?.childForFieldName('operand');
	if (!method || !x || !STORE_METHODS.has(method)) return undefined;
	const st = call.parent?.type === 'expression_statement' ? call.parent : call;
	const what = `stored in \`${x.text}\` (\`${method}\`)`;
	const kept = { ...via, collection: true };
	if (x.type !== 'identifier') {
		const t = placeOf(x, env);
		if (!t || t.place === 'return') return undefined;
		if (t.place !== 'local') return { place: t.place, what, at: st, root: t.root, ...kept };
		const inner = followLocal(t.root.id, st, env, hops, { ...kept, newValue: true }, t.root);
		return inner && { ...inner, what: `${what}, which is ${inner.what}` };
	}
	const b = localDeclarationOf(x);
	if (!b) return env.pkgNames?.has(x.text) ? undefined : { place: 'package', what, at: st, ...kept };
	if (b.kind === 'receiver' || b.kind === 'param') return { place: 'object', what, at: st, root: b, ...kept };
	if (!declaredInBody(b)) return undefined;
	const inner = followLocal(b.id, st, env, hops, { ...kept, newValue: true }, b);
	return inner && { ...inner, what: `${what}, which is ${inner.what}` };
}

function storeInto(lhs: Node, st: Node, env: FlowEnv, hops: number, via: Via, what?: string): Sink | undefined {
	const t = placeOf(lhs, env);
	if (!t) return undefined;
	if (t.place !== 'local') return { place: t.place, what: what ?? (t.place === 'return' ? 'returned (a named result)' : storeWhat(lhs, t.place)), at: st, root: t.root, ...via };
	// A local variable, or a field/element of a local object: follow where that goes.
	const inner = followLocal(t.root.id, st, env, hops, { newValue: via.newValue || lhs.type !== 'identifier', collection: via.collection || lhs.type === 'index_expression' }, t.root);
	if (!inner) return undefined;
	if (lhs.type === 'identifier') return inner;
	return { ...inner, what: `${what ?? storeWhat(lhs, 'object')}, which is ${inner.what}` };
}

function followLocal(id: Node, st: Node, env: FlowEnv, hops: number, via: Via, known?: Binding): Sink | undefined {
	if (hops >= MAX_HOPS) return undefined;
	const b = known ?? localDeclarationOf(id);
	if (!b) return { place: 'package', what: `stored in the package variable \`${id.text}\``, at: st, ...via };
	for (const use of usesOf(b)) {
		if (use.startIndex < st.endIndex || isAssigned(use)) continue;
		const s = sinkOf(use, env, hops + 1, via);
		if (s) return s;
	}
	return undefined;
}

/** Is `id` (possibly under selectors/indexes) the target of an assignment, rather than a read? */
function isAssigned(id: Node): boolean {
	let n: Node = id;
	while (n.parent && (n.parent.type === 'selector_expression' || n.parent.type === 'index_expression') && n.parent.namedChild(0)?.equals(n)) n = n.parent;
	const list = n.parent;
	const st = list?.parent;
	return list?.type === 'expression_list' && (st?.type === 'assignment_statement' || st?.type === 'short_var_declaration') && !!st.childForFieldName('left')?.equals(list);
}
