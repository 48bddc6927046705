/**
 * loopvar-redundant-copy (spec R9): `v := v` of a `:=` loop variable in a go1.22+ file, where
 * every iteration already has its own `v`. The copy is dead code.
 */
import type { Node } from '../../syntax/mirror';
import type { RuleFinding, TextEdit } from '../../model';
import type { Rule, RuleContext } from '../types';
import { blockStatements, bodyOf, descendants, loopHeaderVars, rangeOf } from '../shared/ast';
import { bodyAssigns, targetRoot } from './loopvarShared';
import { sites } from '../scope';
import { isGeneratedFile } from '../generated';
import { resolvesThrough } from '../shared/bindings';

/** `a, b := a, b` → ['a', 'b'] when both sides are the same identifiers in order; else undefined. */
function selfCopyNames(st: Node): string[] | undefined {
	if (st.type !== 'short_var_declaration') return undefined;
	const left = st.childForFieldName('left')?.namedChildren ?? [];
	const right = st.childForFieldName('right')?.namedChildren ?? [];
	if (!left.length || left.length !== right.length) return undefined;
	for (let i = 0; i < left.length; i++) {
		if (left[i]?.type !== 'identifier' || right[i]?.type !== 'identifier' || left[i]!.text !== right[i]!.text) return undefined;
	}
	return left.map((n) => n!.text);
}

/** Deletes the statement's whole line(s) when it is alone there (a trailing line comment goes too), else just the statement. */
function deleteEdit(text: string, st: Node): TextEdit {
	const lineStart = text.lastIndexOf('\n', st.startIndex - 1) + 1;
	const nl = text.indexOf('\n', st.endIndex);
	const lineEnd = nl < 0 ? text.length : nl;
	const before = text.slice(lineStart, st.startIndex);
	const after = text.slice(st.endIndex, lineEnd);
	// Alone on its line, maybe with a trailing comment about the copy (`// capture tc`): the whole line.
	if (/^[ \t]*$/.test(before) && /^[ \t]*;?[ \t]*(\/\/.*)?$/.test(after)) {
		const end = nl < 0 ? { line: st.endPosition.row, character: st.endPosition.column + after.length } : { line: st.endPosition.row + 1, character: 0 };
		return { range: { start: { line: st.startPosition.row, character: 0 }, end }, newText: '' };
	}
	// `{ v := v; use(v) }` on one line: drop the statement and its `; `.
	const m = /^[ \t]*;[ \t]*/.exec(after);
	const endCol = st.endPosition.column + (m ? m[0].length : 0);
	return { range: { start: rangeOf(st).start, end: { line: st.endPosition.row, character: endCol } }, newText: '' };
}

function checkLoop(ctx: RuleContext, loop: Node, out: RuleFinding[]): void {
	const header = loopHeaderVars(loop).map((n) => n.text);
	if (!header.length) return;
	const threeClause = loop.namedChildren.some((c) => c?.type === 'for_clause');
	for (const st of blockStatements(bodyOf(loop))) {
		const names = selfCopyNames(st);
		if (!names || !names.every((n) => header.includes(n))) continue;
		// The right-hand side must read the loop's variable (not an earlier copy in the body).
		const rhs = st.childForFieldName('right')?.namedChildren ?? [];
		if (!rhs.every((r) => r && resolvesThrough(r, loop))) continue;
		// In a 3-clause loop the per-iteration variable is copied back before `post`: a body that
		// writes the copy (directly, through `&v`, or by a method that may have a pointer
		// receiver) would change the loop's own counter once the copy is gone.
		if (threeClause && names.some((n) => bodyAssigns(loop, n) || writesCopy(st, n) || mayWriteThrough(st, n))) continue;
		// Statements before the copy that read the loop variable (a closure made there) would see
		// later writes to the copy once it is gone.
		if (names.some((n) => readBefore(loop, st, n) && (writesCopy(st, n) || mayWriteThrough(st, n)))) continue;
		const list = names.map((n) => `\`${n}\``).join(', ');
		out.push({
			rule: loopvarRedundantCopy.id,
			range: rangeOf(st),
			severity: 'hint',
			tags: [1],
			message: `Redundant copy of loop variable ${list}: from Go 1.22 each iteration has its own ${list} (this file: ${ctx.goVersion.label}, from ${ctx.goVersion.source}).`,
			fixes: [{ title: `Remove the redundant copy \`${st.text}\``, edits: [deleteEdit(ctx.text, st)], isPreferred: true, safe: true }],
		});
	}
}

/**
 * True if, before the statement `copy`, the loop body keeps a way to reach the loop variable
 * `name` later: a func literal that mentions it, or `&name`. (A plain read before the copy is
 * over before the copy is written.)
 */
function readBefore(loop: Node, copy: Node, name: string): boolean {
	const body = bodyOf(loop);
	if (!body) return false;
	return descendants(body, 'identifier').some((id) => {
		if (id.text !== name || id.endIndex > copy.startIndex) return false;
		if (id.parent?.type === 'unary_expression' && id.parent.child(0)?.type === '&') return true;
		for (let n = id.parent; n && !n.equals(body); n = n.parent) if (n.type === 'func_literal') return true;
		return false;
	});
}

/**
 * True if a statement after `copy` in the same body assigns the copy named `name`, or a field or
 * element of it (`v.n = 1`: a struct value is modified in place).
 */
function writesCopy(copy: Node, name: string): boolean {
	const body = copy.parent;
	if (!body) return false;
	return descendants(body, ['assignment_statement', 'inc_statement', 'dec_statement']).some((s) => {
		if (s.startIndex < copy.endIndex) return false;
		const targets = s.type === 'assignment_statement' ? (s.childForFieldName('left')?.namedChildren ?? []) : s.namedChildren;
		return targets.some((t) => targetRoot(t)?.text === name);
	});
}

/** True if a statement after `copy` takes `&name` or calls a method on `name` (`name.M()`). */
function mayWriteThrough(copy: Node, name: string): boolean {
	const body = copy.parent;
	if (!body) return false;
	return descendants(body, 'identifier').some((id) => {
		if (id.startIndex < copy.endIndex || id.text !== name) return false;
		const p = id.parent;
		if (p?.type === 'unary_expression' && p.child(0)?.type === '&') return true;
		return p?.type === 'selector_expression' && p.childForFieldName('operand')?.equals(id) === true && p.parent?.type === 'call_expression' && p.parent.childForFieldName('function')?.equals(p) === true;
	});
}

export const loopvarRedundantCopy: Rule = {
	id: 'loopvar-redundant-copy',
	doc: {
		summary: '`v := v` of a loop variable in a go1.22+ file: every iteration already has its own `v`.',
		severity: 'hint',
		usesEscape: false,
	},
	check(ctx) {
		const minor = ctx.goVersion.minor;
		if (minor === undefined || minor < 22) return [];
		// A hint in generated code is not actionable: the generator would write the copy again.
		if (isGeneratedFile(ctx)) return [];
		const out: RuleFinding[] = [];
		for (const loop of sites(ctx, 'for_statement')) checkLoop(ctx, loop, out);
		return out;
	},
};
