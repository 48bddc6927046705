/**
 * uintptr-stored-pointer (spec R12): breaks of the unsafe.Pointer conversion rules on Go memory.
 * (A) `unsafe.Pointer(u)` where `u` is a uintptr variable computed from a pointer (go vet
 *     unsafeptr: "possible misuse of unsafe.Pointer"; -race/checkptr aborts on a Go address);
 * (B) `uintptr(unsafe.Pointer(&x))` passed to an ordinary Go function (declared in this file)
 *     that uses it as a pointer: only syscall-style and `//go:uintptrescapes` functions keep x
 *     alive and in place. go vet is silent here.
 * Where the address points (pointerOrigin.ts) sets the level: Go memory warns (error when the
 * escape facts keep the pointee on the stack across a call), C or mmap'd memory is a hint for (A)
 * and silent for (B), a parameter or unknown origin is silent.
 */
import type { Node } from '../../syntax/mirror';
import type { RuleFinding, Severity, TextEdit } from '../../model';
import type { Rule, RuleContext } from '../types';
import { blockStatements, callArgs, calleeName, contains, descendants, enclosingFunction, imports, rangeOf } from '../shared/ast';
import { variableOf, pointerOrigin, unwrap, uintptrOrigin, type Origin } from './pointerOrigin';
import { resolvesThrough } from '../shared/bindings';

const SYSCALL_LIKE = /^(raw)?syscall(\d+|N)?(_.*)?$/i;


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
	kind: 'param' | 'var';
	decl: Node;
	/** Initialiser (undefined for parameters and `var u uintptr`). */
	init?: Node;
}

/** The declaration of `ident`, if a uintptr variable or parameter. */
function uintptrVar(ident: Node): UintptrVar | undefined {
	const d = variableOf(ident);
	if (!d) return undefined;
	if (d.kind === 'param') return d.type === 'uintptr' ? { kind: 'param', decl: d.node } : undefined;
	const init = unwrap(d.init ?? null);
	const initIsUintptr = init?.type === 'call_expression' && (calleeName(init) === 'uintptr' || /\.(Pointer|UnsafeAddr)$/.test(calleeName(init) ?? ''));
	if (d.type === 'uintptr' || (!d.type && initIsUintptr)) return { kind: 'var', decl: d.node, init: d.init };
	return undefined;
}

/** Leftmost identifier of `u`, `u + off`, `(u + a) - b`. */
function arithBase(n: Node | null): Node | null {
	n = unwrap(n);
	while (n?.type === 'binary_expression') n = unwrap(n.childForFieldName('left'));
	return n?.type === 'identifier' ? n : null;
}

