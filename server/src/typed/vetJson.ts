/**
 * Reads what `go vet -json` prints (pure: text in, facts out). Checked against Go 1.26's cmd/vet
 * (x/tools unitchecker + driverutil.JSONTree):
 * - stdout: one JSON object per vetted package, `{"<pkg id>": {"<analyzer>": [diagnostic…]}}`, or
 *   `{}` when the package has no finding (so a clean package is not named); an analyzer that
 *   failed has `{"error": "…"}` instead of a list. Objects follow each other without separators
 *   (older toolchains printed them on stderr after `# pkg` lines: those lines are skipped).
 * - a diagnostic: `posn`/`end` as `file:line:col` (absolute paths; an overlay's backing file for a
 *   replaced file), `message`, optional `category`, `related`, `suggested_fixes`.
 * - stderr: a package vet could not type-check, or whose build failed, is named on a `# <pkg>`
 *   line before its errors (`vet: file:line:col: …` for type errors); exit status 1.
 */
import type { GoPos } from '../model';
import type { TypedFact } from './facts';

export interface VetOutput {
	facts: TypedFact[];
	/** Package IDs that had something to say (findings or an analyzer error). */
	packages: string[];
	/** Analyzers that failed on a package (their silence there means nothing). */
	analyzerErrors: { pkg: string; analyzer: string; error: string }[];
	/** Text that was neither a JSON object nor a `#` line (should be empty). */
	unparsed: string[];
}

export interface VetParseOptions {
	/** Overlay backing file → the real file it stands for. */
	backingToReal?: ReadonlyMap<string, string>;
}

/** `file:line:col` (or `file:line`, `file`) → a position; undefined for `-` or empty. */
export function parsePosn(posn: string | undefined, backingToReal?: ReadonlyMap<string, string>): GoPos | undefined {
	if (!posn || posn === '-') return undefined;
	const m = /^(.*?):(\d+)(?::(\d+))?$/.exec(posn);
	if (!m) return undefined;
	const file = backingToReal?.get(m[1]) ?? m[1];
	return { file, line: Number(m[2]), column: m[3] ? Number(m[3]) : 1 };
}

/** The top-level JSON values of a stream of concatenated objects, with what lay between them. */
function splitObjects(text: string): { objects: string[]; rest: string[] } {
	const objects: string[] = [];
	const rest: string[] = [];
	let depth = 0;
	let start = -1;
	let inString = false;
	let lineStart = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (inString) {
			if (c === '\\') i++;
			else if (c === '"') inString = false;
			continue;
		}
		if (depth === 0) {
			if (c === '{') {
				const between = text.slice(lineStart, i).trim();
				if (between) rest.push(...between.split('\n').map((l) => l.trim()).filter(Boolean));
				start = i;
				depth = 1;
			}
			continue;
		}
		if (c === '"') inString = true;
		else if (c === '{' || c === '[') depth++;
		else if (c === '}' || c === ']') {
			depth--;
			if (depth === 0) {
				objects.push(text.slice(start, i + 1));
				lineStart = i + 1;
			}
		}
	}
	const tail = text.slice(depth === 0 ? lineStart : start).trim();
	if (tail) rest.push(...tail.split('\n').map((l) => l.trim()).filter(Boolean));
	return { objects, rest };
}

interface JsonDiagnostic {
	posn?: string;
	end?: string;
	message?: string;
}

/** Parses vet's JSON stdout. Never throws: malformed parts land in `unparsed`. */
export function parseVetJson(stdout: string, opts: VetParseOptions = {}): VetOutput {
	const out: VetOutput = { facts: [], packages: [], analyzerErrors: [], unparsed: [] };
	const { objects, rest } = splitObjects(stdout);
	out.unparsed.push(...rest.filter((l) => !l.startsWith('#')));
	for (const text of objects) {
		let tree: unknown;
		try {
			tree = JSON.parse(text);
		} catch {
			out.unparsed.push(text.slice(0, 200));
			continue;
		}
		if (!tree || typeof tree !== 'object') continue;
		for (const [pkg, byAnalyzer] of Object.entries(tree as Record<string, unknown>)) {
			if (!byAnalyzer || typeof byAnalyzer !== 'object') continue;
			out.packages.push(pkg);
			for (const [analyzer, result] of Object.entries(byAnalyzer as Record<string, unknown>)) {
				if (!Array.isArray(result)) {
					const error = (result as { error?: unknown } | null)?.error;
					out.analyzerErrors.push({ pkg, analyzer, error: typeof error === 'string' ? error : JSON.stringify(result) });
					continue;
				}
				for (const d of result as JsonDiagnostic[]) {
					const pos = parsePosn(d?.posn, opts.backingToReal);
					if (!pos || typeof d.message !== 'string') continue;
					const end = parsePosn(d.end, opts.backingToReal);
					out.facts.push({ analyzer, pos, ...(end && end.file === pos.file ? { end } : {}), message: d.message, pkg });
				}
			}
		}
	}
	return out;
}

export interface VetErrors {
	/** Packages named on `# pkg` lines (their vet failed, or their build did). */
	failedPackages: string[];
	/** The error lines, as printed. */
	messages: string[];
}

/** What vet's stderr says went wrong (empty on a clean run). */
export function parseVetStderr(stderr: string): VetErrors {
	const failed = new Set<string>();
	const messages: string[] = [];
	for (const raw of stderr.split('\n')) {
		const line = raw.trimEnd();
		if (!line) continue;
		const h = /^# (\S+)/.exec(line);
		if (h) {
			// `# [pkg]` names the test variant's vet of pkg.
			failed.add(h[1].replace(/^\[(.*)\]$/, '$1'));
			continue;
		}
		messages.push(line);
	}
	return { failedPackages: [...failed], messages };
}
