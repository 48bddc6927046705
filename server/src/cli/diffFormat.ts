/**
 * Output of `memlens diff` (pure: the report in, a string out): text, JSON, Markdown (a
 * pull-request comment or a GitHub job summary), SARIF (diffSarif.ts). Paths are shown relative
 * to the directory memlens ran in, in each revision's checkout.
 */
import type { EscapeKind } from '../model';
import type { ChangeKind } from '../review/factDiff';
import type { Finding } from './analyze';
import { displayPath } from './format';

export interface DiffEntry {
	change: ChangeKind;
	pkg: string;
	function: string;
	subject: string;
	/** The fact at HEAD (new, changed), as `memlens check` would show it. */
	head?: Finding;
	/** The fact at BASE (gone, changed). */
	base?: Finding;
}

export interface DiffReport {
	/** `root`: where the command's directory is in that revision's checkout (for display paths). */
	base: { rev: string; commit: string; root: string };
	/** No `rev`: the working tree. */
	head: { rev?: string; commit?: string; root: string };
	/** Kinds whose changes are reported. */
	kinds: EscapeKind[];
	entries: DiffEntry[];
	/** Package dirs whose facts were not compared (not compiled in one revision). */
	notCompared: string[];
	/** Facts compared on each side and packages they were in. */
	compared: { base: number; head: number; packages: number };
	durationMs: number;
}

export interface DiffDisplay {
	cwd: string;
	version: string;
}

function counts(r: DiffReport): Record<ChangeKind, number> {
	const c: Record<ChangeKind, number> = { new: 0, changed: 0, gone: 0 };
	for (const e of r.entries) c[e.change]++;
	return c;
}

export function headLabel(r: DiffReport): string {
	return r.head.rev !== undefined ? `${r.head.rev} (${r.head.commit!.slice(0, 12)})` : 'the working tree';
}

export function baseLabel(r: DiffReport): string {
	return `${r.base.rev} (${r.base.commit.slice(0, 12)})`;
}

/** The finding an entry is shown at: HEAD's, or BASE's when the fact is gone. */
function shown(e: DiffEntry): Finding {
	return (e.head ?? e.base)!;
}

function where(e: DiffEntry, r: DiffReport): string {
	const f = shown(e);
	const root = e.head ? r.head.root : r.base.root;
	return `${displayPath(f.file, root)}:${f.line}:${f.column}`;
}

function kindText(e: DiffEntry): string {
	return e.change === 'changed' ? `${e.base!.rule} → ${e.head!.rule}` : shown(e).rule;
}

function summaryLine(r: DiffReport): string {
	const c = counts(r);
	return `${c.new} new, ${c.changed} changed, ${c.gone} gone`;
}

export function formatDiffText(r: DiffReport, _d: DiffDisplay): string {
	const out: string[] = [];
	for (const e of r.entries) {
		const f = shown(e);
		const at = e.head ? '' : ' (at BASE)';
		const fn = e.function ? ` in ${e.function}` : '';
		out.push(`${e.change.padEnd(7)} ${where(e, r)}${at}: ${f.message} [${kindText(e)}]${fn}`);
		const root = e.head ? r.head.root : r.base.root;
		for (const s of f.flow) out.push(`    ${displayPath(s.file, root)}:${s.line}:${s.column}: ${s.message}`);
	}
	out.push(`memlens diff ${baseLabel(r)} → ${headLabel(r)}: ${summaryLine(r)} (${r.kinds.join(', ')}; ${r.compared.base} → ${r.compared.head} facts in ${r.compared.packages} package${r.compared.packages === 1 ? '' : 's'})`);
	if (r.notCompared.length) out.push(`not compared (did not compile in one revision): ${r.notCompared.map((p) => p || '.').join(', ')}`);
	return out.join('\n') + '\n';
}

