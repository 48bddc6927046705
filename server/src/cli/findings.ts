/**
 * Findings as the CLI reports them: compiler facts and rule findings in the compiler's coordinates
 * (1-based line, 1-based byte column), with UTF-16 columns kept for SARIF; and the syntax rules over
 * one file. Pure but for reading source files (TextCache).
 */
import { readFileSync } from 'node:fs';
import type { EscapeFact, EscapeKind, Fix, RuleFinding, Severity } from '../model';
import { byteToUtf16, splitLines, utf16ToByte } from '../util/positions';
import { defaultSettings } from '../../../common/settings';
import { explainFact, factSentence } from '../escape/explain';
import type { CauseId } from '../escape/causes';
import type { SourceLookup } from '../escape/sourceTerms';
import type { GoModReader } from '../analysis/goVersion';
import { CgoSourceReader } from '../analysis/cgoSources';
import { runRules } from '../rules/engine';
import type { LocatedEscapeFact } from '../rules/types';
import type { Parser } from '../syntax/goParser';
import { mirrorOf, wholeRunTree } from '../syntax/mirror';
import type { functionSpans } from '../syntax/functionSpans';
import type { TypedView } from '../typed/facts';
import type { FindingCost } from './profileFormat';

/** One step of the compiler's reason chain (or a rule's related position). */
export interface FlowEntry {
	message: string;
	/** Absolute path. */
	file: string;
	line: number;
	/** 1-based byte column. */
	column: number;
	/** 1-based UTF-16 column of the same position. */
	column16: number;
}

export interface Finding {
	/** Escape kind for compiler facts, rule id for syntax findings. */
	rule: string;
	/** Absolute path. */
	file: string;
	line: number;
	/** 1-based byte column (Go's convention). */
	column: number;
	endLine: number;
	endColumn: number;
	/** 1-based UTF-16 columns of the same positions (SARIF's default unit). */
	column16: number;
	endColumn16: number;
	severity: Severity;
	message: string;
	source: 'compiler' | 'syntax';
	flow: FlowEntry[];
	/** Compiler findings: the compiler's own line, as printed (`message` is told in source terms). */
	compiler?: string;
	/** Heap facts: why the value is on the heap (escape/causes.ts). */
	cause?: CauseId;
	/** Fixes of syntax findings (LSP coordinates of `file`). */
	fixes?: Fix[];
	/** A compiler fact's subject (`buf`, `make([]byte, n)`), which baselines and diffs match on. */
	subject?: string;
	/** With `check --profile`: what this compiler fact's line cost (cli/profileFormat.ts). */
	profile?: FindingCost;
	/** The compiler fact behind a compiler finding (its flows give the cause, escape/causes.ts). */
	fact?: EscapeFact;
}


/** Severity of a compiler fact: the extension's default, with `off` kinds shown as hints when asked for. */
export function escapeSeverity(kind: EscapeKind): Severity {
	const s = defaultSettings.escapeSeverities[kind];
	return s === 'off' ? 'hint' : s;
}

export class TextCache {
	private readonly texts = new Map<string, string[] | undefined>();
	lines(file: string): string[] | undefined {
		if (!this.texts.has(file)) {
			let t: string[] | undefined;
			try {
				t = splitLines(readFileSync(file, 'utf8'));
			} catch {
				t = undefined;
			}
			this.texts.set(file, t);
		}
		return this.texts.get(file);
	}
	/** 1-based UTF-16 column of a 1-based byte column. */
	col16(file: string, line: number, byteCol: number): number {
		const l = this.lines(file)?.[line - 1];
		return l === undefined ? byteCol : byteToUtf16(l, byteCol - 1) + 1;
	}
}

export function factFinding(fact: EscapeFact, texts: TextCache, src: SourceLookup): Finding {
	const { file, line, column } = fact.pos;
	const lineText = texts.lines(file)?.[line - 1] ?? '';
	// Underline the subject when the source at the fact's position spells it (`buf`, `make([]byte, n)`).
	const here = Buffer.from(lineText, 'utf8').subarray(column - 1).toString('utf8');
	const endColumn = here.startsWith(fact.subject) ? column + Buffer.byteLength(fact.subject, 'utf8') : column;
	const ex = explainFact(fact, src);
	const cause = ex.causes?.[0]?.id;
	return {
		rule: fact.kind,
		file,
		line,
		column,
		endLine: line,
		endColumn,
		column16: texts.col16(file, line, column),
		endColumn16: texts.col16(file, line, endColumn),
		severity: escapeSeverity(fact.kind),
		message: factSentence(fact, ex),
		source: 'compiler',
		subject: fact.subject,
		fact,
		flow: ex.steps
			.filter((s) => s.pos.line > 0)
			.map((s) => ({ message: s.text, file: s.pos.file, line: s.pos.line, column: s.pos.column, column16: texts.col16(s.pos.file, s.pos.line, s.pos.column) })),
		compiler: fact.message,
		...(cause ? { cause } : {}),
	};
}

function ruleFinding(f: RuleFinding, file: string, lines: string[]): Finding {
	const byteCol = (l: number, ch: number) => utf16ToByte(lines[l] ?? '', ch) + 1;
	const { start, end } = f.range;
	return {
		rule: f.rule,
		file,
		line: start.line + 1,
		column: byteCol(start.line, start.character),
		endLine: end.line + 1,
		endColumn: byteCol(end.line, end.character),
		column16: start.character + 1,
		endColumn16: end.character + 1,
		severity: f.severity,
		message: f.message,
		source: 'syntax',
		flow: (f.related ?? []).map((r) => ({
			message: r.message,
			file,
			line: r.range.start.line + 1,
			column: byteCol(r.range.start.line, r.range.start.character),
			column16: r.range.start.character + 1,
		})),
		...(f.fixes?.length ? { fixes: f.fixes } : {}),
	};
}

/** Findings sorted by file, line, column (then rule, for a stable order). */
export function sortFindings(fs: Finding[]): Finding[] {
	return fs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)));
}

export const cgoSources = new CgoSourceReader();

/** Syntax rules over one file (escape facts of that file given to the rules that use them). */
export function checkFile(
	parser: Parser,
	file: string,
	text: string,
	facts: EscapeFact[] | undefined,
	mods: GoModReader,
	disabled: ReadonlySet<string>,
	warnings: string[],
	typed?: TypedView,
	onRoot?: (root: Parameters<typeof functionSpans>[0]) => void,
	cgo: CgoSourceReader = cgoSources,
): Finding[] {
	const tree = parser.parse(text);
	if (!tree) return [];
	const lines = splitLines(text);
	try {
		onRoot?.(tree.rootNode);
		const escape: LocatedEscapeFact[] | undefined = facts?.map((f) => ({
			...f,
			at: { line: f.pos.line - 1, character: byteToUtf16(lines[f.pos.line - 1] ?? '', f.pos.column - 1) },
		}));
		const found = runRules(
			{ tree: wholeRunTree(mirrorOf(tree, text)), text, filePath: file, goVersion: mods.version(file, text), escape, isCgo: /^\s*import\s+"C"/m.test(text), cgoPackageC: () => cgo.packageC(file, text), ...(typed ? { typed } : {}) },
			{ disabled, onError: (e) => warnings.push(`rule ${e.rule} failed on ${file}: ${String((e.error as Error)?.message ?? e.error)}`) },
		);
		return found.map((f) => ruleFinding(f, file, lines));
	} finally {
		tree.delete();
	}
}
