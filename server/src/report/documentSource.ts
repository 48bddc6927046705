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
	/** The 0-based line of a character offset of the text. */
	lineOf(offset: number): number;
}

/**
 * What one placed fact's explanations read, each with a hash of what it got: `L<n>` line n of the
 * document, `I` its imports, `A<pos>` the calls inlined at a position, `P<name>` whether a package
 * is inlined, `F<name>` whether a function is declared. The last three come from the package's
 * facts, which an edit shifts or drops (factShift.ts) without touching the fact that read them.
 */
export type LineDeps = Map<string, number>;

export class DocumentSource {
	/** Record what explanations read: only a fact cache reuses placed facts (a one-off report needs no record). */
	constructor(readonly tracking = false) {}

	private file = '';
	private lines: Lines | undefined;
	private base: SourceLookup | undefined;
	private lookup: SourceLookup | undefined;
	private recorder: LineDeps | undefined;
	/** What each key gives now (key → hash), worked out once per update: placed facts share lines. */
	private now = new Map<string, number>();
	private text_ = '';
	private facts: readonly EscapeFact[] | undefined;
	/** What changed since the last update: 1-based lines `from`..`to` of the text (to = Infinity when lines moved), and whether the facts did. */
	private changed: { from: number; to: number; facts: boolean } | undefined;

	/** A new text (and the package's facts) to read from. */
	update(file: string, text: string, lines: Lines, facts: readonly EscapeFact[]): void {
		if (this.tracking) {
			const prev = this.lines && file === this.file ? { text: this.text_, count: this.lines.count, facts: this.facts } : undefined;
			this.changed = prev ? changedLines(prev.text, text, prev.count, lines) : { from: 1, to: Infinity, facts: true };
			if (prev) this.changed.facts = prev.facts !== facts;
			this.text_ = text;
			this.facts = facts;
		}
		this.file = file;
		this.lines = lines;
		this.now = new Map();
		const base = sourceLookup(facts, (f, n) => this.line(f, n));
		this.base = base;
		const note = (key: string, value: number) => this.recorder?.set(key, value);
		this.lookup = {
			line: base.line,
			inlinedAt: (pos) => {
				const list = base.inlinedAt(pos);
				if (this.recorder) this.recorder.set(pos.file === this.file ? `A${pos.line}\0${pos.column}` : `A${pos.line}\0${pos.column}\0${pos.file}`, listHash(list));
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
		this.text_ = '';
		this.facts = undefined;
		this.base = undefined;
		this.lookup = undefined;
	}

	/** Runs `fn` with the lookup, recording into `deps` what it reads. */
	read<T>(deps: LineDeps | undefined, fn: (src: SourceLookup | undefined) => T): T {
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
		if (!this.base || !this.changed) return false;
		const { from, to, facts } = this.changed;
		const ownKey = `L${own}`;
		// Checked at every update it survived, a placed fact only needs what changed in this one.
		for (const [key, h] of deps) {
			if (key === ownKey) continue;
			const kind = key[0];
			if (kind === 'L') {
				const n = Number(key.slice(1));
				if (n < from || n > to) continue;
			} else if (kind !== 'I' && !facts) continue;
			let v = this.now.get(key);
			if (v === undefined) this.now.set(key, (v = this.current(key)));
			if (v !== h) return false;
		}
		return true;
	}

	/** What a recorded key gives with the current text and facts. */
	private current(key: string): number {
		const base = this.base!;
		const rest = key.slice(1);
		switch (key[0]) {
			case 'L':
				return hashOf(this.text(Number(rest)) ?? '\0');
			case 'I':
				return hashOf([...(base.imports(this.file) ?? [])].join(','));
			case 'A': {
				const [line, column, file = this.file] = rest.split('\0');
				return listHash(base.inlinedAt({ file, line: Number(line), column: Number(column) }));
			}
			case 'P':
				return base.isInlinedPackage(rest) ? 1 : 0;
			case 'F': {
				const v = base.isFunction(rest);
				return v === undefined ? 2 : v ? 1 : 0;
			}
			default:
				return -1;
		}
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

/** The lines of `next` that differ from `prev` (common prefix and suffix of the texts); all from the first when lines moved. */
function changedLines(prev: string, next: string, prevCount: number, lines: Lines): { from: number; to: number; facts: boolean } {
	const n = Math.min(prev.length, next.length);
	// Blocks first (native string compares), then characters.
	const B = 1024;
	let a = 0;
	while (a + B <= n && prev.substr(a, B) === next.substr(a, B)) a += B;
	while (a < n && prev.charCodeAt(a) === next.charCodeAt(a)) a++;
	if (a === prev.length && a === next.length) return { from: Infinity, to: -Infinity, facts: false };
	let b = 0;
	while (b + B <= n - a && prev.substr(prev.length - b - B, B) === next.substr(next.length - b - B, B)) b += B;
	while (b < n - a && prev.charCodeAt(prev.length - 1 - b) === next.charCodeAt(next.length - 1 - b)) b++;
	const from = lines.lineOf(a) + 1;
	const to = lines.count !== prevCount ? Infinity : lines.lineOf(Math.max(a, next.length - b)) + 1;
	return { from, to, facts: false };
}

const listHashes = new WeakMap<readonly string[], number>();

/** The lists come from the package's inlining index, one array per position: hashed once each. */
function listHash(list: readonly string[]): number {
	if (!list.length) return 0;
	let h = listHashes.get(list);
	if (h === undefined) listHashes.set(list, (h = hashOf(list.join('\n'))));
	return h;
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
