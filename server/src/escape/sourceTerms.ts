/**
 * Compiler expressions told in the terms of the code the developer wrote. Pure.
 *
 * The compiler's `-m=2` text names what it works with after inlining and desugaring: result
 * parameters (`~r0`), temporaries (`.autotmp_6`), a variadic call's argument slice
 * (`fmt.a := ... argument`) and locals of inlined bodies qualified by their package
 * (`bytes.b.buf`). Each such expression is retold from what is known at its position: the source
 * line (a call `b.String()`, a statement `go func(u string)`), and the calls the compiler inlined
 * there ("inlining call to bytes.(*Buffer).String"). Without the source the words are still
 * free of those names, only less specific.
 */
import type { EscapeFact, GoPos } from '../model';
import { identifierAt, snippetAt, type Snippet } from './goSnippet';

/** What is known around a compile's facts, for telling them in source terms. */
export interface SourceLookup {
	/** The text of a 1-based line of `file`, when known. */
	line(file: string, line: number): string | undefined;
	/** The functions the compiler inlined at `pos`, outermost first, as printed (`bytes.(*Buffer).String`). */
	inlinedAt(pos: GoPos): readonly string[];
	/** Is `name` a package whose code this compile inlined? (in `bytes.b.buf`, `bytes.` qualifies inlined code) */
	isInlinedPackage(name: string): boolean;
	/**
	 * Did the compile declare function `name` (`can inline F` / `cannot inline F`): a call to it is
	 * static. Undefined when the compile printed no function at all (nothing to tell them apart by).
	 */
	isFunction(name: string): boolean | undefined;
	/** Names the file imports packages as (undefined when the file's text is not known). */
	imports(file: string): ReadonlySet<string> | undefined;
}

const NO_LINES = () => undefined;

/** A lookup over one compile's facts (its inlining decisions) and a line reader. */
export function sourceLookup(facts: readonly EscapeFact[], line: (file: string, line: number) => string | undefined = NO_LINES): SourceLookup {
	const index = inlineIndex(facts);
	const imports = new Map<string, ReadonlySet<string> | undefined>();
	return {
		line,
		inlinedAt: (pos) => index.at.get(pos.file)?.get(pos.line * 65536 + pos.column) ?? NONE,
		isInlinedPackage: (name) => index.packages.has(name),
		isFunction: (name) => (index.functions.size ? index.functions.has(name) : undefined),
		imports(file) {
			if (!imports.has(file)) imports.set(file, importNames((n) => line(file, n)));
			return imports.get(file);
		},
	};
}

const NONE: readonly string[] = Object.freeze([]);

interface InlineIndex {
	/** file → line·65536+column → functions inlined there. */
	at: Map<string, Map<number, string[]>>;
	packages: Set<string>;
	functions: Set<string>;
}

const indexes = new WeakMap<readonly EscapeFact[], InlineIndex>();

/** Built once per facts array: a package's facts are read by every explanation of it. */
function inlineIndex(facts: readonly EscapeFact[]): InlineIndex {
	let ix = indexes.get(facts);
	if (ix) return ix;
	ix = { at: new Map(), packages: new Set(), functions: new Set() };
	const heads = new Set<string>();
	for (const f of facts) {
		if (f.kind !== 'inlining') continue;
		if (f.detail === 'inlining call') {
			let inFile = ix.at.get(f.pos.file);
			if (!inFile) ix.at.set(f.pos.file, (inFile = new Map()));
			const k = f.pos.line * 65536 + f.pos.column;
			const list = inFile.get(k);
			if (list) list.push(f.subject);
			else inFile.set(k, [f.subject]);
			const head = /^([\p{L}_][\p{L}\p{N}_]*)\./u.exec(f.subject)?.[1];
			if (head) heads.add(head);
		} else ix.functions.add(f.subject);
	}
	// `T.M` is a method of a type of this package when the package declares it (`can inline T.M`);
	// `reflect.TypeFor[go.shape.string]` is another package's generic function instantiated here.
	const types = new Set<string>();
	for (const fn of ix.functions) {
		const t = receiverType(fn);
		if (t) types.add(t);
	}
	for (const h of heads) if (!types.has(h)) ix.packages.add(h);
	indexes.set(facts, ix);
	return ix;
}

