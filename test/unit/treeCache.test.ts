import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TreeCache } from '../../server/src/syntax/treeCache';
import { newGoParser, type Tree } from '../../server/src/syntax/goParser';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';

const BASE = `package main

import "sync"

// Größe: ünïcödé 🚀 in a comment
var pool = sync.Pool{New: func() any { return new([]byte) }}

func main() {
	s := "héllo 🚀"
	for i := 0; i < 3; i++ {
		b := pool.Get().(*[]byte)
		*b = append(*b, s...)
		pool.Put(b)
	}
}
`;

/** LSP position of a UTF-16 offset (LSP line breaks: \r\n, \r, \n). */
function posAt(text: string, off: number) {
	return TextDocument.create('x', 'go', 0, text).positionAt(off);
}
/** Never split a surrogate pair or a \r\n: LSP clients do not. */
function snap(text: string, off: number, dir: -1 | 1): number {
	if (off > 0 && off < text.length && (/[\uDC00-\uDFFF]/.test(text[off]) || (text[off] === '\n' && text[off - 1] === '\r'))) return off + dir;
	return off;
}

const SNIPPETS = ['x', '\n', '{', '}', '🚀', 'é', 'func f() {}\n', '"', '\r\n', '', ' := 1', '/*', '*/', '(', ')'];

type Step = [at: number, del: number, ins: string, batch: number];

/** Applies random steps through the cache; returns the applied changes as [start, removed, inserted] for undo. */
function applySteps(cache: TreeCache, uri: string, base: string, steps: Step[]): { text: string; log: [number, string, string][] } {
	let text = base;
	const log: [number, string, string][] = [];
	let version = 1;
	for (const [at, del, ins, batch] of steps) {
		// Several changes in one event sometimes (each range relative to the text after the previous one).
		const changes: TextDocumentContentChangeEvent[] = [];
		for (let k = 0; k <= batch % 2; k++) {
			const start = snap(text, text.length ? at % (text.length + 1) : 0, -1);
			const end = snap(text, Math.min(text.length, start + del), 1);
			changes.push({ range: { start: posAt(text, start), end: posAt(text, end) }, text: ins });
			log.push([start, text.slice(start, end), ins]);
			text = text.slice(0, start) + ins + text.slice(end);
		}
		cache.applyChanges(uri, changes, text, ++version);
	}
	return { text, log };
}

/** Every leaf's range in the incremental tree must cover the same text and LSP position a fresh reading gives. */
function assertConsistent(tree: Tree, text: string) {
	const doc = TextDocument.create('x', 'go', 0, text);
	assert.equal(tree.rootNode.endIndex, text.length);
	const cursor = tree.walk();
	let visited = 0;
	const visit = (): void => {
		const n = cursor.currentNode;
		if (n.childCount === 0 && visited++ < 2000) {
			assert.equal(n.text, text.slice(n.startIndex, n.endIndex));
			if (!text.includes('\r')) {
				const p = doc.positionAt(n.startIndex);
				assert.deepEqual({ row: n.startPosition.row, column: n.startPosition.column }, { row: p.line, column: p.character });
			}
		}
		if (cursor.gotoFirstChild()) {
			do visit();
			while (cursor.gotoNextSibling());
			cursor.gotoParent();
		}
	};
	visit();
}

test('incremental trees match a fresh parse after random edits (and after undoing them)', async () => {
	const cache = await TreeCache.create();
	const fresh = await newGoParser();
	try {
		await fc.assert(
			fc.asyncProperty(
				fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.constantFrom(...SNIPPETS), fc.nat(3)), { minLength: 1, maxLength: 12 }),
				async (steps) => {
					cache.open('file:///a.go', BASE, 1);
					const { text, log } = applySteps(cache, 'file:///a.go', BASE, steps);
					const got = cache.get('file:///a.go')!;
					assert.equal(got.text, text);
					assert.equal(got.version, steps.length + 1);
					assertConsistent(got.tree, text);
					const ref = fresh.parse(text)!;
					try {
						// With syntax errors, tree-sitter's incremental recovery may legitimately pick another
						// ERROR shape than a fresh parse (seen with tree-sitter alone, without this cache).
						if (!ref.rootNode.hasError) assert.equal(got.tree.rootNode.toString(), ref.rootNode.toString());
					} finally {
						ref.delete();
					}
					// Undo everything, change by change: back to BASE, which has no errors.
					let cur = text;
					let v = 100;
					for (const [start, removed, inserted] of [...log].reverse()) {
						const change = { range: { start: posAt(cur, start), end: posAt(cur, start + inserted.length) }, text: removed };
						cur = cur.slice(0, start) + removed + cur.slice(start + inserted.length);
						cache.applyChanges('file:///a.go', [change], cur, ++v);
					}
					assert.equal(cur, BASE);
					const back = cache.get('file:///a.go')!;
					const baseTree = fresh.parse(BASE)!;
					try {
						assert.equal(back.tree.rootNode.toString(), baseTree.rootNode.toString());
					} finally {
						baseTree.delete();
					}
				},
			),
			{ numRuns: 40, seed: 42 },
		);
		assert.equal(cache.liveTrees, 1);
		cache.close('file:///a.go');
		assert.equal(cache.liveTrees, 0);
	} finally {
		cache.dispose();
		fresh.delete();
	}
});

