/**
 * The source lines a placed fact's explanation reads (escape/sourceTerms.ts: `b.String()` for a
 * `~r0`, the `go` of a statement, the file's imports), from one open document.
 *
 * Explanations are worked out when read, and placed facts are kept from one keystroke to the next
 * (factCache.ts), so two things matter:
 * - what they read is the document's latest text, through this one object per document (a placed
 *   fact holding the text it was placed with would keep every old version alive);
 * - a placed fact is reused only while every line its explanation read is unchanged: each read is
 *   recorded (line → hash, never the text itself) and checked before reuse.
 */
import type { EscapeFact } from '../model';
import { sourceLookup, type SourceLookup } from '../escape/sourceTerms';

/** Lines as TextLines in diagnostics.ts gives them (0-based). */
export interface Lines {
	readonly count: number;
	at(line: number): string;
}

/** What one placed fact read: 1-based line → hash of its text; 0 → hash of the file's imports. */
export type LineDeps = Map<number, number>;

export class DocumentSource {
	private file = '';
	private lines: Lines | undefined;
	private lookup: SourceLookup | undefined;
	private recorder: LineDeps | undefined;
	private importsHash: number | undefined;

	/** A new text (and the package's facts) to read from. */
	update(file: string, lines: Lines, facts: readonly EscapeFact[]): void {
		this.file = file;
		this.lines = lines;
		this.importsHash = undefined;
		const base = sourceLookup(facts, (f, n) => this.line(f, n));
		this.lookup = {
			...base,
			imports: (f) => {
				// Recorded as one entry (0) rather than as the import block's lines.
				const rec = this.recorder;
				this.recorder = undefined;
				const set = base.imports(f);
				this.recorder = rec;
				if (rec && f === this.file) rec.set(0, hashOf(set ? [...set].join(',') : ''));
				return set;
			},
		};
	}

	forget(): void {
		this.lines = undefined;
		this.lookup = undefined;
	}

	/** Runs `fn` with the lookup, recording into `deps` what it reads. */
	read<T>(deps: LineDeps, fn: (src: SourceLookup | undefined) => T): T {
		const prev = this.recorder;
		this.recorder = deps;
		try {
			return fn(this.lookup);
		} finally {
			this.recorder = prev;
		}
	}

	/** Are the lines recorded in `deps` (except `own`, the fact's own line, checked by the caller) still the same? */
	holds(deps: LineDeps | undefined, own: number): boolean {
		if (!deps || deps.size === 0) return true;
		for (const [n, h] of deps) {
			if (n === own) continue;
			if (n === 0) {
				this.importsHash ??= hashOf([...(this.lookup?.imports(this.file) ?? [])].join(','));
				if (this.importsHash !== h) return false;
			} else if (hashOf(this.text(n) ?? '\0') !== h) return false;
		}
		return true;
	}

	private text(n: number): string | undefined {
		const lines = this.lines;
		return lines && n >= 1 && n <= lines.count ? lines.at(n - 1) : undefined;
	}

	private line(file: string, n: number): string | undefined {
		if (file !== this.file) return undefined;
		const t = this.text(n);
		this.recorder?.set(n, hashOf(t ?? '\0'));
		return t;
	}
}

/** FNV-1a over UTF-16 units: enough to notice a changed line, and keeps no reference to it. */
function hashOf(s: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}