/**
 * The receiver type of a method the compile declares: `(*T).M`, `(*T[…]).M`, `T.M`, `T[…].M`.
 * Undefined for other packages' code compiled here (`sync.(*HashTrieMap[…]).Load`,
 * `reflect.TypeFor[…]`: a package qualifies them) and for plain functions.
 */
function receiverType(fn: string): string | undefined {
	const parts: string[] = [];
	let depth = 0;
	let start = 0;
	for (let i = 0; i < fn.length; i++) {
		const c = fn[i];
		if (c === '[' || c === '(') depth++;
		else if (c === ']' || c === ')') depth--;
		else if (c === '.' && depth === 0) {
			parts.push(fn.slice(start, i));
			start = i + 1;
		}
	}
	parts.push(fn.slice(start));
	if (parts.length !== 2) return undefined;
	const m = /^\(?\*?([\p{L}_][\p{L}\p{N}_]*)(\[.*\])?\)?$/u.exec(parts[0]);
	// `pkg.Generic[…]`: the brackets are on the second part, so the first is a package.
	return m && !parts[1].includes('[') ? m[1] : undefined;
}

/** Package names a Go file imports, read from its import declarations (stops at the first other declaration). */
export function importNames(line: (n: number) => string | undefined): ReadonlySet<string> | undefined {
	const names = new Set<string>();
	let inBlock = false;
	for (let n = 1; n < 100_000; n++) {
		const raw = line(n);
		if (raw === undefined) return n === 1 ? undefined : names;
		const l = raw.replace(/\/\/.*$/, '').trim();
		if (!l) continue;
		if (inBlock) {
			if (l.startsWith(')')) {
				inBlock = false;
				continue;
			}
			addImport(names, l);
		} else if (/^import\s*\($/.test(l)) inBlock = true;
		else if (l.startsWith('import ')) addImport(names, l.slice(7).trim());
		else if (/^(func|type|var|const)\b/.test(l)) return names;
	}
	return names;
}

function addImport(names: Set<string>, spec: string): void {
	const m = /^(?:([\p{L}_][\p{L}\p{N}_]*|\.)\s+)?"([^"]+)"/u.exec(spec);
	if (!m) return;
	if (m[1] === '_' || m[1] === '.') return;
	if (m[1]) return void names.add(m[1]);
	// The package name is usually the last path element without a version suffix (`math/rand/v2` → rand).
	const parts = m[2].split('/');
	let last = parts[parts.length - 1];
	if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2];
	names.add(last.replace(/^go-/, '').replace(/[.-].*$/, ''));
}

// ---------------------------------------------------------------------------------------------
// Internal names

// Compiler-made names: generic dictionaries (`atomic..dict`), static temporaries (`net/http..stmp_140@184`).
const INTERNAL_DOTS = /\.\.[\p{L}_]|\.stmp_\d|@\d+\b/u;
const RESULT = /(?:[\p{L}_][\p{L}\p{N}_]*\.)?~r(\d+)/gu;
const AUTOTMP = /\.autotmp_\d+/g;
const ARGUMENT = /\.\.\. argument/g;

/** Does `text` name something the developer did not write (a result parameter, a temporary, …)? */
export function hasInternalNames(text: string, src?: SourceLookup): boolean {
	if (text.includes('~r') || text.includes('.autotmp_') || text.includes('... argument') || INTERNAL_DOTS.test(text)) return true;
	return !!src && stripInlined(text, src) !== text;
}

/** `bytes.b.buf[bytes.b.off:]` → `b.buf[b.off:]`: names of inlined bodies as their own source spells them. */
export function stripInlined(text: string, src: SourceLookup | undefined): string {
	if (!src) return text;
	return text.replace(/(?<![\p{L}\p{N}_.~])([\p{L}_][\p{L}\p{N}_]*)\.(?=~r\d|[\p{Ll}_])/gu, (m, pkg: string) => (src.isInlinedPackage(pkg) ? '' : m));
}

