/**
 * Checks a didChange's content changes against the document before anything applies them.
 * TextDocument.update clamps what does not fit, so a malformed change (a fractional, negative or
 * reversed range, a line past the end) would otherwise be absorbed silently and leave the server's
 * text different from the client's, and every later position wrong.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { Position, Range } from '../model';

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

function badPosition(p: Position | undefined): string | undefined {
	if (!p || typeof p !== 'object') return 'a position is missing';
	if (!isCount(p.line) || !isCount(p.character)) return `position ${JSON.stringify(p)} is not made of non-negative integers`;
	return undefined;
}

/** Line breaks in `text` as LSP counts them (`\r\n`, `\n` and `\r` each end a line). */
function breaks(text: string): number {
	let n = 0;
	for (let i = 0; i < text.length; i++) {
		const ch = text.charCodeAt(i);
		if (ch === 10) n++;
		else if (ch === 13) {
			n++;
			if (text.charCodeAt(i + 1) === 10) i++;
		}
	}
	return n;
}

/**
 * Why `changes` cannot apply, one after the other, to a document of `lineCount` lines; undefined
 * when they can. A character past the end of its line is allowed: the LSP spec defines it as the
 * line's end. The line count after each change follows from its range and text alone.
 */
export function refuseReason(changes: readonly TextDocumentContentChangeEvent[], lineCount: number): string | undefined {
	if (!Array.isArray(changes)) return 'contentChanges is not an array';
	let lines = lineCount;
	for (let i = 0; i < changes.length; i++) {
		const c = changes[i] as TextDocumentContentChangeEvent & { range?: Range };
		if (!c || typeof c !== 'object' || typeof c.text !== 'string') return `change ${i} has no text`;
		if (c.range === undefined || c.range === null) {
			lines = breaks(c.text) + 1;
			continue;
		}
		const r = c.range;
		const bad = badPosition(r?.start) ?? badPosition(r?.end);
		if (bad) return `change ${i}: ${bad}`;
		if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) return `change ${i}: range ${fmt(r)} ends before it starts`;
		// {line: lineCount, character: 0} is the end of the document (some clients send it); further is not.
		if (r.end.line > lines || (r.end.line === lines && r.end.character !== 0)) return `change ${i}: range ${fmt(r)} is past the document's last line (${lines - 1})`;
		lines += breaks(c.text) - (Math.min(r.end.line, lines - 1) - Math.min(r.start.line, lines - 1));
	}
	return undefined;
}

function fmt(r: Range): string {
	return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/** A range fit to publish in a document of `lineCount` lines: integers, ordered, inside the text. */
export function fitsDocument(r: Range, lineCount: number): boolean {
	const { start, end } = r;
	return (
		isCount(start.line) && isCount(start.character) && isCount(end.line) && isCount(end.character) &&
		(start.line < end.line || (start.line === end.line && start.character <= end.character)) &&
		end.line < lineCount
	);
}
