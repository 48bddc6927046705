/**
 * The source lines a placed fact's explanation reads (escape/sourceTerms.ts: `b.String()` for a
 * `~r0`, the `go` of a statement, the file's imports), from one open document.
 *
 * Explanations are worked out when read, and placed facts are kept from one keystroke to the next
 * (factCache.ts), so two things matter:
 * - what they read is the document's latest text, through this one object per document (a placed
 *   fact holding the text it was placed with would keep every old version alive);
 * - a placed fact is reused only while everything its explanation read is unchanged: each read is
 *   recorded (what → hash, never the text itself) and checked before reuse.
 */
import type { EscapeFact } from '../model';
import { sourceLookup, type SourceLookup } from '../escape/sourceTerms';

/** Lines as TextLines in diagnostics.ts gives them (0-based). */
export interface Lines {
	readonly count: number;
	at(line: number): string;
}

/**
 * What one placed fact's explanations read, each with a hash of what it got: `L<n>` line n of the
 * document, `I` its imports, `A<pos>` the calls inlined at a position, `P<name>` whether a package
 * is inlined, `F<name>` whether a function is declared. The last three come from the package's
 * facts, which an edit shifts or drops (factShift.ts) without touching the fact that read them.
 */
export type LineDeps = Map<string, number>;

export class DocumentSource {
	private file = '';
	private lines: Lines | undefined;
	private base: SourceLookup | undefined;
	private lookup: SourceLookup | undefined;
	private recorder: LineDeps | undefined;
	private importsHash: number | undefined;

	/** A new text (and the package's facts) to read from. */
	update(file: string, lines: Lines, facts: readonly EscapeFact[]): void {
		this.file = file;
		this.lines = lines;
		this.importsHash = undefined;
		const base = sourceLookup(facts, (f, n) => this.line(f, n));
		this.base = base;
		const note = (key: string, value: number) => this.recorder?.set(key, value);
		this.lookup = {
			line: base.line,
			inlinedAt: (pos) => {
				const list = base.inlinedAt(pos);
				note(`A${pos.file}\0${pos.line}\0${pos.column}`, hashOf(list.join('\n')));
				return list;
			},
			isInlinedPackage: (name) => {
				const v = base.isInlinedPackage(name);
				note(`P${name}`, v ? 1 : 0);
				return v;
			},
			isFunction: (name) => {
				const v = base.isFunction(name);
				note(`F${name}`, v === undefined ? 2 : v ? 1 : 0);
				return v;
			},
			imports: (f) => {
				// Recorded as one entry rather than as the import block's lines.
				const rec = this.recorder;
				this.recorder = undefined;
				const set = base.imports(f);
				this.recorder = rec;
				if (f === this.file) note('I', hashOf(set ? [...set].join(',') : ''));
				return set;
			},
		};
	}

	forget(): void {
		this.lines = undefined;
		this.base = undefined;
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

	/** Is everything recorded in `deps` (but `own`, the fact's own line, which the caller checks) still the same? */
	holds(deps: LineDeps | undefined, own: number): boolean {
		if (!deps || deps.size === 0) return true;
		const base = this.base;
		if (!base) return false;
		for (const [key, h] of deps) {
			const rest = key.slice(1);
			switch (key[0]) {
				case 'L':
					if (Number(rest) !== own && hashOf(this.text(Number(rest)) ?? '\0') !== h) return false;
					break;
				case 'I':
					this.importsHash ??= hashOf([...(base.imports(this.file) ?? [])].join(','));
					if (this.importsHash !== h) return false;
					break;
				case 'A': {
					const [file, line, column] = rest.split('\0');
					if (hashOf(base.inlinedAt({ file, line: Number(line), column: Number(column) }).join('\n')) !== h) return false;
					break;
				}
				case 'P':
					if ((base.isInlinedPackage(rest) ? 1 : 0) !== h) return false;
					break;
				case 'F': {
					const v = base.isFunction(rest);
					if ((v === undefined ? 2 : v ? 1 : 0) !== h) return false;
					break;
				}
			}
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
		this.recorder?.set(`L${n}`, hashOf(t ?? '\0'));
		return t;
	}
}

/** FNV-1a over UTF-16 units: enough to notice a change, and keeps no reference to the text. */
function hashOf(s: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}
