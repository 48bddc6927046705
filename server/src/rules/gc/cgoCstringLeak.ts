/**
 * cgo-cstring-leak (spec R11): C memory from `C.CString` / `C.CBytes` (malloc'd; the Go GC never
 * frees it) that nothing frees and nothing takes over. Each use of the pointer is judged:
 * freed (a call whose name contains `free`), handed off (returned, stored, appended, sent,
 * captured, passed to a function whose name or destructor argument says it takes ownership, or to
 * a preamble function that frees or stores it), only read (C library readers, cgo's Go* copiers,
 * preamble functions that only read it), or passed somewhere unknown. Only when every use is a
 * read is the leak certain and the free fix safe to apply in bulk.
 */
import type { Node } from '../../syntax/mirror';
import type { Fix, RuleFinding, Severity, TextEdit } from '../../model';
import type { Rule, RuleContext } from '../types';
import { calleeName, callArgs, descendants, dottedName, enclosingFunction, enclosingLoops, importSpecs, imports, lineIndent, rangeOf } from '../shared/ast';
import { CCode, DESTRUCTOR, isBorrower, nameTakesOwnership, paramUse, parsePreambleCached, preambleText } from './cgoPreamble';
import { variableOf } from './pointerOrigin';
import { sites } from '../scope';
import { identRefs, resolvesThrough } from '../shared/bindings';

const ALLOCATORS = new Set(['C.CString', 'C.CBytes']);

/** Wrappers that keep the same pointer: `unsafe.Pointer(x)`, `(*C.char)(x)`, `C.gpointer(x)`, `uintptr(x)`. */
function isPointerConversion(call: Node, pre: CCode): boolean {
	const fn = call.childForFieldName('function');
	const callee = calleeName(call) ?? '';
	if (callArgs(call).length !== 1) return false;
	return callee === 'unsafe.Pointer' || callee === 'uintptr' || fn?.type === 'parenthesized_expression' || (callee.startsWith('C.') && pre.isType(callee.slice(2)));
}

/** Climbs out of conversions and parentheses around a pointer expression. */
function outerValue(node: Node, pre: CCode): Node {
	let n = node;
	for (;;) {
		const p = n.parent;
		if (p?.type === 'parenthesized_expression') n = p;
		else if (p?.type === 'argument_list' && p.parent && isPointerConversion(p.parent, pre)) n = p.parent;
		else return n;
	}
}

/** The statement holding `node` directly in a statement list. */
function statementOf(node: Node): Node | null {
	for (let n: Node | null = node; n; n = n.parent) if (n.parent?.type === 'statement_list') return n;
	return null;
}

function mentions(node: Node, name: string): boolean {
	return descendants(node, 'identifier').some((i) => i.text === name);
}

/**
 * What happens to the pointer at one use: `freed`; `handed` (ownership or a reference moves away);
 * `read` (used during a call known not to keep it, or read in place); `unknown-c` (passed to a C
 * function whose code is not in this file); `go-call` (passed to a Go function).
 */
type UseKind = 'freed' | 'handed' | 'read' | 'unknown-c' | 'go-call' | 'reassigned';

interface Use {
	kind: UseKind;
	callee?: string;
	/** For `unknown-c`: the C function's code is in the package but passes the pointer on. */
	passesOn?: boolean;
}

/** A destructor passed as a value: `C.free`, `(*[0]byte)(C.free)`, `C.GDestroyNotify(C.g_free)`, `C.free_fn`. */
function isDestructorArg(arg: Node, pre: CCode): boolean {
	let n: Node | null = arg;
	for (;;) {
		while (n?.type === 'parenthesized_expression') n = n.namedChild(0);
		if (n?.type === 'call_expression' && isPointerConversion(n, pre)) n = callArgs(n)[0] ?? null;
		else break;
	}
	if (n?.type !== 'identifier' && n?.type !== 'selector_expression') return false;
	return DESTRUCTOR.test(dottedName(n) ?? '');
}

/** What the call `call` does with the pointer passed as argument `value`. */
function callUse(call: Node, value: Node, pre: CCode): Use {
	const callee = calleeName(call) ?? '';
	if (callee === 'append') return { kind: 'handed' };
	if (/free/i.test(callee)) return { kind: 'freed' };
	const args = callArgs(call);
	if (nameTakesOwnership(callee) || args.some((a) => !a.equals(value) && isDestructorArg(a, pre))) return { kind: 'handed', callee };
	// unsafe.Slice / unsafe.String / unsafe.Add: a Go view of the memory, which may outlive the call.
	if (callee.startsWith('unsafe.')) return { kind: 'handed', callee };
	if (!callee.startsWith('C.')) return { kind: isBorrower(callee) ? 'read' : 'go-call', callee };
	const name = callee.slice(2);
	if (isBorrower(name)) return { kind: 'read', callee };
	if (pre.owns(name)) return { kind: 'handed', callee };
	const defined = pre.fn(name);
	if (!defined) return { kind: 'unknown-c', callee };
	const use = paramUse(defined, args.findIndex((a) => a.equals(value)), pre.owns);
	return { kind: use === 'keeps' ? 'handed' : use === 'borrows' ? 'read' : 'unknown-c', callee, passesOn: true };
}

