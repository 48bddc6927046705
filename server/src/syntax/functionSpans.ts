/**
 * The top-level functions and methods of a Go file with their line spans, read off the syntax tree:
 * which declaration a compiler fact or a finding sits in. Names are spelled as Go spells them
 * (`F`, `T.M`, `(*T).M`, `(*List[T]).Push`); a func literal belongs to the declaration it is written
 * in (the compiler calls it `F.func1`, the report counts it under `F`).
 */

/** The part of a syntax node read here (web-tree-sitter's Node and the rules' mirror both have it). */
export interface DeclNode {
	type: string;
	text: string;
	startPosition: { row: number };
	endPosition: { row: number };
	namedChildren: readonly (DeclNode | null)[];
	childForFieldName(name: string): DeclNode | null;
}

export interface FunctionSpan {
	/** `F`, `T.M`, `(*T).M`. */
	name: string;
	/** 1-based first and last line of the declaration (doc comment excluded). */
	startLine: number;
	endLine: number;
}

/** The receiver's type as Go prints it in a method name: `(*T)` or `T`, type parameters kept. */
function receiverPrefix(receiver: DeclNode | null): string {
	const param = receiver?.namedChildren.find((c) => c?.type === 'parameter_declaration');
	const type = param?.childForFieldName('type');
	if (!type) return '';
	const text = type.text.replace(/\s+/g, ' ').replace(/^\* /, '*');
	return text.startsWith('*') ? `(${text})` : text;
}

/** The spans of the file's function and method declarations, in source order. */
export function functionSpans(root: DeclNode): FunctionSpan[] {
	const out: FunctionSpan[] = [];
	for (const decl of root.namedChildren) {
		if (!decl || (decl.type !== 'function_declaration' && decl.type !== 'method_declaration')) continue;
		const name = decl.childForFieldName('name')?.text;
		if (!name) continue;
		const prefix = decl.type === 'method_declaration' ? receiverPrefix(decl.childForFieldName('receiver')) : '';
		out.push({ name: prefix ? `${prefix}.${name}` : name, startLine: decl.startPosition.row + 1, endLine: decl.endPosition.row + 1 });
	}
	return out;
}

/** The declaration holding 1-based `line`, or undefined for package-level code (var initialisers run in init). */
export function spanAt(spans: readonly FunctionSpan[], line: number): FunctionSpan | undefined {
	// Spans are in source order and do not nest: binary search on the start line.
	let lo = 0;
	let hi = spans.length - 1;
	while (lo <= hi) {
		const mid = (lo + hi) >> 1;
		if (spans[mid].startLine > line) hi = mid - 1;
		else if (spans[mid].endLine < line) lo = mid + 1;
		else return spans[mid];
	}
	return undefined;
}
