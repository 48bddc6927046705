/**
 * TreeCache's changed ranges: the cheap check (one top-level node holds the edit and the reparse
 * gave back a node of the same extent, type and parse state; see MTree.update) must cover every range tree-sitter's getChangedRanges
 * reports, and must fall back to getChangedRanges when its condition fails.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { Edit } from 'web-tree-sitter';
import { TreeCache, type OffsetRange } from '../../server/src/syntax/treeCache';
import { bigGoFile } from '../hardening/workspace';

/** Tree-sitter's point of an offset (rows by `\n`, UTF-16 columns). */
function pointAt(text: string, offset: number): { row: number; column: number } {
	const before = text.slice(0, offset);
	const nl = before.lastIndexOf('\n');
	return { row: before.split('\n').length - 1, column: offset - nl - 1 };
}

/** The point reached after `s` from `p`. */
function advance(p: { row: number; column: number }, s: string): { row: number; column: number } {
	const nl = s.lastIndexOf('\n');
	return nl < 0 ? { row: p.row, column: p.column + s.length } : { row: p.row + s.split('\n').length - 1, column: s.length - nl - 1 };
}

const PRINT_GO = ['/usr/local/go/src/fmt/print.go', `${process.env.GOROOT ?? ''}/src/fmt/print.go`].find((f) => existsSync(f));

/** Is every offset of `[a, b)` inside one of `ranges`? */
function covered(ranges: readonly OffsetRange[], a: number, b: number): boolean {
	let pos = a;
	while (pos < b) {
		const r = ranges.find((x) => x.start <= pos && pos < x.end);
		if (!r) return false;
		pos = r.end;
	}
	return true;
}

let version = 1;

/**
 * Replaces `[start, end)` by `ins` through the cache (one change, text without `\r`) and checks that
 * takeChanged covers what getChangedRanges reports for an independent copy of the old tree edited
 * the same way. Returns the new text and how the cache learnt the re-shaped ranges.
 */
function edit(cache: TreeCache, text: string, start: number, end: number, ins: string): { text: string; via: 'node' | 'diff'; changed: OffsetRange[] } {
	const before = cache.get('u')!.tree.copy();
	const stats = { ...cache.changedRangeStats };
	cache.takeChanged('u');
	const [ps, pe] = [pointAt(text, start), pointAt(text, end)];
	const range = { start: { line: ps.row, character: ps.column }, end: { line: pe.row, character: pe.column } };
	const next = text.slice(0, start) + ins + text.slice(end);
	cache.applyChanges('u', [{ range, text: ins }], next, ++version);
	const changed = cache.takeChanged('u');
	assert.notEqual(changed, 'all');
	const sp = pointAt(text, start);
	before.edit(new Edit({ startIndex: start, oldEndIndex: end, newEndIndex: start + ins.length, startPosition: sp, oldEndPosition: pointAt(text, end), newEndPosition: advance(sp, ins) }));
	const want = before.getChangedRanges(cache.get('u')!.tree);
	before.delete();
	for (const r of want) {
		assert.ok(covered(changed as OffsetRange[], r.startIndex, r.endIndex), `getChangedRanges [${r.startIndex}, ${r.endIndex}) not in ${JSON.stringify(changed)} after ${JSON.stringify(ins)} at ${start}`);
	}
	// 'node': the top-level node the edit stayed in bounds the change (followed by a reparse, or parsed alone).
	const cheap = cache.changedRangeStats.node + cache.changedRangeStats.local > stats.node + stats.local;
	return { text: next, via: cheap ? 'node' : 'diff', changed: changed as OffsetRange[] };
}

const INSERTS = ['x', '"', '`', '/*', '*/', '}', '{', '(', ')', ' ', '\n', "'", '//', '}\n\nfunc z() {', 'go f()\n'];

test('the cheap changed ranges cover getChangedRanges on random one-character edits of real Go files', async () => {
	assert.ok(PRINT_GO, 'fmt/print.go not found');
	const files = [readFileSync(PRINT_GO, 'utf8'), bigGoFile(20_000, 'big')];
	const cache = await TreeCache.create();
	const via = { node: 0, diff: 0 };
	try {
		for (const base of files) {
			cache.open('u', base, 1);
			const closers = [...base.matchAll(/\}/g)].map((m) => m.index!);
			const steps = fc.sample(fc.tuple(fc.nat(), fc.constantFrom(...INSERTS), fc.nat(3)), { numRuns: 250, seed: 3 });
			for (const [at, ins, kind] of steps) {
				// Insert a snippet, delete one character, or delete a `}`; then undo it (both checked).
				const start = kind === 2 ? closers[at % closers.length] : at % base.length;
				const [end, put] = kind === 0 ? [start, ins] : [start + 1, ''];
				const done = edit(cache, base, start, end, put);
				via[done.via]++;
				const undone = edit(cache, done.text, start, start + put.length, base.slice(start, end));
				assert.equal(undone.text, base);
			}
		}
	} finally {
		cache.dispose();
	}
	const { local, resync } = cache.changedRangeStats;
	console.log(`# changed ranges: ${via.node} edits by the node check (${local} parsed alone), ${via.diff} by getChangedRanges; ${resync} deferred reparses disagreed`);
	// A declaration parsed alone must be what the file's reparse gives (else its copy is read again).
	assert.equal(resync, 0);
	assert.ok(local > 100, `only ${local} edits parsed alone`);
	// Both paths taken often, or the comparison proves little.
	assert.ok(via.node > 150 && via.diff > 150, JSON.stringify(via));
});

