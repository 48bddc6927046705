/**
 * lock-copy-by-value refined by the package's typed results (`ctx.typed`, go vet copylocks; see
 * server/src/typed/). The syntax answer is what the file alone shows; vet type-checked the whole
 * package, so where it has looked at the same code:
 * - a syntax finding vet reports too is confirmed (kept as is);
 * - a syntax finding vet does not report is retracted, unless vet may not have compiled the file
 *   (`checked` false) or the code changed since (the declaration was edited, or a type/var/import
 *   declaration of the file was);
 * - a vet report the syntax rule missed (a type from another file or package, a field, an index
 *   expression) is added: warning, information in a _test.go file. Error stays for what the file
 *   itself shows: a type from elsewhere may hold its lock as a zero-size `[0]sync.Mutex` marker
 *   (protobuf's DoNotCopy), whose copy duplicates no lock state but breaks the type's contract.
 */
import type { Position, RuleFinding, Severity } from '../../model';
import type { Node } from '../../syntax/mirror';
import type { LocatedTypedFact, TypedView } from '../../typed/facts';
import { parseCopylocks, shortTypeName, type CopylocksReport } from '../../typed/copylocks';
import type { RuleContext } from '../types';
import { FUNCTION_DECLS } from '../scope';

const RULE = 'lock-copy-by-value';

const WHY = "a copy does not share the original's lock state, and a type that holds a lock (or a no-copy marker, like a generated protobuf message) must not be copied";

const ADVICE: Record<CopylocksReport['site'], string> = {
	passes: 'Pass a pointer instead.',
	assignment: 'Copy a pointer, or copy the fields you need.',
	loop: 'Declare a pointer in the loop header.',
	declaration: 'Copy a pointer.',
	literal: 'Store a pointer in the literal.',
	return: 'Return a pointer.',
	call: 'Pass a pointer.',
	range: 'Range over the index and take the element’s address.',
};

/** The top-level node (declaration, comment) holding `p`, if any. */
function topAt(ctx: RuleContext, p: Position): Node | undefined {
	for (const n of ctx.tree.rootNode.children) {
		const s = n.startPosition;
		const e = n.endPosition;
		if ((p.line > s.row || (p.line === s.row && p.character >= s.column)) && (p.line < e.row || (p.line === e.row && p.character < e.column))) return n;
		if (p.line < s.row) return undefined;
	}
	return undefined;
}

/** Is `p` in a declaration edited since the typed run, or is the whole file's typing in doubt? */
function editedAt(ctx: RuleContext, typed: TypedView, p: Position): boolean {
	if (typed.edited.length === 0) return false;
	const decl = topAt(ctx, p);
	return typed.edited.some((r) => {
		const top = topAt(ctx, r.start);
		// A type, var or import edited: any finding of the file may have changed.
		if (top && !FUNCTION_DECLS.has(top.type) && top.type !== 'comment') return true;
		if (!decl) return false;
		return r.end.line >= decl.startPosition.row && r.start.line <= decl.endPosition.row;
	});
}

/** The deepest named node starting exactly at `p` (the expression vet reported). */
function nodeAt(ctx: RuleContext, p: Position): Node | undefined {
	const cmp = (a: { row: number; column: number }) => a.row - p.line || a.column - p.character;
	let n: Node | undefined = topAt(ctx, p);
	let best: Node | undefined;
	while (n) {
		if (cmp(n.startPosition) === 0) best = n;
		n = n.namedChildren.find((c): c is Node => !!c && cmp(c.startPosition) <= 0 && cmp(c.endPosition) > 0);
	}
	return best;
}

/** `node` is the type of a method's receiver. */
function isReceiverType(node: Node | undefined): boolean {
	const list = node?.parent?.type === 'parameter_declaration' ? node.parent.parent : null;
	const m = list?.parent;
	return m?.type === 'method_declaration' && !!m.childForFieldName('receiver')?.equals(list!);
}

function describe(path: readonly string[]): string {
	return path.map((t) => `\`${shortTypeName(t)}\``).join(' contains ');
}

function headline(r: CopylocksReport): string {
	const s = r.subject === undefined ? '' : shortTypeName(r.subject);
	switch (r.site) {
		case 'passes':
			return s === 'func' ? 'func literal passes lock by value' : `\`${s}\` passes lock by value`;
		case 'assignment':
			return `assignment copies lock value to \`${s}\``;
		case 'loop':
			return `for loop iteration copies lock value to \`${s}\``;
		case 'declaration':
			return `variable declaration copies lock value to \`${s}\``;
		case 'literal':
			return `composite literal copies lock value from \`${s}\``;
		case 'return':
			return 'return copies lock value';
		case 'call':
			return `call of \`${s}\` copies lock value`;
		case 'range':
			return `range var \`${s}\` copies lock`;
	}
}

/** A vet report the syntax rule did not make, in the rule's wording. */
function typedFinding(ctx: RuleContext, f: LocatedTypedFact, r: CopylocksReport, node: Node | undefined): RuleFinding {
	const after = (a: Position, b: Position) => a.line > b.line || (a.line === b.line && a.character > b.character);
	const end = after(f.atEnd, f.at) ? f.atEnd : node ? { line: node.endPosition.row, character: node.endPosition.column } : f.at;
	const severity: Severity = ctx.filePath.endsWith('_test.go') ? 'information' : 'warning';
	const message = `${headline(r)}: ${describe(r.path)}; ${WHY}. ${ADVICE[r.site]} (go vet copylocks, with the package's types)`;
	const receiver = r.site === 'passes' && isReceiverType(node);
	return {
		rule: RULE,
		range: { start: f.at, end },
		severity,
		message,
		...(receiver && node?.type !== 'pointer_type'
			? { fixes: [{ title: `Use a pointer receiver (*${node!.text})`, edits: [{ range: { start: f.at, end: f.at }, newText: '*' }], isPreferred: true, safe: false }] }
			: {}),
	};
}

/**
 * The syntax findings refined by the typed results (see the file comment). `exempt` says whether
 * the rule deliberately leaves a reported copy out (a copy whose lock is reset right after).
 */
export function refineWithTyped(ctx: RuleContext, syntax: RuleFinding[], exempt: (node: Node, r: CopylocksReport) => boolean): RuleFinding[] {
	const typed = ctx.typed;
	if (!typed || !typed.analyzers.includes('copylocks')) return syntax;
	const facts = typed.facts.filter((f) => f.analyzer === 'copylocks');
	const key = (p: Position) => `${p.line}:${p.character}`;
	const byStart = new Map<string, LocatedTypedFact>();
	for (const f of facts) if (!byStart.has(key(f.at))) byStart.set(key(f.at), f);
	const matched = new Set<LocatedTypedFact>();
	const out: RuleFinding[] = [];
	for (const f of syntax) {
		const v = byStart.get(key(f.range.start));
		if (v) matched.add(v);
		// Kept when vet agrees, or when vet's silence here proves nothing.
		if (v || !typed.checked || editedAt(ctx, typed, f.range.start)) out.push(f);
	}
	for (const f of facts) {
		if (matched.has(f)) continue;
		const r = parseCopylocks(f.message);
		if (!r) continue;
		const node = nodeAt(ctx, f.at);
		if (node && exempt(node, r)) continue;
		out.push(typedFinding(ctx, f, r, node));
	}
	return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