/** Judges one place where the pointer `node` (the allocation or a reference to its variable) is used. */
function useAt(node: Node, fn: Node, pre: CCode): Use {
	if (!enclosingFunction(node)?.equals(fn)) return { kind: 'handed' }; // captured by a closure
	const value = outerValue(node, pre);
	const p = value.parent;
	const gp = p?.parent;
	switch (p?.type) {
		case 'argument_list':
			// `go f(p)` / `defer f(p)` use it later, when a free placed now may already have run.
			if (gp?.type !== 'call_expression' || gp.parent?.type === 'go_statement' || gp.parent?.type === 'defer_statement') return { kind: 'handed' };
			return callUse(gp, value, pre);
		case 'expression_list': {
			if (gp?.type === 'assignment_statement' || gp?.type === 'short_var_declaration') {
				// On the left: the variable gets a new value; on the right: copied elsewhere (a field,
				// an element, a package variable or another local): a hand-off either way but the first.
				return gp.childForFieldName('left')?.equals(p) ? { kind: 'reassigned' } : { kind: 'handed' };
			}
			return { kind: 'handed' }; // returned, sent, a var spec's value…
		}
		case 'binary_expression':
			return /^(==|!=)$/.test(p.childForFieldName('operator')?.text ?? '') ? { kind: 'read' } : { kind: 'handed' };
		case 'index_expression':
			return { kind: 'read' };
		case 'unary_expression':
			// `*p` reads; `&p` lets the callee replace or take the pointer (g_clear_pointer(&p, g_free)).
			return p.child(0)?.type === '&' ? { kind: 'handed' } : { kind: 'read' };
		default:
			return { kind: 'handed' };
	}
}

/** The uses, after `from`, of the variable `name` declared by `declNode`. */
function usesOf(name: string, declNode: Node, fn: Node, from: Node, pre: CCode): Use[] {
	return identRefs(fn, name)
		.filter((r) => r.startIndex >= from.endIndex && !!variableOf(r)?.node.equals(declNode))
		.map((r) => useAt(r, fn, pre));
}

/** Edits giving the file `import "unsafe"` and `#include <stdlib.h>` in the cgo preamble. */
function supportEdits(ctx: RuleContext, needUnsafe: boolean): TextEdit[] {
	const root = ctx.tree.rootNode;
	const spec = importSpecs(root).find((s) => s.childForFieldName('path')?.text === '"C"');
	let decl: Node | null = spec ?? null;
	while (decl && decl.type !== 'import_declaration') decl = decl.parent;
	if (!decl) return [];
	const edits: TextEdit[] = [];
	let first: Node | null = null;
	for (let c = decl.previousSibling; c?.type === 'comment'; c = c.previousSibling) {
		if (c.endPosition.row < (first ?? decl).startPosition.row - 1) break;
		first = c;
	}
	const preamble = first ? ctx.text.slice(first.startIndex, decl.startIndex) : '';
	if (!/#\s*include\s*<stdlib\.h>/.test(preamble)) {
		if (first?.text.startsWith('/*')) {
			const at = { line: first.startPosition.row, character: first.startPosition.column + 2 };
			edits.push({ range: { start: at, end: at }, newText: '\n#include <stdlib.h>' });
		} else {
			const at = { line: (first ?? decl).startPosition.row, character: 0 };
			edits.push({ range: { start: at, end: at }, newText: '// #include <stdlib.h>\n' });
		}
	}
	if (needUnsafe && !imports(root).has('unsafe')) {
		const at = { line: decl.endPosition.row + 1, character: 0 };
		edits.push({ range: { start: at, end: at }, newText: 'import "unsafe"\n' });
	}
	return edits;
}

function freeCall(ctx: RuleContext, name: string, bytes: boolean): string {
	const unsafe = imports(ctx.tree.rootNode).get('unsafe') ?? 'unsafe';
	return bytes ? `C.free(${name})` : `C.free(${unsafe}.Pointer(${name}))`;
}

