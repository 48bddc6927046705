/**
 * Pure: the compiler facts that are new, gone or of another kind between two revisions, matched
 * by package, function and subject rather than by line, so edits that only move code report
 * nothing. Within one (package, function, subject) several facts (the same `&T{...}` twice) are
 * paired kind with kind first; what is left is paired in source order as a change of kind
 * (`does not escape` → `escapes to heap`, `leaking param` → `leaking param content`), and the rest
 * is new or gone.
 */
import type { EscapeFact, EscapeKind } from '../model';

/** A fact of one revision, with the keys it is matched by. */
export interface KeyedFact {
	fact: EscapeFact;
	/** Package directory relative to the checkout root, `/`-separated ('' for the root). */
	pkg: string;
	/** Enclosing function (review/functions.ts), '' at package scope. */
	function: string;
}

export type ChangeKind = 'new' | 'changed' | 'gone';

export interface FactChange {
	change: ChangeKind;
	pkg: string;
	function: string;
	subject: string;
	/** The fact in the head revision (new, changed). */
	head?: KeyedFact;
	/** The fact in the base revision (gone, changed). */
	base?: KeyedFact;
}

/** The kind that a change is about: the head's, or the base's when it is gone. */
export function changeKind(c: FactChange): EscapeKind {
	return (c.head ?? c.base)!.fact.kind;
}

function key(f: KeyedFact): string {
	return JSON.stringify([f.pkg, f.function, f.fact.subject]);
}

function byPos(a: KeyedFact, b: KeyedFact): number {
	const fa = a.fact.pos;
	const fb = b.fact.pos;
	return fa.file < fb.file ? -1 : fa.file > fb.file ? 1 : fa.line - fb.line || fa.column - fb.column;
}

function group(facts: readonly KeyedFact[]): Map<string, KeyedFact[]> {
	const out = new Map<string, KeyedFact[]>();
	for (const f of facts) {
		const k = key(f);
		const list = out.get(k);
		if (list) list.push(f);
		else out.set(k, [f]);
	}
	for (const list of out.values()) list.sort(byPos);
	return out;
}

/** Pairs one key's facts: equal kinds first (unchanged), then in order (changed), the rest new/gone. */
function pairKey(base: KeyedFact[], head: KeyedFact[], out: FactChange[]): void {
	const restBase: KeyedFact[] = [];
	const headLeft = [...head];
	for (const b of base) {
		const i = headLeft.findIndex((h) => h.fact.kind === b.fact.kind);
		if (i >= 0) headLeft.splice(i, 1);
		else restBase.push(b);
	}
	const n = Math.min(restBase.length, headLeft.length);
	const at = (f: KeyedFact) => ({ pkg: f.pkg, function: f.function, subject: f.fact.subject });
	for (let i = 0; i < n; i++) out.push({ change: 'changed', ...at(headLeft[i]), base: restBase[i], head: headLeft[i] });
	for (const h of headLeft.slice(n)) out.push({ change: 'new', ...at(h), head: h });
	for (const b of restBase.slice(n)) out.push({ change: 'gone', ...at(b), base: b });
}

const ORDER: Record<ChangeKind, number> = { new: 0, changed: 1, gone: 2 };

/** Changes from `base` to `head`, new first, then changed, then gone; each in file order. */
export function diffFacts(base: readonly KeyedFact[], head: readonly KeyedFact[]): FactChange[] {
	const b = group(base);
	const h = group(head);
	const out: FactChange[] = [];
	for (const k of new Set([...b.keys(), ...h.keys()])) pairKey(b.get(k) ?? [], h.get(k) ?? [], out);
	return out.sort((x, y) => ORDER[x.change] - ORDER[y.change] || byPos((x.head ?? x.base)!, (y.head ?? y.base)!));
}

/** Keeps the changes about the reported kinds: the head's kind, or the base's (gone, or changed away from it). */
export function reportedChanges(changes: readonly FactChange[], kinds: ReadonlySet<EscapeKind>): FactChange[] {
	return changes.filter((c) => (c.head && kinds.has(c.head.fact.kind)) || (c.base && kinds.has(c.base.fact.kind)));
}

/** The changes that `--fail-on-new KINDS` fails on: new ones, and changes into one of the kinds. */
export function failingChanges(changes: readonly FactChange[], kinds: ReadonlySet<EscapeKind>): FactChange[] {
	return changes.filter((c) => c.change !== 'gone' && c.head && kinds.has(c.head.fact.kind));
}

/**
 * The order changes are shown in. `--profile` (issue 12, allocation evidence) is to plug a
 * ranking by measured cost in here; until then the order is diffFacts' own.
 */
export type ChangeRanking = (changes: readonly FactChange[]) => FactChange[];
export const sourceOrder: ChangeRanking = (changes) => [...changes];
