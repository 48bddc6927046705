/**
 * Keeps the last compile's escape facts on the right lines while the user types, until the next
 * compile (debounced, through the overlay) replaces them. Without this, a line inserted above a
 * fact shows its squiggle, hover and heap note one line off, tagged with the new document version.
 * Pure: facts in, facts out.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { EscapeFact, GoPos } from '../model';

interface LineEdit {
	/** 0-based first and last line the edit replaces. */
	start: number;
	end: number;
	/** 0-based UTF-16 characters where the edit starts on `start` and ends on `end`. */
	startChar: number;
	endChar: number;
	/** Lines added minus lines removed. */
	delta: number;
	/** Length of the inserted text's last line, and whether it holds a line break. */
	lastLineLen: number;
	multiline: boolean;
}

function toLineEdit(c: TextDocumentContentChangeEvent): LineEdit | undefined {
	if (!('range' in c) || !c.range) return undefined;
	const lines = c.text.split('\n');
	const { start, end } = c.range;
	return {
		start: start.line,
		end: end.line,
		startChar: start.character,
		endChar: end.character,
		delta: lines.length - 1 - (end.line - start.line),
		lastLineLen: lines[lines.length - 1].length,
		multiline: lines.length > 1,
	};
}

/**
 * Where a 0-based (line, column) goes; undefined when the edit replaced it. Columns are the
 * compiler's bytes and the edit's UTF-16 units: equal for ASCII, off by a little on other lines
 * until the next compile, which the diagnostics layer tolerates (it finds the subject nearby).
 */
function mapPos(e: LineEdit, line0: number, col0: number): [number, number] | undefined {
	if (line0 < e.start || (line0 === e.start && col0 < e.startChar)) return [line0, col0];
	if (line0 > e.end) return [line0 + e.delta, col0];
	if (line0 === e.end && col0 >= e.endChar) {
		const col = (e.multiline ? 0 : e.startChar) + e.lastLineLen + (col0 - e.endChar);
		return [line0 + e.delta, col];
	}
	return undefined;
}

function shiftPos(pos: GoPos, e: LineEdit): GoPos | undefined {
	const m = mapPos(e, pos.line - 1, pos.column - 1);
	if (!m) return undefined;
	return m[0] + 1 === pos.line && m[1] + 1 === pos.column ? pos : { ...pos, line: m[0] + 1, column: m[1] + 1 };
}

/**
 * Applies the document's content changes (in order, as the LSP sends them) to the facts of
 * `filePath`. Facts inside replaced text are dropped; facts of other files are untouched. Returns
 * the same array when nothing moved; a full-text change leaves the facts to the next compile.
 */
export function shiftFacts(facts: EscapeFact[], filePath: string, changes: TextDocumentContentChangeEvent[]): EscapeFact[] {
	const edits: LineEdit[] = [];
	for (const c of changes) {
		const e = toLineEdit(c);
		if (!e) return facts;
		edits.push(e);
	}
	let changed = false;
	const out: EscapeFact[] = [];
	for (const f of facts) {
		if (f.pos.file !== filePath) {
			out.push(f);
			continue;
		}
		let pos: GoPos | undefined = f.pos;
		for (const e of edits) if (pos) pos = shiftPos(pos, e);
		if (!pos) {
			changed = true;
			continue;
		}
		const flows = f.flows.map((fl) => ({
			...fl,
			steps: fl.steps.map((s) => {
				if (s.pos.file !== filePath) return s;
				let p: GoPos | undefined = s.pos;
				for (const e of edits) p = p && shiftPos(p, e);
				return p && p !== s.pos ? { ...s, pos: p } : s;
			}),
		}));
		if (pos !== f.pos) changed = true;
		out.push(pos === f.pos ? { ...f, flows } : { ...f, pos, flows });
	}
	return changed ? out : facts;
}