/** Frees right after the last statement of the iteration using it, or defers it outside loops. */
function freeEdit(ctx: RuleContext, decl: Node, name: string, bytes: boolean, inLoop: boolean): TextEdit {
	const indent = lineIndent(ctx.text, decl);
	if (inLoop && decl.parent) {
		const siblings = decl.parent.namedChildren.filter((n): n is Node => n !== null && n.startIndex >= decl.startIndex);
		const last = [...siblings].reverse().find((s) => mentions(s, name)) ?? decl;
		if (!['return_statement', 'break_statement', 'continue_statement', 'goto_statement'].includes(last.type)) {
			const at = { line: last.endPosition.row, character: last.endPosition.column };
			return { range: { start: at, end: at }, newText: `\n${indent}${freeCall(ctx, name, bytes)}` };
		}
	}
	const at = { line: decl.endPosition.row, character: decl.endPosition.column };
	return { range: { start: at, end: at }, newText: `\n${indent}defer ${freeCall(ctx, name, bytes)}` };
}

/** How sure the leak is, from the uses of the pointer; undefined: freed or handed off (silent). */
interface Verdict {
	severity: Severity;
	/** Every use is a read: the leak is certain and a free cannot double free. */
	certain: boolean;
	/** Why it is not certain. */
	doubt?: string;
}

function judge(uses: Use[], inLoop: boolean): Verdict | undefined {
	if (uses.some((u) => u.kind === 'freed' || u.kind === 'handed')) return undefined;
	const goCall = uses.find((u) => u.kind === 'go-call');
	if (goCall) return { severity: 'hint', certain: false, doubt: `it is passed to the Go function \`${goCall.callee}\`, which may free or keep it` };
	const unknown = uses.find((u) => u.kind === 'unknown-c');
	if (unknown) {
		const where = unknown.passesOn ? 'passes it on to C code this package does not contain' : "is not defined in this package's C code (a library function)";
		return { severity: 'warning', certain: false, doubt: `\`${unknown.callee}\` ${where}: this is a leak unless that code takes ownership of the memory (check its documentation)` };
	}
	return { severity: inLoop ? 'error' : 'warning', certain: true };
}

function check(ctx: RuleContext, call: Node, pre: CCode, out: RuleFinding[]): void {
	const callee = calleeName(call) ?? '';
	const bytes = callee === 'C.CBytes';
	const fn = enclosingFunction(call);
	if (!fn) return;
	const inLoop = enclosingLoops(call).length > 0;
	const value = outerValue(call, pre);
	const p = value.parent;
	const freeNote = `${callee} allocates with C malloc and the Go garbage collector never frees it`;
	const loopNote = inLoop ? ' (once per iteration)' : '';
	if (p?.type === 'argument_list') {
		const verdict = judge([useAt(call, fn, pre)], inLoop);
		if (!verdict) return;
		const doubt = verdict.doubt ? `; ${verdict.doubt}` : '';
		out.push({
			rule: cgoCstringLeak.id,
			range: rangeOf(call),
			severity: verdict.severity,
			message: `${freeNote}; this result is not kept, so nothing can pass it to C.free: every call leaks${loopNote}${doubt}.`,
			fixes: inlineFix(ctx, call, fn, bytes, inLoop, verdict.certain),
		});
		return;
	}
	if (p?.type !== 'expression_list') return;
	const gp = p.parent;
	const i = p.namedChildren.findIndex((c) => c?.equals(value));
	let target: Node | null | undefined;
	if (gp?.type === 'short_var_declaration' || gp?.type === 'assignment_statement') {
		if (!gp.childForFieldName('right')?.equals(p)) return;
		target = gp.childForFieldName('left')?.namedChild(i);
	} else if (gp?.type === 'var_spec') {
		target = gp.childrenForFieldName('name')[i];
	} else return; // returned, sent…: handed off
	// Stored in a field/element, or in a package-level variable: owned elsewhere.
	if (target?.type !== 'identifier' || target.text === '_' || !fn.parent) return;
	if (gp.type === 'assignment_statement' && resolvesThrough(target, fn.parent)) return;
	const name = target.text;
	const declNode = gp.type === 'assignment_statement' ? variableOf(target)?.node : gp;
	if (!declNode) return;
	// `p = C.CString(…)` into an existing variable: a free before this line (next iteration) counts too.
	const uses = usesOf(name, declNode, fn, gp.type === 'assignment_statement' ? fn.childForFieldName('parameters') ?? gp : gp, pre);
	const verdict = judge(uses, inLoop);
	if (!verdict) return;
	const decl = gp.type === 'var_spec' ? statementOf(gp) : gp;
	const fixes: Fix[] = [];
	// A second value in the same variable would be freed in place of this one: no free fix then.
	if (decl?.parent?.type === 'statement_list' && !uses.some((u) => u.kind === 'reassigned')) {
		const free = freeEdit(ctx, decl, name, bytes, inLoop);
		const how = free.newText.includes('defer') ? '`defer C.free`' : '`C.free` after its last use';
		fixes.push({
			title: verdict.certain ? `Free \`${name}\` with ${how}` : `Free \`${name}\` with ${how} (only if nothing keeps it: check the callee)`,
			edits: [free, ...supportEdits(ctx, !bytes)],
			isPreferred: verdict.certain,
			safe: verdict.certain,
		});
	}
	const doubt = verdict.doubt ? `; ${verdict.doubt}` : '';
	out.push({
		rule: cgoCstringLeak.id,
		range: rangeOf(call),
		severity: verdict.severity,
		message: `\`${name}\` holds C memory: ${freeNote}, and no C.free (or other free call) in this function receives \`${name}\`${inLoop ? '; this leaks once per iteration' : ''}${doubt}.`,
		fixes: fixes.length ? fixes : undefined,
	});
}

