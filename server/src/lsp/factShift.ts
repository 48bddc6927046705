/**
 * Keeps the last compile's escape facts on the right lines while the user types, until the next
 * compile (debounced, through the overlay) replaces them. Without this, a line inserted above a
 * fact shows its squiggle, hover and heap note one line off, tagged with the new document version.
 * Pure: facts in, facts out.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { EscapeFact, GoPos, Position, Range, RuleFinding } from '../model';

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
		// Keep the same objects for what did not move (explanations are cached per fact object).
		let flowsMoved = false;
		const flows = f.flows.map((fl) => {
			let moved = false;
			const steps = fl.steps.map((s) => {
				if (s.pos.file !== filePath) return s;
				let p: GoPos | undefined = s.pos;
				for (const e of edits) p = p && shiftPos(p, e);
				if (!p || p === s.pos) return s;
				moved = true;
				return { ...s, pos: p };
			});
			if (!moved) return fl;
			flowsMoved = true;
			return { ...fl, steps };
		});
		if (pos === f.pos && !flowsMoved) {
			out.push(f);
			continue;
		}
		changed = true;
		out.push({ ...f, pos, flows: flowsMoved ? flows : f.flows });
	}
	return changed ? out : facts;
}

function ranged(changes: readonly TextDocumentContentChangeEvent[]): LineEdit[] | undefined {
	const edits: LineEdit[] = [];
	for (const c of changes) {
		const e = toLineEdit(c);
		if (!e) return undefined;
		edits.push(e);
	}
	return edits;
}

function mapThrough(edits: readonly LineEdit[], p: Position): Position | undefined {
	let line = p.line;
	let character = p.character;
	for (const e of edits) {
		const m = mapPos(e, line, character);
		if (!m) return undefined;
		[line, character] = m;
	}
	return line === p.line && character === p.character ? p : { line, character };
}

/** Where LSP positions (0-based line, UTF-16 character) go through the changes; undefined where replaced (or for a full-text change). */
export function shiftPositions(ps: readonly Position[], changes: readonly TextDocumentContentChangeEvent[]): (Position | undefined)[] {
	const edits = ranged(changes);
	return ps.map((p) => edits && mapThrough(edits, p));
}

/**
 * Rule findings moved through the document's content changes (their ranges, fixes and related
 * positions). A finding whose start was replaced is dropped (its declaration is re-checked); a
 * fix whose edit range was replaced is dropped too. Same array when nothing moved.
 */
export function shiftFindings(findings: RuleFinding[], changes: readonly TextDocumentContentChangeEvent[]): RuleFinding[] {
	const edits = ranged(changes);
	if (!edits) return [];
	const range = (r: Range): Range | undefined => {
		const start = mapThrough(edits, r.start);
		const end = start && (mapThrough(edits, r.end) ?? start);
		if (!start || !end) return undefined;
		return start === r.start && end === r.end ? r : { start, end };
	};
	let changed = false;
	const out: RuleFinding[] = [];
	for (const f of findings) {
		const r = range(f.range);
		if (!r) {
			changed = true;
			continue;
		}
		// Fixes and related positions may sit elsewhere in the file (an import, a Put in another function).
		let moved = r !== f.range;
		const fixes = f.fixes?.flatMap((fix) => {
			const es = fix.edits.map((e) => {
				const er = range(e.range);
				if (er !== e.range) moved = true;
				return er && (er === e.range ? e : { ...e, range: er });
			});
			return es.every((e) => e) ? [es.every((e, i) => e === fix.edits[i]) ? fix : { ...fix, edits: es as typeof fix.edits }] : ((moved = true), []);
		});
		const related = f.related?.flatMap((x) => {
			const rr = range(x.range);
			if (rr !== x.range) moved = true;
			return rr ? [rr === x.range ? x : { ...x, range: rr }] : [];
		});
		if (!moved) {
			out.push(f);
			continue;
		}
		changed = true;
		out.push({ ...f, range: r, ...(fixes ? { fixes } : {}), ...(related ? { related } : {}) });
	}
	return changed ? out : findings;
}
