/**
 * Helpers shared by the loop-variable rules (loopvar-capture, loopvar-address,
 * loopvar-redundant-copy), also used by finalizer-self-reference, cgo-cstring-leak and
 * uintptr-stored-pointer: a loop's variables, their references, whether a name is shadowed
 * inside a region (on top of declarations.ts).
 */
import type { Node } from '../../syntax/mirror';
import type { GoVersionInfo, Severity, TextEdit } from '../../model';
import { factsAt, type LocatedEscapeFact, type RuleContext } from '../types';
import { blockStatements, bodyOf, contains, descendants, enclosingFunction, lineIndent, loopHeaderVars } from '../shared/ast';
import { identRefs, resolvesThrough } from '../shared/bindings';

/** A variable a loop iterates with: declared in its header (`:=`) or an outer one it assigns (`=`). */
export interface LoopVar {
	name: string;
	/** The identifier in the loop header. */
	node: Node;
	/** `define`: `for v := …` (per-iteration from go1.22); `assign`: `for v = …` (always shared). */
	form: 'define' | 'assign';
}

/** The loop's iteration variables (both forms), `_` excluded. */
export function loopVars(loop: Node): LoopVar[] {
	const defined = loopHeaderVars(loop).map((node) => ({ name: node.text, node, form: 'define' as const }));
	if (defined.length) return defined;
	const clause = loop.namedChildren.find((c) => c?.type === 'range_clause' || c?.type === 'for_clause');
	if (!clause) return [];
	const out: LoopVar[] = [];
	if (clause.type === 'range_clause') {
		const left = clause.childForFieldName('left');
		for (const n of left?.namedChildren ?? []) if (n?.type === 'identifier' && n.text !== '_') out.push({ name: n.text, node: n, form: 'assign' });
		return out;
	}
	// 3-clause loop over an outer variable: `for i = 0; …; i++`.
	const init = clause.childForFieldName('initializer');
	if (init?.type === 'assignment_statement') {
		for (const n of init.childForFieldName('left')?.namedChildren ?? []) if (n?.type === 'identifier' && n.text !== '_') out.push({ name: n.text, node: n, form: 'assign' });
	}
	return out;
}

/** True if the loop body assigns `name` (resolved to the loop's variable): `=`, `op=`, `++`, `--`. */
export function bodyAssigns(loop: Node, name: string): boolean {
	const body = bodyOf(loop);
	if (!body) return false;
	for (const st of descendants(body, ['assignment_statement', 'inc_statement', 'dec_statement'])) {
		const targets = st.type === 'assignment_statement' ? (st.childForFieldName('left')?.namedChildren ?? []) : st.namedChildren;
		for (const t of targets) if (t?.type === 'identifier' && t.text === name && resolvesThrough(t, loop)) return true;
	}
	// Address taken and written through, or passed by pointer: treat `&v` as a possible write.
	return false;
}

/**
 * The edit inserting `v := v` (one line per name) as the first statement of the loop body,
 * indented like the body's first statement.
 */
export function copyLoopVarEdit(text: string, loop: Node, names: string[]): TextEdit | undefined {
	const body = bodyOf(loop);
	const first = blockStatements(body)[0];
	if (!body || !first) return undefined;
	const decl = names.map((n) => `${n} := ${n}`);
	if (first.startPosition.row === body.startPosition.row) {
		// One-line body `{ stmt }`: keep it on one line.
		const at = { line: first.startPosition.row, character: first.startPosition.column };
		return { range: { start: at, end: at }, newText: `${decl.join('; ')}; ` };
	}
	const indent = lineIndent(text, first);
	const at = { line: first.startPosition.row, character: 0 };
	return { range: { start: at, end: at }, newText: decl.map((d) => `${indent}${d}\n`).join('') };
}

/** Lowers a severity one step (used when the language version is unknown). */
export function lower(s: Severity): Severity {
	return s === 'error' ? 'warning' : s === 'warning' ? 'information' : 'hint';
}

/** Before go1.22 semantics apply (`:=` loop vars shared): also when the version is unknown. */
export function sharedLoopVars(v: GoVersionInfo): boolean {
	return v.minor === undefined || v.minor < 22;
}

/** `in this module (go1.21, from go.mod)` / `language version unknown (no module)`. */
export function versionPhrase(v: GoVersionInfo): string {
	if (v.minor === undefined) return `language version unknown (${v.source}), so Go 1.21 semantics are assumed`;
	return `in this file (${v.label}, from ${v.source})`;
}

/**
 * The compiler's `moved to heap: v` fact, if any. For `:=` loop variables it sits at the loop
 * header; for an outer variable (`for v = range`) at its declaration, earlier in the function.
 */
export function movedFact(ctx: RuleContext, v: LoopVar, loop: Node): LocatedEscapeFact | undefined {
	if (v.form === 'define') return factsAt(ctx, v.node).find((f) => f.kind === 'moved-to-heap');
	const fn = enclosingFunction(loop);
	const lo = fn ? fn.startPosition.row : 0;
	return ctx.escape?.find((f) => f.kind === 'moved-to-heap' && f.subject === v.name && f.at.line >= lo && f.at.line <= loop.startPosition.row);
}

/** Did the compiler print `moved to heap: v`? */
export function movedToHeap(ctx: RuleContext, v: LoopVar, loop: Node): boolean {
	return movedFact(ctx, v, loop) !== undefined;
}

/** True for a `for … range` loop (its `:=`/`=` variables are assigned from the range each iteration). */
export function isRangeLoop(loop: Node): boolean {
	return loop.namedChildren.some((c) => c?.type === 'range_clause');
}