const SMALL = `package main

func a() {
	x := 1
	_ = x
}

func b() {
	y := 2 /* two */
	_ = y
}
`;

test('the node check is used inside one valid function, getChangedRanges otherwise', async () => {
	const cache = await TreeCache.create();
	const at = (s: string, n = 0) => SMALL.indexOf(s) + n;
	const aRange = { start: at('func a'), end: at('}\n\nfunc b') + 1 };
	const cases: [what: string, start: number, end: number, ins: string, via: 'node' | 'diff'][] = [
		['an identifier typed inside a', at('x :='), at('x :='), 'x', 'node'],
		['a statement added inside a', at('_ = x'), at('_ = x'), 'go a()\n\t', 'node'],
		['a function split off inside a (new extent within a)', at('\t_ = x'), at('\t_ = x'), '}\n\nfunc c() {\n', 'diff'],
		['a string opened in a (an error)', at('1\n'), at('1\n'), '"', 'diff'],
		['a stray ) in a (an error, same extent)', at('1\n') + 1, at('1\n') + 1, ')', 'diff'],
		['typing at the first character of a', aRange.start, aRange.start, 'x', 'diff'],
		["typing right after a's closing brace", aRange.end, aRange.end, 'x', 'diff'],
		["deleting a's closing brace", aRange.end - 1, aRange.end, '', 'diff'],
		['typing between the functions', aRange.end + 1, aRange.end + 1, '\n', 'diff'],
		// Valid, but a now runs to the `*/` in b: the new node is longer than the old one.
		['a block comment opened in a, closed in b', at('_ = x'), at('_ = x'), '/*', 'diff'],
	];
	try {
		for (const [what, start, end, ins, via] of cases) {
			cache.open('u', SMALL, 1);
			const r = edit(cache, SMALL, start, end, ins);
			assert.equal(r.via, via, what);
			if (what.includes('block comment')) assert.ok(covered(r.changed, at('y :='), at('two')), 'the swallowed part of b is changed');
			if (via === 'node') assert.ok(r.changed.some((c) => c.start === aRange.start && c.end === aRange.end + ins.length), `${what}: a's new range`);
		}
		// An error elsewhere (b) is recovered the same way on every reparse (same state, same text):
		// the node check still applies, and edit() still checks its ranges against tree-sitter's.
		const broken = SMALL.replace('y := 2', 'y := ');
		cache.open('u', broken, 1);
		assert.equal(edit(cache, broken, at('x :='), at('x :='), 'x').via, 'node');
	} finally {
		cache.dispose();
	}
});

test('several changes in one event take tree-sitter\'s diff (the node check follows one change)', async () => {
	const cache = await TreeCache.create();
	/** One event of [offset, removed length, text] changes, each in the text after the previous ones. */
	const ev = (parts: [number, number, string][]) => {
		cache.open('u', SMALL, 1);
		cache.takeChanged('u');
		const before = { ...cache.changedRangeStats };
		let text = SMALL;
		const changes = parts.map(([o, del, ins]) => {
			const [p, q] = [pointAt(text, o), pointAt(text, o + del)];
			text = text.slice(0, o) + ins + text.slice(o + del);
			return { range: { start: { line: p.row, character: p.column }, end: { line: q.row, character: q.column } }, text: ins };
		});
		cache.applyChanges('u', changes, text, 2);
		assert.notEqual(cache.takeChanged('u'), 'all');
		return cache.changedRangeStats.node > before.node ? 'node' : 'diff';
	};
	const x = SMALL.indexOf('x :=');
	try {
		assert.equal(ev([[x, 0, 'q'], [SMALL.indexOf('_ = x') + 1, 0, 'q']]), 'diff');
		// The second change is in b (and keeps a's length): a's node alone would not cover it.
		assert.equal(ev([[x, 0, 'q'], [SMALL.indexOf('y :=') + 1, 1, 'q']]), 'diff');
	} finally {
		cache.dispose();
	}
});
