/**
 * What one document's compiler facts turn into, kept from one publish to the next while the user
 * types in it: the placed fact (range, position), its copy for the rules, its heap-site label and
 * its diagnostic (message, flow chain as relatedInformation). A keystroke used to rebuild all of
 * these for every fact of the file (a 5,000-line file: 834 facts, 417 diagnostics), although
 * an edit leaves almost all of them as they were.
 *
 * An entry is reused only for the same fact object (util/editShift.ts keeps the object when nothing in
 * it moved, and gives a moved fact a new one, so messages that name lines are rebuilt) on the same
 * line with the same text (the range is the subject's extent on that line), and a diagnostic only
 * for the same settings object, client capabilities, staleness and stack-lens state. Entries of facts the last
 * publish did not place are dropped with it.
 *
 * The session bounds what all caches hold together (lsp/documentReports.ts MAX_CACHED_FACTS):
 * built diagnostics for every open file of GOROOT's net/http are 15-18 MB (fileReport.ts).
 */
import type { Diagnostic } from 'vscode-languageserver/node';
import type { EscapeFact } from '../model';
import type { Settings } from '../../../common/settings';
import type { LocatedEscapeFact } from '../rules/types';
import type { ClientCaps } from './types';
import type { PlacedFact } from './diagnostics';
import { DocumentSource, type LineDeps } from './documentSource';

export interface FactEntry {
	/** The 0-based line the fact was placed on and that line's text then. */
	line: number;
	text: string;
	placed: PlacedFact;
	/** Merge identity of the placed fact (kind, range, message). */
	key: string;
	ruleFact?: LocatedEscapeFact;
	label?: string;
	/** The diagnostic and what it was built for (undefined value: the kind's severity is off). */
	diagnostic?: { settings: Settings; caps: ClientCaps; stale: boolean; onStack: boolean; value: Diagnostic | undefined };
}

export class FactCache {
	private entries = new Map<EscapeFact, FactEntry>();
	/** The document's latest lines, read by the placed facts' explanations (documentSource.ts). */
	readonly doc = new DocumentSource(true);
	private placing: Map<EscapeFact, FactEntry> | undefined;

	/** Starts placing a document's facts anew (placeFacts): `reuse` and `keep` fill the next set. */
	begin(): void {
		this.placing = new Map();
	}

	/** The entry of `fact` when it was placed on `line` with this `text` last time (and is kept for this publish). */
	reuse(fact: EscapeFact, line: number, text: string): FactEntry | undefined {
		const e = this.entries.get(fact);
		if (!e || e.line !== line || e.text !== text) return undefined;
		// Its explanation also read other lines (a step's source, the imports): those must not have changed.
		if (!this.doc.holds((e.placed as { deps?: LineDeps }).deps, line + 1)) return undefined;
		this.placing?.set(fact, e);
		return e;
	}

	keep(fact: EscapeFact, e: FactEntry): void {
		this.placing?.set(fact, e);
	}

	/** Ends placing: from now on only the facts placed this time have entries. */
	end(): void {
		if (this.placing) this.entries = this.placing;
		this.placing = undefined;
	}

	/** The entry of a placed fact of the last placing (undefined for any other placed fact). */
	of(pf: PlacedFact): FactEntry | undefined {
		const e = this.entries.get(pf.fact);
		return e && e.placed === pf ? e : undefined;
	}

	clear(): void {
		this.entries = new Map();
		this.placing = undefined;
		this.doc.forget();
	}

	get size(): number {
		return this.entries.size;
	}
}

const kept = new WeakSet<object>();

/**
 * Freezes a built diagnostic and everything in it, and marks it as kept: a kept diagnostic is
 * published again and again as is, and the publish encoder keeps its bytes (lsp/wire.ts).
 */
export function keepDiagnostic(d: Diagnostic): Diagnostic {
	deepFreeze(d);
	kept.add(d);
	return d;
}

/** Was `o` marked by keepDiagnostic (so it and everything in it are frozen)? */
export function isKept(o: object): boolean {
	return kept.has(o);
}

function deepFreeze(o: unknown): void {
	if (o === null || typeof o !== 'object' || Object.isFrozen(o)) return;
	Object.freeze(o);
	for (const v of Object.values(o)) deepFreeze(v);
}
