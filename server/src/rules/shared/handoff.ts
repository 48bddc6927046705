/**
 * Ownership hand-offs, from the syntax tree: where a value held in local variables moves out of a
 * region of code (a loop body, a function): appended, stored in something declared outside the
 * region, sent on a channel, returned, handed to a goroutine, passed to a method of an object that
 * outlives the region (or to C together with such an object), or read after the region.
 * Follows the value through local aliases (`r := bufio.NewReader(f)`, `p := T{conn: c}`), through
 * constructors (`New…`), conversions and C calls, not through other calls (`io.ReadAll(f)` returns
 * the data, not the file).
 */
import type { Node } from '../../syntax/mirror';
import { calleeName, callArgs, descendants, FUNCTION_TYPES, importSpecs } from './ast';
import { type Binding, declaredInside, reassignedIn, referencesTo } from './bindings';
import { localDeclarationOf, sameDeclaration } from './declarations';

export type HandOffKind = 'appended' | 'stored' | 'sent' | 'returned' | 'goroutine' | 'registered' | 'used-after';

export interface HandOff {
	kind: HandOffKind;
	/** The node where the value moves away. */
	at: Node;
	/** The variable it was held in. */
	name: string;
}

export interface HandOffOptions {
	/** Local names of the file's imports (`fmt`, `C`, …): never variables. */
	imports: ReadonlySet<string>;
	/** Uses inside this node are not counted (e.g. the statement under analysis). */
	ignore?: Node;
	/**
	 * Variables holding a context.Context: passing one to a call does not hand it off (contexts are
	 * passed down, not stored: package context's rule), but what the call returns is bound to it.
	 */
	contexts?: readonly Binding[];
}

/** Calls whose result carries their argument: constructors, conversions, unsafe.Pointer, C calls. */
const CARRIES = /^(C\..+|unsafe\.Pointer|(\w+\.)*[Nn]ew\w*|(\w+\.)*With\w*)$/;
/** testing.T/B/TB/F parameters: their methods log, they do not keep. */
const TESTING = /^\*?testing\.(T|B|TB|F)$/;

/** Every local name the file's imports bind (one path may be imported under two names). */
export function importNames(root: Node): Set<string> {
	const out = new Set<string>();
	for (const spec of importSpecs(root)) {
		const path = spec.childForFieldName('path')?.text.slice(1, -1);
		const name = spec.childForFieldName('name')?.text ?? path?.split('/').pop();
		if (name) out.add(name);
	}
	return out;
}

/** The leftmost identifier of `a`, `a.b.c`, `a[i]`, `*a`, `&a.b`, `(a)`. */
export function rootIdentifier(e: Node | null): Node | undefined {
	while (e) {
		switch (e.type) {
			case 'identifier':
				return e;
			case 'selector_expression':
			case 'index_expression':
			case 'slice_expression':
				e = e.childForFieldName('operand');
				break;
			case 'unary_expression':
				e = e.childForFieldName('operand');
				break;
			case 'parenthesized_expression':
				e = e.namedChild(0);
				break;
			default:
				return undefined;
		}
	}
	return undefined;
}

/**
 * Does `id` name something that outlives `region`: a variable declared outside it and not assigned
 * as a whole inside it, or a package-level variable (unresolved and not an import)?
 */
export function persistsAcross(id: Node, region: Node, imports: ReadonlySet<string>): boolean {
	if (id.text === '_' || id.text === 'nil' || id.text === 'true' || id.text === 'false') return false;
	const b = localDeclarationOf(id);
	if (!b) return !imports.has(id.text) && !BUILTINS.has(id.text);
	return !declaredInside(b, region) && !reassignedIn(b, region);
}

const BUILTINS = new Set(['append', 'cap', 'clear', 'close', 'complex', 'copy', 'delete', 'imag', 'len', 'make', 'max', 'min', 'new', 'panic', 'print', 'println', 'real', 'recover', 'iota']);

