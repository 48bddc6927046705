/**
 * Hover text for compiler facts and rule findings: a pure lookup in what the last analysis found.
 *
 * Two kinds of client: those that show a diagnostic's own text on hover (VS Code shows the message,
 * `source(code)` linked to codeDescription, and each relatedInformation as a link to its position)
 * and those that do not. The first kind declares it with `initializationOptions.diagnosticsInHover`
 * (LSP has no capability for it) and gets only what its diagnostic does not carry: the cause, the
 * advice, the compiler's own line. The others get the whole explanation.
 */
import { MarkupKind, type Hover, type Position, type Range } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import path from 'node:path';
import type { RuleFinding } from '../model';
import { causeOf, type EscapeCause } from '../escape/causes';
import { moreStepsText, type PlacedFact } from './diagnostics';
import { causeDocUri, escapeDocUri, ruleDocUri } from './docsLinks';
import type { ClientCaps } from './types';

export interface HoverContext {
	caps: Pick<ClientCaps, 'hoverMarkdown' | 'diagnosticsInHover' | 'codeDescription'>;
	/** The package's last build failed: the facts are from the one before. */
	stale: boolean;
	/** Whether this fact was published as a diagnostic (its kind's severity is not off, or the stack lens shows it). */
	published: (pf: PlacedFact) => boolean;
	/** The cause of a fact; escape/causes.ts's causeOf unless given. */
	cause?: (fact: PlacedFact['fact']) => EscapeCause | undefined;
	/** The loaded profile's cost of the hovered line (report/profileCosts.ts costHover), when there is one. */
	cost?: (hasFact: boolean) => string | undefined;
}

function contains(r: Range, p: Position): boolean {
	const afterStart = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
	const beforeEnd = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
	return afterStart && beforeEnd;
}

/** `text` as a markdown code span (longer fences when it holds backticks). */
function code(text: string): string {
	const runs = text.match(/`+/g) ?? [];
	const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
	const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
	return `${fence}${pad}${text}${pad}${fence}`;
}

function causeLines(c: EscapeCause, markdown: boolean): string[] {
	const label = (l: string) => (markdown ? `**${l}:**` : `${l}:`);
	// The cause's section of docs/escape/causes.md (its example, before and after).
	const out = [`${label('Cause')} ${c.title}` + (markdown ? ` · [more](${causeDocUri(c.id)})` : '')];
	if (c.advice) out.push(`${label('To keep it on the stack')} ${c.advice}`);
	else if (c.expected) out.push(`${label('Expected')} the value outlives the call; there is nothing to change.`);
	// Two spaces end a markdown line without starting a paragraph.
	return markdown ? [out.join('  \n')] : out;
}

function stepLines(pf: PlacedFact, markdown: boolean): string[] {
	const lines = pf.explanation.steps.map((s, i) => {
		const label = `${path.basename(s.pos.file)}:${s.pos.line}:${s.pos.column}`;
		// VS Code and other editors open `file:…#L<line>,<column>` at that position.
		const link = `${URI.file(s.pos.file).toString()}#L${s.pos.line},${s.pos.column}`;
		return markdown ? `${i + 1}. ${s.text} — [${label}](${link})` : `${i + 1}. ${s.text} (${label})`;
	});
	const more = pf.explanation.moreSteps;
	return more ? [...lines, moreStepsText(more)] : lines;
}

function compilerLine(pf: PlacedFact, markdown: boolean, docs: boolean): string {
	const { fact } = pf;
	if (!markdown) return `Compiler says: ${fact.message}`;
	return `Compiler says: ${code(fact.message)}` + (docs ? ` · [docs](${escapeDocUri(fact.kind)})` : '');
}

/** Everything about one fact: for clients that show no diagnostic text on hover, or a fact with no diagnostic. */
function fullFactSection(pf: PlacedFact, cause: EscapeCause | undefined, markdown: boolean, stale: boolean): string {
	const { explanation: e, fact } = pf;
	const lines: string[] = [];
	const headline = e.headline || fact.message;
	lines.push(markdown ? `**${headline}**` : headline);
	if (e.why) lines.push('', e.why);
	if (cause) lines.push('', ...causeLines(cause, markdown));
	const steps = stepLines(pf, markdown);
	if (steps.length) lines.push('', ...steps);
	if (stale) lines.push('', 'Stale: the last build failed; this is from the last good build.');
	lines.push('', compilerLine(pf, markdown, true));
	return lines.join('\n');
}

/**
 * What a client that shows the diagnostic on hover does not show: the cause and its advice, and the
 * compiler's own line (the message, the flow steps, staleness are in the diagnostic; the doc link
 * too when the client takes codeDescription).
 */
function addedFactSection(pf: PlacedFact, cause: EscapeCause | undefined, markdown: boolean, codeDescription: boolean): string {
	const lines: string[] = [];
	if (cause) lines.push(...causeLines(cause, markdown), '');
	lines.push(compilerLine(pf, markdown, !codeDescription));
	return lines.join('\n');
}

function findingSection(f: RuleFinding, markdown: boolean): string {
	const head = markdown ? `**${f.rule}**: ${f.message}` : `${f.rule}: ${f.message}`;
	return markdown ? `${head}\n\n[docs](${ruleDocUri(f.rule)})` : head;
}

/**
 * Hover at `pos`: every compiler fact (does-not-escape included) and rule finding whose range
 * contains it; null when there is none or, for a client that shows diagnostics on hover, nothing
 * to add to them.
 */
export function hoverAt(pos: Position, facts: readonly PlacedFact[], findings: readonly RuleFinding[], ctx: HoverContext): Hover | null {
	const markdown = ctx.caps.hoverMarkdown;
	const shownOnHover = ctx.caps.diagnosticsInHover;
	const causeFor = ctx.cause ?? causeOf;
	const sections: string[] = [];
	let range: Range | undefined;
	for (const pf of facts) {
		if (pf.fact.kind === 'inlining' || !contains(pf.range, pos)) continue;
		const cause = causeFor(pf.fact);
		const section = shownOnHover && ctx.published(pf) ? addedFactSection(pf, cause, markdown, ctx.caps.codeDescription) : fullFactSection(pf, cause, markdown, ctx.stale);
		sections.push(section);
		range ??= pf.range;
	}
	// The profile's measurement of this line: after its facts, or alone on a line with none.
	const measured = ctx.cost?.(sections.length > 0);
	if (measured) sections.push(measured);
	// Every finding is published (disabled rules and 'off' severities never become findings): its
	// message, doc link and related positions are all in the diagnostic.
	if (!shownOnHover) {
		for (const f of findings) {
			if (!contains(f.range, pos)) continue;
			sections.push(findingSection(f, markdown));
			range ??= f.range;
		}
	}
	if (!sections.length) return null;
	const value = sections.join(markdown ? '\n\n---\n\n' : '\n\n');
	return { contents: { kind: markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value }, range };
}
