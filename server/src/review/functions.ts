/**
 * Pure: which top-level function or method each line of a Go file belongs to, named as the
 * compiler names them (`Encode`, `(*Encoder).Encode`, `Encoder.Reset`; type parameters left out,
 * so `(*List[T]).Push` is `(*List).Push`). A closure belongs to the declaration around it: its
 * `.func1` number would change whenever a closure is added above it. Lines outside any function
 * (package-level `var` initialisers) belong to '' (package scope).
 */
import type { Node } from '../syntax/goParser';

export interface FunctionSpan {
	name: string;
	/** 1-based, inclusive. */
	startLine: number;
	endLine: number;
}

/** The receiver's base type name, with `*` when it is a pointer (`*T`, `T`). */
function receiverType(method: Node): string {
	const param = method.childForFieldName('receiver')?.namedChildren.find((c) => c?.type === 'parameter_declaration');
	let t = param?.childForFieldName('type') ?? null;
	let star = '';
	while (t && (t.type === 'pointer_type' || t.type === 'parenthesized_type')) {
		if (t.type === 'pointer_type') star = '*';
		t = t.namedChildren.find((c) => !!c) ?? null;
	}
	if (t?.type === 'generic_type') t = t.childForFieldName('type');
	return `${star}${t?.text ?? '?'}`;
}

/** The compiler's name of a declaration: `F`, `T.M`, `(*T).M`. */
export function declarationName(decl: Node): string {
	const name = decl.childForFieldName('name')?.text ?? '?';
	if (decl.type !== 'method_declaration') return name;
	const recv = receiverType(decl);
	return recv.startsWith('*') ? `(${recv}).${name}` : `${recv}.${name}`;
}

/** The top-level functions and methods of a parsed file. */
export function functionSpans(root: Node): FunctionSpan[] {
	const out: FunctionSpan[] = [];
	for (const d of root.namedChildren) {
		if (d?.type !== 'function_declaration' && d?.type !== 'method_declaration') continue;
		out.push({ name: declarationName(d), startLine: d.startPosition.row + 1, endLine: d.endPosition.row + 1 });
	}
	return out;
}

/** The function holding `line` (1-based), or '' at package scope. Spans are in file order. */
export function functionAt(spans: readonly FunctionSpan[], line: number): string {
	let lo = 0;
	let hi = spans.length - 1;
	while (lo <= hi) {
		const mid = (lo + hi) >> 1;
		const s = spans[mid];
		if (line < s.startLine) hi = mid - 1;
		else if (line > s.endLine) lo = mid + 1;
		else return s.name;
	}
	return '';
}