function isTestingParam(id: Node): boolean {
	const b = localDeclarationOf(id);
	return b?.decl.type === 'parameter_declaration' && TESTING.test(b.decl.childForFieldName('type')?.text ?? '');
}

function inside(n: Node, outer: Node | undefined): boolean {
	return !!outer && n.startIndex >= outer.startIndex && n.endIndex <= outer.endIndex;
}

/** The first hand-off of a value held in `vars` out of `region`, or undefined. */
export function handOff(vars: readonly Binding[], region: Node, opts: HandOffOptions): HandOff | undefined {
	const seen: Binding[] = [];
	const work = [...vars];
	while (work.length) {
		const b = work.pop()!;
		if (seen.some((s) => sameDeclaration(s, b))) continue;
		seen.push(b);
		if (!declaredInside(b, region)) {
			const fn = enclosingFunctionBody(region);
			const after = fn ? referencesTo(b, fn).find((r) => r.startIndex >= region.endIndex) : undefined;
			if (after) return { kind: 'used-after', at: after, name: b.name };
		}
		for (const ref of referencesTo(b, region)) {
			if (ref.equals(b.id) || inside(ref, opts.ignore)) continue;
			// Where this use sends the value; and, inside a closure, where the closure goes.
			const isContext = !!opts.contexts?.some((c) => sameDeclaration(c, b));
			const found = follow(ref, b.name, region, opts, work, isContext) ?? capturedBy(ref, b.name, region, opts, work);
			if (found) return found;
		}
	}
	return undefined;
}

function enclosingFunctionBody(n: Node): Node | undefined {
	for (let p = n.parent; p; p = p.parent) if (FUNCTION_TYPES.has(p.type)) return p.childForFieldName('body') ?? undefined;
	return undefined;
}

/** Climbs from a use of the value to where it goes; new local holders are pushed on `work`. */
function follow(ref: Node, name: string, region: Node, opts: HandOffOptions, work: Binding[], isContext = false): HandOff | undefined {
	let e: Node = ref;
	for (let p = e.parent; p; e = p, p = p.parent) {
		switch (p.type) {
			case 'parenthesized_expression':
			case 'literal_element':
			case 'literal_value':
			case 'composite_literal':
				continue;
			case 'selector_expression':
			case 'index_expression':
			case 'slice_expression':
				// A field or element of the value (`timer.C`, `bufs[i]`) carries it; a method call does not.
				if (!p.childForFieldName('operand')?.equals(e)) return undefined;
				if (p.parent?.type === 'call_expression' && p.parent.childForFieldName('function')?.equals(p)) return undefined;
				continue;
			case 'keyed_element':
				if (p.childForFieldName('key')?.equals(e)) return undefined;
				continue;
			case 'unary_expression': {
				const op = p.childForFieldName('operator')?.text;
				if (op === '&' || op === '*') continue;
				return undefined;
			}
			case 'argument_list': {
				const call = p.parent;
				if (call?.type !== 'call_expression') return undefined;
				const r = passedToCall(call, e, name, region, opts, isContext);
				if (r === 'carry') return follow(call, name, region, opts, work);
				return r ?? undefined;
			}
			case 'expression_list':
				return assigned(p, e, name, region, opts, work);
			case 'send_statement':
				return p.childForFieldName('value')?.equals(e) ? { kind: 'sent', at: p, name } : undefined;
			case 'return_statement':
				return { kind: 'returned', at: p, name };
			default:
				return undefined;
		}
	}
	return undefined;
}

/** A use inside func literals (within `region`): where each closure around it goes, innermost first. */
function capturedBy(n: Node, name: string, region: Node, opts: HandOffOptions, work: Binding[]): HandOff | undefined {
	for (let p: Node | null = n.parent; p && inside(p, region) && !p.equals(region); p = p.parent) {
		if (p.type !== 'func_literal') continue;
		const r = closure(p, name, region, opts, work);
		if (r) return r;
	}
	return undefined;
}

