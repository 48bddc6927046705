/**
 * Keeps the last compile's escape facts on the right lines while the user types, until the next
 * compile (debounced, through the overlay) replaces them. Without this, a line inserted above a
 * fact shows its squiggle, hover and heap note one line off, tagged with the new document version.
 * Pure: facts in, facts out.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { EscapeFact, Flow, FlowStep, GoPos, Position, Range, RuleFinding } from '../model';

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
 * Runs on every keystroke over the whole package's facts: what did not move is not copied.
 */
export function shiftFacts(facts: EscapeFact[], filePath: string, changes: TextDocumentContentChangeEvent[]): EscapeFact[] {
	const edits = ranged(changes);
	if (!edits) return facts;
	let out: EscapeFact[] | undefined;
	for (let i = 0; i < facts.length; i++) {
		const f = facts[i];
		const g = f.pos.file === filePath ? shiftFact(f, filePath, edits) : f;
		if (g === f && !out) continue;
		out ??= facts.slice(0, i);
		if (g) out.push(g);
	}
	return out ?? facts;
}

/** The fact moved through the edits (the same object when nothing in it moved: explanations and diagnostics are kept per fact object), or undefined when replaced. */
function shiftFact(f: EscapeFact, filePath: string, edits: readonly LineEdit[]): EscapeFact | undefined {
	const pos = shiftThrough(f.pos, edits);
	if (!pos) return undefined;
	let flows: Flow[] | undefined;
	for (let i = 0; i < f.flows.length; i++) {
		const fl = f.flows[i];
		const g = shiftFlow(fl, filePath, edits);
		if (g === fl && !flows) continue;
		flows ??= f.flows.slice(0, i);
		flows.push(g);
	}
	return pos === f.pos && !flows ? f : { ...f, pos, flows: flows ?? f.flows };
}

/** A flow with its steps in `filePath` moved (a step inside replaced text keeps its position until the next compile). */
function shiftFlow(fl: Flow, filePath: string, edits: readonly LineEdit[]): Flow {
	let steps: FlowStep[] | undefined;
	for (let i = 0; i < fl.steps.length; i++) {
		const s = fl.steps[i];
		const p = s.pos.file === filePath ? shiftThrough(s.pos, edits) : s.pos;
		const g = !p || p === s.pos ? s : { ...s, pos: p };
		if (g === s && !steps) continue;
		steps ??= fl.steps.slice(0, i);
		steps.push(g);
	}
	return steps ? { ...fl, steps } : fl;
}

function shiftThrough(pos: GoPos, edits: readonly LineEdit[]): GoPos | undefined {
	let p: GoPos | undefined = pos;
	for (const e of edits) if (p) p = shiftPos(p, e);
	return p;
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
