import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolPutNonPointer } from '../../../server/src/rules/pool/poolPutNonPointer';
import { runRule, lines } from '../ruleHarness';
import { runRules } from '../../../server/src/rules/engine';
import { newGoParser } from '../../../server/src/syntax/goParser';
import { goVersion } from '../ruleHarness';
import type { LocatedEscapeFact } from '../../../server/src/rules/types';
import { mirrorOf } from '../../../server/src/syntax/mirror';

const POS = `package a

import "sync"

var bufPool sync.Pool

type pair struct{ a, b int }
type buf []byte

func release(b []byte) {
	bufPool.Put(b[:0])
}

func more(s string, p pair, n byte, m map[int]int, q *pair, bb buf) {
	bufPool.Put(s)
	bufPool.Put(p)
	bufPool.Put(n)
	bufPool.Put(m)
	bufPool.Put(q)
	bufPool.Put(0)
	bufPool.Put(bb)
	x := make([]byte, 10)
	bufPool.Put(x)
	bufPool.Put(&x)
	bufPool.Put(struct{}{})
	bufPool.Put(pair{1, 2})
}
`;

test('spec positive + shapes: slices, strings, structs, named slice types; not constants, bytes, maps, pointers', async () => {
	const f = await runRule(poolPutNonPointer, POS);
	assert.deepEqual(lines(f), [11, 15, 16, 21, 23, 26]);
	assert.deepEqual(f[0].range, { start: { line: 10, character: 13 }, end: { line: 10, character: 18 } });
	assert.match(f[0].message, /likely allocates/);
});

test('spec negative: pointer pool', async () => {
	const src = `package a

import "sync"

var ptrPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func release(bp *[]byte) {
	*bp = (*bp)[:0]
	ptrPool.Put(bp)
}
`;
	assert.deepEqual(await runRule(poolPutNonPointer, src), []);
});

test('pools as struct fields and locals; generic wrappers skipped; no sync import → nothing', async () => {
	const src = `package a

import "sync"

type Server struct{ bufs sync.Pool }

func (s *Server) done(b []byte) { s.bufs.Put(b) }

type Pool[T any] struct{ p sync.Pool }

func (p *Pool[T]) Put(x T) { p.p.Put(x) }

func local() {
	lp := &sync.Pool{}
	lp.Put([]int{1})
}
`;
	assert.deepEqual(lines(await runRule(poolPutNonPointer, src)), [7, 15]);
	assert.deepEqual(await runRule(poolPutNonPointer, 'package a\n\nfunc f(b []byte) { p.Put(b) }\n'), []);
});

test('escape facts refine the message and severity', async () => {
	const fact = (line: number, character: number, message: string): LocatedEscapeFact => ({
		kind: 'escapes-to-heap', pos: { file: '/tmp/memlens-test/a.go', line: line + 1, column: character + 1 }, subject: 'b[:0]', message, flows: [], at: { line, character },
	});
	const f = await runRule(poolPutNonPointer, POS, { escape: [fact(10, 13, 'b[:0] escapes to heap')] });
	assert.equal(f[0].severity, 'warning');
	assert.match(f[0].message, /the compiler reports `b\[:0\] escapes to heap`/);
	assert.equal(f[1].severity, 'information');
});

test('//lint:ignore SA6002 is honoured through the engine; half-typed code does not throw', async () => {
	const src = POS.replace('\tbufPool.Put(b[:0])', '\t//lint:ignore SA6002 accepted trade-off\n\tbufPool.Put(b[:0])');
	const parser = await newGoParser();
	const tree = parser.parse(src)!;
	try {
		const f = runRules({ tree: mirrorOf(tree, src), text: src, filePath: '/x/a.go', goVersion: goVersion(21), escape: undefined, isCgo: false }, { rules: [poolPutNonPointer] });
		assert.deepEqual(lines(f), [16, 17, 22, 24, 27]);
	} finally {
		tree.delete();
		parser.delete();
	}
	await runRule(poolPutNonPointer, 'package a\nimport "sync"\nvar p sync.Pool\nfunc f() { p.Put(x[:');
	await runRule(poolPutNonPointer, 'package a\nimport "sync"\nvar p sync.Pool\nfunc f() { p.Put(');
});
