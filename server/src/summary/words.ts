/** Phrases shared by the text, Markdown and HTML renderers of the summary (pure). */
import type { Severity } from '../model';
import type { CauseCount, CauseSummary, SiteRef, SummaryModel } from './types';

export function plural(n: number, one: string, many = `${one}s`): string {
	return `${n} ${n === 1 ? one : many}`;
}

/** `3 moved to heap, 9 escape to heap` (the compiler's own two words for a heap allocation). */
export function heapSplit(moved: number, escapes: number): string {
	return `${moved} moved to heap, ${escapes} ${escapes === 1 ? 'escapes' : 'escape'} to heap`;
}

/** `1 error, 4 warning, 1 hint` (non-zero ones). */
export function severityCounts(by: Record<Severity, number>): string {
	return (['error', 'warning', 'information', 'hint'] as const)
		.filter((s) => by[s] > 0)
		.map((s) => `${by[s]} ${s}`)
		.join(', ');
}

/** The report's first line: tool, Go, what was analysed. */
export function heading(m: SummaryModel): string {
	const parts = [m.meta.tool, m.meta.goVersion, m.meta.paths.join(' '), m.meta.shard ? `shard ${m.meta.shard}` : undefined].filter(Boolean);
	return `Go MemLens report: ${parts.join(' · ')}`;
}

/** One line of totals. */
export function totalsLine(m: SummaryModel): string {
	const t = m.totals;
	const sev = severityCounts(t.bySeverity);
	return (
		`${plural(t.packages, 'package')} (${t.compiled} with compiler facts), ${plural(t.files, 'file')}: ` +
		`${plural(t.heap, 'heap allocation site')} (${heapSplit(t.moved, t.escapes)}), ` +
		`${plural(t.findings, 'rule finding')}${sev ? ` (${sev})` : ''}`
	);
}

/** What the counts are: static sites the compiler decided, not run-time allocations. */
export const COUNTS_NOTE =
	'Counts are allocation sites the Go compiler reported (-gcflags=-m=2: "moved to heap", "escapes to heap"), not allocations measured at run time; a site in a loop or a hot path weighs more than one that runs once.';

/** `interface-conversion 6, returned 3`, with titles from the model's causes. */
export function causeList(counts: CauseCount[], causes: CauseSummary[], limit = 4): string {
	const title = new Map(causes.map((c) => [c.id, c.title]));
	const shown = counts.slice(0, limit).map((c) => `${title.get(c.id) ?? c.id} ${c.count}`);
	if (counts.length > limit) shown.push(`${counts.length - limit} more`);
	return shown.join(', ');
}

/** `file:line:col message (in F)`. */
export function siteText(s: SiteRef): string {
	return `${s.file}:${s.line}:${s.column} ${s.message}${s.func ? ` (in ${s.func})` : ''}`;
}

/** A package's name in a table; `(inlined only)` when it was not analysed itself. */
export function packageLabel(p: { id: string; inlinedOnly: boolean }): string {
	return p.inlinedOnly ? `${p.id} (inlined only)` : p.id;
}

export const INLINED_NOTE =
	'(inlined only): not one of the analysed packages; its sites are bodies the compiler inlined into the analysed packages and printed at this package\'s files.';
