/**
 * Which of our diagnostics another tool already shows: one table of equivalences, and the matching.
 * Pure (no `vscode` import): unit-tested on what the real gopls published
 * (test/e2e/fixtures/other-source/, captured by its capture.ts).
 *
 * What gopls v0.23 publishes (its source, and observed on examples/ with Go 1.26):
 * - an analyzer's finding: `source` = the analyzer (`copylocks`, `loopclosure`, with
 *   `"staticcheck": true` a check such as `SA6002`), `code` = its category or `default`,
 *   codeDescription = its documentation page, severity warning, the analyzer's range: the copied
 *   expression (`*c`), the captured variable (`l`), the Put argument (`buf`), the same ranges as ours;
 * - with "compiler optimization details" on (the `gopls.gc_details` toggle): `source` =
 *   `optimizer details`, no code, the message `<logopt code>(<message>)` (`escapes(buf escapes to
 *   heap)` for what `-m` prints as `moved to heap: buf`, `escape(new([64]byte) escapes to heap)`,
 *   `canInlineFunction(cost: 12)`), a zero-width range at the compiler's position (its column
 *   counted in bytes, not UTF-16), inside our subject's range. No `leak(…)`: gopls's annotation
 *   filter compares the formatted `leak(…)` with `leak`, so it never passes.
 */

/** The parts of a diagnostic the matching reads (vscode.Diagnostic and LSP diagnostics both fit). */
export interface DiagnosticLike {
	source?: string;
	code?: string | number | { value: string | number };
	message: string | { value: string };
	range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

export interface SameProblem {
	/** Our diagnostic codes: rule ids and compiler fact kinds. */
	ours: readonly string[];
	/** The other tool's `source`. */
	source: string;
	/** For a source that reports several kinds of thing: the message shapes that are this problem. */
	message?: RegExp;
	/** Who publishes it, for the docs. */
	from: string;
}

/** The one table: our codes, and which other tools' diagnostics report the same problem. */
export const SAME_PROBLEMS: readonly SameProblem[] = [
	{ ours: ['lock-copy-by-value'], source: 'copylocks', from: 'gopls (and go vet) analyzer copylocks' },
	{ ours: ['loopvar-capture'], source: 'loopclosure', from: 'gopls (and go vet) analyzer loopclosure, files before Go 1.22' },
	{ ours: ['pool-put-non-pointer'], source: 'SA6002', from: 'staticcheck SA6002, in gopls with "staticcheck": true' },
	{
		ours: ['moved-to-heap', 'escapes-to-heap'],
		source: 'optimizer details',
		// The compiler logs `moved to heap: x` as `escapes` and `x escapes to heap` as `escape`.
		message: /^escapes?\(.+ escapes to heap\)$/,
		from: 'gopls compiler optimization details (escape)',
	},
	{
		ours: ['inlining'],
		source: 'optimizer details',
		message: /^(canInlineFunction|cannotInlineFunction|inlineCall|cannotInlineCall)\(/,
		from: 'gopls compiler optimization details (inline)',
	},
];

/** Our diagnostics' `source`. */
export const OUR_SOURCE = 'memlens';

function codeOf(d: DiagnosticLike): string {
	const c = d.code;
	return typeof c === 'object' && c !== null ? String(c.value) : String(c ?? '');
}

const SOURCES = new Set(SAME_PROBLEMS.map((p) => p.source));
const byCode = new Map<string, SameProblem[]>();
for (const p of SAME_PROBLEMS) for (const c of p.ours) byCode.set(c, [...(byCode.get(c) ?? []), p]);

/**
 * The same place: both start on the same line and the ranges meet there. The other tool's range
 * may be the compiler's bare position (zero width) or the whole expression where ours is the
 * subject; a range that merely touches ours at its end does not count.
 */
export function samePlace(a: DiagnosticLike['range'], b: DiagnosticLike['range']): boolean {
	if (a.start.line !== b.start.line) return false;
	// Each range as an interval of its first line.
	const span = (r: DiagnosticLike['range']): [number, number] => [r.start.character, r.end.line > r.start.line ? Infinity : r.end.character];
	const [as, ae] = span(a);
	const [bs, be] = span(b);
	const inside = (p: number, s: number, e: number) => p === s || (s <= p && p < e);
	if (as === ae) return inside(as, bs, be);
	if (bs === be) return inside(bs, as, ae);
	return Math.max(as, bs) < Math.min(ae, be);
}

/** Does `other` (another tool's diagnostic) report the problem of `ours`? */
export function sameProblem(ours: DiagnosticLike, other: DiagnosticLike): boolean {
	if (other.source === OUR_SOURCE || !other.source) return false;
	const kinds = byCode.get(codeOf(ours));
	const text = typeof other.message === 'string' ? other.message : other.message.value;
	if (!kinds?.some((k) => k.source === other.source && (!k.message || k.message.test(text)))) return false;
	return samePlace(ours.range, other.range);
}

/**
 * Splits our diagnostics of one document into those to show and those another tool already shows
 * (each with the other tool's diagnostic, for the merged hover).
 */
export function splitDuplicates<T extends DiagnosticLike, O extends DiagnosticLike>(ours: readonly T[], others: readonly O[]): { keep: T[]; dropped: { ours: T; other: O }[] } {
	// Only the sources in the table, by line (gopls's optimization details are thousands in a big file).
	const byLine = new Map<number, O[]>();
	for (const o of others) {
		if (o.source === OUR_SOURCE || !SOURCES.has(o.source ?? '')) continue;
		const line = byLine.get(o.range.start.line);
		if (line) line.push(o);
		else byLine.set(o.range.start.line, [o]);
	}
	if (byLine.size === 0) return { keep: [...ours], dropped: [] };
	const keep: T[] = [];
	const dropped: { ours: T; other: O }[] = [];
	for (const d of ours) {
		const other = byLine.get(d.range.start.line)?.find((o) => sameProblem(d, o));
		if (other) dropped.push({ ours: d, other });
		else keep.push(d);
	}
	return { keep, dropped };
}
