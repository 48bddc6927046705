/**
 * cgo-cstring-leak (spec R11): C memory from `C.CString` / `C.CBytes` (malloc'd; the Go GC never
 * frees it) that is not released with `C.free`: used inline as an argument, or bound to a
 * variable that no `free` call in the function receives and that is not handed off (returned,
 * stored in a field/global/slice, passed to putenv).
 */
import type { Node } from '../syntax/mirror';
import type { Fix, RuleFinding, TextEdit } from '../model';
import type { Rule, RuleContext } from './types';
import { calleeName, callArgs, descendants, enclosingFunction, enclosingLoops, importSpecs, imports, lineIndent, rangeOf } from './ast';
import { resolvesThrough } from './loopvarShared';
import { sites } from './scope';

const ALLOCATORS = new Set(['C.CString', 'C.CBytes']);

/** Wrappers that keep the same C pointer: `unsafe.Pointer(x)`, `(*C.char)(x)`. */
function isPointerConversion(call: Node): boolean {
	const fn = call.childForFieldName('function');
	return calleeName(call) === 'unsafe.Pointer' || fn?.type === 'parenthesized_expression';
}

/** Climbs out of conversions and parentheses around the allocation. */
function outerValue(call: Node): Node {
	let n = call;
	for (;;) {
		const p = n.parent;
		if (p?.type === 'parenthesized_expression') n = p;
		else if (p?.type === 'argument_list' && p.parent && isPointerConversion(p.parent) && callArgs(p.parent).length === 1) n = p.parent;
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

/** True when `name` is released or handed off somewhere in `fn`. */
function releasedOrHandedOff(fn: Node, name: string): boolean {
	for (const call of descendants(fn, 'call_expression')) {
		const callee = calleeName(call) ?? '';
		if (!callArgs(call).some((a) => mentions(a, name))) continue;
		if (/free/i.test(callee) || callee === 'append' || callee === 'C.putenv') return true;
	}
	if (descendants(fn, 'return_statement').some((r) => mentions(r, name))) return true;
	if (descendants(fn, 'literal_element').some((e) => mentions(e, name))) return true;
	return descendants(fn, 'assignment_statement').some((a) => {
		const right = a.childForFieldName('right');
		const left = a.childForFieldName('left')?.namedChildren ?? [];
		return !!right && mentions(right, name) && left.some((l) => l?.type === 'selector_expression' || l?.type === 'index_expression');
	});
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

function check(ctx: RuleContext, call: Node, out: RuleFinding[]): void {
	const callee = calleeName(call) ?? '';
	const bytes = callee === 'C.CBytes';
	const fn = enclosingFunction(call);
	if (!fn) return;
	const inLoop = enclosingLoops(call).length > 0;
	const severity = inLoop ? 'error' : 'warning';
	const value = outerValue(call);
	const p = value.parent;
	const freeNote = `${callee} allocates with C malloc and the Go garbage collector never frees it`;
	if (p?.type === 'argument_list') {
		const outer = calleeName(p.parent!) ?? '';
		if (/free/i.test(outer) || outer === 'append' || outer === 'C.putenv') return;
		out.push({
			rule: cgoCstringLeak.id,
			range: rangeOf(call),
			severity,
			message: `${freeNote}; this result is not kept, so nothing can pass it to C.free: every call leaks${inLoop ? ' (once per iteration)' : ''}.`,
			fixes: inlineFix(ctx, call, fn, bytes, inLoop),
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
	if (releasedOrHandedOff(fn, name)) return;
	const decl = gp.type === 'var_spec' ? statementOf(gp) : gp;
	const fixes: Fix[] = [];
	if (decl?.parent?.type === 'statement_list') {
		const free = freeEdit(ctx, decl, name, bytes, inLoop);
		fixes.push({ title: `Free \`${name}\` with ${free.newText.includes('defer') ? '`defer C.free`' : '`C.free` after its last use'}`, edits: [free, ...supportEdits(ctx, !bytes)], isPreferred: true, safe: true });
	}
	out.push({
		rule: cgoCstringLeak.id,
		range: rangeOf(call),
		severity,
		message: `\`${name}\` holds C memory: ${freeNote}, and no C.free (or other free call) in this function receives \`${name}\`${inLoop ? '; this leaks once per iteration' : ''}.`,
		fixes: fixes.length ? fixes : undefined,
	});
}

/** `C.f(C.CString(s))` → `cs := C.CString(s)` + free + `C.f(cs)`. */
function inlineFix(ctx: RuleContext, call: Node, fn: Node, bytes: boolean, inLoop: boolean): Fix[] | undefined {
	const st = statementOf(call);
	if (!st || !/^[ \t]*$/.test(ctx.text.slice(ctx.text.lastIndexOf('\n', st.startIndex - 1) + 1, st.startIndex))) return undefined;
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
	return [{ title: `Keep the C memory in \`${name}\` and free it`, edits, isPreferred: true, safe: true }];
}

export const cgoCstringLeak: Rule = {
	id: 'cgo-cstring-leak',
	scopeGate: /\bC\./,
	doc: {
		summary: 'C.CString / C.CBytes memory (C malloc) that is never passed to C.free.',
		severity: 'warning',
		usesEscape: false,
	},
	check(ctx) {
		if (!ctx.isCgo) return [];
		const out: RuleFinding[] = [];
		for (const call of sites(ctx, 'call_expression')) {
			if (ALLOCATORS.has(calleeName(call) ?? '')) check(ctx, call, out);
		}
		return out;
	},
};