/** `C.f(C.CString(s))` → `cs := C.CString(s)` + free + `C.f(cs)`. */
/**
 * Can `call` move to a statement of its own before `st` without changing what runs? Not from a
 * loop header (evaluated each time round), a header that declares what it reads
 * (`if v := f(); use(C.CString(v))`), the right of `&&`/`||` (evaluated only sometimes) or a
 * func literal (evaluated later).
 */
function hoistable(call: Node, st: Node): boolean {
	if (st.type === 'for_statement') return false;
	for (let n: Node | null = call; n && !n.equals(st); n = n.parent) {
		const p = n.parent;
		if (p?.type === 'func_literal') return false;
		if (p?.type === 'binary_expression' && /^(&&|\|\|)$/.test(p.childForFieldName('operator')?.text ?? '') && p.childForFieldName('right')?.equals(n)) return false;
	}
	const init = st.childForFieldName('initializer');
	if (init && init.type === 'short_var_declaration') {
		const declared = new Set((init.childForFieldName('left')?.namedChildren ?? []).map((c) => c?.text));
		if (descendants(call, 'identifier').some((i) => declared.has(i.text))) return false;
	}
	return true;
}

function inlineFix(ctx: RuleContext, call: Node, fn: Node, bytes: boolean, inLoop: boolean, certain: boolean): Fix[] | undefined {
	const st = statementOf(call);
	if (!st || !/^[ \t]*$/.test(ctx.text.slice(ctx.text.lastIndexOf('\n', st.startIndex - 1) + 1, st.startIndex))) return undefined;
	if (!hoistable(call, st)) return undefined;
	const used = new Set(descendants(fn, 'identifier').map((n) => n.text));
	const base = bytes ? 'cb' : 'cs';
	let name = base;
	for (let k = 2; used.has(name); k++) name = `${base}${k}`;
	const indent = lineIndent(ctx.text, st);
	const lineStart = { line: st.startPosition.row, character: 0 };
	const free = freeCall(ctx, name, bytes);
	const afterUse = inLoop && st.type !== 'return_statement';
	const edits: TextEdit[] = [
		{ range: { start: lineStart, end: lineStart }, newText: `${indent}${name} := ${call.text}\n${afterUse ? '' : `${indent}defer ${free}\n`}` },
		{ range: rangeOf(call), newText: name },
		...supportEdits(ctx, !bytes),
	];
	if (afterUse) {
		const at = { line: st.endPosition.row, character: st.endPosition.column };
		edits.push({ range: { start: at, end: at }, newText: `\n${indent}${free}` });
	}
	const title = `Keep the C memory in \`${name}\` and free it${certain ? '' : ' (only if the callee copies it: check its documentation)'}`;
	return [{ title, edits, isPreferred: certain, safe: certain }];
}

export const cgoCstringLeak: Rule = {
	id: 'cgo-cstring-leak',
	scopeGate: /\bC\./,
	doc: {
		summary: 'C.CString / C.CBytes memory (C malloc) that nothing frees and no C code takes over.',
		severity: 'warning',
		usesEscape: false,
	},
	check(ctx) {
		if (!ctx.isCgo) return [];
		const out: RuleFinding[] = [];
		let pre: CCode | undefined;
		for (const call of sites(ctx, 'call_expression')) {
			if (ALLOCATORS.has(calleeName(call) ?? '')) check(ctx, call, (pre ??= new CCode(parsePreambleCached(preambleText(ctx.tree.rootNode)), ctx.cgoPackageC)), out);
		}
		return out;
	},
};
