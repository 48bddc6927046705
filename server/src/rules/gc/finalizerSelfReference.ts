/**
 * finalizer-self-reference (spec R10; staticcheck SA5005): `runtime.SetFinalizer(obj, fn)` whose
 * func literal refers to obj, or `runtime.AddCleanup(ptr, cleanup, arg)` whose cleanup or arg is
 * ptr. The object stays reachable from its own finalizer/cleanup: it is never collected and the
 * finalizer never runs (verified with go1.26: such a finalizer does not run after runtime.GC()).
 */
import type { Node } from '../../syntax/mirror';
import type { Fix, RuleFinding, TextEdit } from '../../model';
import type { Rule, RuleContext } from '../types';
import { bodyOf, callArgs, calleeName, descendants, enclosingFunction, enclosingLoops, imports, rangeOf } from '../shared/ast';
import { resolveLocal } from '../shared/declarations';
import { mentions, sites } from '../scope';
import { identRefs, resolvesThrough } from '../shared/bindings';

/** `&x` (after parentheses) → true: the argument is the address of x, not x's value. */
function isAddressOf(arg: Node | undefined): boolean {
	let n: Node | null = arg ?? null;
	while (n?.type === 'parenthesized_expression') n = n.namedChild(0);
	return n?.type === 'unary_expression' && n.child(0)?.type === '&';
}

/**
 * How the literal captures `name` (Go's escape analysis, cmd/compile/internal/escape): by value
 * unless the variable is reassigned after the first capture (writes in straight-line code before
 * it do not count), or its address is taken. `after`: a write after the literal or inside it.
 */
function captureOf(name: string, fn: Node, lit: Node): { after: boolean; byRef: boolean } {
	let after = false;
	let byRef = false;
	for (const st of descendants(fn, ['assignment_statement', 'inc_statement', 'dec_statement', 'unary_expression'])) {
		if (st.type === 'unary_expression') {
			if (st.child(0)?.type === '&' && st.childForFieldName('operand')?.type === 'identifier' && st.childForFieldName('operand')!.text === name) byRef = true;
			continue;
		}
		const targets = st.type === 'assignment_statement' ? (st.childForFieldName('left')?.namedChildren ?? []) : st.namedChildren;
		if (!targets.some((t) => t?.type === 'identifier' && t.text === name)) continue;
		if (st.startIndex >= lit.startIndex) after = true;
		else if (enclosingLoops(st).length !== enclosingLoops(lit).length) byRef = true;
	}
	return { after, byRef: byRef || after };
}

/** `x`, `&x`, `(x)` → the identifier x. */
function objIdent(arg: Node | undefined): Node | null {
	let n: Node | null = arg ?? null;
	while (n && (n.type === 'parenthesized_expression' || (n.type === 'unary_expression' && n.child(0)?.type === '&'))) {
		n = n.type === 'parenthesized_expression' ? n.namedChild(0) : n.childForFieldName('operand');
	}
	return n?.type === 'identifier' ? n : null;
}

/** The func literal passed directly, or bound in `fn` to the name passed (`name := func…`, `var name = func…`). */
function literalOf(arg: Node | undefined, fn: Node): Node | null {
	if (!arg) return null;
	if (arg.type === 'func_literal') return arg;
	if (arg.type !== 'identifier') return null;
	const value = resolveLocal(arg, arg.text, fn)?.value;
	return value?.type === 'func_literal' ? value : null;
}

const EMPTY_INTERFACE = /^(any|interface\s*\{\s*\})$/;

/** The declared type of the variable `obj` names in `fn`: a parameter's type, `var x T`, `x := &T{…}` or `new(T)`. */
function declaredType(obj: Node, fn: Node): string | undefined {
	const d = resolveLocal(obj, obj.text, fn);
	if (!d) return undefined;
	if (d.type) return d.type.text;
	const v = d.value;
	if (v?.type === 'unary_expression' && v.child(0)?.type === '&') {
		const lit = v.childForFieldName('operand');
		const t = lit?.type === 'composite_literal' ? lit.childForFieldName('type') : null;
		if (t) return `*${t.text}`;
	}
	if (v?.type === 'call_expression' && calleeName(v) === 'new') {
		const a = v.childForFieldName('arguments')?.namedChild(0);
		if (a) return `*${a.text}`;
	}
	return undefined;
}

