/**
 * The Go source text at a compiler position, read off one line. Pure, no parser: the compiler
 * points at a call's `(`, a binary expression's operator, an operand's first character or a
 * statement's keyword, and that is enough to cut out what the developer wrote there
 * (`b.String()`, `"Basic "+basicAuth(u, p)`, `return b.String()`).
 *
 * Lines only: an expression that continues on the next line is cut at the end of its line and
 * shown with `…`.
 */
import { byteToUtf16 } from '../util/positions';

export type SnippetKind = 'call' | 'binary' | 'operand' | 'statement';

export interface Snippet {
	text: string;
	kind: SnippetKind;
	/** For calls: what is called, as written (`b.String`, `fmt.Println`). */
	callee?: string;
}

const MAX = 48;
const IDENT = /[\p{L}\p{N}_]/u;
const STATEMENT = /^(return|go|defer|for|if|switch|select|case|var|const)\b/;
const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSE: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** The source at a 1-based byte column of `line`, or undefined when nothing sensible is there. */
export function snippetAt(line: string, byteColumn: number): Snippet | undefined {
	if (byteColumn < 1) return undefined;
	const i = byteToUtf16(line, byteColumn - 1);
	if (i >= line.length) return undefined;
	const rest = line.slice(i);
	const st = STATEMENT.exec(rest);
	if (st) return { text: clip(rest.trim().replace(/\s*\{$/, ''), MAX), kind: 'statement' };
	const c = line[i];
	// The compiler puts `x, ok := …` / `a = b` at the operator: the statement is what was written.
	if (/^(:=|=[^=])/.test(rest)) return { text: clip(line.trim().replace(/\s*\{$/, ''), MAX), kind: 'statement' };
	if (c === '(') {
		const start = backOperand(line, i);
		if (start === i) return undefined;
		const callee = line.slice(start, i);
		const end = forwardGroup(line, i);
		const args = end < 0 ? undefined : line.slice(i, end + 1);
		const text = args && callee.length + args.length <= MAX ? callee + args : `${callee}(…)`;
		return { text, kind: 'call', callee };
	}
	if (isOperatorStart(line, i)) {
		const opLen = /^(&&|\|\||<<|>>|&\^|==|!=|<=|>=|[-+*/%&|^<>])/.exec(rest)?.[0].length ?? 1;
		let l = i;
		while (l > 0 && line[l - 1] === ' ') l--;
		const start = backOperand(line, l);
		let r = i + opLen;
		while (r < line.length && line[r] === ' ') r++;
		const end = forwardOperand(line, r);
		if (start === l || end === r) return undefined;
		return { text: clip(line.slice(start, end), MAX), kind: 'binary' };
	}
	const end = forwardOperand(line, i);
	if (end === i) return undefined;
	return { text: clip(line.slice(i, end), MAX), kind: 'operand' };
}

/** The identifier (or `~p0`-like name) at a 1-based byte column, e.g. a parameter's name. */
export function identifierAt(line: string, byteColumn: number): string | undefined {
	const i = byteToUtf16(line, Math.max(0, byteColumn - 1));
	let j = i;
	while (j < line.length && IDENT.test(line[j])) j++;
	return j > i ? line.slice(i, j) : undefined;
}

/** An operator of a binary expression: something that ends an operand stands before it. */
function isOperatorStart(line: string, i: number): boolean {
	if (!/[-+*/%&|^<>=!]/.test(line[i])) return false;
	let l = i - 1;
	while (l >= 0 && line[l] === ' ') l--;
	return l >= 0 && (IDENT.test(line[l]) || /[)\]}"'`]/.test(line[l]));
}

/** Start of the operand that ends just before `end` (identifiers, selectors, calls, index, literals). */
function backOperand(line: string, end: number): number {
	let i = end;
	for (;;) {
		const c = line[i - 1];
		if (c === undefined) return i;
		if (IDENT.test(c) || c === '.') {
			i--;
			continue;
		}
		if (CLOSE[c]) {
			const open = backGroup(line, i - 1);
			if (open < 0) return i;
			i = open;
			continue;
		}
		if (c === '"' || c === '`' || c === "'") {
			const q = line.lastIndexOf(c, i - 2);
			if (q < 0) return i;
			i = q;
			continue;
		}
		// A unary operator right before an operand belongs to it (`&T{}`), unless it is binary.
		if ((c === '&' || c === '*') && i < end && !endsOperand(line, i - 2)) i--;
		return i;
	}
}

function endsOperand(line: string, j: number): boolean {
	while (j >= 0 && line[j] === ' ') j--;
	return j >= 0 && (IDENT.test(line[j]) || /[)\]}"'`]/.test(line[j]));
}

