/**
 * Pure conversion of compiler facts and rule findings into LSP diagnostics for one file, and the
 * merge of both. Positions: compiler facts carry 1-based byte columns; everything here is
 * converted once through util/positions against the document's current text.
 */
import {
	DiagnosticSeverity,
	DiagnosticTag,
	type Diagnostic,
	type Position,
	type Range,
} from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import path from 'node:path';
import type { EscapeFact, GoPos, RuleFinding, Severity } from '../model';
import type { Settings, SeveritySetting } from '../../../common/settings';
import { byteToUtf16 } from '../util/positions';
import { escapeDocUri, ruleDocUri } from './docsLinks';
import type { ClientCaps } from './types';
import { keepDiagnostic, type FactCache } from './factCache';
import type { EscapeCause } from '../escape/causes';
import type { SourceLookup } from '../escape/sourceTerms';
import { factSentence } from '../escape/explain';
import { DocumentSource, type LineDeps } from './documentSource';
import { drain, type Steps } from '../util/steps';

/** What escape/explain.ts's `explainFact` returns. */
export interface Explanation {
	headline: string;
	why: string;
	steps: { text: string; pos: GoPos }[];
	/** Steps left out of `steps` (a very long chain). */
	moreSteps?: number;
	/** Heap facts: why it is on the heap, the deciding cause first. */
	causes?: EscapeCause[];
}

/** Explains a fact; `src` gives what the source says at the fact's positions (escape/sourceTerms.ts). */
export type ExplainFn = (f: EscapeFact, src?: SourceLookup) => Explanation;

/** A compiler fact placed in the file's LSP coordinates. */
export interface PlacedFact {
	fact: EscapeFact;
	/** What the diagnostic covers (the subject's extent). */
	range: Range;
	/** The compiler's own position in LSP coordinates (what rules match with factsAt). */
	at: Position;
	/**
	 * Runs `fn` with what the source says around the fact (the document's lines, the package's
	 * inlining decisions: escape/sourceTerms.ts), noting what it read (documentSource.ts).
	 */
	withSource<T>(fn: (src: SourceLookup | undefined) => T): T;
	/**
	 * Worked out on each read, not stored: a big package has tens of thousands of facts (net/http
	 * with its tests: 29,000, 12,000 of them inlining decisions that are off by default) and the
	 * plain-words steps of each were several MB that only diagnostics and hovers read.
	 */
	readonly explanation: Explanation;
}

/**
 * Identity of a rule finding's diagnostic, carried in `data` so code actions can find their fixes.
 * Compiler facts have no fixes, so their diagnostics carry no `data`: it was 8 % of every publish
 * and nothing read it.
 */
export interface DiagnosticData {
	source: 'rule';
	key: string;
}

export const STALE_SUFFIX = ' (stale: last build failed)';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
	error: DiagnosticSeverity.Error,
	warning: DiagnosticSeverity.Warning,
	information: DiagnosticSeverity.Information,
	hint: DiagnosticSeverity.Hint,
};

