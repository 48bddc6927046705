/**
 * uintptr-stored-pointer (spec R12): breaks of the unsafe.Pointer conversion rules.
 * (A) `unsafe.Pointer(u)` where `u` is a uintptr kept in a variable or parameter (go vet
 *     unsafeptr: "possible misuse of unsafe.Pointer");
 * (B) `uintptr(unsafe.Pointer(&x))` passed to an ordinary Go function (declared in this file)
 *     that uses it as a pointer: only syscall-style and `//go:uintptrescapes` functions keep x
 *     alive and in place. go vet is silent here.
 * ESC: with escape facts, a pointee the compiler kept on the stack (no `moved to heap: x`) is an
 * error: stack growth moves it and the integer still holds the old address.
 */
import type { Node } from '../syntax/mirror';
import type { RuleFinding, Severity, TextEdit } from '../model';
import type { Rule, RuleContext } from './types';
import { callArgs, calleeName, descendants, enclosingFunction, imports, rangeOf } from './ast';
import { blockStatements, resolvesThrough } from './loopvarShared';

const SYSCALL_LIKE = /^(raw)?syscall(\d+|N)?(_.*)?$/i;

const unwrap = (n: Node | null | undefined): Node | null => (n?.type === 'parenthesized_expression' ? unwrap(n.namedChild(0)) : n ?? null);

/** `uintptr(unsafe.Pointer(e))` → e. */
function pointerToUintptr(n: Node | null, u: string): Node | null {
	n = unwrap(n);
	if (n?.type !== 'call_expression' || calleeName(n) !== 'uintptr') return null;
	const inner = unwrap(callArgs(n)[0]);
	return inner?.type === 'call_expression' && calleeName(inner) === `${u}.Pointer` ? callArgs(inner)[0] ?? null : null;
}

/** Allowed in one expression: `uintptr(unsafe.Pointer(p)) ± off`, `v.Pointer()`, `v.UnsafeAddr()`. */
function safeShape(n: Node | null, u: string): boolean {
	n = unwrap(n);
	if (!n) return true;
	if (pointerToUintptr(n, u)) return true;
	if (n.type === 'call_expression' && /\.(Pointer|UnsafeAddr)$/.test(calleeName(n) ?? '') && !callArgs(n).length) return true;
	if (n.type === 'binary_expression' && /^(\+|-|&\^)$/.test(n.childForFieldName('operator')?.text ?? '')) return safeShape(n.childForFieldName('left'), u);
	return false;
}

interface UintptrVar {
	decl: Node;
	/** Initialiser (undefined for parameters and `var u uintptr`). */
	init?: Node;
}

/** Finds how `ident` (resolved in `fn`) was declared, if as a uintptr. */
function uintptrDecl(ident: Node, fn: Node): UintptrVar | undefined {
	const name = ident.text;
	for (const p of descendants(fn, 'parameter_declaration')) {
		if (p.childrenForFieldName('name').some((n) => n?.text === name)) return p.childForFieldName('type')?.text === 'uintptr' ? { decl: p } : undefined;
	}
	for (const d of descendants(fn, ['short_var_declaration', 'var_spec'])) {
		if (d.startIndex > ident.startIndex) break;
		const left = d.type === 'short_var_declaration' ? d.childForFieldName('left')?.namedChildren ?? [] : d.childrenForFieldName('name');
		const i = left.findIndex((n) => n?.text === name);
		if (i < 0) continue;
		const init = (d.type === 'short_var_declaration' ? d.childForFieldName('right') : d.childForFieldName('value'))?.namedChild(i) ?? undefined;
		const typ = d.type === 'var_spec' ? d.childForFieldName('type')?.text : undefined;
		const initIsUintptr = !!init && init.type === 'call_expression' && (calleeName(init) === 'uintptr' || /\.(Pointer|UnsafeAddr)$/.test(calleeName(init) ?? ''));
		return typ === 'uintptr' || (!typ && initIsUintptr) ? { decl: d, init } : undefined;
	}
	return undefined;
}

/** Leftmost identifier of `u`, `u + off`, `(u + a) - b`. */
function baseIdent(n: Node | null): Node | null {
	n = unwrap(n);
	while (n?.type === 'binary_expression') n = unwrap(n.childForFieldName('left'));
	return n?.type === 'identifier' ? n : null;
}

