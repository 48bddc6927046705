/**
 * Pure: the baseline file (`memlens baseline > memlens-baseline.json`) and what it hides.
 * A baseline is a list of fingerprints (review/fingerprint.ts) with enough beside each to tell a
 * person what it was; `format` names the file kind and `version` its layout, so a file from
 * another version is refused rather than misread.
 */
import { z } from 'zod';

export const BASELINE_FORMAT = 'memlens-baseline';
export const BASELINE_VERSION = 1;

const entrySchema = z.object({
	fingerprint: z.string().min(1),
	rule: z.string(),
	file: z.string(),
	line: z.number().int(),
	function: z.string(),
	message: z.string(),
});
export type BaselineEntry = z.infer<typeof entrySchema>;

const baselineSchema = z.object({
	format: z.literal(BASELINE_FORMAT),
	version: z.literal(BASELINE_VERSION),
	generatedBy: z.string().optional(),
	entries: z.array(entrySchema),
});
export type Baseline = z.infer<typeof baselineSchema>;

/** A baseline file that cannot be used (the CLI exits 2 with the message). */
export class BaselineError extends Error {}

export function makeBaseline(entries: BaselineEntry[], generatedBy: string): Baseline {
	return { format: BASELINE_FORMAT, version: BASELINE_VERSION, generatedBy, entries };
}

/** Reads a baseline file's text; `name` is how the messages call it. Throws BaselineError. */
export function parseBaseline(text: string, name: string): Baseline {
	let doc: unknown;
	try {
		doc = JSON.parse(text);
	} catch (e) {
		throw new BaselineError(`${name} is not JSON (${(e as Error).message}): make it with memlens baseline > ${name}`);
	}
	const d = doc as { format?: unknown; version?: unknown } | null;
	if (!d || typeof d !== 'object' || d.format !== BASELINE_FORMAT) throw new BaselineError(`${name} is not a memlens baseline (no "format": "${BASELINE_FORMAT}")`);
	if (d.version !== BASELINE_VERSION) {
		throw new BaselineError(`${name} is a baseline of format version ${JSON.stringify(d.version)}; this memlens reads version ${BASELINE_VERSION}: make it again with memlens baseline > ${name}`);
	}
	const r = baselineSchema.safeParse(doc);
	if (!r.success) {
		const issue = r.error.issues[0];
		throw new BaselineError(`${name}: ${issue.path.join('.') || 'document'}: ${issue.message}`);
	}
	return r.data;
}

export interface BaselineMatch<T> {
	/** Findings not in the baseline: the ones to report. */
	fresh: T[];
	/** How many findings the baseline hid. */
	hidden: number;
	/** Entries in scope that matched nothing: fixed, or changed beyond recognition. */
	stale: BaselineEntry[];
}

/**
 * Splits findings (with their fingerprints, same order) by the baseline. Entries out of `inScope`
 * (another directory, a rule or kind this run did not report) are neither used nor stale.
 */
export function applyBaseline<T>(items: readonly T[], fingerprints: readonly string[], baseline: Baseline, inScope: (e: BaselineEntry) => boolean): BaselineMatch<T> {
	const known = new Set(baseline.entries.map((e) => e.fingerprint));
	const used = new Set<string>();
	const fresh: T[] = [];
	items.forEach((t, i) => {
		if (known.has(fingerprints[i])) used.add(fingerprints[i]);
		else fresh.push(t);
	});
	const stale = baseline.entries.filter((e) => !used.has(e.fingerprint) && inScope(e));
	return { fresh, hidden: items.length - fresh.length, stale };
}