/** The `--format json` document of memlens diff, version 1. */
export function toDiffJson(r: DiffReport) {
	const at = (f: Finding | undefined, root: string) =>
		f ? { file: displayPath(f.file, root), line: f.line, column: f.column, kind: f.rule, message: f.message, flow: f.flow.map((s) => ({ message: s.message, file: displayPath(s.file, root), line: s.line, column: s.column })) } : null;
	return {
		version: 1 as const,
		base: { rev: r.base.rev, commit: r.base.commit },
		head: r.head.rev !== undefined ? { rev: r.head.rev, commit: r.head.commit!, workingTree: false } : { rev: null, commit: null, workingTree: true },
		kinds: r.kinds,
		summary: { ...counts(r), comparedFacts: r.compared, notCompared: r.notCompared },
		changes: r.entries.map((e) => ({
			change: e.change,
			kind: shown(e).rule,
			baseKind: e.change === 'changed' ? e.base!.rule : null,
			package: e.pkg,
			function: e.function,
			subject: e.subject,
			head: at(e.head, r.head.root),
			base: at(e.base, r.base.root),
		})),
	};
}

export function formatDiffJson(r: DiffReport, _d: DiffDisplay): string {
	return JSON.stringify(toDiffJson(r), null, 2) + '\n';
}

/** Inline code that survives backticks and pipes inside the text. */
function code(s: string): string {
	const t = s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
	const ticks = t.includes('`') ? '``' : '`';
	return `${ticks}${ticks.length > 1 ? ' ' : ''}${t}${ticks.length > 1 ? ' ' : ''}${ticks}`;
}

/** The compiler's own words without the reason memlens adds in parentheses. */
function factText(f: Finding): string {
	if (f.compiler !== undefined) return f.compiler;
	return f.subject !== undefined ? f.message.replace(/ \(.*\)$/s, '') : f.message;
}

const CHANGE_WORD: Record<ChangeKind, string> = { new: '**new**', changed: '**changed**', gone: 'gone' };

export function formatDiffMarkdown(r: DiffReport, d: DiffDisplay): string {
	const c = counts(r);
	const out: string[] = [];
	out.push(`### Go MemLens: escape analysis, ${code(r.base.rev)} → ${r.head.rev !== undefined ? code(r.head.rev) : 'working tree'}`, '');
	if (r.entries.length === 0) {
		out.push(`No change in the compiler's ${r.kinds.map((k) => code(k)).join(', ')} facts (${r.compared.head} facts in ${r.compared.packages} package${r.compared.packages === 1 ? '' : 's'} compared).`);
	} else {
		out.push(`**${c.new} new**, ${c.changed} changed, ${c.gone} gone (${r.kinds.map((k) => code(k)).join(', ')}; matched by package, function and subject).`, '');
		out.push('| Change | What the compiler says | Where | Function |', '| --- | --- | --- | --- |');
		for (const e of r.entries) {
			const what = e.change === 'changed' ? `${code(factText(e.base!))} → ${code(factText(e.head!))}` : code(factText(shown(e)));
			const at = `${code(where(e, r))}${e.head ? '' : ' (base)'}`;
			out.push(`| ${CHANGE_WORD[e.change]} | ${what} | ${at} | ${e.function ? code(e.function) : '*package scope*'} |`);
		}
		const why = r.entries.filter((e) => e.head && e.head.flow.length);
		if (why.length) {
			out.push('', '<details><summary>Why, in the compiler\'s words (<code>-gcflags=-m=2</code>)</summary>', '');
			for (const e of why) {
				const f = e.head!;
				out.push(`- ${code(where(e, r))} ${code(factText(f))}`);
				for (const s of f.flow) out.push(`  - ${code(`${displayPath(s.file, r.head.root)}:${s.line}:${s.column}`)} ${s.message.replace(/[<>]/g, (ch) => (ch === '<' ? '&lt;' : '&gt;'))}`);
			}
			out.push('', '</details>');
		}
	}
	if (r.notCompared.length) out.push('', `Not compared (did not compile in one revision): ${r.notCompared.map((p) => code(p || '.')).join(', ')}.`);
	out.push('', `<sub>memlens ${d.version} · ${baseLabel(r)} → ${headLabel(r)} · ${(r.durationMs / 1000).toFixed(1)} s</sub>`);
	return out.join('\n') + '\n';
}
