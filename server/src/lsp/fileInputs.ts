/**
 * What one open document's report is made from, per file: the package's compiler facts in it
 * (capped: a generated file can have hundreds of thousands) and a key for what the typed pass
 * says about it.
 */
import type { EscapeFact, EscapeKind } from '../model';
import type { OpenDoc } from './documents';
import type * as engines from './engines';

/** Compiler facts shown per file at most (net/http's biggest file has 5,300; a generated 20 MB file 372,000). */
export const MAX_FACTS_PER_FILE = 10_000;

export interface FileInputsOptions {
	/** The package's compiler facts (undefined while there are none). */
	facts: (dir: string) => EscapeFact[] | undefined;
	/** Bumped per typed result applied to the package (not per keystroke). */
	typedGen: (dir: string) => number;
	/** How many of the file's facts were left out (undefined: none); the status says it. */
	note: (d: OpenDoc, more: string | undefined) => void;
}

export class FileInputs {
	/** Per document: the typed result its key was made from, that result's signature for the file, and the key (typedKey). */
	private readonly typedGens = new Map<string, { pkgGen: number; sig: string; gen: number }>();
	/** The package's facts grouped by file (one pass: 71 files each filtering net/http's 40,000 facts took 20 ms of each publish), by package fact list. */
	private readonly grouped = new WeakMap<EscapeFact[], Map<string, EscapeFact[]>>();
	/** Per-file fact lists as shown (capped), by package fact list. */
	private readonly byFile = new WeakMap<EscapeFact[], Map<string, EscapeFact[]>>();

	constructor(private readonly o: FileInputsOptions) {}

	forget(uri: string): void {
		this.typedGens.delete(uri);
	}

	/** The package's facts in this file, at most MAX_FACTS_PER_FILE of them (the rest is said in the status). */
	facts(d: OpenDoc): EscapeFact[] | undefined {
		const all = this.o.facts(d.dir);
		if (!all) return undefined;
		let m = this.byFile.get(all);
		if (!m) this.byFile.set(all, (m = new Map()));
		let mine = m.get(d.filePath);
		if (!mine) {
			const inFile = this.groupOf(all).get(d.filePath) ?? [];
			mine = inFile.length <= MAX_FACTS_PER_FILE ? inFile : capped(inFile);
			m.set(d.filePath, mine);
			const more = inFile.length - mine.length;
			this.o.note(d, more ? `${more} of ${inFile.length} compiler facts not shown (at most ${MAX_FACTS_PER_FILE} per file, heap facts first)` : undefined);
		}
		return mine;
	}

	private groupOf(all: EscapeFact[]): Map<string, EscapeFact[]> {
		let g = this.grouped.get(all);
		if (!g) {
			g = new Map();
			for (const f of all) {
				const list = g.get(f.pos.file);
				if (list) list.push(f);
				else g.set(f.pos.file, [f]);
			}
			this.grouped.set(all, g);
		}
		return g;
	}

	/**
	 * Which typed result the file's findings depend on, as a key that changes only when a new result
	 * says something else about this file (its findings, the analyzers, whether the package was
	 * checked whole): after a vet run, the files it found nothing new in keep their report.
	 * Keystrokes move the typed facts but not the key (the runs they cause get the moved facts).
	 */
	typedKey(d: OpenDoc, pkg: engines.TypedPackage | undefined): string {
		if (!pkg) return 'none';
		const pkgGen = this.o.typedGen(d.dir);
		const last = this.typedGens.get(d.uri);
		if (last?.pkgGen === pkgGen) return `${last.gen}`;
		const sig = JSON.stringify([pkg.analyzers, pkg.facts.filter((f) => f.pos.file === d.filePath), pkg.complete]);
		const gen = last && last.sig === sig ? last.gen : (last?.gen ?? 0) + 1;
		this.typedGens.set(d.uri, { pkgGen, sig, gen });
		return `${gen}`;
	}
}

/** Which facts go first when a file has too many: what is shown by default before what is not. */
const RANK: Record<EscapeKind, number> = { 'moved-to-heap': 0, 'escapes-to-heap': 0, 'leaking-param': 1, 'leaking-param-content': 1, 'does-not-escape': 2, inlining: 3 };

/**
 * MAX_FACTS_PER_FILE of a file's facts, heap facts first, in the compiler's order. A generated
 * file's first 10,000 facts were all inlining decisions (off by default): nothing was shown.
 */
function capped(facts: EscapeFact[]): EscapeFact[] {
	const order = facts.map((_, i) => i).sort((a, b) => RANK[facts[a].kind] - RANK[facts[b].kind] || a - b);
	return order
		.slice(0, MAX_FACTS_PER_FILE)
		.sort((a, b) => a - b)
		.map((i) => facts[i]);
}