/** Severity and phrase from what the compiler decided about the pointee `&x` (x local to fn). */
function pointee(ctx: RuleContext, target: Node | null, fn: Node): { severity: Severity; note: string } {
	const t = unwrap(target);
	const x = t?.type === 'unary_expression' && t.child(0)?.type === '&' ? baseOf(t.childForFieldName('operand')) : null;
	if (!x || !ctx.escape || !fn.parent || resolvesThrough(x, fn.parent)) return { severity: 'warning', note: '' };
	const lo = fn.startPosition.row;
	const hi = fn.endPosition.row;
	const moved = ctx.escape.some((f) => f.kind === 'moved-to-heap' && f.subject === x.text && f.at.line >= lo && f.at.line <= hi);
	return moved
		? { severity: 'warning', note: ` The compiler moved \`${x.text}\` to the heap, so it does not move, but nothing keeps it alive.` }
		: { severity: 'error', note: ` The compiler kept \`${x.text}\` on the goroutine stack: when the stack grows it moves, and the integer keeps the old address.` };
}

function baseOf(n: Node | null): Node | null {
	n = unwrap(n);
	while (n && (n.type === 'selector_expression' || n.type === 'index_expression')) n = unwrap(n.childForFieldName('operand'));
	return n?.type === 'identifier' ? n : null;
}

function deleteLine(text: string, st: Node): TextEdit {
	return { range: { start: { line: st.startPosition.row, character: 0 }, end: { line: st.endPosition.row + 1, character: 0 } }, newText: '' };
}

/** `u := uintptr(unsafe.Pointer(p)); u += a; …unsafe.Pointer(u + b)` → `unsafe.Add(unsafe.Pointer(p), a + b)`. */
function addFix(ctx: RuleContext, call: Node, u: string, ident: Node, v: UintptrVar, fn: Node): TextEdit[] | undefined {
	const minor = ctx.goVersion.minor;
	if ((minor !== undefined && minor < 17) || v.decl.type !== 'short_var_declaration' || !v.init) return undefined;
	const p = pointerToUintptr(v.init, u);
	const stmts = blockStatements(v.decl.parent?.parent ?? null);
	const di = stmts.findIndex((s) => s.equals(v.decl));
	const ui = stmts.findIndex((s) => s.startIndex <= call.startIndex && s.endIndex >= call.endIndex);
	if (!p || di < 0 || ui <= di || (v.decl.childForFieldName('left')?.namedChildCount ?? 0) !== 1) return undefined;
	const offsets: string[] = [];
	for (const s of stmts.slice(di + 1, ui)) {
		if (s.type !== 'assignment_statement' || !s.children.some((c) => c?.type === '+=') || s.childForFieldName('left')?.text !== ident.text) return undefined;
		offsets.push(s.childForFieldName('right')!.text);
	}
	const arg = unwrap(callArgs(call)[0]);
	if (arg?.type === 'binary_expression') {
		if (arg.childForFieldName('operator')?.text !== '+' || !unwrap(arg.childForFieldName('left'))?.equals(ident)) return undefined;
		offsets.push(arg.childForFieldName('right')!.text);
	}
	// Every other mention of u must be one of the statements removed here.
	const refs = descendants(fn, 'identifier').filter((n) => n.text === ident.text);
	const allowed = [v.decl, ...stmts.slice(di + 1, ui), call];
	if (!refs.every((r) => allowed.some((a) => a.startIndex <= r.startIndex && a.endIndex >= r.endIndex))) return undefined;
	const base = `${u}.Pointer(${p.text})`;
	const sum = offsets.map((o) => (/^[\w.()]+$/.test(o) ? o : `(${o})`)).join(' + ');
	return [
		{ range: rangeOf(call), newText: offsets.length ? `${u}.Add(${base}, ${sum})` : base },
		deleteLine(ctx.text, v.decl),
		...stmts.slice(di + 1, ui).map((s) => deleteLine(ctx.text, s)),
	];
}

function checkConversion(ctx: RuleContext, call: Node, u: string, out: RuleFinding[]): void {
	const arg = callArgs(call)[0];
	if (!arg || safeShape(arg, u)) return;
	const ident = baseIdent(arg);
	const fn = enclosingFunction(call);
	if (!ident || !fn) return;
	const v = uintptrDecl(ident, fn);
	if (!v) return;
	const foreign = !!v.init && /\bC\.|Mmap/.test(v.init.text);
	const { severity, note } = foreign ? { severity: 'information' as Severity, note: ' It points to memory outside the Go heap (C or mmap), which the GC neither moves nor frees, but the conversion is still outside the rules.' } : pointee(ctx, pointerToUintptr(v.init ?? null, u), fn);
	const edits = addFix(ctx, call, u, ident, v, fn);
	out.push({
		rule: uintptrStoredPointer.id,
		range: rangeOf(call),
		severity,
		message: `\`${ident.text}\` is a uintptr kept in a variable and converted back to a pointer: a uintptr is a plain integer, so nothing keeps the object alive or updates the address if it moves. unsafe.Pointer's rules allow the round trip only within one expression (or use unsafe.Add). go vet: "possible misuse of unsafe.Pointer".${note}`,
		related: [{ range: rangeOf(v.decl), message: `\`${ident.text}\` declared here` }],
		fixes: edits ? [{ title: 'Compute the pointer in one expression with unsafe.Add', edits, isPreferred: true }] : undefined,
	});
}

