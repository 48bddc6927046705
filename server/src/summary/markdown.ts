/** `memlens report --format md`: the summary model as GitHub-flavoured Markdown (a job summary, a wiki page). Pure. */
import type { SummaryModel } from './types';
import { causeList, COUNTS_NOTE, heading, INLINED_NOTE, packageLabel, plural, totalsLine } from './words';

/** Text safe in a table cell: no pipe, no newline, no HTML. */
function cell(s: string | number): string {
	return String(s).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n/g, ' ');
}

function code(s: string): string {
	// A backtick inside code needs a longer fence; Go names rarely have one, subjects may.
	return s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``;
}

function table(head: string[], rows: (string | number)[][], numeric: number): string[] {
	const align = head.map((_, i) => (i < numeric ? '---:' : '---'));
	return [`| ${head.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

export interface MarkdownOptions {
	findingsPerPackage?: number;
}

export function renderMarkdown(m: SummaryModel, opts: MarkdownOptions = {}): string {
	const maxFindings = opts.findingsPerPackage ?? 50;
	const out: string[] = [`# ${heading(m)}`, '', totalsLine(m), ''];

	out.push('## Heap allocation sites by cause', '');
	if (m.causes.length === 0) out.push('None.', '');
	else {
		out.push(...table(['sites', 'moved', 'escapes', 'cause', 'advice'], m.causes.map((c) => [c.count, c.moved, c.escapes, `${c.title}${c.expected ? ' (expected)' : ''}`, c.advice ?? '']), 3), '');
		for (const c of m.causes) {
			if (!c.examples.length) continue;
			out.push(`<details><summary>${cell(c.title)}: examples</summary>`, '');
			for (const e of c.examples) out.push(`- \`${e.file}:${e.line}:${e.column}\` ${code(e.message)}${e.func ? ` in ${code(e.func)}` : ''}`);
			out.push('', '</details>', '');
		}
	}

	out.push('## Functions with most heap allocation sites', '');
	if (m.topFunctions.length === 0) out.push('None.', '');
	else out.push(...table(['sites', 'function', 'at', 'causes'], m.topFunctions.map((f) => [f.heap, code(f.name), `${f.file}:${f.line}`, causeList(f.causes, m.causes, 3)]), 1), '');

	out.push('## Files with most heap allocation sites', '');
	if (m.topFiles.length === 0) out.push('None.', '');
	else out.push(...table(['sites', 'rule findings', 'file'], m.topFiles.map((f) => [f.heap, f.findings, f.file]), 2), '');

	out.push('## Rule findings', '');
	if (m.rules.length === 0) out.push('None.', '');
	else out.push(...table(['findings', 'severity', 'rule', 'what it finds'], m.rules.map((r) => [r.count, r.severity, code(r.rule), r.summary]), 1), '');

	out.push('## Packages', '');
	out.push(
		...table(
			['heap sites', 'moved', 'escapes', 'rule findings', 'files', 'package', 'causes'],
			m.packages.map((p) => [p.compiled ? p.heap : '–', p.compiled ? p.moved : '–', p.compiled ? p.escapes : '–', p.findings.length, p.inlinedOnly ? '–' : p.files, code(packageLabel(p)), causeList(p.causes, m.causes, 3)]),
			5,
		),
		'',
	);
	if (m.packages.some((p) => p.inlinedOnly)) out.push(`_${INLINED_NOTE}_`, '');
	for (const p of m.packages) {
		if (!p.findings.length) continue;
		out.push(`<details><summary>${cell(p.id)}: ${plural(p.findings.length, 'rule finding')}</summary>`, '');
		for (const f of p.findings.slice(0, maxFindings)) out.push(`- \`${f.file}:${f.line}:${f.column}\` **${f.severity}** ${cell(f.message)} (${code(f.rule)})`);
		if (p.findings.length > maxFindings) out.push(`- … ${p.findings.length - maxFindings} more (\`memlens check\` lists them all)`);
		out.push('', '</details>', '');
	}
	out.push(`_${COUNTS_NOTE}_`, '');
	return out.join('\n');
}