/** The assignment's left-hand target matching right-hand `expr` (`x = expr`, `a, b = e1, e2`), if any. */
export function assignTarget(expr: Node): Node | undefined {
	const list = expr.parent?.type === 'expression_list' ? expr.parent : null;
	const assign = list?.parent;
	if (!list || assign?.type !== 'assignment_statement' || !assign.childForFieldName('right')?.equals(list)) return undefined;
	const idx = list.namedChildren.findIndex((c) => c?.equals(expr));
	return assign.childForFieldName('left')?.namedChild(idx) ?? undefined;
}

/** The variable a target `x`, `x.f`, `x[i]`, `x.f[i].g` writes into: its root identifier. */
export function targetRoot(target: Node | null | undefined): Node | undefined {
	let t = target ?? null;
	while (t && (t.type === 'selector_expression' || t.type === 'index_expression' || t.type === 'parenthesized_expression')) {
		t = t.type === 'parenthesized_expression' ? t.namedChild(0) : t.childForFieldName('operand');
	}
	return t?.type === 'identifier' ? t : undefined;
}

/** Does `st` hold a `continue` or `goto` that skips the rest of `loop`'s iteration? */
function skipsRest(st: Node, loop: Node): boolean {
	if (descendants(st, 'goto_statement').length) return true;
	return descendants(st, 'continue_statement').some((c) => {
		const label = c.namedChildren.find((n) => n?.type === 'label_name')?.text;
		for (let n = c.parent; n && !n.equals(loop); n = n.parent) {
			if (n.type === 'func_literal') return false;
			if (!label && n.type === 'for_statement') return false;
		}
		return true;
	});
}

/**
 * True when `root` is a local declared (`:=`/`var`) in the loop's function before the loop and
 * never mentioned after the loop nor inside a func literal: whatever the loop leaves in it is
 * never read.
 */
function deadAfterLoop(root: Node, loop: Node): boolean {
	const fn = enclosingFunction(loop);
	const body = fn && bodyOf(fn);
	if (!fn || !body) return false;
	const declared = descendants(body, ['short_var_declaration', 'var_spec']).some((d) => {
		if (d.startIndex > loop.startIndex || !enclosingFunction(d)?.equals(fn)) return false;
		const names = d.type === 'var_spec' ? d.childrenForFieldName('name') : (d.childForFieldName('left')?.namedChildren ?? []);
		return names.some((n) => n?.text === root.text);
	});
	return declared && identRefs(body, root.text).every((r) => r.startIndex < loop.endIndex && enclosingFunction(r)?.equals(fn));
}

/** `x` → `x`; `a.b` inside `a.b.c(…)` → `a.b.c`: the longest field path starting at identifier `r`. */
function pathAt(r: Node): string {
	let n = r;
	while (n.parent?.type === 'selector_expression' && n.parent.childForFieldName('operand')?.equals(n)) n = n.parent;
	return n.text.replace(/\s+/g, '');
}

/**
 * A single-slot store (`x = …`, `s.f = …`: no index) into a location declared outside a range
 * loop, made in every iteration, whose old value the loop never reads (a read before the store, in
 * a later iteration, would see the shared variable's new value: `n.next = prev; prev = &v`). After
 * the loop the slot holds the last iteration's value, which is what the shared variable holds
 * too, so sharing changes nothing.
 */
export function overwrittenSlotOnly(target: Node, loop: Node): boolean {
	if (!isRangeLoop(loop)) return false;
	if (target.type !== 'identifier' && target.type !== 'selector_expression') return false;
	if (descendants(target, ['index_expression', 'call_expression']).length) return false;
	const root = targetRoot(target);
	const body = bodyOf(loop);
	if (!root || !body || !resolvesThrough(root, loop)) return false;
	// Made in every iteration (a statement of the body itself, no `continue` before it), or the
	// slot is a local nobody reads after the loop: then no older iteration's value is observed.
	const stmts = blockStatements(body);
	const at = stmts.findIndex((st) => contains(st, target));
	const store = stmts[at] ?? descendants(body, 'assignment_statement').find((a) => contains(a, target));
	if (!store || store.type !== 'assignment_statement') return false;
	const everyIteration = at >= 0 && !stmts.slice(0, at).some((st) => skipsRest(st, loop));
	if (!everyIteration && !deadAfterLoop(root, loop)) return false;
	const slot = target.text.replace(/\s+/g, '');
	return identRefs(body, root.text).every((r) => {
		if (contains(target, r)) return true;
		const path = pathAt(r);
		// Other fields of the same root (`f.Config`, `f.Log()`) and the root passed whole are not
		// reads of this slot (a callee reading it back is too remote to claim either way).
		if (target.type === 'selector_expression' && path !== slot && !path.startsWith(`${slot}.`) && (path === root.text || !slot.startsWith(`${path}.`))) return true;
		// Read after the store in the same iteration (not from a literal that may run later): this iteration's value.
		let inLiteral = false;
		for (let n = r.parent; n && !n.equals(body); n = n.parent) if (n.type === 'func_literal') inLiteral = true;
		return r.startIndex > store.endIndex && !inLiteral;
	});
}

/** Is `name` written (assigned, `++`/`--`, or re-ranged) after `loop` ends, in the loop's function? */
export function writtenAfter(loop: Node, name: string): boolean {
	const fn = enclosingFunction(loop);
	if (!fn) return true;
	for (const st of descendants(fn, ['assignment_statement', 'inc_statement', 'dec_statement', 'range_clause'])) {
		if (st.startIndex < loop.endIndex) continue;
		const targets = st.type === 'inc_statement' || st.type === 'dec_statement' ? st.namedChildren : (st.childForFieldName('left')?.namedChildren ?? []);
		if (targets.some((t) => t?.type === 'identifier' && t.text === name)) return true;
	}
	return false;
}
