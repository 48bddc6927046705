/**
 * (Adapted from the tree-update branch's tests.) The tree cache replays LSP events exactly as
 * TextDocument does, through the kept line starts: random multi-change events on `\n`, CRLF and
 * lone-CR texts, positions past a line's end or past the last line, full-text replacements. Every
 * node's Point must be right, and the rules' copy of the tree must equal a fresh copy.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { TreeCache } from '../../server/src/syntax/treeCache';
import { mirrorOf, type MNode } from '../../server/src/syntax/mirror';
import type { Tree } from '../../server/src/syntax/goParser';

/** Tree-sitter's point of an offset: rows counted by `\n` only, UTF-16 columns. */
function pointAt(text: string, offset: number): { row: number; column: number } {
	const before = text.slice(0, offset);
	return { row: before.split('\n').length - 1, column: offset - before.lastIndexOf('\n') - 1 };
}

function assertPoints(tree: Tree, text: string): void {
	assert.equal(tree.rootNode.endIndex, text.length);
	const cursor = tree.walk();
	const visit = (): void => {
		const n = cursor.currentNode;
		assert.deepEqual({ ...n.startPosition }, pointAt(text, n.startIndex), `${n.type} at ${n.startIndex}`);
		if (cursor.gotoFirstChild()) {
			do visit();
			while (cursor.gotoNextSibling());
			cursor.gotoParent();
		}
	};
	visit();
	cursor.delete();
}

function dump(n: MNode, out: string[] = []): string[] {
	const p = n.startPosition;
	out.push(`${n.type} ${n.startIndex}-${n.endIndex} ${p.row}:${p.column}`);
	for (const c of n.children) dump(c, out);
	return out;
}

const BASE =
	'package main\n\nfunc main() {\n\ts := "héllo 🚀"\n\tfor i := 0; i < 3; i++ {\n\t\t_ = s\n\t}\n}\n' +
	// Functions after the edits, reused by the reparse: their Points come from the edit's.
	[1, 2, 3, 4].map((i) => `\nfunc f${i}(a int) int {\n\treturn a + ${i}\n}\n`).join('');
const SNIPPETS = ['x', '\n', '}', '"', 'é', '\r\n', '\r', '\tfoo()\n', '', ' := 1'];

test('the cache replays LSP events exactly as TextDocument does (no resync) and keeps Points and its copy right', async () => {
	const cache = await TreeCache.create();
	try {
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(BASE, BASE.replace(/\n/g, '\r\n'), BASE.replace(/\n/g, '\r')),
				fc.array(
					fc.array(
						fc.oneof(
							{ weight: 9, arbitrary: fc.record({ line: fc.nat(26), ch: fc.nat(30), lines: fc.nat(3), endCh: fc.nat(30), text: fc.constantFrom(...SNIPPETS) }) },
							{ weight: 1, arbitrary: fc.record({ full: fc.constantFrom(BASE, 'package a\n', '') }) },
						),
						{ minLength: 1, maxLength: 3 },
					),
					{ minLength: 1, maxLength: 15 },
				),
				async (base, events) => {
					cache.open('u', base, 1);
					cache.takeChanged('u');
					// Walk the copy so edits go through expanded declarations (the keystroke path).
					dump(cache.get('u')!.mirror.rootNode);
					let text = base;
					let version = 1;
					for (const event of events) {
						const changes: TextDocumentContentChangeEvent[] = event.map((c) =>
							'full' in c
								? { text: c.full }
								: { range: { start: { line: c.line, character: c.ch }, end: { line: c.line + c.lines, character: c.lines ? c.endCh : c.ch + (c.endCh % 5) } }, text: c.text },
						);
						for (const c of changes) {
							if (!('range' in c) || !c.range) text = c.text;
							else {
								const d = TextDocument.create('x', 'go', 0, text);
								text = text.slice(0, d.offsetAt(c.range.start)) + c.text + text.slice(d.offsetAt(c.range.end));
							}
						}
						cache.applyChanges('u', changes, text, ++version);
						const got = cache.get('u')!;
						assert.equal(got.text, text);
						const full = changes.some((c) => !('range' in c));
						assert.equal(cache.takeChanged('u') === 'all', full, 'the cache fell back to a full parse: its offsets differ from TextDocument');
						assertPoints(got.tree, text);
						assert.deepEqual(dump(got.mirror.rootNode), dump(mirrorOf(got.tree, text).rootNode));
					}
				},
			),
			{ numRuns: 150, seed: 5 },
		);
	} finally {
		cache.dispose();
	}
});
