/**
 * What a cgo file's preamble (the comment right above `import "C"`) says about C functions: which
 * C functions it defines, and whether such a function keeps, frees or only reads a pointer
 * parameter. A reader of C text by patterns, not a C parser: anything it cannot place is
 * "unknown", and the rules treat unknown as "may keep".
 */
import type { Node } from '../../syntax/mirror';
import { importSpecs } from '../shared/ast';

/** What a callee does with a pointer argument. */
export type PointerUse = 'borrows' | 'keeps' | 'unknown';

export interface CFunction {
	params: string[];
	body: string;
}

export interface Preamble {
	/** Functions defined (with a body) in the preamble, by name. */
	functions: Map<string, CFunction>;
	/** Type names the preamble declares with `typedef`. */
	typedefs: Set<string>;
	/** Functions whose doc comment says they take ownership of an argument. */
	owning: Set<string>;
}

/** A doc comment saying a parameter's ownership moves to the function (not about its result). */
const OWNERSHIP_DOC = /\btakes? (over )?ownership\b|\bownership (of [\w\s]+ )?(is )?(passes|passed|transferred|moves?) to\b|\bwill (be )?free[ds]? (it|the|its)\b|@\w+:\s*\(transfer full\)/i;

/** C library functions that read a pointer argument during the call and never keep or free it. */
const BORROWERS = new Set(
	(
		'strlen strnlen strcmp strncmp strcasecmp strncasecmp strcoll strcpy strncpy strcat strncat strdup strndup ' +
		'memcpy memmove memcmp memset printf fprintf sprintf snprintf dprintf puts fputs fwrite write pwrite read pread ' +
		'fopen freopen open openat creat stat lstat access chdir mkdir rmdir unlink remove rename chmod chown ' +
		'opendir dlopen dlsym atoi atol atoll atof strtol strtoul strtoll strtoull strtod strtof getenv setenv ' +
		'unsetenv perror system sscanf'
	).split(' '),
);

/** cgo's own functions that copy from C memory into Go memory. */
const GO_COPIERS = new Set(['GoString', 'GoStringN', 'GoBytes']);

/** Name segments of functions that take over or keep the pointer they receive (GLib's `_take_`, `_steal_`…). */
const TAKING_SEGMENTS = new Set(['take', 'takes', 'adopt', 'adopts', 'steal', 'steals', 'own', 'owned', 'owns', 'ownership', 'transfer', 'nocopy', 'static', 'keep', 'keeps', 'retain', 'retains']);

/** C library functions that keep the pointer they are given (putenv's string, openlog's ident, a stdio buffer). */
const KEEPERS = new Set(['putenv', 'openlog', 'setbuf', 'setvbuf', 'setbuffer']);

/** A destructor passed as a value: `free`, `C.free`, `g_free`, `my_string_destroy`, `C.free_fn`. */
export const DESTRUCTOR = /free|destroy|unref|release|dispose|dealloc|finali[sz]e|cleanup/i;

const C_BUILTIN_TYPES = new Set('char schar uchar short ushort int uint long ulong longlong ulonglong float double complexfloat complexdouble size_t ssize_t uintptr_t intptr_t ptrdiff_t'.split(' '));

/** Lower-case name segments: `g_value_take_string` → g value take string; `SetNoCopy` → set no copy. */
export function nameSegments(name: string): string[] {
	return name
		.replace(/([a-z0-9])([A-Z])/g, '$1_$2')
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter(Boolean);
}

/** Does a C or Go function's name say it takes over the pointer? (`take`, `adopt`, `steal`, `nocopy`, `putenv`…) */
export function nameTakesOwnership(name: string): boolean {
	const segs = nameSegments(name);
	return KEEPERS.has(name.replace(/^C\./, '')) || segs.some((s) => TAKING_SEGMENTS.has(s)) || segs.join('').includes('nocopy');
}

/** A cgo file's C code: its own preamble, and on demand the rest of its package's (see RuleContext.cgoPackageC). */
export class CCode {
	private pkg: Preamble | null | undefined;
	constructor(
		readonly own: Preamble,
		private readonly more?: () => string,
	) {}