/** A func literal that captures the value: handed off when it runs in a goroutine or goes where a value would. */
function closure(lit: Node, name: string, region: Node, opts: HandOffOptions, work: Binding[]): HandOff | undefined {
	const call = lit.parent?.type === 'call_expression' && lit.parent.childForFieldName('function')?.equals(lit) ? lit.parent : undefined;
	if (call) {
		if (call.parent?.type === 'go_statement') return { kind: 'goroutine', at: call.parent, name };
		return undefined; // called here (or deferred): runs within the region
	}
	return follow(lit, name, region, opts, work);
}

/** What passing the value to `call` does: a hand-off, 'carry' (the result holds it), or nothing. */
function passedToCall(call: Node, arg: Node, name: string, region: Node, opts: HandOffOptions, isContext: boolean): HandOff | 'carry' | undefined {
	if (call.parent?.type === 'go_statement') return { kind: 'goroutine', at: call.parent, name };
	const callee = calleeName(call) ?? '';
	const args = callArgs(call);
	if (callee === 'append') return args[0]?.equals(arg) ? 'carry' : { kind: 'appended', at: call, name };
	if (isContext) return 'carry';
	const fn = call.childForFieldName('function');
	if (fn?.type === 'selector_expression') {
		const recv = rootIdentifier(fn.childForFieldName('operand'));
		const isImport = recv && !localDeclarationOf(recv) && opts.imports.has(recv.text);
		if (recv && !isImport && !isTestingParam(recv) && persistsAcross(recv, region, opts.imports)) return { kind: 'registered', at: call, name };
		if (recv?.text === 'C' && isImport) {
			const outer = args.some((a) => !a.equals(arg) && anyRoot(a, (id) => persistsAcross(id, region, opts.imports) && !opts.imports.has(id.text)));
			if (outer) return { kind: 'registered', at: call, name };
		}
	}
	if (fn?.type === 'parenthesized_expression' || CARRIES.test(callee)) return 'carry';
	return undefined;
}

function anyRoot(e: Node, pred: (id: Node) => boolean): boolean {
	return descendants(e, 'identifier').some((id) => id.parent?.type !== 'selector_expression' || id.parent.childForFieldName('operand')?.equals(id) ? pred(id) : false);
}

/** The value is on the right of an assignment or declaration (or in a return list). */
function assigned(list: Node, e: Node, name: string, region: Node, opts: HandOffOptions, work: Binding[]): HandOff | undefined {
	const owner = list.parent;
	if (!owner) return undefined;
	if (owner.type === 'return_statement') return { kind: 'returned', at: owner, name };
	const right = owner.type === 'var_spec' ? owner.childForFieldName('value') : owner.childForFieldName('right');
	if (!right?.equals(list)) return undefined;
	const values = list.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment');
	const targets =
		owner.type === 'var_spec'
			? owner.childrenForFieldName('name').filter((n): n is Node => n !== null)
			: (owner.childForFieldName('left')?.namedChildren ?? []).filter((n): n is Node => n !== null && n.type !== 'comment');
	const i = values.findIndex((v) => v.equals(e));
	const hit = values.length === targets.length && i >= 0 ? [targets[i]] : targets;
	for (const t of hit) {
		const root = rootIdentifier(t);
		// An error result does not carry the value (by convention it reports, it does not hold).
		if (!root || root.text === '_' || (t.type === 'identifier' && root.text === 'err')) continue;
		const b = localDeclarationOf(root);
		if (t.type === 'identifier' && b && declaredInside(b, region)) {
			work.push(b);
			continue;
		}
		if (t.type !== 'identifier' && b && declaredInside(b, region)) {
			work.push(b); // stored into a local object: follow the object
			continue;
		}
		return { kind: 'stored', at: owner, name };
	}
	return undefined;
}
