/**
 * Pure: a finding's fingerprint, the identity a baseline remembers it by. It is made of what
 * survives unrelated edits and moved lines: the rule id (or compiler fact kind), the package
 * directory, the enclosing function, the line's text with its whitespace normalised, and for
 * compiler facts the subject (`buf`, `make([]byte, n)`). Not the line number. Identical findings
 * on identical lines of one function get `#0`, `#1`… in file order.
 */
import { createHash } from 'node:crypto';

export interface FingerprintParts {
	rule: string;
	/** Package directory relative to the baseline's root, `/`-separated ('' for the root). */
	pkg: string;
	/** Enclosing function (review/functions.ts), '' at package scope. */
	function: string;
	/** The finding's line of source, as read. */
	text: string;
	/** A compiler fact's subject. */
	subject?: string;
}

/** The line as compared: runs of whitespace (tabs from gofmt, trailing spaces) count as one space. */
export function normaliseLine(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

/** The fingerprint without its occurrence number (16 hex digits of a SHA-256). */
export function fingerprintBase(p: FingerprintParts): string {
	const h = createHash('sha256');
	h.update(JSON.stringify([p.rule, p.pkg, p.function, normaliseLine(p.text), p.subject ?? '']));
	return h.digest('hex').slice(0, 16);
}

/** Fingerprints of `items` (in file order), numbered among equals: `base#0`, `base#1`… */
export function fingerprintAll<T>(items: readonly T[], parts: (t: T) => FingerprintParts): string[] {
	const seen = new Map<string, number>();
	return items.map((t) => {
		const base = fingerprintBase(parts(t));
		const n = seen.get(base) ?? 0;
		seen.set(base, n + 1);
		return `${base}#${n}`;
	});
}
