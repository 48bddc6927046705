/**
 * A decoded allocation profile attributed to the workspace's source lines as they are today, and
 * joined with the compiler's escape facts on those lines. Pure: the profile, a path mapper and the
 * current source text come in; per-line costs come out.
 *
 * Three sums per line, each counted once per sample:
 * - flat: samples whose leaf frame is this line (the allocation happened right here);
 * - own: samples whose innermost workspace frame is this line: allocated here, or inside a call
 *   from here into another package (fmt, strconv, a dependency) that did not come back into the
 *   workspace. This is what the editor and the CLI rank by: the line in your code that asked.
 * - cum: samples with this line anywhere on the stack.
 * Samples with no workspace frame at all (the testing package, the runtime's own) are counted in
 * `outside`; frames in workspace files whose function or line is not where the profile says (a
 * profile of an older version of the code) are reported in `stale`, never placed on a wrong line.
 * Lines move with their function: a profile records each function's `func` line, so a function
 * that moved down by 6 lines has its lines moved by 6 (its body edited inside is not detectable).
 */
import type { EscapeFact } from '../model';
import { valueIndexes, type DecodedProfile, type Frame, type SampleType } from './decode';
import { declName, funcSpans, type FuncSpan } from './funcLines';
import { packageOfFunc, type SourceMapper } from './map';

export interface Cost {
	/** The chosen sample type's value (bytes or objects). */
	value: number;
	/** Bytes and objects of the same family (alloc or inuse); 0 when the profile lacks one. */
	bytes: number;
	objects: number;
}

export interface LineCost {
	/** The workspace file (OS path), and the 1-based line in its current text. */
	file: string;
	line: number;
	/** The line the profile recorded (differs from `line` when the function has moved since). */
	profileLine: number;
	/** Go's name of the function, e.g. `example.com/m/pkg.(*T).Method`. */
	func: string;
	flat: Cost;
	own: Cost;
	cum: Cost;
	/** Where `own` was allocated when not on this line itself: leaf frames in other packages, costliest first (at most 3). */
	callees: { func: string; file: string; line: number; value: number }[];
}

export interface StaleLine {
	/** The workspace file the frame maps to (OS path). */
	file: string;
	profileLine: number;
	func: string;
	reason: string;
	/** Chosen sample type, summed over the samples that had this frame. */
	value: number;
}

export interface ProfileJoin {
	sampleType: SampleType;
	/** `bytes` or `count`. */
	unit: string;
	total: Cost;
	samples: number;
	/** Workspace lines with any cost, by `own` then `cum`, costliest first. */
	lines: LineCost[];
	/** Samples with no workspace frame. */
	outside: { samples: number; value: number };
	/** Samples whose only workspace frames no longer match the current source, and those frames. */
	stale: { samples: number; value: number; lines: StaleLine[] };
	/** Samples naming a location the profile does not define (a malformed profile). */
	brokenSamples: number;
}

export interface JoinOptions {
	sampleType: SampleType;
	mapper: SourceMapper;
	/** The current text of a workspace file (an open buffer or the disk), undefined when unreadable. */
	sourceOf(file: string): string | undefined;
}

type Resolved = { kind: 'line'; id: number } | { kind: 'stale'; id: number } | { kind: 'outside' };

const MAX_CALLEES = 3;

