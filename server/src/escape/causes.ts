/**
 * Why a heap fact happened, in one of a fixed set of causes read off the compiler's flow chain,
 * and what a developer can do about it. Pure. The same cause ids are used by the hover, the CLI's
 * JSON (`cause`), and the summary report (issues 13, 14).
 *
 * This is the interface; the classification is filled in by the explanations work (issue 14).
 */
import type { EscapeFact } from '../model';

export type CauseId =
	| 'interface-conversion'
	| 'passed-to-leaking-param'
	| 'fmt-or-reflect'
	| 'captured-by-closure'
	| 'returned'
	| 'stored-through-pointer'
	| 'sent-or-goroutine'
	| 'stored-in-slice-or-map'
	| 'unknown-size'
	| 'too-large'
	| 'indirect-call'
	| 'other';

export interface EscapeCause {
	id: CauseId;
	/** Short title, e.g. "converted to an interface". */
	title: string;
	/** How to keep the value on the stack, when there is a way; absent when the value must outlive the call. */
	advice?: string;
	/** True when the heap allocation is expected (the value outlives the call): nothing to fix. */
	expected?: boolean;
}

/** The cause of a heap fact (moved to heap / escapes to heap), or undefined for other kinds. */
export function causeOf(fact: EscapeFact): EscapeCause | undefined {
	if (fact.kind !== 'moved-to-heap' && fact.kind !== 'escapes-to-heap') return undefined;
	return undefined;
}
