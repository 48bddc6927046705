/**
 * Where a document's rules run (docs/responsiveness.md): by its size and shape when it is opened,
 * and by how long its keystroke runs on the main thread take.
 * - 'inline': everything on the main thread (a whole-file run takes a few ms);
 * - 'tree': keystrokes re-check the touched declaration on the main thread, whole-file runs go to
 *   the rule thread;
 * - 'thread': every run goes to the rule thread, once typing pauses; no tree on the main thread.
 * A document only moves towards 'thread', never back, until it is opened again.
 */

export type Placement = 'inline' | 'tree' | 'thread';

/**
 * Texts up to this are parsed and checked on the main thread: a whole-file run is ~1 ms per KB on
 * an idle machine and 4-7 times that while the compiler has both cores (measured on net/http).
 */
export const INLINE_CHARS = 8 * 1024;
/** Texts up to this keep a tree on the main thread, for scoped runs on keystrokes. */
export const TREE_CHARS = 256 * 1024;
/** Brackets nested deeper than this: the file goes to the rule thread (real Go code stays far below). */
export const MAX_NESTING = 100;
/** Keystroke runs on the main thread slower than this, often, send the document to the rule thread (see `slow`). */
const SLOW_RUN_MS = 40;

export class Placements {
	private readonly placed = new Map<string, Placement>();
	/** The last keystroke runs' times on the main thread, per 'tree' document. */
	private readonly runTimes = new Map<string, number[]>();

	get(uri: string): Placement {
		return this.placed.get(uri) ?? 'inline';
	}

	/** Decides for a text just opened (or replaced whole). */
	open(uri: string, text: string): Placement {
		// Deep nesting is a pathological shape for tree walks: such a file goes to the rule thread whatever its size.
		const p: Placement = text.length > TREE_CHARS || nestingOver(text, MAX_NESTING) ? 'thread' : text.length <= INLINE_CHARS ? 'inline' : 'tree';
		this.placed.set(uri, p);
		this.runTimes.delete(uri);
		return p;
	}

	/** After an edit: a document that grew past a bound moves on. Returns where it is now. */
	grown(uri: string, length: number): Placement {
		const p = this.get(uri);
		if (p !== 'thread' && length > TREE_CHARS) this.placed.set(uri, 'thread');
		else if (p === 'inline' && length > INLINE_CHARS) this.placed.set(uri, 'tree');
		return this.get(uri);
	}

	/**
	 * A keystroke's run on the main thread took `ms`. True when the document must go to the rule
	 * thread: one run over 10× SLOW_RUN_MS, or 3 of its last 5 over it (one slow run alone is a busy
	 * machine or a garbage collection, not the file).
	 */
	slow(uri: string, ms: number): boolean {
		const w = [...(this.runTimes.get(uri) ?? []), ms].slice(-5);
		this.runTimes.set(uri, w);
		return ms > 10 * SLOW_RUN_MS || w.filter((x) => x > SLOW_RUN_MS).length >= 3;
	}

	/** Moves the document to the rule thread; false when it was there already. */
	toThread(uri: string): boolean {
		if (this.get(uri) === 'thread') return false;
		this.placed.set(uri, 'thread');
		return true;
	}

	delete(uri: string): void {
		this.placed.delete(uri);
		this.runTimes.delete(uri);
	}
}

/** Do brackets nest deeper than `max` anywhere outside strings, runes and comments? A cheap scan, before any parse. */
export function nestingOver(text: string, max: number): boolean {
	let depth = 0;
	const n = text.length;
	for (let i = 0; i < n; i++) {
		const c = text.charCodeAt(i);
		if (c === 123 || c === 40 || c === 91) {
			if (++depth > max) return true;
		} else if (c === 125 || c === 41 || c === 93) {
			if (depth > 0) depth--;
		} else if (c === 34 || c === 39) {
			// "…" or '…': to the closing quote (backslash escapes) or the end of the line
			for (i++; i < n; i++) {
				const q = text.charCodeAt(i);
				if (q === 92) i++;
				else if (q === c || q === 10) break;
			}
		} else if (c === 96) {
			const end = text.indexOf('`', i + 1);
			i = end < 0 ? n : end;
		} else if (c === 47 && text.charCodeAt(i + 1) === 47) {
			const end = text.indexOf('\n', i);
			i = end < 0 ? n : end;
		} else if (c === 47 && text.charCodeAt(i + 1) === 42) {
			const end = text.indexOf('*/', i + 2);
			i = end < 0 ? n : end + 1;
		}
	}
	return false;
}