export function joinProfile(p: DecodedProfile, opts: JoinOptions): ProfileJoin {
	const ix = valueIndexes(p, opts.sampleType);
	const spans = new Map<string, { spans: Map<string, FuncSpan>; lines: number } | undefined>();
	const spansOf = (file: string) => {
		if (!spans.has(file)) {
			const text = opts.sourceOf(file);
			spans.set(file, text === undefined ? undefined : { spans: funcSpans(text), lines: text.split('\n').length });
		}
		return spans.get(file);
	};
	// A closure's lines move with the declared function around it: package + declared name → its recorded start.
	const starts = new Map<string, number>();
	const declOf = declCache();
	for (const f of p.frames) {
		const d = declOf(f.func);
		if (f.startLine > 0 && !d.closure) starts.set(`${d.pkg}\u0000${d.name}`, f.startLine);
	}

	const lineKeys = new Map<string, number>();
	const lineInfo: { file: string; line: number; profileLine: number; func: string }[] = [];
	const staleKeys = new Map<string, number>();
	const staleInfo: Omit<StaleLine, 'value'>[] = [];
	const resolved: (Resolved | undefined)[] = new Array(p.frames.length);

	const resolve = (fi: number): Resolved => {
		let r = resolved[fi];
		if (r) return r;
		const fr = p.frames[fi];
		const m = opts.mapper.map(fr.file, fr.func);
		if (m.where !== 'workspace') r = { kind: 'outside' };
		else {
			const at = placeLine(fr, declOf(fr.func), m.file, spansOf(m.file), starts);
			if (typeof at === 'number') {
				const key = `${m.file}\u0000${at}`;
				let id = lineKeys.get(key);
				if (id === undefined) {
					lineKeys.set(key, (id = lineInfo.length));
					lineInfo.push({ file: m.file, line: at, profileLine: fr.line, func: fr.func });
				}
				r = { kind: 'line', id };
			} else {
				const key = `${m.file}\u0000${fr.line}\u0000${fr.func}`;
				let id = staleKeys.get(key);
				if (id === undefined) {
					staleKeys.set(key, (id = staleInfo.length));
					staleInfo.push({ file: m.file, profileLine: fr.line, func: fr.func, reason: at.reason });
				}
				r = { kind: 'stale', id };
			}
		}
		resolved[fi] = r;
		return r;
	};

	// Every frame resolved once, up front: the sample loop below reads typed arrays only.
	const lineOf = new Int32Array(p.frames.length).fill(-1);
	const staleOf = new Int32Array(p.frames.length).fill(-1);
	for (let f = 0; f < p.frames.length; f++) {
		const r = resolve(f);
		if (r.kind === 'line') lineOf[f] = r.id;
		else if (r.kind === 'stale') staleOf[f] = r.id;
	}
	// Sums per line: [value, bytes, objects] × (flat, own, cum).
	const sums = new Float64Array(Math.max(1, lineInfo.length) * 9);
	const seen = new Int32Array(lineInfo.length);
	const staleSums = new Float64Array(staleInfo.length);
	const callees = new Map<number, Map<number, number>>();
	const total = { value: 0, bytes: 0, objects: 0 };
	const outside = { samples: 0, value: 0 };
	const stale = { samples: 0, value: 0 };

	let stamp = 0;
	const counts = p.readSamples((stack, depth, vals) => {
		stamp++;
		const value = vals[ix.value];
		const bytes = ix.bytes >= 0 ? vals[ix.bytes] : 0;
		const objects = ix.objects >= 0 ? vals[ix.objects] : 0;
		total.value += value;
		total.bytes += bytes;
		total.objects += objects;
		let own = -1;
		let staleSeen = false;
		for (let i = 0; i < depth; i++) {
			const frame = stack[i];
			const id = lineOf[frame];
			if (id < 0) {
				const st = staleOf[frame];
				if (st >= 0 && !staleSeen) {
					staleSums[st] += value;
					staleSeen = true;
				}
				continue;
			}
			const o = id * 9;
			if (seen[id] !== stamp) {
				seen[id] = stamp;
				addCost(sums, o + 6, value, bytes, objects);
			}
			if (i === 0) addCost(sums, o, value, bytes, objects);
			if (own < 0) {
				own = id;
				addCost(sums, o + 3, value, bytes, objects);
				if (i > 0) {
					let m = callees.get(id);
					if (!m) callees.set(id, (m = new Map()));
					m.set(stack[0], (m.get(stack[0]) ?? 0) + value);
				}
			}
		}
		if (own >= 0) return;
		if (staleSeen) {
			stale.samples++;
			stale.value += value;
		} else {
			outside.samples++;
			outside.value += value;
		}
	});

	const cost = (o: number): Cost => ({ value: sums[o], bytes: sums[o + 1], objects: sums[o + 2] });
	const lines: LineCost[] = lineInfo.map((info, id) => ({
		...info,
		flat: cost(id * 9),
		own: cost(id * 9 + 3),
		cum: cost(id * 9 + 6),
		callees: [...(callees.get(id) ?? [])]
			.sort((a, b) => b[1] - a[1])
			.slice(0, MAX_CALLEES)
			.map(([fi, value]) => ({ func: p.frames[fi].func, file: p.frames[fi].file, line: p.frames[fi].line, value })),
	}));
	lines.sort((a, b) => b.own.value - a.own.value || b.cum.value - a.cum.value || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
	const staleLines = staleInfo.map((x, id) => ({ ...x, value: staleSums[id] })).sort((a, b) => b.value - a.value);
	return {
		sampleType: opts.sampleType,
		unit: ix.unit,
		total,
		samples: counts.samples,
		lines: lines.filter((l) => l.cum.value > 0 || l.cum.objects > 0 || l.cum.bytes > 0),
		outside,
		stale: { ...stale, lines: staleLines },
		brokenSamples: counts.brokenLocations,
	};
}

function addCost(sums: Float64Array, o: number, value: number, bytes: number, objects: number): void {
	sums[o] += value;
	sums[o + 1] += bytes;
	sums[o + 2] += objects;
}

type Decl = ReturnType<typeof declName> & { pkg: string };

/** declName and packageOfFunc of a function name, once per name (a function has many frames). */
function declCache(): (func: string) => Decl {
	const memo = new Map<string, Decl>();
	return (func) => {
		let d = memo.get(func);
		if (!d) memo.set(func, (d = { ...declName(func), pkg: packageOfFunc(func) }));
		return d;
	};
}

/** The frame's line in today's text, or why it has none. */
function placeLine(fr: Frame, decl: Decl, file: string, src: { spans: Map<string, FuncSpan>; lines: number } | undefined, starts: Map<string, number>): number | { reason: string } {
	const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
	if (!src) return { reason: `${base} is not in the workspace any more` };
	const { name, closure } = decl;
	const span = src.spans.get(name);
	if (!span) return { reason: `${name} is not declared in ${base} any more` };
	// The recorded start of the declared function (a closure's own start is its literal's line).
	const recorded = closure ? starts.get(`${decl.pkg}\u0000${name}`) : fr.startLine || undefined;
	const line = fr.line + (recorded ? span.start - recorded : 0);
	if (line < span.start || line > span.end || line > src.lines) return { reason: `line ${fr.line} of ${name} is not in ${name} today (${base}:${span.start}-${span.end})` };
	return line;
}

/** One compiler fact with the cost measured on its line (undefined: the profile saw nothing allocated there). */
export interface FactCost {
	fact: EscapeFact;
	cost: LineCost | undefined;
	/** `own` share of the profile's total, 0..1. */
	share: number;
}

/** The cost of each fact's line. Several facts on one line share that line's cost (a profile has lines, not expressions). */
export function factCosts(join: ProfileJoin, facts: readonly EscapeFact[]): FactCost[] {
	const byLine = lineIndex(join);
	return facts.map((fact) => {
		const cost = byLine.get(`${fact.pos.file}\u0000${fact.pos.line}`);
		return { fact, cost, share: cost && join.total.value > 0 ? cost.own.value / join.total.value : 0 };
	});
}

/** file + NUL + line → its cost. */
export function lineIndex(join: ProfileJoin): Map<string, LineCost> {
	return new Map(join.lines.map((l) => [`${l.file}\u0000${l.line}`, l]));
}
