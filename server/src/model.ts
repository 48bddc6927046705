/**
 * The data model shared by the escape engine, the rule engine, the LSP layer and the CLI.
 *
 * Two coordinate systems meet here:
 * - the Go compiler's: 1-based line, 1-based **byte** column (UTF-8), absolute file path;
 * - the LSP's: 0-based line, 0-based **UTF-16** character (`Range`/`Position`), which is also what
 *   web-tree-sitter reports when it parses a JS string.
 * Conversion lives in `util/positions.ts`; nothing else converts.
 */
import type { Range, TextEdit } from 'vscode-languageserver-types';

export type { Range, Position, TextEdit } from 'vscode-languageserver-types';

/** The facts the compiler's escape analysis reports (`-gcflags=-m=2`). */
export type EscapeKind =
	| 'moved-to-heap'
	| 'escapes-to-heap'
	| 'leaking-param'
	| 'leaking-param-content'
	| 'does-not-escape'
	| 'inlining';

export const ESCAPE_KINDS: readonly EscapeKind[] = [
	'moved-to-heap',
	'escapes-to-heap',
	'leaking-param',
	'leaking-param-content',
	'does-not-escape',
	'inlining',
];

/** A position as the compiler prints it. */
export interface GoPos {
	/** Absolute path of the file. */
	file: string;
	/** 1-based line. */
	line: number;
	/** 1-based byte column. */
	column: number;
}

/** One `from EXPR (REASON) at POS` step of a flow. */
export interface FlowStep {
	/** The expression, e.g. `&buf`. */
	expr: string;
	/** The compiler's reason, e.g. `address-of`, `call parameter`. */
	reason: string;
	pos: GoPos;
}

/** One `flow: DST = OP SRC:` block with its steps. */
export interface Flow {
	/** Destination location, e.g. `{heap}`, `{storage for b}`, `~r0`. */
	dst: string;
	/** `&`, `` or `*`… */
	op: string;
	src: string;
	steps: FlowStep[];
}

export interface EscapeFact {
	kind: EscapeKind;
	pos: GoPos;
	/** The subject: a variable (`buf`), a parameter (`p`) or an expression (`&T{...}`, `make([]byte, n)`). */
	subject: string;
	/** The compiler's message as printed, without the position (`moved to heap: buf`). */
	message: string;
	/** For leaking params: `to result ~r0 level=0` etc. */
	detail?: string;
	/** The reason chain that `-m=2` printed before this fact (may be empty). */
	flows: Flow[];
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A code fix computed together with the finding (looked up later by the code-action handler). */
export interface Fix {
	title: string;
	/** Edits in the finding's own file (LSP coordinates). */
	edits: TextEdit[];
	isPreferred?: boolean;
	/** Safe to apply without review: part of `source.fixAll.memlens` and `memlens fix`. */
	safe?: boolean;
}

/** What a syntax rule reports, in LSP coordinates of the file it was run on. */
export interface RuleFinding {
	rule: string;
	range: Range;
	severity: Severity;
	message: string;
	fixes?: Fix[];
	/** Extra positions worth showing (e.g. the Put that this Get is missing). */
	related?: { range: Range; message: string }[];
	/** Diagnostic tags: 1 = Unnecessary, 2 = Deprecated. */
	tags?: (1 | 2)[];
}

/** The effective Go language version of one file and where it came from (see analysis/goVersion.ts). */
export interface GoVersionInfo {
	/** Minor version of go1.N (e.g. 21), or undefined when no module gives one. */
	minor: number | undefined;
	/** e.g. `go1.21` or `unknown`. */
	label: string;
	source: 'go.mod' | 'go.mod (no go directive)' | 'build constraint' | 'setting' | 'no module';
	/** The main module's `go` line (timer semantics follow it, not the file's). */
	mainModuleMinor: number | undefined;
	/** `godebug asynctimerchan=1` in go.mod or `//go:debug asynctimerchan=1` seen. */
	asyncTimerChan?: boolean;
}
