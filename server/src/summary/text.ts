/** `memlens report --format text`: the summary model as plain text for a terminal or a CI log (pure). */
import type { SummaryModel } from './types';
import { causeList, COUNTS_NOTE, heading, plural, siteText, totalsLine } from './words';

/** Right-aligned number columns, left-aligned text columns (the last one unpadded). */
function table(head: string[], rows: (string | number)[][], numeric: number): string[] {
	const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
	const line = (r: (string | number)[]) =>
		'  ' + r.map((v, i) => (i < numeric ? String(v).padStart(widths[i]) : i === r.length - 1 ? String(v) : String(v).padEnd(widths[i]))).join('  ');
	return [line(head), ...rows.map(line)];
}

export interface TextOptions {
	/** Rule findings listed per package (the rest counted). Default 50. */
	findingsPerPackage?: number;
}

export function renderText(m: SummaryModel, opts: TextOptions = {}): string {
	const maxFindings = opts.findingsPerPackage ?? 50;
	const out: string[] = [heading(m), totalsLine(m), ''];

	out.push('Heap allocation sites by cause');
	if (m.causes.length === 0) out.push('  none');
	else {
		out.push(...table(['sites', 'moved', 'escapes', 'cause'], m.causes.map((c) => [c.count, c.moved, c.escapes, `${c.title}${c.expected ? ' (expected: the value outlives the call)' : ''} [${c.id}]`]), 3));
		for (const c of m.causes) {
			out.push(`  ${c.title}:`);
			if (c.advice) out.push(`    advice: ${c.advice}`);
			for (const e of c.examples) out.push(`    e.g. ${siteText(e)}`);
		}
	}
	out.push('', 'Functions with most heap allocation sites');
	if (m.topFunctions.length === 0) out.push('  none');
	else out.push(...table(['sites', 'function', 'at', 'causes'], m.topFunctions.map((f) => [f.heap, f.name, `${f.file}:${f.line}`, causeList(f.causes, m.causes, 3)]), 1));
	out.push('', 'Files with most heap allocation sites');
	if (m.topFiles.length === 0) out.push('  none');
	else out.push(...table(['sites', 'findings', 'file'], m.topFiles.map((f) => [f.heap, f.findings, f.file]), 2));
	out.push('', 'Rule findings by rule');
	if (m.rules.length === 0) out.push('  none');
	else out.push(...table(['findings', 'severity', 'rule', 'what it finds'], m.rules.map((r) => [r.count, r.severity, r.rule, r.summary]), 1));

	out.push('', 'Packages');
	for (const p of m.packages) {
		const state = p.compiled ? `${plural(p.heap, 'heap site')} (${p.moved} moved, ${p.escapes} escapes)` : 'no compiler facts (build error or --escape none)';
		const name = `${p.id}${p.dir !== p.id ? ` (${p.dir})` : ''}`;
		if (p.inlinedOnly) out.push(`  ${name}: not analysed, ${state} in its code inlined into the analysed packages`);
		else out.push(`  ${name}: ${plural(p.files, 'file')}, ${state}, ${plural(p.findings.length, 'rule finding')}`);
		if (p.causes.length) out.push(`    causes: ${causeList(p.causes, m.causes, 6)}`);
		if (p.topFunctions.length) out.push(`    functions: ${p.topFunctions.map((f) => `${f.name} ${f.heap}`).join(', ')}`);
		for (const f of p.findings.slice(0, maxFindings)) out.push(`    ${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.rule}]`);
		if (p.findings.length > maxFindings) out.push(`    … ${p.findings.length - maxFindings} more (memlens check lists them all)`);
	}
	out.push('', COUNTS_NOTE);
	return out.join('\n') + '\n';
}