/** Plain aliases of obj made earlier in `fn`: `d := obj`, `var d = obj`, `d = obj`. */
function aliasesOf(obj: Node, fn: Node, call: Node): string[] {
	const out: string[] = [];
	for (const d of descendants(fn, ['short_var_declaration', 'assignment_statement', 'var_spec'])) {
		if (d.startIndex > call.startIndex) break;
		const left = d.type === 'var_spec' ? d.childrenForFieldName('name') : d.childForFieldName('left')?.namedChildren ?? [];
		const right = (d.type === 'var_spec' ? d.childForFieldName('value') : d.childForFieldName('right'))?.namedChildren ?? [];
		right.forEach((r, i) => {
			const l = left[i];
			if (r?.type === 'identifier' && r.text === obj.text && l?.type === 'identifier' && l.text !== '_' && l.text !== obj.text) out.push(l.text);
		});
	}
	return out;
}

/** Make the finalizer's own parameter carry obj's name, so every reference binds to it. */
function paramFix(lit: Node, fn: Node, obj: Node, refs: Node[], viaAlias: boolean): Fix | undefined {
	const params = lit.childForFieldName('parameters');
	const decls = params?.namedChildren.filter((p): p is Node => p?.type === 'parameter_declaration') ?? [];
	if (!params || decls.length !== 1) return undefined;
	const names = decls[0].childrenForFieldName('name').filter((n): n is Node => n !== null);
	const ptype = decls[0].childForFieldName('type')?.text;
	// Through an alias the fix could leave the alias unused (a compile error): no automatic fix.
	if (names.length > 1 || !ptype || viaAlias) return undefined;
	const usable = !EMPTY_INTERFACE.test(ptype);
	const name = names[0]?.text;
	let edits: TextEdit[];
	if (name && name !== '_' && usable) {
		edits = refs.map((r) => ({ range: rangeOf(r), newText: name }));
	} else {
		const type = usable ? ptype : declaredType(obj, fn);
		if (!type) return undefined;
		edits = [{ range: rangeOf(params), newText: `(${obj.text} ${type})` }];
	}
	return { title: `Use the finalizer's argument instead of capturing \`${obj.text}\``, edits, isPreferred: true };
}

function check(ctx: RuleContext, call: Node, rt: string, out: RuleFinding[]): void {
	const name = calleeName(call);
	const cleanup = name === `${rt}.AddCleanup`;
	if (name !== `${rt}.SetFinalizer` && !cleanup) return;
	const args = callArgs(call);
	const obj = objIdent(args[0]);
	const fn = enclosingFunction(call);
	// Package-level objects are never collected anyway.
	if (!obj || !fn?.parent || resolvesThrough(obj, fn.parent)) return;
	const what = cleanup ? 'cleanup function' : 'finalizer';
	// `AddCleanup(&x, f, x)` passes a copy of x, not the pointer: only the same form is the same pointer.
	if (cleanup && objIdent(args[2])?.text === obj.text && isAddressOf(args[2]) === isAddressOf(args[0])) {
		out.push({
			rule: finalizerSelfReference.id,
			range: rangeOf(args[2]),
			severity: 'error',
			message: `\`${obj.text}\` is passed as the cleanup's argument: ptr stays reachable through arg, so the cleanup would never run; the runtime panics here ("runtime.AddCleanup: ptr is equal to arg, cleanup will never run", verified with go1.26).`,
		});
	}
	if (cleanup) methodValue(ctx, call, args, obj, out);
	const lit = literalOf(args[1], fn);
	const body = lit && bodyOf(lit);
	if (!lit?.parent || !body) return;
	const names = [obj.text, ...aliasesOf(obj, fn, call)];
	const refs = names.flatMap((n) => identRefs(body, n)).filter((r) => resolvesThrough(r, lit.parent!)).sort((a, b) => a.startIndex - b.startIndex);
	if (!refs.length) return;
	// Captured by reference and written after the literal (`f = nil`): the literal may no longer
	// hold the object when it becomes otherwise unreachable, so it can be collected (and the
	// function then runs with the new value). Not the self-reference this rule is sure about.
	const captured = names.map((n) => captureOf(n, fn, lit));
	if (captured.some((c) => c.after)) return;
	// The runtime's check finds ptr itself among the closure's pointers: `v` captured by value, or
	// `&x` with x captured (by reference, its address is taken). A pointer variable captured by
	// reference leaves only a pointer to its own heap cell in the closure: it leaks silently.
	const runtimeSees = refs[0].text === obj.text && (isAddressOf(args[0]) || !captured[0].byRef);
	const viaAlias = refs.find((r) => r.text !== obj.text);
	const fix = cleanup ? undefined : paramFix(lit, fn, obj, refs, !!viaAlias);
	out.push({
		rule: finalizerSelfReference.id,
		range: rangeOf(refs[0]),
		severity: 'error',
		message: `The ${what} closes over \`${refs[0].text}\`${refs[0].text !== obj.text ? ` (an alias of \`${obj.text}\`)` : ''}, the object it is attached to: \`${obj.text}\` stays reachable from its own ${what}, so it is never collected and the ${what} never runs.${cleanup && runtimeSees ? ' The Go 1.26 runtime detects this and panics ("runtime.AddCleanup: cleanup function closes over ptr, cleanup will never run").' : ''}`,
		related: [
			{ range: rangeOf(call), message: `${what} attached here` },
			...refs.slice(1).map((r) => ({ range: rangeOf(r), message: `also captures \`${obj.text}\`` })),
		],
		fixes: fix ? [fix] : undefined,
	});
}

