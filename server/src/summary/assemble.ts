/**
 * Turns the facts and findings of each package into the summary model: counts per package and per
 * cause, the advice of each cause, the functions and files with most heap facts, the rule findings.
 * Pure. Causes, their titles and advice come from escape/causes.ts (the editor's explanations use
 * the same), through `classify` so that tests can give facts a cause of their own.
 */
import { causeOf, type EscapeCause } from '../escape/causes';
import type { EscapeFact, Severity } from '../model';
import { RULES_BY_ID } from '../rules/index';
import type {
	CauseCount,
	CauseKey,
	CauseSummary,
	FileSummary,
	FunctionSummary,
	HeapFactInput,
	PackageInput,
	PackageSummary,
	RuleSummary,
	SummaryInput,
	SummaryModel,
} from './types';

export interface SummarizeOptions {
	/** The cause of a heap fact. Default: escape/causes.ts's causeOf. */
	classify?: (fact: EscapeFact) => EscapeCause | undefined;
	/** How many functions and files to list (overall; per package a third of it, at least 3). Default 15. */
	top?: number;
	/** How many example sites per cause. Default 3. */
	examples?: number;
}

/** Heap facts the classification gave no cause for (the explanations say nothing about them either). */
export const UNCLASSIFIED = {
	title: 'cause not classified',
	advice: "No cause was read off the compiler's reason chain: hover the fact in the editor, or run memlens check, for the chain itself.",
};

/** Name under which code outside any function or method is counted (var initialisers, func literals in them). */
export const PACKAGE_LEVEL = '(package-level declarations)';

const SEVERITIES: Severity[] = ['error', 'warning', 'information', 'hint'];

interface Classified extends HeapFactInput {
	pkg: string;
	cause: CauseKey;
	/** In a package that was not analysed (a body inlined from it). */
	inlined: boolean;
}

interface Tally {
	heap: number;
	moved: number;
	escapes: number;
	causes: Map<CauseKey, number>;
}

const newTally = (): Tally => ({ heap: 0, moved: 0, escapes: 0, causes: new Map() });

function count(t: Tally, f: Classified): void {
	t.heap++;
	if (f.fact.kind === 'moved-to-heap') t.moved++;
	else t.escapes++;
	t.causes.set(f.cause, (t.causes.get(f.cause) ?? 0) + 1);
}

function causeCounts(t: Tally): CauseCount[] {
	return [...t.causes].map(([id, n]) => ({ id, count: n })).sort((a, b) => b.count - a.count || cmp(a.id, b.id));
}

