/**
 * Walks of an unedited tree's root in one engine run (rules/shared/ast.ts `rootWalk`): one
 * tree-sitter walk for every type asked so far, the rest answered from its buckets. Each answer
 * must be tree-sitter's own `descendantsOfType`, in its order, whatever was asked before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../../server/src/syntax/goParser';
import { descendants, withWalkCache } from '../../../server/src/rules/shared/ast';
import type { Node } from '../../../server/src/syntax/mirror';

// Nested calls that start at the same offset (`f(x)(y)`), a go statement around a call, a syntax error.
const SRC = `package p

import "sync"

type T struct{ mu sync.Mutex }

func f(x int) func(int) int { return func(y int) int { return x + y } }

func g(ts []T) {
	for i := range ts {
		go f(i)(i)
		defer f(1)(2)
		_ = ts[i:][0]
	}
	x := )
}
`;

const ASKS: (string | string[])[] = [
	'call_expression',
	['go_statement', 'call_expression'],
	'func_literal',
	['defer_statement', 'call_expression', 'slice_expression', 'for_statement'],
	'ERROR',
	['identifier', 'field_declaration'],
	'call_expression',
	['type_spec', 'not_a_node_type'],
];

const key = (ns: (Node | null)[]) => ns.map((n) => `${n!.type}@${n!.startIndex}-${n!.endIndex}`);

test('root walks answered from one walk equal tree-sitter descendantsOfType, in any order of asks', async () => {
	const parser = await newGoParser();
	const tree = parser.parse(SRC)!;
	try {
		const root = tree.rootNode as unknown as Node;
		const expected = ASKS.map((t) => key(root.descendantsOfType(t)));
		assert.ok(expected[0].length >= 4 && expected[4].length >= 1, 'the source has nested calls and an error');
		// Forwards, backwards, and again in a second run (the thread remembers the types asked).
		for (const order of [ASKS.map((_, i) => i), ASKS.map((_, i) => ASKS.length - 1 - i), ASKS.map((_, i) => i)]) {
			withWalkCache(() => {
				for (const i of order) assert.deepEqual(key(descendants(root, ASKS[i])), expected[i], `ask ${JSON.stringify(ASKS[i])}`);
			});
		}
		// A fresh array each time: a caller may change what it got.
		withWalkCache(() => {
			const a = descendants(root, 'call_expression');
			a.length = 0;
			assert.deepEqual(key(descendants(root, 'call_expression')), expected[0]);
		});
	} finally {
		tree.delete();
		parser.delete();
	}
});