/** The uintptr parameter of `decl` at argument position i, if its body uses it as a pointer. */
function pointerParam(decl: Node, i: number, u: string): string | undefined {
	const names: { name: string; type: string }[] = [];
	for (const p of decl.childForFieldName('parameters')?.namedChildren ?? []) {
		if (p?.type !== 'parameter_declaration') return undefined;
		const type = p.childForFieldName('type')?.text ?? '';
		for (const n of p.childrenForFieldName('name')) if (n) names.push({ name: n.text, type });
	}
	const param = names[i];
	if (param?.type !== 'uintptr') return undefined;
	const body = decl.childForFieldName('body');
	// Address identity (hashing, printing, comparing) never turns back into a pointer: only a
	// conversion back or a syscall-style argument makes the stale address matter.
	const used = body && descendants(body, 'call_expression').some((c) => {
		const callee = calleeName(c) ?? '';
		if (callee === `${u}.Pointer`) return baseIdent(callArgs(c)[0] ?? null)?.text === param.name;
		return (SYSCALL_LIKE.test(callee.split('.').pop() ?? '') || /\.Call$/.test(callee)) && callArgs(c).some((a) => a.text === param.name);
	});
	return used ? param.name : undefined;
}

function checkArgument(ctx: RuleContext, call: Node, u: string, funcs: Map<string, Node>, out: RuleFinding[]): void {
	const fnNode = call.childForFieldName('function');
	if (fnNode?.type !== 'identifier') return;
	const decl = funcs.get(fnNode.text);
	if (!decl) return;
	// Rule 4 keeps the pointee alive for syscall-style and annotated functions.
	if (SYSCALL_LIKE.test(fnNode.text)) return;
	for (let c = decl.previousSibling; c?.type === 'comment'; c = c.previousSibling) {
		if (/^\/\/go:(uintptrescapes|uintptrkeepalive)\b/.test(c.text)) return;
	}
	const fn = enclosingFunction(call);
	callArgs(call).forEach((arg, i) => {
		const target = pointerToUintptr(arg, u);
		const param = target && pointerParam(decl, i, u);
		if (!target || !param || !fn) return;
		const { severity, note } = pointee(ctx, target, fn);
		const at = { line: decl.startPosition.row, character: 0 };
		out.push({
			rule: uintptrStoredPointer.id,
			range: rangeOf(arg),
			severity,
			message: `\`${fnNode.text}\` is an ordinary Go function: once converted to uintptr, \`${target.text}\` is not kept alive or in place during the call (unsafe.Pointer rule 4 covers only syscall-style functions and functions marked //go:uintptrescapes). go vet does not report this.${note}`,
			related: [{ range: rangeOf(decl.childForFieldName('name') ?? decl), message: `\`${param}\` is used as a pointer here` }],
			fixes: [{ title: `Mark \`${fnNode.text}\` //go:uintptrescapes (the compiler then heap-allocates the pointee)`, edits: [{ range: { start: at, end: at }, newText: '//go:uintptrescapes\n' }] }],
		});
	});
}

export const uintptrStoredPointer: Rule = {
	id: 'uintptr-stored-pointer',
	// A call's finding reads the callee's declaration, which may be any function of the file.
	wholeFile: true,
	doc: {
		summary: 'A pointer converted to uintptr is stored or passed to a Go function, then used as a pointer again.',
		severity: 'warning',
		usesEscape: true,
	},
	check(ctx) {
		const root = ctx.tree.rootNode;
		const u = imports(root).get('unsafe');
		if (!u || !ctx.text.includes(`${u}.Pointer`)) return [];
		const funcs = new Map<string, Node>();
		for (const d of root.namedChildren) if (d?.type === 'function_declaration') funcs.set(d.childForFieldName('name')?.text ?? '', d);
		const out: RuleFinding[] = [];
		for (const call of descendants(root, 'call_expression')) {
			if (calleeName(call) === `${u}.Pointer`) checkConversion(ctx, call, u, out);
			else checkArgument(ctx, call, u, funcs, out);
		}
		return out;
	},
};
