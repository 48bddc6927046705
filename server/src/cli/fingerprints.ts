/**
 * The fingerprint of each finding (review/fingerprint.ts): its package directory relative to the
 * run's root, the function it is in (read off the file's syntax tree) and its line of source.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { splitLines } from '../util/positions';
import { newGoParser } from '../syntax/goParser';
import { functionAt, functionSpans, type FunctionSpan } from '../review/functions';
import { fingerprintAll, type FingerprintParts } from '../review/fingerprint';
import type { Finding } from './analyze';

export interface FingerprintedFinding {
	finding: Finding;
	parts: FingerprintParts;
	fingerprint: string;
}

function slash(p: string): string {
	return p.split(path.sep).join('/');
}

/** Reads each file once: its lines and its top-level function spans. */
export class SourceIndex {
	private readonly files = new Map<string, { lines: string[]; spans: FunctionSpan[] } | undefined>();
	private constructor(private readonly parser: Awaited<ReturnType<typeof newGoParser>>) {}

	static async open(): Promise<SourceIndex> {
		return new SourceIndex(await newGoParser());
	}

	private get(file: string) {
		if (!this.files.has(file)) {
			let entry: { lines: string[]; spans: FunctionSpan[] } | undefined;
			try {
				const text = readFileSync(file, 'utf8');
				const tree = this.parser.parse(text);
				try {
					entry = { lines: splitLines(text), spans: tree ? functionSpans(tree.rootNode) : [] };
				} finally {
					tree?.delete();
				}
			} catch {
				entry = undefined;
			}
			this.files.set(file, entry);
		}
		return this.files.get(file);
	}

	/** The text of a 1-based line ('' when unreadable). */
	line(file: string, line: number): string {
		return this.get(file)?.lines[line - 1] ?? '';
	}

	/** The function around a 1-based line ('' at package scope or when unreadable). */
	functionAt(file: string, line: number): string {
		const e = this.get(file);
		return e ? functionAt(e.spans, line) : '';
	}

	dispose(): void {
		this.parser.delete();
	}
}

/** Fingerprints findings (sorted by file, line, column) against `root`. */
export function fingerprintFindings(findings: readonly Finding[], root: string, src: SourceIndex): FingerprintedFinding[] {
	const parts = findings.map(
		(f): FingerprintParts => ({
			rule: f.rule,
			pkg: slash(path.relative(root, path.dirname(f.file))),
			function: src.functionAt(f.file, f.line),
			text: src.line(f.file, f.line),
			...(f.subject !== undefined ? { subject: f.subject } : {}),
		}),
	);
	const prints = fingerprintAll(parts, (p) => p);
	return findings.map((finding, i) => ({ finding, parts: parts[i], fingerprint: prints[i] }));
}
