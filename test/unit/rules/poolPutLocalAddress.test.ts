import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolPutLocalAddress } from '../../../server/src/rules/pool/poolPutLocalAddress';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';
import type { LocatedEscapeFact } from '../../../server/src/rules/types';

const POS = `package a

import (
	"io"
	"sync"
)

var pool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func copyBody(w io.Writer, r io.Reader) error {
	buf := *pool.Get().(*[]byte)
	defer pool.Put(&buf)
	_, err := io.CopyBuffer(w, r, buf)
	return err
}
`;

const GROWS = `package a

import "sync"

var pool = sync.Pool{New: func() any { b := make([]byte, 0, 64); return &b }}

func build(s string) int {
	buf := *pool.Get().(*[]byte)
	buf = append(buf[:0], s...)
	n := len(buf)
	pool.Put(&buf)
	return n
}
`;

const moved = (line: number, character: number, name: string): LocatedEscapeFact => ({
	kind: 'moved-to-heap', pos: { file: '/tmp/memlens-test/a.go', line: line + 1, column: character + 1 }, subject: name, message: `moved to heap: ${name}`, flows: [], at: { line, character },
});

test('spec positive: defer pool.Put(&buf); severity follows the compiler', async () => {
	const noEsc = await runRule(poolPutLocalAddress, POS);
	assert.deepEqual(lines(noEsc), [12]);
	assert.equal(noEsc[0].severity, 'information');
	assert.match(noEsc[0].message, /probably/);
	assert.deepEqual(noEsc[0].range, { start: { line: 11, character: 16 }, end: { line: 11, character: 20 } });
	const esc = await runRule(poolPutLocalAddress, POS, { escape: [moved(10, 1, 'buf')] });
	assert.equal(esc[0].severity, 'warning');
	assert.match(esc[0].message, /the compiler moved `buf` to the heap \(`moved to heap: buf`\)/);
	assert.deepEqual(await runRule(poolPutLocalAddress, POS, { escape: [] }), [], 'compiled, nothing moved → silent');
});

test('spec negatives: keep the pointer; deferred closure; init priming; field address', async () => {
	const src = `package a

import (
	"io"
	"sync"
)

var pool sync.Pool
var arr [64]byte

type T struct{ b []byte }

func copyBody(w io.Writer, r io.Reader) error {
	bp := pool.Get().(*[]byte)
	defer pool.Put(bp)
	buf := *bp
	defer func() { *bp = buf; pool.Put(bp) }()
	_, err := io.CopyBuffer(w, r, buf)
	return err
}

func init() {
	var prime [64]byte
	pool.Put(&prime)
}

func global() { pool.Put(&arr) }

func lit() { pool.Put(&T{}) }
`;
	assert.deepEqual(await runRule(poolPutLocalAddress, src), []);
});

test('parameters count; half-typed code does not throw', async () => {
	const src = 'package a\n\nimport "sync"\n\ntype S struct{ p sync.Pool }\n\nfunc (s *S) put(b []byte) {\n\ts.p.Put(&b)\n}\n';
	assert.deepEqual(lines(await runRule(poolPutLocalAddress, src)), [8]);
	await runRule(poolPutLocalAddress, 'package a\nimport "sync"\nvar p sync.Pool\nfunc f() { x := 1; p.Put(&');
});

test('fixes compile (go vet) and remove the finding', async () => {
	const fixed: Record<string, string> = {};
	for (const [name, src] of [['a.go', POS], ['b.go', GROWS.replace(/\bpool\b/g, 'pool2').replace('build(', 'build2(')]] as const) {
		const [f] = await runRule(poolPutLocalAddress, src);
		assert.ok(f?.fixes?.[0], `fix offered for ${name}`);
		const out = applyEdits(src, f.fixes[0].edits);
		assert.deepEqual(await runRule(poolPutLocalAddress, out), [], out);
		fixed[name] = out;
	}
	assert.match(fixed['a.go'], /bufp := pool\.Get\(\)\.\(\*\[\]byte\)\n\tbuf := \*bufp\n\tdefer pool\.Put\(bufp\)/);
	assert.match(fixed['b.go'], /\*bufp = buf\n\tpool2\.Put\(bufp\)/);
	const r = goCheck(fixed, { cmd: 'vet' });
	assert.ok(r.ok, r.output);
});
