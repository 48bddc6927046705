/** Malformed didChange events are refused before anything applies them (lsp/changeCheck.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitsDocument, refuseReason } from '../../server/src/lsp/changeCheck';

const r = (sl: number, sc: number, el: number, ec: number) => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

test('well-formed changes pass, one after the other, with the line count they leave', () => {
	assert.equal(refuseReason([{ range: r(0, 0, 0, 0), text: 'x' }], 1), undefined);
	// The first change adds two lines, so the second may end on line 2 of a one-line document.
	assert.equal(refuseReason([{ range: r(0, 0, 0, 0), text: 'a\nb\r\n' }, { range: r(2, 0, 2, 1), text: '' }], 1), undefined);
	// A character past the line's end is the line's end (LSP spec); {lineCount, 0} is the document's end.
	assert.equal(refuseReason([{ range: r(0, 99, 0, 120), text: '' }], 1), undefined);
	assert.equal(refuseReason([{ range: r(1, 0, 2, 0), text: '' }], 2), undefined);
	assert.equal(refuseReason([{ text: 'whole\ntext' }, { range: r(1, 0, 1, 4), text: '' }], 1), undefined);
});

test('out-of-range, fractional, negative and reversed ranges are refused with a reason', () => {
	assert.match(refuseReason([{ range: r(5, 0, 5, 1), text: '' }], 3) ?? '', /past the document's last line \(2\)/);
	assert.match(refuseReason([{ range: r(3, 1, 3, 1), text: '' }], 3) ?? '', /past/);
	assert.match(refuseReason([{ range: r(0, 0, 0.25, 1), text: '' }], 3) ?? '', /non-negative integers/);
	assert.match(refuseReason([{ range: r(0, -1, 0, 1), text: '' }], 3) ?? '', /non-negative integers/);
	assert.match(refuseReason([{ range: r(2, 0, 1, 0), text: '' }], 3) ?? '', /ends before it starts/);
	assert.match(refuseReason([{ range: r(1, 5, 1, 2), text: '' }], 3) ?? '', /ends before it starts/);
	// The second change is checked against the text the first one leaves (one line removed).
	assert.match(refuseReason([{ range: r(0, 0, 1, 0), text: '' }, { range: r(2, 0, 2, 1), text: '' }], 3) ?? '', /past/);
	const junk = [{ text: 3 }, null, { range: { start: { line: 0 } }, text: '' }] as unknown as Parameters<typeof refuseReason>[0];
	for (const c of junk) assert.ok(refuseReason([c] as unknown as Parameters<typeof refuseReason>[0], 3), JSON.stringify(c));
	assert.ok(refuseReason('x' as unknown as Parameters<typeof refuseReason>[0], 3));
});

test('fitsDocument: integer, ordered, inside the document', () => {
	assert.equal(fitsDocument(r(0, 0, 2, 3), 3), true);
	assert.equal(fitsDocument(r(0, 0, 3, 0), 3), false);
	assert.equal(fitsDocument(r(4.25, 0, 4.25, 1), 10), false);
	assert.equal(fitsDocument(r(1, 2, 1, 1), 3), false);
});
