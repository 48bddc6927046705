/**
 * Typed results of one package as the LSP keeps them between runs (and the CLI builds once), and
 * the per-file view rules get (`RuleContext.typed`). While the user types, the facts move with
 * the text like escape facts (a fact whose own text was replaced is dropped), and the edited
 * ranges are recorded: typed results say nothing about code that changed since vet saw it.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { GoPos, Position, Range } from '../model';
import { shiftPositions } from '../util/editShift';
import { byteToUtf16, splitLines } from '../util/positions';
import { alwaysCompiled } from './coverage';
import type { LocatedTypedFact, TypedFact, TypedView } from './facts';

export interface TypedPackage {
	analyzers: readonly string[];
	facts: TypedFact[];
	/** vet checked every package of the directory (exit status 0). */
	complete: boolean;
	/** Ranges of each file's current text edited since the run (absolute path → LSP ranges). */
	edited: Map<string, Range[]>;
	/** The package stopped compiling since: these are the last good results. */
	stale: boolean;
}

/** At most this many edited ranges are kept per file; beyond, they merge into one. */
const MAX_RANGES = 32;

/** The rule context's view of `filePath` (current `text`). */
export function typedView(pkg: TypedPackage, filePath: string, text: string): TypedView {
	const mine = pkg.facts.filter((f) => f.pos.file === filePath);
	let lines: string[] | undefined;
	const at = (p: GoPos): Position => {
		lines ??= splitLines(text);
		return { line: p.line - 1, character: byteToUtf16(lines[p.line - 1] ?? '', p.column - 1) };
	};
	const facts: LocatedTypedFact[] = mine.map((f) => {
		const start = at(f.pos);
		return { ...f, at: start, atEnd: f.end ? at(f.end) : start };
	});
	return { analyzers: pkg.analyzers, facts, checked: pkg.complete && alwaysCompiled(filePath, text), edited: pkg.edited.get(filePath) ?? [], stale: pkg.stale };
}

function toPos(p: GoPos): Position {
	return { line: p.line - 1, character: p.column - 1 };
}

function fromPos(p: Position, file: string): GoPos {
	return { file, line: p.line + 1, column: p.character + 1 };
}

/** Where an LSP change's new text lies in the document after it. */
function insertedRange(c: TextDocumentContentChangeEvent & { range: Range }): Range {
	const lines = c.text.split('\n');
	const start = c.range.start;
	const end = lines.length === 1 ? { line: start.line, character: start.character + lines[0].length } : { line: start.line + lines.length - 1, character: lines[lines.length - 1].length };
	return { start, end };
}

function cmp(a: Position, b: Position): number {
	return a.line - b.line || a.character - b.character;
}

function mergeRanges(rs: Range[]): Range[] {
	const sorted = [...rs].sort((a, b) => cmp(a.start, b.start));
	const out: Range[] = [];
	for (const r of sorted) {
		const last = out[out.length - 1];
		if (last && cmp(r.start, last.end) <= 0) {
			if (cmp(r.end, last.end) > 0) last.end = r.end;
		} else out.push({ start: r.start, end: r.end });
	}
	if (out.length <= MAX_RANGES) return out;
	return [{ start: out[0].start, end: out.reduce((e, r) => (cmp(r.end, e) > 0 ? r.end : e), out[0].end) }];
}

/**
 * The package's typed results after `changes` to `filePath`: its facts moved (dropped where their
 * text was replaced), and the changed text recorded as edited. A full-text change marks the whole
 * file edited. A new object each time (the file's other facts are shared).
 */
export function shiftTyped(pkg: TypedPackage, filePath: string, changes: readonly TextDocumentContentChangeEvent[]): TypedPackage {
	let edited = pkg.edited.get(filePath) ?? [];
	let facts = pkg.facts;
	for (const c of changes) {
		if (!('range' in c) || !c.range) {
			const whole = { start: { line: 0, character: 0 }, end: { line: Number.MAX_SAFE_INTEGER, character: 0 } };
			facts = facts.filter((f) => f.pos.file !== filePath);
			edited = [whole];
			continue;
		}
		const ranged = c as TextDocumentContentChangeEvent & { range: Range };
		const inserted = insertedRange(ranged);
		// Earlier edits move with this one (a range swallowed by it becomes part of it).
		const moved = shiftPositions(edited.flatMap((r) => [r.start, r.end]), [c]);
		edited = edited.map((_, i) => ({ start: moved[2 * i] ?? inserted.start, end: moved[2 * i + 1] ?? inserted.end }));
		edited = mergeRanges([...edited, inserted]);
		const next: TypedFact[] = [];
		for (const f of facts) {
			if (f.pos.file !== filePath) {
				next.push(f);
				continue;
			}
			// An edit touching the reported expression (even at its edge) drops the fact: vet saw other code.
			const start = toPos(f.pos);
			const end = f.end ? toPos(f.end) : start;
			if (cmp(ranged.range.start, end) <= 0 && cmp(ranged.range.end, start) >= 0) continue;
			const [p, e] = shiftPositions(f.end ? [start, end] : [start], [c]);
			if (!p) continue;
			next.push({ ...f, pos: fromPos(p, filePath), ...(f.end ? { end: e ? fromPos(e, filePath) : fromPos(p, filePath) } : {}) });
		}
		facts = next;
	}
	const out = new Map(pkg.edited);
	out.set(filePath, edited);
	return { ...pkg, facts, edited: out };
}
