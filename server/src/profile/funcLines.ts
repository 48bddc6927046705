/**
 * Where each top-level function of a Go file starts and ends today, named as Go names them in a
 * profile (`Labels`, `(*T).Method`, `T.Method`; type parameters as `[...]`), so that lines
 * recorded by a profile of an older build can be checked against the current text: a profile's
 * function records the line of its `func` keyword (`start_line`), and a line of a function that
 * has moved moves with it. Pure: text in, a table out.
 */

export interface FuncSpan {
	/** 1-based line of `func`. */
	start: number;
	/** 1-based last line before the next top-level declaration (or the file's end). */
	end: number;
}

const FUNC = /^func\s*(?:\(\s*(?:[A-Za-z_]\w*\s+)?(\*?)\s*([A-Za-z_]\w*)\s*(\[[^\]]*\])?\s*\)\s*)?([A-Za-z_]\w*)/;
/** A line that starts a top-level declaration (ends the function before it). */
const TOP = /^(func|type|var|const|import)\b|^\/\/go:/;

/** The profile's name of a function declared on one line of source, or undefined. */
export function declaredName(line: string): string | undefined {
	const m = FUNC.exec(line);
	if (!m) return undefined;
	const [, star, recv, tparams, name] = m;
	if (!recv) return name;
	const r = `${recv}${tparams ? '[...]' : ''}`;
	return star ? `(*${r}).${name}` : `${r}.${name}`;
}

/** Name → span of every top-level function in `text`. */
export function funcSpans(text: string): Map<string, FuncSpan> {
	const lines = text.split('\n');
	const out = new Map<string, FuncSpan>();
	let open: FuncSpan | undefined;
	for (let i = 0; i < lines.length; i++) {
		const l = lines[i];
		if (!TOP.test(l)) continue;
		if (open) open.end = i; // 1-based: the line before this one
		open = undefined;
		const name = declaredName(l);
		if (name && !out.has(name)) out.set(name, (open = { start: i + 1, end: lines.length }));
	}
	return out;
}

/**
 * The name a profile's function has in its file's declarations: the package path dropped, a
 * closure (`F.func1`, `F.func1.2`, `F.gowrap1`) and type arguments (`F[...]`) reduced to the
 * declared function that holds it. `closure` is true when it was reduced from a closure.
 */
const CLOSURE = /^(func|gowrap|deferwrap)\d+$|^\d+$/;

export function declName(func: string): { name: string; closure: boolean } {
	const slash = func.lastIndexOf('/');
	const dot = func.indexOf('.', slash + 1);
	let rest = dot < 0 ? func : func.slice(dot + 1);
	const parts: string[] = [];
	// Split on dots outside parentheses and brackets: `(*T[...]).M.func1` → `(*T[...])`, `M`, `func1`.
	let depth = 0;
	let cur = '';
	for (const ch of rest) {
		if (ch === '(' || ch === '[') depth++;
		else if (ch === ')' || ch === ']') depth--;
		if (ch === '.' && depth === 0) {
			parts.push(cur);
			cur = '';
		} else cur += ch;
	}
	parts.push(cur);
	// `T.M` is a method of a value receiver; `F.func1`, `F.gowrap2`, `F.func1.3` are closures of F.
	const isMethod = parts.length > 1 && (parts[0].startsWith('(') || !CLOSURE.test(parts[1]));
	const keep = isMethod ? 2 : 1;
	const closure = parts.length > keep;
	rest = parts.slice(0, keep).join('.');
	return { name: isMethod ? rest : rest.replace(/\[\.\.\.\]$/, ''), closure };
}
