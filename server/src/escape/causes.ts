/**
 * Why a heap fact happened, as one of a fixed set of causes read off the compiler's flow chain,
 * and what a developer can do about it. Pure. The same cause ids are used by the diagnostics, the
 * hover, the CLI's JSON (`cause`), SARIF and the summary report; docs/escape/causes.md has one
 * section per id, and test/cli/causeAdvice.test.ts compiles each section's examples to check its
 * advice against the real compiler.
 *
 * A chain runs from the value to a location that outlives the function (the walk's root). What
 * put the value there is read from the root and the steps of the flow into it:
 *   {heap} ← … (call parameter)     passed to a call: fmt/reflect, an interface/func value, panic, append, a leaking param
 *   ~r0 ← …                         returned
 *   {storage for func literal} ← …  captured by a closure (a `go`/`defer` statement's own closure: handed to it)
 *   {storage for X} ← …             stored in another heap object (a struct, a slice, an interface box)
 */
import type { EscapeFact, Flow, FlowStep } from '../model';
import { snippet, stripInlined, type SourceLookup } from './sourceTerms';

export type CauseId =
	| 'interface-conversion'
	| 'fmt-or-reflect'
	| 'passed-to-leaking-param'
	| 'indirect-call'
	| 'captured-by-closure'
	| 'returned'
	| 'stored-through-pointer'
	| 'stored-in-slice-or-map'
	| 'sent-or-goroutine'
	| 'deferred-in-loop'
	| 'panic'
	| 'unknown-size'
	| 'too-large'
	| 'other';

export interface EscapeCause {
	id: CauseId;
	/** Short title, e.g. "converted to an interface". */
	title: string;
	/** How to keep the value on the stack, when there is a way; absent when the value must outlive the call. */
	advice?: string;
	/** True when the heap allocation is expected (the value outlives the call): nothing to fix. */
	expected?: boolean;
}

type CauseText = Omit<EscapeCause, 'id'>;

/** Titles and advice; each piece of advice is checked by compiling the examples in docs/escape/causes.md. */
export const CAUSES: Record<CauseId, CauseText> = {
	'interface-conversion': {
		title: 'converted to an interface',
		advice:
			'The value is copied into an interface box that outlives the call. Keep the concrete type where it goes: a typed field, parameter or slice instead of `any` or an interface type.',
	},
	'fmt-or-reflect': {
		title: 'passed to fmt, log or reflect',
		advice:
			'These keep their `any` arguments. On a hot path, format without them: `strconv.AppendInt` (and its siblings) into a byte slice you reuse. On error and logging paths the allocation is usually fine.',
	},
	'passed-to-leaking-param': {
		title: 'passed to a function that keeps it',
		advice:
			"The callee's parameter leaks (its `leaking param` fact). If the function is yours, make it keep a copy of the value instead of the pointer, or not keep it at all; otherwise the value has to outlive the call.",
	},
	'indirect-call': {
		title: 'passed to a call through an interface or func value',
		advice:
			'The compiler cannot see which function runs, so it assumes the argument is kept. Where the concrete type is known, call it directly (a parameter of the concrete type) so the compiler analyses the real callee.',
	},
	'captured-by-closure': {
		title: 'captured by a closure that outlives the call',
		advice:
			'For `go func() {…}()`, pass the value as an argument. Otherwise copy what the closure needs into locals of at most 128 bytes that are never reassigned nor address-taken: the compiler copies those into the closure instead of moving them to the heap.',
	},
	returned: {
		title: 'returned to the caller',
		expected: true,
		advice:
			'Expected: the caller uses it after this call. If callers only need it for a while, let them pass in the destination (`func fill(dst *T)`), so the variable can stay on the caller’s stack.',
	},
	'stored-through-pointer': {
		title: 'stored in a global or through a pointer',
		advice:
			'It is assigned to memory that outlives the call (a package variable, a field reached through a pointer, an object already on the heap). Store a copy of the value (a `T` field rather than `*T`) instead of its address.',
	},
	'stored-in-slice-or-map': {
		title: 'stored in a slice or map that outlives the call',
		advice: 'Store values rather than pointers to locals (`[]T`, `map[K]T`): the element is then a copy and the local can stay on the stack.',
	},
	'sent-or-goroutine': {
		title: 'sent on a channel or handed to a goroutine',
		expected: true,
		advice: 'Expected: another goroutine may use it after this call. When the receiver only reads it, send or pass a copy of the value instead of a pointer to a local.',
	},
	'deferred-in-loop': {
		title: 'deferred inside a loop',
		advice: 'A `defer` in a loop is allocated on the heap, with what it captures. Move the loop body into a function (a named one, or a literal called in place) so each defer runs when that call returns.',
	},
	panic: {
		title: 'passed to panic',
		expected: true,
	},
	'unknown-size': {
		title: 'size not known at compile time',
		advice:
			'Go 1.24 and older put every `make` with a non-constant size on the heap; since Go 1.25 the compiler no longer reports this cause: a `make([]T, n)` that does not escape gets a 32-byte stack buffer and calls the heap only when it needs more.',
	},
	'too-large': {
		title: 'too large for the stack',
		advice:
			'Variables over 128 KiB, and `new`, `&T{}` or constant-size `make` over 64 KiB, always go to the heap. Reuse one buffer (a field, a `sync.Pool`, a slice the caller passes in) or work in smaller pieces.',
	},
	other: {
		title: 'flows to the heap',
	},
};

