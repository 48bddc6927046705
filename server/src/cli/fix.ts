/**
 * `memlens fix`: applies the `safe` fixes of the syntax rules (the one command that writes, and
 * only the user's own files, when asked). Pure parts: applying edits and the unified diff.
 */
import { createTwoFilesPatch } from 'diff';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from '../model';
import type { Finding } from './analyze';

export interface FileFix {
	file: string;
	before: string;
	after: string;
	/** Titles of the fixes applied, with their 1-based lines. */
	applied: { title: string; rule: string; line: number }[];
	/** Fixes left out because they overlap one already taken. */
	skipped: number;
}

function offsetRange(doc: TextDocument, e: TextEdit): [number, number] {
	return [doc.offsetAt(e.range.start), doc.offsetAt(e.range.end)];
}

/**
 * Applies the first safe fix of each finding of one file. A fix whose edits overlap an earlier
 * one is skipped (run `memlens fix` again to pick it up once the text has settled).
 */
export function applySafeFixes(file: string, text: string, findings: Finding[]): FileFix {
	const doc = TextDocument.create('file://' + file, 'go', 0, text);
	const taken: [number, number][] = [];
	const edits: TextEdit[] = [];
	const applied: FileFix['applied'] = [];
	let skipped = 0;
	for (const f of findings) {
		const fix = f.fixes?.find((x) => x.safe);
		if (!fix) continue;
		const ranges = fix.edits.map((e) => offsetRange(doc, e));
		const clash = ranges.some(([s, e]) => taken.some(([ts, te]) => s < te && ts < e || (s === e && s === ts && ts === te)));
		if (clash) {
			skipped++;
			continue;
		}
		taken.push(...ranges);
		edits.push(...fix.edits);
		applied.push({ title: fix.title, rule: f.rule, line: f.line });
	}
	const after = edits.length ? TextDocument.applyEdits(doc, edits) : text;
	return { file, before: text, after, applied, skipped };
}

/** A unified diff of one file (jsdiff: a hunk per change, `context` lines around each). */
export function unifiedDiff(name: string, before: string, after: string, context = 3): string {
	if (before === after) return '';
	const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context });
	// jsdiff starts with an `Index:`-less `===` header line; `git apply` and reviewers expect --- / +++ first.
	return patch.split('\n').filter((l) => !/^={10,}$/.test(l)).join('\n');
}
