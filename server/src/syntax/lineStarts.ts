/**
 * Line starts of a text (UTF-16 offsets after each `\n`, as tree-sitter counts rows), kept up to
 * date through edits so a keystroke does not rescan a long file.
 */
import type { Point } from 'web-tree-sitter';

export class LineStarts {
	private constructor(
		private starts: number[],
		/** Length of the text (the end of its last row). */
		readonly textLength: number,
	) {}

	static of(text: string): LineStarts {
		const starts = [0];
		for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
		return new LineStarts(starts, text.length);
	}

	get lineCount(): number {
		return this.starts.length;
	}

	/** Offset where `row` starts (the text's length past the last row). */
	lineStart(row: number): number {
		return this.starts[Math.max(0, Math.min(row, this.starts.length - 1))];
	}

	/** Offset of a row and column, the column clamped to the row's content (as LSP's offsetAt; `\n` breaks only). */
	offsetAt(row: number, column: number): number {
		const s = this.starts;
		if (row >= s.length) return this.textLength;
		const start = s[row];
		const end = row + 1 < s.length ? s[row + 1] - 1 : this.textLength;
		return Math.min(start + Math.max(0, column), end);
	}

	/** Row and UTF-16 column of an offset. */
	pointAt(offset: number): Point {
		const s = this.starts;
		let lo = 0;
		let hi = s.length - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (s[mid] <= offset) lo = mid;
			else hi = mid - 1;
		}
		return { row: lo, column: offset - s[lo] };
	}

	/** The table after replacing `[start, oldEnd)` by `inserted` (a new table; this one is unchanged). */
	edited(start: number, oldEnd: number, inserted: string): LineStarts {
		const delta = inserted.length - (oldEnd - start);
		const s = this.starts;
		const first = this.pointAt(start).row + 1; // first line start that may move or go
		let last = first; // first line start past the removed text
		while (last < s.length && s[last] <= oldEnd) last++;
		const added: number[] = [];
		for (let i = inserted.indexOf('\n'); i >= 0; i = inserted.indexOf('\n', i + 1)) added.push(start + i + 1);
		if (added.length === 0 && last === first) {
			if (delta === 0) return this;
			const next = s.slice();
			for (let k = first; k < next.length; k++) next[k] += delta;
			return new LineStarts(next, this.textLength + delta);
		}
		const next = s.slice(0, first).concat(added);
		for (let k = last; k < s.length; k++) next.push(s[k] + delta);
		return new LineStarts(next, this.textLength + delta);
	}
}
