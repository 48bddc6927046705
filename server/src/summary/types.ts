/**
 * The summary report's input (facts and findings per package, as the engines produced them) and
 * its model (what the text, Markdown and HTML renderers print). Both are plain data.
 */
import type { CauseId } from '../escape/causes';
import type { EscapeFact, Severity } from '../model';

/** A heap fact (moved to heap / escapes to heap) with where it sits. */
export interface HeapFactInput {
	fact: EscapeFact;
	/** The fact's file as shown (relative to the report's root, `/`-separated). */
	file: string;
	/** The top-level function or method it is written in; undefined for package-level code. */
	func?: string;
	/** First line of that declaration. */
	funcLine?: number;
}

/** A syntax rule's finding. */
export interface RuleFindingInput {
	rule: string;
	/** As shown (relative, `/`-separated). */
	file: string;
	line: number;
	/** 1-based byte column. */
	column: number;
	severity: Severity;
	message: string;
}

export interface PackageInput {
	/** Import path, or the directory as shown when the package has none. */
	id: string;
	/** Directory as shown. */
	dir: string;
	/** .go files the rules ran on. */
	files: number;
	/** Whether the compiler's facts are there (false: a build error, or `--escape none`). */
	compiled: boolean;
	/**
	 * Not one of the analysed packages: its facts are bodies the compiler inlined into analysed
	 * packages and printed at this package's files (GOROOT, a dependency, another module).
	 */
	inlinedOnly?: boolean;
	heap: HeapFactInput[];
	findings: RuleFindingInput[];
}

export interface SummaryMeta {
	/** `memlens 0.1.0`. */
	tool: string;
	/** `go1.26.8`, when known. */
	goVersion?: string;
	/** What was analysed, as the user named it. */
	paths: string[];
	/** ISO time the report was made (left out for reproducible output). */
	generatedAt?: string;
	/** Shard `I/N` when the run was one shard of a CI matrix. */
	shard?: string;
}

export interface SummaryInput {
	meta: SummaryMeta;
	packages: PackageInput[];
}

/** A cause id, or `unclassified` for a heap fact the classification had no cause for. */
export type CauseKey = CauseId | 'unclassified';

export interface SiteRef {
	file: string;
	line: number;
	column: number;
	/** The compiler's message (`moved to heap: buf`). */
	message: string;
	func?: string;
}

export interface CauseCount {
	id: CauseKey;
	count: number;
}

export interface CauseSummary {
	id: CauseKey;
	title: string;
	/** The advice the explanations give for this cause (the most common one when they differ). */
	advice?: string;
	/** Every fact of this cause is an expected allocation (the value outlives the call). */
	expected: boolean;
	count: number;
	moved: number;
	escapes: number;
	/** Packages with at least one fact of this cause. */
	packages: number;
	/** A few sites, in source order. */
	examples: SiteRef[];
}

export interface FunctionSummary {
	package: string;
	/** `F`, `(*T).M`, or `(package-level declarations)`. */
	name: string;
	file: string;
	line: number;
	heap: number;
	moved: number;
	escapes: number;
	causes: CauseCount[];
}

export interface FileSummary {
	package: string;
	file: string;
	heap: number;
	findings: number;
}

export interface RuleSummary {
	rule: string;
	/** One line on what the rule finds (its doc summary). */
	summary: string;
	count: number;
	/** The most severe severity among its findings. */
	severity: Severity;
	packages: number;
}

export interface PackageSummary {
	id: string;
	dir: string;
	files: number;
	compiled: boolean;
	inlinedOnly: boolean;
	heap: number;
	moved: number;
	escapes: number;
	causes: CauseCount[];
	topFunctions: FunctionSummary[];
	topFiles: FileSummary[];
	rules: { rule: string; count: number }[];
	findings: RuleFindingInput[];
}

export interface SummaryModel {
	version: 1;
	meta: SummaryMeta;
	totals: {
		packages: number;
		/** Packages with compiler facts. */
		compiled: number;
		files: number;
		heap: number;
		moved: number;
		escapes: number;
		findings: number;
		bySeverity: Record<Severity, number>;
	};
	/** Every cause with at least one fact, most facts first. */
	causes: CauseSummary[];
	/** Most heap facts first. */
	packages: PackageSummary[];
	topFunctions: FunctionSummary[];
	topFiles: FileSummary[];
	rules: RuleSummary[];
}