export const CAUSE_IDS = Object.keys(CAUSES) as CauseId[];

/** The cause of a heap fact (moved to heap / escapes to heap), or undefined for other kinds. */
export function causeOf(fact: EscapeFact, src?: SourceLookup): EscapeCause | undefined {
	return causesOf(fact, src)[0];
}

/**
 * Every distinct cause of a heap fact, one per chain the compiler printed (a value can escape by
 * several paths), the one that decides first: a cause that makes the heap necessary (returned, a
 * goroutine, panic) comes before ones that could be fixed, since fixing those would not be enough.
 */
export function causesOf(fact: EscapeFact, src?: SourceLookup): EscapeCause[] {
	return chainCauses(fact, src).map((c) => c.cause);
}

type ChainCause = { cause: EscapeCause; chain: Flow[] };

/** One frozen object per cause: every fact with that cause shares it. */
const CAUSE_OBJECTS = Object.fromEntries(Object.entries(CAUSES).map(([id, c]) => [id, Object.freeze({ id, ...c })])) as Record<CauseId, EscapeCause>;

/** Each distinct cause with the first chain that shows it, in the order causesOf gives. */
export function chainCauses(fact: EscapeFact, src?: SourceLookup): ChainCause[] {
	if (fact.kind !== 'moved-to-heap' && fact.kind !== 'escapes-to-heap') return [];
	const out: { id: CauseId; chain: Flow[] }[] = [];
	for (const chain of chainsOf(fact)) {
		const id = classify(fact, chain, src);
		if (!out.some((c) => c.id === id)) out.push({ id, chain });
	}
	// A chain read as `other` says nothing the others do not.
	const known = out.length > 1 ? out.filter((c) => c.id !== 'other') : out;
	if (!known.length) known.push({ id: 'other', chain: [] });
	const first = known.findIndex((c) => CAUSES[c.id].expected);
	if (first > 0) known.unshift(...known.splice(first, 1));
	return known.map(({ id, chain }) => ({ cause: CAUSE_OBJECTS[id], chain }));
}

/**
 * The fact's flows cut into chains: in one chain each flow starts where the last one ended
 * (explainPath in cmd/compile's escape/solve.go); a flow that does not is the start of another
 * chain printed for the same value.
 */
export function chainsOf(fact: EscapeFact): Flow[][] {
	const chains: Flow[][] = [];
	let prev: Flow | undefined;
	for (const f of fact.flows) {
		if (!prev || f.src !== prev.dst || !f.src) chains.push([f]);
		else chains[chains.length - 1].push(f);
		prev = f;
	}
	return chains;
}

const FMT_PACKAGES = new Set(['fmt', 'log', 'slog', 'reflect', 'reflectlite', 'testing', 'json', 'xml', 'gob']);
const BUILTINS = new Set(['append', 'copy', 'panic', 'print', 'println', 'delete', 'clear', 'close', 'min', 'max', 'new', 'make', 'len', 'cap', 'complex', 'real', 'imag', 'recover']);