test('error-free random edits give exactly the fresh tree', async () => {
	const cache = await TreeCache.create();
	const fresh = await newGoParser();
	// Edits that keep the file valid: whitespace, comments, identifier characters inside names.
	const safe = ['\n', ' ', '\t', '// c\n'];
	try {
		let text = BASE;
		cache.open('u', text, 1);
		const rnd = fc.sample(fc.tuple(fc.nat(), fc.constantFrom(...safe)), { numRuns: 40, seed: 7 });
		for (const [at, ins] of rnd) {
			// Insert only right after a newline, where whitespace and line comments are always valid.
			const nls = [...text.matchAll(/\n/g)].map((m) => m.index! + 1);
			const start = nls[at % nls.length];
			cache.applyChanges('u', [{ range: { start: posAt(text, start), end: posAt(text, start) }, text: ins }], (text = text.slice(0, start) + ins + text.slice(start)), 2);
		}
		const ref = fresh.parse(text)!;
		assert.equal(ref.rootNode.hasError, false);
		assert.equal(cache.get('u')!.tree.rootNode.toString(), ref.rootNode.toString());
		ref.delete();
	} finally {
		cache.dispose();
		fresh.delete();
	}
});

test('full-text change, out-of-sync changes and unknown uri fall back to a fresh parse', async () => {
	const cache = await TreeCache.create();
	try {
		cache.open('u', 'package a\n', 1);
		let t = cache.applyChanges('u', [{ text: 'package b\n\nfunc f() {}\n' }], 'package b\n\nfunc f() {}\n', 2)!;
		assert.match(t.rootNode.toString(), /function_declaration/);
		// A change that does not lead to newText: newText wins.
		t = cache.applyChanges('u', [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'zzz' }], 'package c\n', 3)!;
		assert.equal(t.rootNode.toString(), '(source_file (package_clause (package_identifier)))');
		assert.ok(cache.applyChanges('never-opened', [{ text: 'package d\n' }], 'package d\n', 1));
		assert.equal(cache.liveTrees, 2);
		// Out of sync with the same length, the typed text in place, only a character elsewhere differing
		// (a missed keystroke): still caught, by the comparison a one-change event does in place.
		const a = 'package a\n\nfunc f() { x := 1 }\n';
		cache.open('s', a, 1);
		cache.takeChanged('s');
		for (const [newText, why] of [
			['package b\n\nfunc f() { x := 12 }\n', 'before the change'],
			['package a\n\nfunc f() { x := 12 }\r', 'after the change'],
		]) {
			t = cache.applyChanges('s', [{ range: { start: { line: 2, character: 17 }, end: { line: 2, character: 17 } }, text: '2' }], newText, 2)!;
			assert.equal(cache.takeChanged('s'), 'all', why);
			assert.equal(cache.get('s')!.text, newText);
			cache.open('s', a, 1);
			cache.takeChanged('s');
		}
	} finally {
		cache.dispose();
	}
	assert.equal(cache.liveTrees, 0);
});

test('replaced trees are deleted after the current task, or at once after 16 edits in one task', async () => {
	const cache = await TreeCache.create();
	// Tree.delete() zeroes the tree's wasm address (web-tree-sitter internals): the only way to see it.
	const deleted = (t: Tree) => (t as unknown as { 0: number })[0] === 0;
	try {
		let text = 'package a\n';
		cache.open('u', text, 1);
		const olds: Tree[] = [];
		for (let i = 0; i < 20; i++) {
			olds.push(cache.get('u')!.tree);
			cache.applyChanges('u', [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '\n' }], (text += '\n'), i + 2);
		}
		assert.deepEqual(olds.map(deleted), [...Array(17).fill(true), false, false, false]);
		await new Promise((r) => setImmediate(r));
		assert.ok(olds.every(deleted));
		assert.ok(!deleted(cache.get('u')!.tree));
		cache.applyChanges('u', [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' }], ' ' + text, 30);
	} finally {
		cache.dispose(); // also deletes the one still waiting
	}
});

test('LRU bound deletes the least recently used tree', async () => {
	const cache = await TreeCache.create({ maxTrees: 2 });
	try {
		cache.open('a', 'package a\n', 1);
		cache.open('b', 'package b\n', 1);
		cache.get('a');
		cache.open('c', 'package c\n', 1);
		assert.equal(cache.liveTrees, 2);
		assert.ok(cache.get('a'));
		assert.equal(cache.get('b'), undefined);
		assert.ok(cache.get('c'));
	} finally {
		cache.dispose();
	}
});

test('huge text is skipped with a reason; odd text does not crash', async () => {
	const cache = await TreeCache.create({ maxChars: 1000 });
	try {
		assert.equal(cache.open('big', 'package a\n' + '//x\n'.repeat(1000), 1), undefined);
		assert.match(cache.skipReason('big')!, /too large/);
		assert.equal(cache.get('big'), undefined);
		assert.equal(cache.liveTrees, 0);
		// Lone surrogates, NUL and replacement characters (what a non-UTF-8 file decodes to).
		assert.ok(cache.open('odd', 'package a\n\uD800\u0000\uFFFD var x = "\uDC00"\n', 1));
		// The next document still parses after a skip.
		assert.ok(cache.open('ok', 'package a\n', 1));
	} finally {
		cache.dispose();
	}
});

test('a parse over its time budget is cancelled, and the parser recovers', async () => {
	const cache = await TreeCache.create({ parseTimeoutMs: -1 });
	try {
		const big = 'package a\n' + 'func f() { x := 1; _ = x }\n'.repeat(20000);
		assert.equal(cache.open('slow', big, 1), undefined);
		assert.match(cache.skipReason('slow')!, /cancelled/);
	} finally {
		cache.dispose();
	}
	const ok = await TreeCache.create();
	try {
		assert.ok(ok.open('x', 'package a\n', 1));
	} finally {
		ok.dispose();
	}
});