/** Severity and phrase from what the compiler decided about a local variable `x` whose storage is addressed. */
function pointee(ctx: RuleContext, x: Node | undefined, fn: Node): { severity: Severity; note: string } {
	if (!x || !ctx.escape || !fn.parent || resolvesThrough(x, fn.parent)) return { severity: 'warning', note: '' };
	const lo = fn.startPosition.row;
	const hi = fn.endPosition.row;
	const moved = ctx.escape.some((f) => f.kind === 'moved-to-heap' && f.subject === x.text && f.at.line >= lo && f.at.line <= hi);
	return moved
		? { severity: 'warning', note: ` The compiler moved \`${x.text}\` to the heap, so it does not move, but nothing keeps it alive.` }
		: { severity: 'error', note: ` The compiler kept \`${x.text}\` on the goroutine stack: when the stack grows it moves, and the integer keeps the old address.` };
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

/** Calls that cannot grow the stack or run the GC: conversions and compile-time builtins. */
const NOT_A_CALL = /^(uintptr|len|cap|int\d*|uint\d*|byte|rune|bool|string|float\d+|complex\d+|min|max)$/;

/**
 * Is there a call (a point where the stack may grow and move, or the goroutine waits for the GC)
 * between the declaration of `u` and `use`? A loop around `use` but not the declaration counts its
 * whole body (the next iteration comes back).
 */
function callBetween(decl: Node, use: Node, fn: Node, u: string): boolean {
	const isCall = (c: Node): boolean => {
		const callee = calleeName(c) ?? '';
		const f = c.childForFieldName('function');
		return !(f?.type === 'parenthesized_expression' || NOT_A_CALL.test(callee) || callee.startsWith(`${u}.`));
	};
	const end = Math.max(use.startIndex, ...descendants(fn, 'for_statement').filter((l) => contains(l, use) && !contains(l, decl)).map((l) => l.endIndex));
	return descendants(fn, 'call_expression').some((c) => c.startIndex >= decl.endIndex && c.endIndex <= end && !contains(c, use) && isCall(c));
}

function hasDirective(fn: Node, directive: RegExp): boolean {
	for (let c = fn.previousSibling; c?.type === 'comment'; c = c.previousSibling) if (directive.test(c.text)) return true;
	return false;
}

const RULES = "unsafe.Pointer's rules allow the round trip only within one expression (or use unsafe.Add)";
const CHECKPTR = 'With -race (checkptr) converting a Go address held in a uintptr back is a fatal error ("checkptr: pointer arithmetic result points to invalid allocation").';

/** Severity and message for `unsafe.Pointer(u)`, from where `u`'s address points; undefined: stay silent. */
function judgeConversion(ctx: RuleContext, call: Node, name: string, v: UintptrVar, origin: Origin, fn: Node, u: string): { severity: Severity; message: string } | undefined {
	if (origin.memory === 'c') {
		return {
			severity: 'hint',
			message: `\`${name}\` holds the address of C (or mmap'd) memory, which the Go garbage collector neither moves nor frees: no GC hazard. go vet still reports the conversion ("possible misuse of unsafe.Pointer"); ${RULES}.`,
		};
	}
	// A parameter's address comes from the caller (where (B) checks it).
	if (origin.memory === 'unknown' && !origin.likelyGo) return undefined;
	if (origin.memory === 'unknown') {
		return {
			severity: 'hint',
			message: `\`${name}\` holds an address converted from a pointer and is converted back to a pointer. If that pointer is Go memory, nothing keeps the object alive or in place in between, and ${CHECKPTR.charAt(0).toLowerCase()}${CHECKPTR.slice(1)} (Memory from C or mmap is not affected.) ${RULES}; go vet: "possible misuse of unsafe.Pointer".`,
		};
	}
	const base = `\`${name}\` holds the address of Go memory in a uintptr and is converted back to a pointer: a uintptr is a plain integer, so nothing keeps the object alive or updates the address if it moves. ${RULES}; go vet: "possible misuse of unsafe.Pointer". ${CHECKPTR}`;
	// The noescape idiom: a //go:nosplit function with no call in between cannot grow its stack.
	const between = callBetween(v.decl, call, fn, u);
	if (!between && hasDirective(fn, /^\/\/go:nosplit\b/)) return undefined;
	const { severity, note } = pointee(ctx, origin.local, fn);
	// A stack move needs a call in between (the stack grows only there); without one, checkptr is the certain harm.
	if (severity === 'error' && !between) return { severity: 'warning', message: `${base} No call lies between the two conversions, so the stack cannot move in between.` };
	return { severity, message: base + note };
}

function checkConversion(ctx: RuleContext, call: Node, u: string, out: RuleFinding[]): void {
	const arg = callArgs(call)[0];
	if (!arg || safeShape(arg, u)) return;
	const ident = arithBase(arg);
	const fn = enclosingFunction(call);
	if (!ident || !fn) return;
	const v = uintptrVar(ident);
	if (!v) return;
	const origin: Origin = v.kind === 'param' ? { memory: 'unknown' } : uintptrOrigin(v.init, u, ctx.isCgo);
	const verdict = judgeConversion(ctx, call, ident.text, v, origin, fn, u);
	if (!verdict) return;
	const edits = addFix(ctx, call, u, ident, v, fn);
	out.push({
		rule: uintptrStoredPointer.id,
		range: rangeOf(call),
		severity: verdict.severity,
		message: verdict.message,
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
		if (callee === `${u}.Pointer`) return arithBase(callArgs(c)[0] ?? null)?.text === param.name;
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
		// Only Go memory can be collected or moved: C, mmap'd or unknown memory stays silent.
		const origin = pointerOrigin(target, u);
		if (origin.memory !== 'go') return;
		const { severity, note } = pointee(ctx, origin.local, fn);
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
		summary: 'A Go pointer kept as a uintptr (in a variable, or passed to a Go function) and used as a pointer again.',
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