function classify(fact: EscapeFact, chain: Flow[], src: SourceLookup | undefined): CauseId {
	const steps = chain.flatMap((f) => f.steps);
	if (steps.some((s) => s.reason === 'too large for stack' || s.reason === 'too aligned for stack')) return 'too-large';
	if (steps.some((s) => s.reason === 'non-constant size')) return 'unknown-size';
	const root = chain[chain.length - 1].dst;
	if (/^(?:[\p{L}_][\p{L}\p{N}_]*\.)?~r\d+$/u.test(root)) return 'returned';
	const boxed = isBoxed(fact);
	// The flow into the root says what put the value there; earlier flows are moves between locals.
	for (let fi = chain.length - 1; fi >= 0; fi--) {
		const flow = chain[fi];
		for (let si = flow.steps.length - 1; si >= 0; si--) {
			const id = stepCause(fact, flow.steps[si], fi === chain.length - 1 ? root : undefined, boxed, src);
			if (id) return id;
		}
	}
	if (root === '{storage for func literal}') return 'captured-by-closure';
	// A method value (`x.M` used as a func) is a closure binding its receiver.
	if (isMethodValue(root)) return 'captured-by-closure';
	if (fact.subject === 'func literal') {
		const stmt = statementAround(fact, src);
		if (stmt === 'go') return 'sent-or-goroutine';
		if (stmt === 'defer') return 'deferred-in-loop';
	}
	return 'other';
}

function stepCause(fact: EscapeFact, step: FlowStep, root: string | undefined, boxed: boolean, src: SourceLookup | undefined): CauseId | undefined {
	const intoRoot = root !== undefined;
	switch (step.reason) {
		case 'call parameter': {
			const id = calleeCause(step, src);
			return boxed && (id === 'passed-to-leaking-param' || id === 'indirect-call' || id === 'stored-in-slice-or-map') ? 'interface-conversion' : id;
		}
		case 'send':
			return 'sent-or-goroutine';
		case 'captured by a closure':
			if (/\.autotmp_\d+/.test(step.expr)) return goOrDefer(step, fact, src) ?? 'captured-by-closure';
			return 'captured-by-closure';
		case 'return':
			return 'returned';
		case 'key of map put':
		case 'map literal key':
		case 'map literal value':
			return boxed ? 'interface-conversion' : 'stored-in-slice-or-map';
		case 'slice-literal-element':
			return intoRoot ? (boxed ? 'interface-conversion' : 'stored-in-slice-or-map') : undefined;
		case 'struct literal element':
			return intoRoot ? (boxed ? 'interface-conversion' : 'stored-through-pointer') : undefined;
		case 'assign':
		case 'assign-pair': {
			if (!intoRoot) return undefined;
			const lhs = assignTarget(step.expr);
			if (lhs === undefined || /\.autotmp_\d+/.test(lhs)) return goOrDefer(step, fact, src);
			if (/^(?:[\p{L}_][\p{L}\p{N}_]*\.)?~r\d+$/u.test(lhs)) return undefined;
			if (boxed) return 'interface-conversion';
			return /\]$/.test(lhs) ? 'stored-in-slice-or-map' : 'stored-through-pointer';
		}
		case 'interface-converted':
			// Into `{storage for x}`: the box of x holds the value (or points to it).
			if (intoRoot && /^\{storage for /.test(root)) return 'interface-conversion';
			return boxed && sameExpr(step.expr, fact.subject, src) ? 'interface-conversion' : undefined;
		default:
			// address-of, spill, dot of pointer… move the value along without deciding anything.
			return undefined;
	}
}

/** `{storage for x.M}`, `{storage for (~r0).Flush}`: the closure of a method value (reached with no step of its own). */
export function isMethodValue(location: string): boolean {
	return /^\{storage for (?:[^{}\s]+)\.[\p{L}_][\p{L}\p{N}_]*\}$/u.test(location);
}

