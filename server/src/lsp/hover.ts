/** Hover text for compiler facts and rule findings: a pure lookup in what the last analysis found. */
import { MarkupKind, type Hover, type Position, type Range } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import path from 'node:path';
import type { RuleFinding } from '../model';
import type { PlacedFact } from './diagnostics';
import { causeDocUri, escapeDocUri, ruleDocUri } from './docsLinks';

function contains(r: Range, p: Position): boolean {
	const afterStart = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
	const beforeEnd = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
	return afterStart && beforeEnd;
}

function factSection(pf: PlacedFact, markdown: boolean, stale: boolean): string {
	const { explanation: e, fact } = pf;
	const lines: string[] = [];
	const headline = e.headline || fact.message;
	lines.push(markdown ? `**${headline}**` : headline);
	if (e.why) lines.push('', e.why);
	const cause = e.causes?.[0];
	if (cause) {
		const more = e.causes!.slice(1).map((c) => c.title);
		const text = `Cause: ${cause.title}.` + (cause.advice ? ` ${cause.advice}` : cause.expected ? ' Expected: this value outlives the call.' : '') + (more.length ? ` Also: ${more.join('; ')}.` : '');
		lines.push('', markdown ? `${text.replace(/^Cause:/, '**Cause:**')} [more](${causeDocUri(cause.id)})` : text);
	}
	if (e.steps.length) {
		lines.push('');
		e.steps.forEach((s, i) => {
			const label = `${path.basename(s.pos.file)}:${s.pos.line}:${s.pos.column}`;
			const link = `${URI.file(s.pos.file).toString()}#L${s.pos.line},${s.pos.column}`;
			lines.push(markdown ? `${i + 1}. ${s.text} — [${label}](${link})` : `${i + 1}. ${s.text} (${label})`);
		});
	}
	if (stale) lines.push('', 'Stale: the last build failed; this is from the last good build.');
	lines.push('', markdown ? `Compiler says: \`${fact.message}\` · [docs](${escapeDocUri(fact.kind)})` : `Compiler says: ${fact.message}`);
	return lines.join('\n');
}

function findingSection(f: RuleFinding, markdown: boolean): string {
	const head = markdown ? `**${f.rule}**: ${f.message}` : `${f.rule}: ${f.message}`;
	return markdown ? `${head}\n\n[docs](${ruleDocUri(f.rule)})` : head;
}

/**
 * Hover at `pos`: every compiler fact (does-not-escape included) and rule finding whose range
 * contains it; null when there is none.
 */
export function hoverAt(
	pos: Position,
	facts: readonly PlacedFact[],
	findings: readonly RuleFinding[],
	markdown: boolean,
	stale: boolean,
): Hover | null {
	const sections: string[] = [];
	let range: Range | undefined;
	for (const pf of facts) {
		if (pf.fact.kind === 'inlining' || !contains(pf.range, pos)) continue;
		sections.push(factSection(pf, markdown, stale));
		range ??= pf.range;
	}
	for (const f of findings) {
		if (!contains(f.range, pos)) continue;
		sections.push(findingSection(f, markdown));
		range ??= f.range;
	}
	if (!sections.length) return null;
	const value = sections.join(markdown ? '\n\n---\n\n' : '\n\n');
	return { contents: { kind: markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value }, range };
}
