/**
 * Offsets, points and ranges through LSP content changes, for TreeCache (pure functions over text).
 */
import type { Point } from './goParser';
import type { OffsetRange } from './treeCache';

/** Text that can make a comment a directive (suppressions, //go:, // +build): see rules/suppression.ts. */
export const DIRECTIVE_HINT = /memlens:|lint:|nolint|go:|\+build/;

/** Does replacing `[start, oldEnd)` by `ins` touch a line with directive-like text, before or after? */
export function touchesDirective(text: string, start: number, oldEnd: number, ins: string): boolean {
	const from = text.lastIndexOf('\n', start - 1) + 1;
	const nl = text.indexOf('\n', oldEnd);
	const to = nl < 0 ? text.length : nl;
	return DIRECTIVE_HINT.test(text.slice(from, to)) || DIRECTIVE_HINT.test(text.slice(from, start) + ins + text.slice(oldEnd, to));
}

/** Where `r` lies after replacing `[start, oldEnd)` by `len` units of new text. */
export function mapRange(r: OffsetRange, start: number, oldEnd: number, len: number): OffsetRange {
	const at = (x: number, isEnd: boolean) => (x <= start ? x : x >= oldEnd ? x + len - (oldEnd - start) : isEnd ? start + len : start);
	return { start: at(r.start, false), end: Math.max(at(r.start, false), at(r.end, true)) };
}

/** The position reached after walking `s` from `p` (rows on `\n`; `\r\n` ends with `\n`). */
export function advance(p: Point, s: string): Point {
	const nl = s.lastIndexOf('\n');
	if (nl < 0) return { row: p.row, column: p.column + s.length };
	let rows = 0;
	for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) rows++;
	return { row: p.row + rows, column: s.length - nl - 1 };
}

/**
 * UTF-16 offset of an LSP position in `text`, with LSP line breaks (`\r\n`, `\r`, `\n`) and the
 * character clamped to the line's content, as TextDocument.offsetAt does. (Tree-sitter rows count
 * `\n` only; `pointAt`/`advance` use that.)
 */
export function offsetAt(text: string, line: number, character: number): number {
	if (!text.includes('\r')) {
		// Only `\n` breaks (the common case): native indexOf per line instead of a regex.
		let off = 0;
		for (let l = 0; l < line; l++) {
			const nl = text.indexOf('\n', off);
			if (nl < 0) return text.length;
			off = nl + 1;
		}
		const end = text.indexOf('\n', off);
		return Math.min(off + Math.max(0, character), end < 0 ? text.length : end);
	}
	let off = 0;
	for (let l = 0; l < line; l++) {
		const m = /\r\n?|\n/g;
		m.lastIndex = off;
		const hit = m.exec(text);
		if (!hit) return text.length;
		off = hit.index + hit[0].length;
	}
	const m = /\r|\n/g;
	m.lastIndex = off;
	const hit = m.exec(text);
	const end = hit ? hit.index : text.length;
	return Math.min(off + Math.max(0, character), end);
}

export function pointAt(text: string, offset: number): Point {
	const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
	let row = 0;
	for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) row++;
	return { row, column: offset - lineStart };
}
