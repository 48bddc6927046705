/** syntax/functionSpans.ts: top-level declarations named as Go names them, and the lookup by line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../server/src/syntax/goParser';
import { functionSpans, spanAt } from '../../server/src/syntax/functionSpans';

const SRC = `package p

var global = func() int { return 1 }()

type List[K comparable, V any] struct{ m map[K]V }

// Push is a method with a pointer receiver and type parameters.
func (l *List[K, V]) Push(k K, v V) {
	l.m[k] = v
}

func (l List[K, V]) Len() int { return len(l.m) }

func (T) Nameless() {}

type T struct{}

func F() func() int {
	x := 0
	return func() int {
		x++
		return x
	}
}
`;

test('functions and methods with their receivers, in source order, with 1-based line spans', async () => {
	const parser = await newGoParser();
	const tree = parser.parse(SRC)!;
	try {
		const spans = functionSpans(tree.rootNode);
		assert.deepEqual(spans, [
			{ name: '(*List[K, V]).Push', startLine: 8, endLine: 10 },
			{ name: 'List[K, V].Len', startLine: 12, endLine: 12 },
			{ name: 'T.Nameless', startLine: 14, endLine: 14 },
			{ name: 'F', startLine: 18, endLine: 24 },
		]);
		assert.equal(spanAt(spans, 3), undefined, 'a package-level var initialiser');
		assert.equal(spanAt(spans, 9)?.name, '(*List[K, V]).Push');
		assert.equal(spanAt(spans, 12)?.name, 'List[K, V].Len');
		assert.equal(spanAt(spans, 21)?.name, 'F', 'a func literal counts under the declaration it is written in');
		assert.equal(spanAt(spans, 24)?.name, 'F');
		assert.equal(spanAt(spans, 16), undefined);
		assert.equal(spanAt([], 1), undefined);
	} finally {
		tree.delete();
		parser.delete();
	}
});
