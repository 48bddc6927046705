import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolNewNonPointer } from '../../../server/src/rules/pool/poolNewNonPointer';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';
import type { LocatedEscapeFact } from '../../../server/src/rules/types';

const POS = `package a

import (
	"bytes"
	"sync"
)

type rec struct{ a, b int }

var p1 = sync.Pool{New: func() any { return make([]byte, 4096) }}
var p2 = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 1024)) }}
var p3 = &sync.Pool{
	New: func() any {
		r := rec{}
		return r
	},
}

func Use() *bytes.Buffer { return p2.Get().(*bytes.Buffer) }
`;

const NEG = `package a

import (
	"bytes"
	"sync"
)

var ok1 = sync.Pool{New: func() any { b := make([]byte, 4096); return &b }}
var ok2 = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 1024)) }}
var ok3 = sync.Pool{New: func() any { return new(bytes.Buffer) }}
var ok4 = sync.Pool{New: func() any { return make(map[string]int) }}
var ok5 = sync.Pool{New: func() any { return &struct{ n int }{} }}
var ok6 = sync.Pool{New: func() any {
	f := func() []byte { return make([]byte, 8) }
	b := f()
	return &b
}}
`;

test('spec positives: make, pre-filled buffer, struct value via ident', async () => {
	const f = await runRule(poolNewNonPointer, POS);
	assert.deepEqual(lines(f), [10, 11, 15]);
	assert.deepEqual(f[0].range, { start: { line: 9, character: 44 }, end: { line: 9, character: 62 } });
	assert.match(f[1].message, /1024 zero bytes/);
	assert.equal(f[1].severity, 'warning');
});

test('spec negatives', async () => {
	assert.deepEqual(await runRule(poolNewNonPointer, NEG), []);
});

test('P.New assignment and compiler facts (twice at the same column)', async () => {
	const src = 'package a\n\nimport "sync"\n\nvar p sync.Pool\n\nfunc init() {\n\tp.New = func() any { return make([]byte, 64) }\n}\n';
	const at = { line: 7, character: 29 };
	const fact: LocatedEscapeFact = { kind: 'escapes-to-heap', pos: { file: '/x', line: 8, column: 30 }, subject: 'make([]byte, 64)', message: 'make([]byte, 64) escapes to heap', flows: [], at };
	const f = await runRule(poolNewNonPointer, src, { escape: [fact, { ...fact }] });
	assert.deepEqual(lines(f), [8]);
	assert.match(f[0].message, /reports `make\(\[\]byte, 64\) escapes to heap` 2 times/);
});

test('pre-filled buffer is information when every Get resets; half-typed code', async () => {
	const src = POS.replace('func Use() *bytes.Buffer { return p2.Get().(*bytes.Buffer) }', 'func Use() {\n\tb := p2.Get().(*bytes.Buffer)\n\tb.Reset()\n\tp2.Put(b)\n}');
	const f = (await runRule(poolNewNonPointer, src)).find((x) => x.range.start.line === 10)!;
	assert.equal(f.severity, 'information');
	await runRule(poolNewNonPointer, 'package a\nimport "sync"\nvar p = sync.Pool{New: func() any { return make([]byte, ');
});

test('the capacity fix compiles and removes the finding', async () => {
	const src = 'package a\n\nimport (\n\t"bytes"\n\t"sync"\n)\n\nvar P = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 512)) }}\n';
	const [f] = await runRule(poolNewNonPointer, src);
	const out = applyEdits(src, f.fixes![0].edits);
	assert.match(out, /make\(\[\]byte, 0, 512\)/);
	assert.deepEqual(await runRule(poolNewNonPointer, out), []);
	const r = goCheck({ 'a.go': out }, { cmd: 'vet' });
	assert.ok(r.ok, r.output);
});

// fasthttp's copyBufPool: every Put hands back the `any` a Get returned, so no Put boxes.
test('a slice New whose Puts hand back the `any` from Get is a hint without the Put claim', async () => {
	const src = `package a

import "sync"

var keep = sync.Pool{New: func() any { return make([]byte, 4096) }}

func useKeep() {
	v := keep.Get()
	b := v.([]byte)
	_ = b
	keep.Put(v)
}

var box = sync.Pool{New: func() any { return make([]byte, 4096) }}

func useBox() {
	v := box.Get()
	b := v.([]byte)
	box.Put(b)
}

var reassigned = sync.Pool{New: func() any { return make([]byte, 4096) }}

func useReassigned() {
	v := reassigned.Get()
	v = make([]byte, 1)
	reassigned.Put(v)
}
`;
	const f = await runRule(poolNewNonPointer, src);
	assert.deepEqual(lines(f), [5, 14, 22]);
	assert.equal(f[0].severity, 'hint');
	assert.match(f[0].message, /do not box again/);
	assert.doesNotMatch(f[0].message, /each Put of it boxes again/);
	for (const x of f.slice(1)) {
		assert.equal(x.severity, 'warning');
		assert.match(x.message, /each Put of it boxes again/);
	}
});
