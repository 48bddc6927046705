/**
 * defer-in-loop (spec R14): a `defer` inside a loop that can run again before the function
 * returns. Deferred calls run when the surrounding *function* returns, not at the end of each
 * iteration, so every iteration's resource (file, lock, pooled object) is held until then; in a
 * loop that runs until it is told to stop they pile up without bound. Severity follows the
 * evidence (docs/rules/defer-in-loop.md): silent when the defer runs at most once per call (flow.ts)
 * or what it releases is meant to outlive the iteration (handoff.ts).
 */
import type { Node } from '../../syntax/mirror';
import type { RuleFinding, TextEdit } from '../../model';
import type { Rule } from '../types';
import { bodyOf, callArgs, calleeName, descendants, enclosingFunction, FUNCTION_TYPES, lineIndent, rangeOf } from '../shared/ast';
import { sites } from '../scope';
import { judgeDefer } from './deferEvidence';
import { importNames } from '../shared/handoff';

const BREAKABLE = new Set(['for_statement', 'select_statement', 'expression_switch_statement', 'type_switch_statement']);

/** Jump statements inside `root` that are not inside a nested func literal. */
function jumps(root: Node, types: string[]): Node[] {
	return descendants(root, types).filter((j) => {
		for (let n = j.parent; n && !n.equals(root); n = n.parent) if (FUNCTION_TYPES.has(n.type)) return false;
		return true;
	});
}

function innermost(j: Node, kinds: Set<string>): Node | null {
	for (let n = j.parent; n && !FUNCTION_TYPES.has(n.type); n = n.parent) if (kinds.has(n.type)) return n;
	return null;
}

/**
 * The wrap-in-a-closure fix, when it keeps the meaning: no return, goto or label, no break or
 * continue leaving the body; a `continue` of this loop becomes `return` in the closure.
 */
function wrapFix(text: string, loop: Node): TextEdit[] | undefined {
	const body = bodyOf(loop);
	if (!body || body.hasError) return undefined;
	if (jumps(body, ['return_statement', 'goto_statement', 'labeled_statement']).length > 0) return undefined;
	const rewrites: Node[] = [];
	for (const j of jumps(body, ['break_statement', 'continue_statement'])) {
		if (j.namedChild(0)) return undefined;
		const t = innermost(j, j.type === 'continue_statement' ? new Set(['for_statement']) : BREAKABLE);
		if (!t || t.equals(loop)) {
			if (j.type === 'break_statement') return undefined;
			rewrites.push(j);
		}
	}
	// Re-indenting would change multi-line raw strings.
	if (descendants(body, 'raw_string_literal').some((r) => r.text.includes('\n'))) return undefined;
	const open = body.startIndex + 1;
	const close = body.endIndex - 1;
	let inner = text.slice(open, close);
	for (const r of rewrites.sort((a, b) => b.startIndex - a.startIndex)) {
		inner = inner.slice(0, r.startIndex - open) + 'return' + inner.slice(r.endIndex - open);
	}
	const ind = lineIndent(text, loop);
	const lines = inner.replace(/^[ \t]*\n/, '').replace(/\s+$/, '').split('\n');
	const moved = lines.map((l) => (l.trim() ? `\t${l}` : l)).join('\n');
	const newText = `\n${ind}\tfunc() {\n${moved}\n${ind}\t}()\n${ind}`;
	return [{ range: { start: pos(body.startPosition, 1), end: pos(body.endPosition, -1) }, newText }];
}

function pos(p: { row: number; column: number }, delta: number) {
	return { line: p.row, character: p.column + delta };
}

/** Rule R14 `defer-in-loop`; see docs/rules/defer-in-loop.md. */
export const deferInLoop: Rule = {
	id: 'defer-in-loop',
	scopeGate: /\bdefer\b/,
	doc: { summary: 'defer inside a loop: deferred calls run when the function returns, not per iteration', severity: 'warning', usesEscape: false },
	check(ctx) {
		const out: RuleFinding[] = [];
		let names: Set<string> | undefined;
		for (const d of sites(ctx, 'defer_statement')) {
			if (!enclosingFunction(d)) continue;
			names ??= importNames(ctx.tree.rootNode);
			const j = judgeDefer(d, { imports: names, isTest: /_test\.go$/.test(ctx.filePath) });
			if (!j) continue;
			const edits = wrapFix(ctx.text, j.loop);
			out.push({
				rule: 'defer-in-loop',
				range: rangeOf(d),
				severity: j.severity,
				message: j.message,
				related: [{ range: rangeOf(j.loop.childForFieldName('body') ?? j.loop), message: j.loopNote }],
				fixes: edits ? [{ title: 'Run the loop body in a func literal so the defer runs per iteration', edits, isPreferred: true, safe: false }] : undefined,
			});
		}
		return out;
	},
};