/** What is left when a compiler expression cannot be retold: internal names become `…`. */
export function scrub(text: string, src?: SourceLookup): string {
	return stripInlined(text, src)
		.replace(RESULT, '…')
		.replace(AUTOTMP, '…')
		.replace(ARGUMENT, '…')
		.replace(/[\p{L}\p{N}_/.]*\.\.[\p{L}\p{N}_]+(?:@\d+)?/gu, '…');
}

/** `bytes.(*Buffer).String` → `(*bytes.Buffer).String`; type arguments of shapes elided. */
export function funcName(printed: string): string {
	const short = elideTypeArgs(printed);
	const m = /^([\p{L}_][\p{L}\p{N}_]*)\.\((\*?)(.+?)\)\.(.+)$/u.exec(short);
	return m ? `(${m[2]}${m[1]}.${m[3]}).${m[4]}` : short;
}

/** `F[go.shape.struct { … [16]T … }]` → `F[…]` (brackets nest; shapes can be long). */
function elideTypeArgs(s: string): string {
	let out = '';
	let depth = 0;
	for (const c of s) {
		if (c === '[') {
			if (depth++ === 0) out += '[…]';
		} else if (c === ']') depth = Math.max(0, depth - 1);
		else if (depth === 0) out += c;
	}
	return out;
}

// ---------------------------------------------------------------------------------------------
// Source at a position

export function snippet(pos: GoPos, src: SourceLookup | undefined): Snippet | undefined {
	if (!src || pos.line < 1) return undefined;
	const text = src.line(pos.file, pos.line);
	if (text === undefined) return undefined;
	const s = snippetAt(text, pos.column);
	return s && !hasInternalNames(s.text, src) ? s : undefined;
}

/** The identifier at `pos` in the source, e.g. a parameter the compiler names `go.shape.~p0`. */
export function sourceIdentifier(pos: GoPos, src: SourceLookup | undefined): string | undefined {
	const text = src?.line(pos.file, pos.line);
	return text === undefined ? undefined : identifierAt(text, pos.column);
}

/**
 * The inlined function at `pos` an expression belongs to: the call written there (`b.WriteString`
 * → `strings.(*Builder).WriteString`) when its package qualifies the expression, else the first one
 * of the package that does (`&errors.errorString{...}` inside `fmt.Errorf` → `errors.New`).
 */
export function inlinedOwner(expr: string, pos: GoPos, src: SourceLookup | undefined): string | undefined {
	const list = src?.inlinedAt(pos) ?? NONE;
	if (!list.length) return undefined;
	const name = snippet(pos, src)?.callee?.split('.').pop();
	const direct = name ? list.find((f) => funcName(f).replace(/\[…\]/g, '').split('.').pop() === name) : undefined;
	const quals = new Set([...expr.matchAll(/(?<![\p{L}\p{N}_.])([\p{L}_][\p{L}\p{N}_]*)\.(?=~r\d|[\p{Ll}_])/gu)].map((m) => m[1]));
	const ofPkg = list.filter((f) => quals.has(/^([\p{L}_][\p{L}\p{N}_]*)\./u.exec(f)?.[1] ?? ''));
	if (direct && (!ofPkg.length || ofPkg.includes(direct))) return direct;
	return ofPkg[0] ?? direct ?? list[0];
}

/** " (inlined from `F`)" when it says more than the call as written (`b.String` vs `(*bytes.Buffer).String`). */
export function inlinedNote(owner: string | undefined, callee?: string): string {
	if (!owner) return '';
	const name = funcName(owner);
	if (callee && (callee === name || callee === owner)) return '';
	return ` (inlined from \`${name}\`)`;
}

/** The callee of the call at `pos`: as written in the source, else the inlined function there. */
export function calleeAt(pos: GoPos, src: SourceLookup | undefined): string | undefined {
	const s = snippet(pos, src);
	if (s?.callee) return s.callee;
	const owner = src?.inlinedAt(pos)[0];
	return owner ? funcName(owner) : undefined;
}