	private package(): Preamble | null {
		if (this.pkg === undefined) this.pkg = this.more ? parsePreambleCached(this.more()) : null;
		return this.pkg;
	}

	fn(name: string): CFunction | undefined {
		return this.own.functions.get(name) ?? this.package()?.functions.get(name);
	}

	readonly owns = (name: string): boolean => this.own.owning.has(name) || !!this.package()?.owning.has(name);

	isType(name: string): boolean {
		const pkg = this.package();
		return isCTypeName(name, this.own) || (!!pkg && pkg.typedefs.has(name));
	}
}

export function isBorrower(name: string): boolean {
	return BORROWERS.has(name) || GO_COPIERS.has(name);
}

/** `C.int`, `C.size_t`, `C.my_typedef`: a conversion, not a call. */
export function isCTypeName(name: string, preamble: Preamble): boolean {
	return C_BUILTIN_TYPES.has(name) || /_t$/.test(name) || name.startsWith('struct_') || preamble.typedefs.has(name);
}

/** The comment text right above `import "C"`, without comment markers ('' if none). */
export function preambleText(root: Node): string {
	const spec = importSpecs(root).find((s) => s.childForFieldName('path')?.text === '"C"');
	let decl: Node | null = spec ?? null;
	while (decl && decl.type !== 'import_declaration') decl = decl.parent;
	if (!decl) return '';
	const parts: string[] = [];
	let below = decl.startPosition.row;
	for (let c = decl.previousSibling; c?.type === 'comment' && c.endPosition.row >= below - 1; c = c.previousSibling) {
		parts.unshift(c.text.startsWith('//') ? c.text.slice(2) : c.text.slice(2, -2));
		below = c.startPosition.row;
	}
	return parts.join('\n');
}

/** C text with comments and string/char literals blanked (same length, newlines kept). */
/** Spaces in place of every character but newlines. */
function spaces(s: string): string {
	return s.replace(/[^\n]+/g, (m) => ' '.repeat(m.length));
}

function stripC(text: string): string {
	const out: string[] = [];
	let from = 0;
	let i = 0;
	const blank = (start: number, end: number): void => {
		out.push(text.slice(from, start), spaces(text.slice(start, end)));
		from = end;
	};
	while (i < text.length) {
		const ch = text[i];
		if (ch === '/' && text[i + 1] === '*') {
			const end = text.indexOf('*/', i + 2);
			const stop = end < 0 ? text.length : end + 2;
			blank(i, stop);
			i = stop;
		} else if (ch === '/' && text[i + 1] === '/') {
			const end = text.indexOf('\n', i);
			const stop = end < 0 ? text.length : end;
			blank(i, stop);
			i = stop;
		} else if (ch === '"' || ch === "'") {
			let k = i + 1;
			while (k < text.length && text[k] !== ch && text[k] !== '\n') k += text[k] === '\\' ? 2 : 1;
			blank(i, Math.min(k + 1, text.length));
			i = k + 1;
		} else i++;
	}
	out.push(text.slice(from));
	return out.join('');
}

/** Index of the bracket closing the one at `open` (or -1). */
function closing(text: string, open: number, o: string, c: string): number {
	let depth = 0;
	for (let i = open; i < text.length; i++) {
		if (text[i] === o) depth++;
		else if (text[i] === c && --depth === 0) return i;
	}
	return -1;
}

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else']);

const parsed = new Map<string, Preamble>();

/** parsePreamble, remembering the last few texts (a package's C code is asked for on every run). */
export function parsePreambleCached(raw: string): Preamble {
	let p = parsed.get(raw);
	if (!p) {
		if (parsed.size >= 8) parsed.delete(parsed.keys().next().value!);
		parsed.set(raw, (p = parsePreamble(raw)));
	}
	return p;
}