function cmp(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

function bySite(a: { file: string; fact: EscapeFact }, b: { file: string; fact: EscapeFact }): number {
	return cmp(a.file, b.file) || a.fact.pos.line - b.fact.pos.line || a.fact.pos.column - b.fact.pos.column;
}

/** The functions of `facts` with most heap facts. */
function topFunctions(facts: Classified[], n: number): FunctionSummary[] {
	const byFn = new Map<string, { pkg: string; name: string; file: string; line: number; t: Tally }>();
	for (const f of facts) {
		const name = f.func ?? PACKAGE_LEVEL;
		const key = `${f.pkg}\0${f.file}\0${name}\0${f.funcLine ?? 0}`;
		let e = byFn.get(key);
		if (!e) byFn.set(key, (e = { pkg: f.pkg, name, file: f.file, line: f.funcLine ?? f.fact.pos.line, t: newTally() }));
		count(e.t, f);
	}
	return [...byFn.values()]
		.sort((a, b) => b.t.heap - a.t.heap || cmp(a.pkg, b.pkg) || cmp(a.file, b.file) || a.line - b.line)
		.slice(0, n)
		.map((e) => ({ package: e.pkg, name: e.name, file: e.file, line: e.line, heap: e.t.heap, moved: e.t.moved, escapes: e.t.escapes, causes: causeCounts(e.t) }));
}

/** The files with most heap facts (rule findings break ties and list files without heap facts last). */
function topFiles(pkgs: { id: string; facts: Classified[]; findings: PackageInput['findings'] }[], n: number): FileSummary[] {
	const byFile = new Map<string, FileSummary>();
	const get = (pkg: string, file: string) => {
		let e = byFile.get(file);
		if (!e) byFile.set(file, (e = { package: pkg, file, heap: 0, findings: 0 }));
		return e;
	};
	for (const p of pkgs) {
		for (const f of p.facts) get(p.id, f.file).heap++;
		for (const f of p.findings) get(p.id, f.file).findings++;
	}
	return [...byFile.values()].sort((a, b) => b.heap - a.heap || b.findings - a.findings || cmp(a.file, b.file)).slice(0, n);
}

function worst(a: Severity, b: Severity): Severity {
	return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

/** The summary model of `input`. */
export function summarize(input: SummaryInput, opts: SummarizeOptions = {}): SummaryModel {
	const classify = opts.classify ?? causeOf;
	const top = opts.top ?? 15;
	const perPackageTop = Math.max(3, Math.floor(top / 3));
	const nExamples = opts.examples ?? 3;

	// What each cause is, from the first fact classified under it; its advice, the most common one.
	const causeInfo = new Map<CauseKey, { title: string; advice: Map<string, number>; expected: boolean; pkgs: Set<string>; facts: Classified[] }>();
	const classified = input.packages.map((p) => {
		const facts: Classified[] = [];
		for (const h of p.heap) {
			if (h.fact.kind !== 'moved-to-heap' && h.fact.kind !== 'escapes-to-heap') continue;
			const c = classify(h.fact);
			const id: CauseKey = c?.id ?? 'unclassified';
			let info = causeInfo.get(id);
			if (!info) causeInfo.set(id, (info = { title: c?.title ?? UNCLASSIFIED.title, advice: new Map(), expected: true, pkgs: new Set(), facts: [] }));
			const advice = c ? c.advice : UNCLASSIFIED.advice;
			if (advice) info.advice.set(advice, (info.advice.get(advice) ?? 0) + 1);
			if (!c?.expected) info.expected = false;
			info.pkgs.add(p.id);
			const f: Classified = { ...h, pkg: p.id, cause: id, inlined: !!p.inlinedOnly };
			info.facts.push(f);
			facts.push(f);
		}
		facts.sort(bySite);
		return { input: p, facts };
	});

	const causes: CauseSummary[] = [...causeInfo].map(([id, info]) => {
		const t = newTally();
		for (const f of info.facts) count(t, f);
		const advice = [...info.advice].sort((a, b) => b[1] - a[1])[0]?.[0];
		return {
			id,
			title: info.title,
			...(advice ? { advice } : {}),
			expected: info.expected,
			count: t.heap,
			moved: t.moved,
			escapes: t.escapes,
			packages: info.pkgs.size,
			// Examples from the analysed packages first: that is the code the reader owns.
			examples: [...info.facts]
				.sort((a, b) => Number(a.inlined) - Number(b.inlined) || bySite(a, b))
				.slice(0, nExamples)
				.map((f) => ({ file: f.file, line: f.fact.pos.line, column: f.fact.pos.column, message: f.fact.message, ...(f.func ? { func: f.func } : {}) })),
		};
	});
	// Unclassified last whatever its count: it is what the classification could not say.
	causes.sort((a, b) => Number(a.id === 'unclassified') - Number(b.id === 'unclassified') || b.count - a.count || cmp(a.id, b.id));

	const packages: PackageSummary[] = classified.map(({ input: p, facts }) => {
		const t = newTally();
		for (const f of facts) count(t, f);
		const rules = new Map<string, number>();
		for (const f of p.findings) rules.set(f.rule, (rules.get(f.rule) ?? 0) + 1);
		const findings = [...p.findings].sort((a, b) => cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.rule, b.rule));
		return {
			id: p.id,
			dir: p.dir,
			files: p.files,
			compiled: p.compiled,
			inlinedOnly: !!p.inlinedOnly,
			heap: t.heap,
			moved: t.moved,
			escapes: t.escapes,
			causes: causeCounts(t),
			topFunctions: topFunctions(facts, perPackageTop),
			topFiles: topFiles([{ id: p.id, facts, findings: p.findings }], perPackageTop),
			rules: [...rules].map(([rule, n]) => ({ rule, count: n })).sort((a, b) => b.count - a.count || cmp(a.rule, b.rule)),
			findings,
		};
	});
	packages.sort((a, b) => b.heap - a.heap || b.findings.length - a.findings.length || cmp(a.id, b.id));

	const ruleInfo = new Map<string, { count: number; severity: Severity; pkgs: Set<string> }>();
	const bySeverity: Record<Severity, number> = { error: 0, warning: 0, information: 0, hint: 0 };
	for (const p of input.packages) {
		for (const f of p.findings) {
			bySeverity[f.severity]++;
			const r = ruleInfo.get(f.rule);
			if (!r) ruleInfo.set(f.rule, { count: 1, severity: f.severity, pkgs: new Set([p.id]) });
			else {
				r.count++;
				r.severity = worst(r.severity, f.severity);
				r.pkgs.add(p.id);
			}
		}
	}
	const rules: RuleSummary[] = [...ruleInfo]
		.map(([rule, r]) => ({ rule, summary: RULES_BY_ID.get(rule)?.doc.summary ?? '', count: r.count, severity: r.severity, packages: r.pkgs.size }))
		.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || b.count - a.count || cmp(a.rule, b.rule));

	const all = classified.flatMap((c) => c.facts);
	const total = newTally();
	for (const f of all) count(total, f);
	return {
		version: 1,
		meta: input.meta,
		totals: {
			packages: input.packages.filter((p) => !p.inlinedOnly).length,
			compiled: input.packages.filter((p) => p.compiled && !p.inlinedOnly).length,
			files: input.packages.reduce((n, p) => n + p.files, 0),
			heap: total.heap,
			moved: total.moved,
			escapes: total.escapes,
			findings: SEVERITIES.reduce((n, s) => n + bySeverity[s], 0),
			bySeverity,
		},
		causes,
		packages,
		topFunctions: topFunctions(all, top),
		topFiles: topFiles(classified.map((c) => ({ id: c.input.id, facts: c.facts, findings: c.input.findings })), top),
		rules,
	};
}