/** Noun for what an allocation expression makes (`string(…)` → "string"). */
export function nounOf(expr: string): string {
	const e = stripQualifiers(expr);
	if (/^string\(/.test(e) || /^"/.test(e) || / \+ /.test(e)) return 'string';
	if (/^(make\(\[\]|append\(|\[\][^{]*\{)/.test(e)) return 'slice';
	if (/^(make\(map\[|map\[)/.test(e)) return 'map';
	if (/^make\(chan\b/.test(e)) return 'channel';
	if (/^func literal$/.test(e)) return 'closure';
	return 'value';
}

function stripQualifiers(e: string): string {
	return e.replace(/^[\p{L}_][\p{L}\p{N}_]*\.(?=~)/u, '');
}

/**
 * An expression of the compiler at `pos`, in source terms, as inline code or words:
 * `` `buf` `` when it is what the developer wrote, else what the source has there, else the
 * compiler's text with internal names left out. `hint`: the variadic callee of the fact's chain.
 */
export function describeExpr(expr: string, pos: GoPos, src: SourceLookup | undefined, hint?: string): string {
	if (!hasInternalNames(expr, src)) return code(expr);
	const owner = inlinedOwner(expr, pos, src);
	const bare = stripInlined(expr, src);
	if (/^\.\.\. argument$/.test(bare)) return argumentList(pos, src, hint);
	if (/^~r\d+$/.test(bare)) return resultOf(pos, src, owner);
	const s = snippet(pos, src);
	// Inlined code is told as its own source spells it, with where it was inlined; other code by
	// what the developer wrote at the position.
	if (owner || !s) {
		const where = owner ? ` (in \`${funcName(owner)}\`, inlined${s?.kind === 'call' ? ` at \`${s.text}\`` : ''})` : '';
		return code(hasInternalNames(bare) ? scrub(bare, src) : bare) + where;
	}
	return code(s.text);
}

/**
 * "the argument list of `fmt.Println`": the slice a variadic call gathers its arguments in. The
 * callee is the chain's own `F(…, ... argument...)` when it shows one (`hint`: the call may be
 * inside an inlined body), else the call written at the position.
 */
export function argumentList(pos: GoPos, src: SourceLookup | undefined, hint?: string): string {
	const callee = (hint && !hasInternalNames(hint, src) ? hint : undefined) ?? calleeAt(pos, src);
	return callee ? `the argument list of \`${callee}\`` : 'the argument list of a variadic call';
}

/** "the result of `b.String()` (inlined from `(*bytes.Buffer).String`)". */
export function resultOf(pos: GoPos, src: SourceLookup | undefined, owner = src?.inlinedAt(pos)[0], noun = 'result'): string {
	const s = snippet(pos, src);
	const what = noun === 'result' ? 'the result of' : `the ${noun} returned by`;
	if (s?.kind === 'call') {
		// A function inlined inside the call written here (`errors.New` inside `fmt.Errorf(…)`).
		const inner = owner && s.callee && funcName(owner).replace(/\[…\]/g, '').split('.').pop() !== s.callee.split('.').pop();
		if (inner) return `${what} \`${funcName(owner!)}\` (inlined in \`${s.text}\`)`;
		return `${what} \`${s.text}\`` + inlinedNote(owner, s.callee);
	}
	if (owner) return `${what} the inlined call to \`${funcName(owner)}\``;
	return `${what} a call`;
}

/** The variadic callee a fact's chain shows (`fmt.Sprintf` in `fmt.Sprintf("%d", ... argument...)`). */
export function variadicCallee(texts: Iterable<string>): string | undefined {
	for (const t of texts) {
		const i = t.indexOf('... argument...)');
		if (i < 0) continue;
		let depth = 0;
		for (let j = i; j >= 0; j--) {
			if (t[j] === ')') depth++;
			else if (t[j] === '(' && depth-- === 0) {
				const m = /([\p{L}_][\p{L}\p{N}_.()*]*)$/u.exec(t.slice(0, j));
				return m ? m[1] : undefined;
			}
		}
	}
	return undefined;
}

export function code(s: string, max = 48): string {
	const t = s.length <= max ? s : s.slice(0, max - 1) + '…';
	return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}
