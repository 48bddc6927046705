/**
 * The contract every rule follows: one rule per file in this folder, registered in ./index.ts.
 * A rule is a pure function of the syntax tree, the file's Go version and (when available) the
 * compiler's escape facts for this file. It never touches the file system or the network.
 */
import type { Node, Tree } from '../syntax/mirror';
import type { EscapeFact, GoVersionInfo, Position, RuleFinding, Severity } from '../model';
import type { RuleMemo } from './scope';
import type { TypedView } from '../typed/facts';

/** An escape fact placed in this file's LSP coordinates. */
export interface LocatedEscapeFact extends EscapeFact {
	/** 0-based line / UTF-16 character of the fact's position in this file. */
	at: Position;
}

export interface RuleContext {
	tree: Tree;
	text: string;
	/** Absolute path of the file (may not exist on disk for untitled buffers). */
	filePath: string;
	goVersion: GoVersionInfo;
	/**
	 * Escape facts for this file from the last good compile, or undefined while none are
	 * available (rules marked ESC then give their syntax-only answer).
	 */
	escape: LocatedEscapeFact[] | undefined;
	/** True when the file has `import "C"`. */
	isCgo: boolean;
	/**
	 * For cgo files: the C code the package compiles besides this file's preamble (quote-included
	 * headers, other files' preambles, `.c` files), read on demand; absent for unsaved buffers
	 * without a directory and in unit tests.
	 */
	cgoPackageC?: () => string;
	/**
	 * What Go's own type checker (go vet analyzers) found for this file's package, or undefined
	 * while there is none (rules marked `usesTyped` then give their syntax answer). See typed/facts.ts.
	 */
	typed?: TypedView;
	/**
	 * Set on a scoped run (a keystroke): check only `decls` (top-level function declarations the
	 * edit touched); `context` holds the file's non-function declarations for file-level lookups.
	 * Unset: the whole file. See ./scope.ts.
	 */
	scope?: {
		decls: readonly Node[];
		context: readonly Node[];
		/** The file's facts when `escape` holds only the scope's (whole-file rules get these). */
		fileEscape?: LocatedEscapeFact[];
	};
	/** File-level data shared between the whole-file run that fills it and later scoped runs. */
	memo?: RuleMemo;
}

export interface RuleDoc {
	/** One line: what it finds. */
	summary: string;
	/** Default severity (may be refined per finding). */
	severity: Severity;
	/** Does the rule read escape facts? */
	usesEscape: boolean;
	/** Does the rule read typed facts (`RuleContext.typed`)? Re-run when the package's typed results arrive. */
	usesTyped?: boolean;
}

export interface Rule {
	id: string;
	doc: RuleDoc;
	/**
	 * The rule's findings depend on other functions of the file (not only on the declaration they
	 * are in): scoped runs (keystrokes) run it over the whole file. Keep its pre-check cheap.
	 */
	wholeFile?: boolean;
	/**
	 * On a scoped run (a keystroke), the rule runs only if a touched declaration's text matches: a
	 * cheap pre-check for rules that can only report around some token (`defer`, a func literal…).
	 * Scoped findings lie inside the touched declarations, so text elsewhere cannot matter.
	 */
	scopeGate?: RegExp;
	/** Returns findings; must not throw on any tree (the engine still guards it). */
	check(ctx: RuleContext): RuleFinding[];
}

/** Helper for rules: the escape facts whose position is exactly at `node`'s start. */
export function factsAt(ctx: RuleContext, node: Node): LocatedEscapeFact[] {
	if (!ctx.escape) return [];
	const { row, column } = node.startPosition;
	return ctx.escape.filter((f) => f.at.line === row && f.at.character === column);
}