/** Key of a range + code, the merge identity. */
export function diagnosticKey(code: string, range: Range): string {
	return `${code}@${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

const WORD = /^&?[\p{L}\p{N}_]+/u;

/**
 * The range a fact covers: the subject's extent when its text is found on that line covering the
 * position (the compiler points at `make(`'s parenthesis or a literal's brace, not always at the
 * start; `...` in a subject stands for an elided part), else the identifier at the position.
 */
export function factRange(lines: string[], pos: GoPos, subject: string): Range {
	const line = Math.max(0, Math.min(pos.line - 1, lines.length - 1));
	return rangeOnLine(line, lines[line] ?? '', pos, subject);
}

function rangeOnLine(line: number, text: string, pos: GoPos, subject: string): Range {
	const at = byteToUtf16(text, Math.max(0, pos.column - 1));
	const needle = subject.includes('...') ? subject.slice(0, subject.indexOf('...')) : subject;
	if (needle) {
		for (let i = text.indexOf(needle); i >= 0 && i <= at; i = text.indexOf(needle, i + 1)) {
			if (at < i + needle.length) return { start: { line, character: i }, end: { line, character: i + needle.length } };
		}
	}
	const rest = text.slice(at);
	const len = WORD.exec(rest)?.[0].length || Math.min(1, rest.length);
	return { start: { line, character: at }, end: { line, character: at + len } };
}

/**
 * A document's lines as the compiler and the LSP count them (split at \n, a trailing \r dropped;
 * util/positions.ts's splitLines), read one at a time: placing facts reads a few hundred of a file's
 * lines on every keystroke.
 */
export class TextLines {
	private readonly starts: number[] = [0];

	constructor(private readonly text: string) {
		for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
	}

	get count(): number {
		return this.starts.length;
	}

	lineOf(offset: number): number {
		let lo = 0;
		let hi = this.starts.length - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (this.starts[mid] <= offset) lo = mid;
			else hi = mid - 1;
		}
		return lo;
	}

	at(line: number): string {
		if (line < 0 || line >= this.starts.length) return '';
		const start = this.starts[line];
		let end = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
		if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
		return this.text.slice(start, end);
	}
}

/** A placed fact whose explanation is worked out when read (see PlacedFact.explanation). */
class Placed implements PlacedFact {
	/** The document lines its explanations read (reuse needs them unchanged: FactCache.reuse). */
	deps: LineDeps | undefined;

	constructor(
		readonly fact: EscapeFact,
		readonly range: Range,
		readonly at: Position,
		private readonly explain: ExplainFn,
		private readonly doc: DocumentSource,
	) {}

	withSource<T>(fn: (src: SourceLookup | undefined) => T): T {
		return this.doc.read(this.doc.tracking ? (this.deps ??= new Map()) : undefined, fn);
	}

	get explanation(): Explanation {
		try {
			return this.withSource((src) => this.explain(this.fact, src));
		} catch {
			return { headline: this.fact.message, why: '', steps: [] };
		}
	}
}

/**
 * Places the facts of one file (facts for other files dropped) in LSP coordinates. With a cache
 * (a document being typed in), a fact placed before on the same line with the same text keeps its
 * placed object and what was built from it (factCache.ts).
 */
export function placeFacts(...args: Parameters<typeof placeFactsInSteps>): PlacedFact[] {
	return drain(placeFactsInSteps(...args));
}

/** placeFacts, a step per fact (net/http's biggest file has 5,300: 40-60 ms on a busy machine). */
export function* placeFactsInSteps(
	facts: readonly EscapeFact[],
	filePath: string,
	text: string,
	explain: ExplainFn,
	cache?: FactCache,
): Steps<PlacedFact[]> {
	const lines = new TextLines(text);
	const seen = new Set<string>();
	const out: PlacedFact[] = [];
	const target = path.resolve(filePath);
	// Placed facts outlive keystrokes and read the document through one object per document.
	const doc = cache?.doc ?? new DocumentSource();
	doc.update(target, text, lines, facts);
	cache?.begin();
	for (const fact of facts) {
		// The parser gives absolute paths; resolve only what is not already in that form.
		const file = fact.pos.file;
		if (file !== target && (path.isAbsolute(file) || path.resolve(file) !== target)) continue;
		const line = Math.max(0, Math.min(fact.pos.line - 1, lines.count - 1));
		const lineText = lines.at(line);
		let e = cache?.reuse(fact, line, lineText);
		if (!e) {
			const range = subjectRange(line, lineText, fact);
			const at = { line, character: byteToUtf16(lineText, Math.max(0, fact.pos.column - 1)) };
			e = { line, text: lineText, placed: new Placed(fact, range, at, explain, doc), key: `${diagnosticKey(fact.kind, range)}|${fact.message}` };
			cache?.keep(fact, e);
		}
		yield;
		if (seen.has(e.key)) continue;
		seen.add(e.key);
		out.push(e.placed);
	}
	cache?.end();
	return out;
}

function subjectRange(line: number, text: string, fact: EscapeFact): Range {
	// A wildcard subject like `&T{...}` is extended to its closing brace when it sits on one line.
	const r = rangeOnLine(line, text, fact.pos, fact.subject);
	if (fact.subject.endsWith('{...}')) {
		const end = matchBrace(text, r.start.character + fact.subject.indexOf('{'));
		if (end > 0) r.end.character = end + 1;
	}
	return r;
}

function matchBrace(text: string, open: number): number {
	if (text[open] !== '{') return -1;
	let depth = 0;
	for (let i = open; i < text.length; i++) {
		if (text[i] === '{') depth++;
		else if (text[i] === '}' && --depth === 0) return i;
	}
	return -1;
}

function severityOf(s: SeveritySetting | Severity): DiagnosticSeverity | undefined {
	return s === 'off' ? undefined : SEVERITY[s];
}

/**
 * The severity a fact is published with; undefined: not published. A `does-not-escape` fact the
 * user asked to see for its function (`onStack`, the stack lens) is shown as information when the
 * setting hides it.
 */
export function factSeverity(kind: EscapeFact['kind'], settings: Settings, onStack = false): DiagnosticSeverity | undefined {
	const set = severityOf(settings.escapeSeverities[kind] ?? 'off');
	if (set === undefined && onStack && kind === 'does-not-escape') return DiagnosticSeverity.Information;
	return set;
}

function posLabel(p: GoPos): string {
	return `${path.basename(p.file)}:${p.line}:${p.column}`;
}

/** One sentence: what the compiler decided, its cause and, from its own reason chain, why. */
export function factMessage(fact: EscapeFact, e: Explanation): string {
	return factSentence(fact, e);
}

/**
 * Compiler facts → diagnostics (severity per kind; 'off' hides; stale facts are marked). With the
 * cache of the same placing, a fact's diagnostic is built once for the same settings, capabilities
 * and staleness, frozen, and published again as is.
 */
export function escapeDiagnostics(...args: Parameters<typeof escapeDiagnosticsInSteps>): Diagnostic[] {
	return drain(escapeDiagnosticsInSteps(...args));
}

/**
 * escapeDiagnostics one fact per step: a caller on the server's thread can let waiting requests
 * in between steps (explaining a big file's thousands of facts takes 100 ms and more).
 */
export function* escapeDiagnosticsInSteps(
	placed: readonly PlacedFact[],
	settings: Settings,
	caps: ClientCaps,
	stale: boolean,
	cache?: FactCache,
	onStack?: ReadonlySet<PlacedFact>,
): Steps<Diagnostic[]> {
	const out: Diagnostic[] = [];
	// Steps name a handful of files thousands of times: one URI string per file.
	const uris = new Map<string, string>();
	const uriOf = (file: string) => {
		let u = uris.get(file);
		if (u === undefined) uris.set(file, (u = URI.file(file).toString()));
		return u;
	};
	for (const pf of placed) {
		const e = cache?.of(pf);
		const memo = e?.diagnostic;
		const stack = onStack?.has(pf) ?? false;
		let d: Diagnostic | undefined;
		if (memo && memo.settings === settings && memo.caps === caps && memo.stale === stale && memo.onStack === stack) d = memo.value;
		else {
			d = escapeDiagnostic(pf, factSeverity(pf.fact.kind, settings, stack), caps, stale, uriOf);
			if (e) e.diagnostic = { settings, caps, stale, onStack: stack, value: d && keepDiagnostic(d) };
		}
		if (d) out.push(d);
		yield;
	}
	return out;
}

function escapeDiagnostic(pf: PlacedFact, severity: DiagnosticSeverity | undefined, caps: ClientCaps, stale: boolean, uriOf: (file: string) => string): Diagnostic | undefined {
	const { fact, range } = pf;
	if (severity === undefined) return undefined;
	const explanation = pf.explanation;
	let message = factMessage(fact, explanation);
	if (!caps.relatedInformation && explanation.steps.length) {
		message += '\n' + explanation.steps.map((s, i) => `${i + 1}. ${s.text} (${posLabel(s.pos)})`).join('\n');
		if (explanation.moreSteps) message += `\n${moreStepsText(explanation.moreSteps)}`;
	}
	if (stale) message += STALE_SUFFIX;
	const d: Diagnostic = {
		range,
		severity,
		source: 'memlens',
		code: fact.kind,
		message,
	};
	if (caps.codeDescription) d.codeDescription = { href: escapeDocUri(fact.kind) };
	if (caps.relatedInformation && explanation.steps.length) {
		d.relatedInformation = explanation.steps.map((s) => ({ location: { uri: uriOf(s.pos.file), range: stepRange(s.pos) }, message: s.text }));
		if (explanation.moreSteps) d.relatedInformation.push({ location: { uri: uriOf(fact.pos.file), range }, message: moreStepsText(explanation.moreSteps) });
	}
	return d;
}

/** What stands for the steps past MAX_STEPS (escape/explain.ts). */
export function moreStepsText(n: number): string {
	return `… ${n} more step${n === 1 ? '' : 's'}: the whole chain is in the compiler's output (Go MemLens: Show Compiler Output)`;
}

// The compiler's step positions are 1-based byte columns in files we may not have open; a
// zero-width range at the column is the honest answer without the text.
function stepRange(p: GoPos): Range {
	const pos = { line: Math.max(0, p.line - 1), character: Math.max(0, p.column - 1) };
	return { start: pos, end: pos };
}

/** Rule findings → diagnostics (per-rule severity override; 'off' and disabled rules hidden). */
export function ruleDiagnostics(findings: readonly RuleFinding[], settings: Settings, caps: ClientCaps, uri: string): Diagnostic[] {
	const out: Diagnostic[] = [];
	for (const f of findings) {
		if (settings.disabledRules.includes(f.rule)) continue;
		const severity = severityOf(settings.ruleSeverities[f.rule] ?? f.severity);
		if (severity === undefined) continue;
		let message = f.message;
		if (!caps.relatedInformation && f.related?.length) {
			message += '\n' + f.related.map((r) => `- ${r.message} (line ${r.range.start.line + 1})`).join('\n');
		}
		const d: Diagnostic = {
			range: f.range,
			severity,
			source: 'memlens',
			code: f.rule,
			message,
			data: { source: 'rule', key: diagnosticKey(f.rule, f.range) } satisfies DiagnosticData,
		};
		if (caps.codeDescription) d.codeDescription = { href: ruleDocUri(f.rule) };
		if (caps.relatedInformation && f.related?.length) {
			d.relatedInformation = f.related.map((r) => ({ location: { uri, range: r.range }, message: r.message }));
		}
		if (caps.tagSupport && f.tags?.length) d.tags = f.tags.filter((t) => t === DiagnosticTag.Unnecessary || t === DiagnosticTag.Deprecated);
		out.push(d);
	}
	return out;
}

/**
 * Merges both sources: a compiler fact and a rule finding at the same place both stand (they say
 * different things); the same code on the same range is published once.
 */
export function mergeDiagnostics(escape: readonly Diagnostic[], rules: readonly Diagnostic[]): Diagnostic[] {
	const seen = new Set<string>();
	const out: Diagnostic[] = [];
	for (const d of [...rules, ...escape]) {
		const key = diagnosticKey(String(d.code), d.range);
		if (seen.has(key)) continue;
		seen.add(key);
		out.push(d);
	}
	return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