/**
 * `AddCleanup(c, c.destroy, arg)`: a method value binds its receiver, so with a pointer receiver it
 * holds `c` (or `&x` for `x.destroy`) itself. Verified with go1.26: the runtime panics ("cleanup
 * function closes over ptr"); a value receiver binds a copy, and the cleanup runs. The receiver is
 * known when the method is declared in this file; otherwise the claim is a hint.
 */
function methodValue(ctx: RuleContext, call: Node, args: Node[], obj: Node, out: RuleFinding[]): void {
	const cleanupArg = args[1];
	if (cleanupArg?.type !== 'selector_expression') return;
	const operand = cleanupArg.childForFieldName('operand');
	const method = cleanupArg.childForFieldName('field')?.text;
	if (operand?.type !== 'identifier' || operand.text !== obj.text || !method) return;
	const decls = ctx.tree.rootNode.namedChildren.filter((d): d is Node => d?.type === 'method_declaration' && d.childForFieldName('name')?.text === method);
	const pointer = decls.map((d) => d.childForFieldName('receiver')?.namedChildren.find((p) => p?.type === 'parameter_declaration')?.childForFieldName('type')?.type === 'pointer_type');
	if (pointer.some((p) => !p)) return; // a value receiver binds a copy (or the name is ambiguous)
	const known = pointer.length > 0;
	const bound = isAddressOf(args[0]) ? `&${obj.text}` : obj.text;
	out.push({
		rule: finalizerSelfReference.id,
		range: rangeOf(cleanupArg),
		severity: known ? 'error' : 'hint',
		message: known
			? `The method value \`${cleanupArg.text}\` binds its pointer receiver \`${bound}\`, the object the cleanup is attached to: \`${obj.text}\` stays reachable from its own cleanup, so it would never run; the Go 1.26 runtime detects this and panics ("runtime.AddCleanup: cleanup function closes over ptr, cleanup will never run", verified). Pass a function that takes what it needs as the argument instead.`
			: `If \`${method}\` has a pointer receiver, the method value \`${cleanupArg.text}\` binds \`${bound}\`, the object the cleanup is attached to, and the Go 1.26 runtime panics ("cleanup function closes over ptr"); with a value receiver it binds a copy and the cleanup runs. \`${method}\` is not declared in this file.`,
		related: [{ range: rangeOf(call), message: 'cleanup attached here' }],
	});
}

export const finalizerSelfReference: Rule = {
	id: 'finalizer-self-reference',
	scopeGate: /SetFinalizer|AddCleanup/,
	doc: {
		summary: 'A finalizer (or AddCleanup cleanup) refers to its own object, so the object is never collected and it never runs.',
		severity: 'error',
		usesEscape: false,
	},
	check(ctx) {
		// Cheap text gate: most files never mention either API.
		if (!mentions(ctx, '.SetFinalizer') && !mentions(ctx, '.AddCleanup')) return [];
		const rt = imports(ctx.tree.rootNode).get('runtime');
		if (!rt) return [];
		const out: RuleFinding[] = [];
		for (const call of sites(ctx, 'call_expression')) check(ctx, call, rt, out);
		return out;
	},
};