export function parsePreamble(raw: string): Preamble {
	const owning = new Set<string>();
	for (const m of raw.matchAll(/(\/\*[\s\S]*?\*\/|(?:\/\/[^\n]*\n[ \t]*)+)[ \t]*\n?[ \t]*(?:[\w*]+[ \t*]+)*?(\w+)[ \t]*\(/g)) {
		if (OWNERSHIP_DOC.test(m[1])) owning.add(m[2]);
	}
	const text = stripC(raw.replace(/^[ \t]*#[^\n]*(\\\n[^\n]*)*/gm, spaces));
	const functions = new Map<string, CFunction>();
	const typedefs = new Set<string>();
	for (const m of text.matchAll(/\btypedef\b[^;{]*(\{)?/g)) {
		let from = m.index! + m[0].length;
		if (m[1]) from = closing(text, m.index! + m[0].length - 1, '{', '}') + 1;
		const end = text.indexOf(';', from);
		const name = end > 0 ? /(\w+)\s*(\[[^\]]*\])?\s*$/.exec(text.slice(from, end).replace(/\)\s*\([^)]*\)\s*$/, ''))?.[1] : undefined;
		if (name) typedefs.add(name);
	}
	for (const m of text.matchAll(/\b(\w+)\s*\(([^()]*)\)\s*\{/g)) {
		if (KEYWORDS.has(m[1])) continue;
		const open = m.index! + m[0].length - 1;
		const close = closing(text, open, '{', '}');
		if (close < 0) continue;
		const params = m[2].trim() === 'void' ? [] : m[2].split(',').map((p) => /(\w+)\s*(\[[^\]]*\])?\s*$/.exec(p.trim())?.[1] ?? '');
		functions.set(m[1], { params, body: text.slice(open + 1, close) });
	}
	return { functions, typedefs, owning };
}

/** The call (callee name and argument texts) whose parentheses enclose `at` in `body`, if any. */
function enclosingCall(body: string, at: number): { callee: string; args: string[] } | undefined {
	let depth = 0;
	for (let i = at - 1; i >= 0; i--) {
		const ch = body[i];
		if (ch === ')') depth++;
		else if (ch === '(') {
			if (depth > 0) {
				depth--;
				continue;
			}
			const callee = /(\w+)\s*$/.exec(body.slice(0, i))?.[1];
			if (!callee || KEYWORDS.has(callee)) return undefined;
			const end = closing(body, i, '(', ')');
			if (end < 0) return undefined;
			const args: string[] = [];
			let level = 0;
			let start = i + 1;
			for (let k = i + 1; k < end; k++) {
				if (body[k] === '(') level++;
				else if (body[k] === ')') level--;
				else if (body[k] === ',' && level === 0) {
					args.push(body.slice(start, k).trim());
					start = k + 1;
				}
			}
			args.push(body.slice(start, end).trim());
			return { callee, args };
		} else if (ch === ';' || ch === '{' || ch === '}') return undefined;
	}
	return undefined;
}

/** What the preamble function `fn` does with its parameter `index`. */
export function paramUse(fn: CFunction, index: number, owns: (name: string) => boolean = () => false): PointerUse {
	const name = fn.params[index];
	if (!name) return 'unknown';
	let result: PointerUse = 'borrows';
	const re = new RegExp(`\\b${name}\\b`, 'g');
	for (const m of fn.body.matchAll(re)) {
		const at = m.index!;
		const before = fn.body.slice(0, at).replace(/(\(\s*(const\s+)?\w+(\s+\w+)*\s*\**\s*\)\s*)+$/, '').trimEnd();
		const after = fn.body.slice(at + name.length).trimStart();
		if (/\breturn$/.test(before)) return 'keeps';
		// Stored: `x = p`, `s->f = p`, `T *q = p` (an alias is treated as a hand-off).
		if (/[^=!<>]=$/.test(before) || /^=$/.test(before)) return 'keeps';
		if (/^=[^=]/.test(after)) continue; // p itself reassigned
		const call = enclosingCall(fn.body, at);
		if (!call) continue; // read: *p, p[i], p == NULL
		if (/free/i.test(call.callee) || nameTakesOwnership(call.callee) || owns(call.callee)) return 'keeps';
		if (call.args.some((a) => !new RegExp(`\\b${name}\\b`).test(a) && DESTRUCTOR.test(a))) return 'keeps';
		if (!isBorrower(call.callee)) result = 'unknown';
	}
	return result;
}
