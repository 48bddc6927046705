/**
 * Typed facts: what Go's own type checker concluded about a package, through the analyzers of
 * `go vet -json` (see ./runner.ts). Syntax rules that need a type from another file or package
 * (does this struct hold a lock?) read these through `RuleContext.typed` when they are there.
 */
import type { GoPos, Position, Range } from '../model';

/** The analyzers the typed pass runs (go vet flags). */
export const TYPED_ANALYZERS = ['copylocks'] as const;
export type TypedAnalyzer = (typeof TYPED_ANALYZERS)[number];

/** One diagnostic of a vet analyzer, at real file positions (overlay backing files mapped back). */
export interface TypedFact {
	analyzer: string;
	pos: GoPos;
	/** End of the reported expression (same as `pos` for a point). */
	end?: GoPos;
	/** The analyzer's message as vet printed it. */
	message: string;
	/** The package ID vet printed it under (`example.com/m/p`, or with a test variant suffix). */
	pkg: string;
}

/** A typed fact placed in one file's LSP coordinates (0-based line, UTF-16 character). */
export interface LocatedTypedFact extends TypedFact {
	at: Position;
	/** The end in the same coordinates (equals `at` when vet gave none). */
	atEnd: Position;
}

/**
 * What a rule sees of the typed pass for its file. Undefined in the RuleContext while there is no
 * typed result for the package (never run, Go missing, untrusted workspace, never vetted cleanly):
 * rules then give their syntax answer.
 */
export interface TypedView {
	/** Analyzers that ran over the package. */
	analyzers: readonly string[];
	/** Their findings in this file, moved with the text typed since. */
	facts: LocatedTypedFact[];
	/**
	 * The analyzers saw this whole file, as it was: a finding they did not report is not there.
	 * False for files behind a build constraint (`//go:build`, a `_GOOS` suffix, cgo), which vet may
	 * not have compiled, and for packages vet could not check.
	 */
	checked: boolean;
	/** Ranges of the current text edited since the run: typed results say nothing there. */
	edited: Range[];
	/** The package stopped compiling after these results were made (they are the last good ones). */
	stale: boolean;
}