/** End (exclusive) of the operand starting at `start`; `start` when there is none. */
function forwardOperand(line: string, start: number): number {
	let i = start;
	while (i < line.length && /[&*!^-]/.test(line[i]) && !(line[i] === '-' && line[i + 1] === '-')) i++;
	if (line.startsWith('<-', i)) i += 2;
	const c = line[i];
	if (c === undefined) return start;
	if (c === '"' || c === "'" || c === '`') {
		const e = closeQuote(line, i);
		if (e < 0) return line.length;
		i = e + 1;
	} else if (c === '(' || c === '[') {
		// `(x)` or a type like `[]byte(s)`, `map[K]V{...}`.
		const e = forwardGroup(line, i);
		if (e < 0) return line.length;
		i = e + 1;
		while (IDENT.test(line[i] ?? '') || line[i] === '.' || line[i] === '*' || line[i] === '[') {
			if (line[i] === '[') {
				const g = forwardGroup(line, i);
				if (g < 0) return line.length;
				i = g + 1;
			} else i++;
		}
	} else if (IDENT.test(c)) {
		while (i < line.length && IDENT.test(line[i])) i++;
	} else return start;
	// Postfix: selectors, calls, index/slice, composite literal bodies (no space before `{`).
	for (;;) {
		const d = line[i];
		if (d === '.' && IDENT.test(line[i + 1] ?? '')) {
			i++;
			while (i < line.length && IDENT.test(line[i])) i++;
		} else if (d === '(' || d === '[' || d === '{') {
			const e = forwardGroup(line, i);
			if (e < 0) return line.length;
			i = e + 1;
		} else return i;
	}
}

/** Index of the bracket closing the one at `open`, skipping string and rune literals; -1 when not on this line. */
function forwardGroup(line: string, open: number): number {
	const stack: string[] = [];
	for (let i = open; i < line.length; i++) {
		const c = line[i];
		if (c === '"' || c === "'" || c === '`') {
			const e = closeQuote(line, i);
			if (e < 0) return -1;
			i = e;
		} else if (OPEN[c]) stack.push(OPEN[c]);
		else if (CLOSE[c]) {
			if (stack.pop() !== c) return -1;
			if (stack.length === 0) return i;
		}
	}
	return -1;
}

/** Index of the bracket opening the one closing at `close`; -1 when not on this line. */
function backGroup(line: string, close: number): number {
	let depth = 0;
	for (let i = close; i >= 0; i--) {
		const c = line[i];
		if (c === '"' || c === '`') {
			const q = line.lastIndexOf(c, i - 1);
			if (q < 0) return -1;
			i = q;
		} else if (CLOSE[c]) depth++;
		else if (OPEN[c] && --depth === 0) return i;
	}
	return -1;
}

function closeQuote(line: string, open: number): number {
	const q = line[open];
	for (let i = open + 1; i < line.length; i++) {
		if (line[i] === '\\' && q !== '`') i++;
		else if (line[i] === q) return i;
	}
	return -1;
}

function clip(s: string, max: number): string {
	return s.length <= max ? s : s.slice(0, max - 1) + '…';
}