/** The cause a call gives its argument, from the callee the compiler printed. */
function calleeCause(step: FlowStep, src: SourceLookup | undefined): CauseId {
	const callee = calleeOfCall(step.expr);
	if (!callee) return 'passed-to-leaking-param';
	if (callee === 'panic') return 'panic';
	if (callee === 'append') return 'stored-in-slice-or-map';
	if (BUILTINS.has(callee)) return 'passed-to-leaking-param';
	// Static method calls print as method expressions: `(*sync.Pool).Put(pool, x)`, `reflect.Value.String(v)`.
	const m = /^\(\*?([\p{L}_][\p{L}\p{N}_.]*)(?:\[.*\])?\)\.(.+)$/u.exec(callee);
	const path = m ? m[1] : callee;
	// Not stripped of inlined qualifiers: in `fmt.errorf(…)` the `fmt.` names the function's package.
	const parts = path.split('.');
	const pkg = parts.length > 1 ? parts[0] : undefined;
	if (pkg && isPackage(pkg, step, src)) return FMT_PACKAGES.has(pkg) ? 'fmt-or-reflect' : 'passed-to-leaking-param';
	if (m) return 'passed-to-leaking-param';
	// Without the compile's function list a static call cannot be told from a func value's.
	const known = src && (src.isFunction(callee) || src.isFunction(stripInlined(callee, src)));
	if (known !== false) return 'passed-to-leaking-param';
	// `w.Write(buf)` on an interface, `f(&t)` on a func value, `x.fn(…)` on a func field.
	return 'indirect-call';
}

function isPackage(name: string, step: FlowStep, src: SourceLookup | undefined): boolean {
	if (!src) return true;
	if (src.isInlinedPackage(name)) return true;
	if (FMT_PACKAGES.has(name)) return true;
	const imports = src.imports(step.pos.file);
	// Without the file's imports, a lower-case first name is taken for a package (a static call).
	return imports ? imports.has(name) : /^[a-z][a-z0-9]*$/.test(name);
}

/** `(*sync.Pool).Put(pool, &buf)` → `(*sync.Pool).Put`. */
export function calleeOfCall(expr: string): string | undefined {
	if (!expr.endsWith(')')) return undefined;
	let depth = 0;
	for (let i = expr.length - 1; i >= 0; i--) {
		const c = expr[i];
		if (c === ')') depth++;
		else if (c === '(') {
			depth--;
			if (depth === 0) return i > 0 ? expr.slice(0, i) : undefined;
		}
	}
	return undefined;
}

/** The left-hand side of `a = b`, `a, b := c, d` (first target), or undefined. */
function assignTarget(expr: string): string | undefined {
	const m = /^(.*?)\s(?::=|=)\s/.exec(expr);
	if (!m) return undefined;
	return m[1].split(',')[0].trim();
}

/**
 * Is the allocation an interface box? A value converted implicitly (`fmt.Println(n)`, `sink = x`)
 * is reported as `n escapes to heap`; expressions that allocate by themselves (`&T{}`, `make`,
 * `new`, closures, string building, `append`) are not boxes.
 */
function isBoxed(fact: EscapeFact): boolean {
	if (fact.kind !== 'escapes-to-heap') return false;
	const s = fact.subject;
	if (/^(&|new\(|make\(|append|func literal$|\.\.\. argument$)/.test(s)) return false;
	// String building and conversions allocate the string's bytes; slice and map literals their storage.
	if (/^(string|\[\]byte|\[\]rune)\(/.test(s) || / \+ /.test(s)) return false;
	if (/^(\[\]|map\[)/.test(s)) return false;
	// Identifiers, fields, constants, call results, struct values `T{...}`: the box is the allocation.
	return true;
}

function sameExpr(a: string, b: string, src: SourceLookup | undefined): boolean {
	return a === b || stripInlined(a, src) === stripInlined(b, src);
}

/** `go` or `defer` when the step is the statement's saving of its function and arguments. */
function goOrDefer(step: FlowStep, fact: EscapeFact, src: SourceLookup | undefined): CauseId | undefined {
	const s = snippet(step.pos, src)?.text ?? '';
	const kw = /^(go|defer)\b/.exec(s)?.[1] ?? statementAround({ ...fact, pos: step.pos }, src);
	return kw === 'go' ? 'sent-or-goroutine' : kw === 'defer' ? 'deferred-in-loop' : undefined;
}

/** `go`/`defer` when the statement at the fact's position is one (its line starts with the keyword). */
function statementAround(fact: EscapeFact, src: SourceLookup | undefined): 'go' | 'defer' | undefined {
	return statementKeywordAt(fact.pos, src);
}

/** `go`/`defer` when the line at `pos` is such a statement (`go func() {`, `defer t.report()`). */
export function statementKeywordAt(pos: { file: string; line: number }, src: SourceLookup | undefined): 'go' | 'defer' | undefined {
	const text = src?.line(pos.file, pos.line);
	const m = text === undefined ? null : /^\s*(go|defer)\b/.exec(text);
	return m ? (m[1] as 'go' | 'defer') : undefined;
}
