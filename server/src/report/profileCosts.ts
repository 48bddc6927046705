/**
 * The profile join as the editor shows it, for one file (pure): end-of-line cost notes coloured by
 * share, the cost section of a hover, and the diagnostics' severity following cost (facts on lines
 * above `goMemlens.profile.warnShare` become warnings; with `focus`, facts the profile saw no
 * allocation for become hints). The third input of the report beside compiler facts and rule findings.
 */
import path from 'node:path';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { CostSite } from '../../../common/protocol';
import type { Settings } from '../../../common/settings';
import type { LineCost } from '../profile/join';
import { costLabel, formatDelta } from '../profile/units';

/** One file's measured lines (1-based, as they are in the current text) and what they are shares of. */
export interface FileProfile {
	sampleType: string;
	/** `bytes` or `count`. */
	unit: string;
	/** The profile's total of the sample type. */
	total: number;
	/** 1-based line → its cost. */
	lines: ReadonlyMap<number, LineCost>;
	/** The profile compared against (the one loaded before), for per-line differences. */
	baseline?: { total: number; lines: ReadonlyMap<number, LineCost> };
}

const HEAP_CODES = new Set(['moved-to-heap', 'escapes-to-heap']);

export function shareOf(fp: FileProfile, c: LineCost): number {
	return fp.total > 0 ? c.own.value / fp.total : 0;
}

function level(share: number, warnShare: number): CostSite['level'] {
	if (warnShare > 0 && share >= warnShare) return 'high';
	return share >= Math.min(0.01, warnShare / 10 || 0.01) ? 'medium' : 'low';
}

/** The per-line difference against the baseline, in the chosen unit ("−96 % bytes"). */
function deltaOf(fp: FileProfile, line: number, c: LineCost | undefined): string | undefined {
	if (!fp.baseline) return undefined;
	const before = fp.baseline.lines.get(line)?.own;
	const after = c?.own;
	const unit = fp.unit === 'bytes' ? 'bytes' : 'count';
	const pick = (x: typeof before) => (x ? (unit === 'bytes' ? x.bytes : x.objects) : 0);
	if (!before && !after) return undefined;
	return formatDelta(pick(before), pick(after), unit);
}

/** Cost notes for the file's measured lines (and, when comparing, lines that no longer allocate). */
export function costSites(fp: FileProfile, s: Settings): CostSite[] {
	const warn = s.profile.warnShare / 100;
	const out: CostSite[] = [];
	for (const [line, c] of fp.lines) {
		if (c.own.value <= 0) continue;
		const share = shareOf(fp, c);
		const delta = deltaOf(fp, line, c);
		out.push({ line: line - 1, label: costLabel(c.own, share) + (delta ? ` · ${delta}` : ''), share, level: level(share, warn) });
	}
	for (const [line] of fp.baseline?.lines ?? []) {
		if (fp.lines.has(line)) continue;
		const delta = deltaOf(fp, line, undefined);
		if (delta) out.push({ line: line - 1, label: `no allocation now · ${delta}`, share: 0, level: 'low' });
	}
	return out.sort((a, b) => a.line - b.line);
}

/**
 * The diagnostics with severity following cost: a compiler heap fact on a line at or above the
 * warn share becomes a warning carrying its cost; with `focus`, one on a line the profile saw no
 * allocation on becomes a hint. Changed diagnostics are copies (the kept ones are shared).
 */
export function costSeverities(diags: Diagnostic[], fp: FileProfile, s: Settings): Diagnostic[] {
	const warn = s.profile.warnShare / 100;
	return diags.map((d) => {
		if (d.source !== 'memlens' || !HEAP_CODES.has(String(d.code))) return d;
		const c = fp.lines.get(d.range.start.line + 1);
		const share = c ? shareOf(fp, c) : 0;
		if (c && c.own.value > 0 && warn > 0 && share >= warn) {
			const measured = `[measured: ${costLabel(c.own, share)} of ${fp.sampleType}]`;
			const message = typeof d.message === 'string' ? `${d.message} ${measured}` : { ...d.message, value: `${d.message.value} ${measured}` };
			return { ...d, severity: DiagnosticSeverity.Warning, message };
		}
		if (s.profile.focus && (!c || c.own.value <= 0) && d.severity !== DiagnosticSeverity.Hint) return { ...d, severity: DiagnosticSeverity.Hint };
		return d;
	});
}

/** The hover's cost section for 0-based `line`, or undefined when the profile measured nothing there. */
export function costHover(fp: FileProfile, line: number, markdown: boolean, hasFact: boolean): string | undefined {
	const c = fp.lines.get(line + 1);
	if (!c || c.own.value <= 0) return undefined;
	const share = shareOf(fp, c);
	const out = [`${markdown ? '**Measured**' : 'Measured'} (${fp.sampleType}): ${costLabel(c.own, share)} of the profile`];
	const delta = deltaOf(fp, line + 1, c);
	if (delta) out.push(`Compared with the profile before: ${delta}`);
	if (c.flat.value < c.own.value && c.callees.length) {
		out.push(hasFact ? 'Also allocated in calls from this line:' : 'No heap fact on this line: the allocations are in calls from it, into:');
		for (const x of c.callees) {
			const where = `${path.basename(x.file)}:${x.line}`;
			out.push(`${markdown ? '- ' : '  '}${x.func.slice(x.func.lastIndexOf('/') + 1)} (${where}): ${fp.total > 0 ? ((x.value / fp.total) * 100).toFixed(1) : '0'} %`);
		}
	}
	return out.join(markdown ? '\n\n' : '\n');
}
