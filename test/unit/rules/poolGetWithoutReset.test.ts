import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolGetWithoutReset } from '../../../server/src/rules/pool/poolGetWithoutReset';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';

const POS = `package a

import (
	"bytes"
	"fmt"
	"sync"
)

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func render(v any) string {
	b := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(b)
	fmt.Fprintf(b, "%v", v)
	return b.String()
}
`;

const SLICES = `package a

import "sync"

var sp = sync.Pool{New: func() any { b := make([]byte, 0, 64); return &b }}

func join(parts []string) string {
	bp := sp.Get().(*[]byte)
	for _, p := range parts {
		*bp = append(*bp, p...)
	}
	s := string(*bp)
	sp.Put(bp)
	return s
}

func join2(parts []string) string {
	buf := *sp.Get().(*[]byte)
	buf = append(buf, parts[0]...)
	s := string(buf)
	sp.Put(&buf)
	return s
}
`;

test('spec positive and slice shapes', async () => {
	const f = await runRule(poolGetWithoutReset, POS);
	assert.deepEqual(lines(f), [14]);
	assert.deepEqual(f[0].range, { start: { line: 13, character: 13 }, end: { line: 13, character: 14 } });
	assert.match(f[0].message, /fmt\.Fprintf\(b, …\)/);
	assert.deepEqual(lines(await runRule(poolGetWithoutReset, SLICES)), [10, 19]);
});

test('spec negatives: reset after Get, reset on Put, putter resets, resetting getter, read destination, New-only pool', async () => {
	const reset = POS.replace('\tdefer bufs.Put(b)\n', '\tb.Reset()\n\tdefer bufs.Put(b)\n');
	assert.deepEqual(await runRule(poolGetWithoutReset, reset), []);
	const wrappers = `package a

import (
	"bytes"
	"io"
	"sync"
)

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}
var rd = sync.Pool{New: func() any { b := make([]byte, 4096); return &b }}
var only = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func acquire() *bytes.Buffer {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func release(b *bytes.Buffer) {
	b.Reset()
	bufs.Put(b)
}

func use(s string) {
	b := bufs.Get().(*bytes.Buffer)
	b.WriteString(s)
	release(b)
	c := acquire()
	c.WriteString(s)
	release(c)
}

func read(r io.Reader) (int, error) {
	bp := rd.Get().(*[]byte)
	defer rd.Put(bp)
	n, err := r.Read(*bp)
	return n, err
}

func fresh() { o := only.Get().(*bytes.Buffer); o.WriteString("x") }
`;
	assert.deepEqual(await runRule(poolGetWithoutReset, wrappers), []);
});

test('pool as struct field; half-typed code', async () => {
	const src = `package a

import (
	"bytes"
	"encoding/json"
	"sync"
)

type Enc struct{ pool sync.Pool }

func (e *Enc) Encode(v any) ([]byte, error) {
	b := e.pool.Get().(*bytes.Buffer)
	err := json.NewEncoder(b).Encode(v)
	out := bytes.Clone(b.Bytes())
	e.pool.Put(b)
	return out, err
}
`;
	assert.deepEqual(lines(await runRule(poolGetWithoutReset, src)), [13]);
	await runRule(poolGetWithoutReset, 'package a\nimport "sync"\nvar p sync.Pool\nfunc f() { b := p.Get().(*T)\n b.Write(');
});

test('fixes compile (go vet) and remove the finding', async () => {
	const fixed: Record<string, string> = {};
	for (const [name, src] of [['a.go', POS], ['b.go', SLICES.replace(/\bsp\b/g, 'sp2')]] as const) {
		let text = src;
		for (let i = 0; i < 3; i++) {
			const [f] = await runRule(poolGetWithoutReset, text);
			if (!f) break;
			text = applyEdits(text, f.fixes![0].edits);
		}
		assert.deepEqual(await runRule(poolGetWithoutReset, text), []);
		fixed[name] = text;
	}
	assert.match(fixed['a.go'], /b := bufs\.Get\(\)\.\(\*bytes\.Buffer\)\n\tb\.Reset\(\)\n/);
	assert.match(fixed['b.go'], /\*bp = \(\*bp\)\[:0\]/);
	assert.match(fixed['b.go'], /\tbuf = buf\[:0\]\n/);
	const r = goCheck(fixed, { cmd: 'vet' });
	assert.ok(r.ok, r.output);
});

test('a field the getter assigns, that is assigned after the Get, or that every Put clears holds nothing old', async () => {
	const src = `package a

import "sync"

type entry struct{ b []byte }
type batch struct {
	leader  string
	entries []*entry
	spare   []*entry
}

var batches = sync.Pool{New: func() any { return new(batch) }}

func newBatch(leader string, es []*entry) *batch {
	b := batches.Get().(*batch)
	b.leader, b.entries = leader, es
	return b
}

func (b *batch) release() {
	b.entries, b.spare = nil, b.spare[:0]
	batches.Put(b)
}

func viaGetter(es []*entry) *batch {
	b := newBatch("x", nil)
	for _, e := range es {
		b.entries = append(b.entries, e)
	}
	return b
}

func assigned(e *entry) *batch {
	b := batches.Get().(*batch)
	b.leader = "y"
	b.entries = nil
	b.entries = append(b.entries, e)
	return b
}

func clearedOnPut(e *entry) *batch {
	b := batches.Get().(*batch)
	b.spare = append(b.spare, e)
	return b
}

type msg struct{ subject string; hdr []byte }

var msgs sync.Pool

func newMsg(subject string) *msg {
	var m *msg
	if v := msgs.Get(); v != nil {
		m = v.(*msg)
	} else {
		m = new(msg)
	}
	(*m) = msg{subject: subject}
	return m
}

func header(s string) *msg {
	m := newMsg(s)
	m.hdr = append(m.hdr, s...)
	return m
}

func (m *msg) done() { msgs.Put(m) }
`;
	assert.deepEqual(await runRule(poolGetWithoutReset, src), []);
	// Without the Put's clearing, the accumulated field is reported, with its own reset as the fix.
	const kept = src.replace('b.entries, b.spare = nil, b.spare[:0]', 'b.entries = nil');
	const f = await runRule(poolGetWithoutReset, kept);
	assert.deepEqual(lines(f), [kept.split('\n').findIndex((l) => l.includes('b.spare = append(b.spare, e)')) + 1]);
	assert.match(f[0].message, /append\(b\.spare, …\)/);
	assert.equal(f[0].fixes?.[0].edits[0].newText.trim(), 'b.spare = b.spare[:0]');
	assert.equal(f[0].fixes?.[0].safe, false);
});

test('reset fix: typed by the getter (safe), none for a Get in an if header (no line to insert into)', async () => {
	const src = `package a

import (
	"bytes"
	"sync"
)

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuf() *bytes.Buffer { return bufs.Get().(*bytes.Buffer) }

func putBuf(b *bytes.Buffer) { bufs.Put(b) }

func viaGetter(s string) string {
	b := getBuf()
	b.WriteString(s)
	out := b.String()
	putBuf(b)
	return out
}

func header(s string) string {
	if b := bufs.Get().(*bytes.Buffer); s != "" {
		b.WriteString(s)
		defer bufs.Put(b)
		return b.String()
	}
	return ""
}
`;
	const f = await runRule(poolGetWithoutReset, src);
	assert.deepEqual(lines(f), [16, 24]);
	assert.equal(f[0].fixes?.[0].edits[0].newText, '\n\tb.Reset()');
	assert.equal(f[0].fixes?.[0].safe, true);
	assert.deepEqual(f[1].fixes, []);
	const fixed = applyEdits(src, f[0].fixes![0].edits);
	assert.deepEqual(lines(await runRule(poolGetWithoutReset, fixed)), [25]);
	assert.ok(goCheck({ 'a.go': fixed }).ok);
});

test('a putter that resets inside a nil guard resets every Put (no finding at its callers)', async () => {
	const src = `package a

import (
	"bytes"
	"encoding/json"
	"sync"
)

var bufPool = &sync.Pool{New: func() interface{} { return &bytes.Buffer{} }}

func acquireBuffer() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

func releaseBuffer(buf *bytes.Buffer) {
	if buf != nil {
		buf.Reset()
		bufPool.Put(buf)
	}
}

func marshal(v any) ([]byte, error) {
	buf := acquireBuffer()
	defer releaseBuffer(buf)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		return nil, err
	}
	return append([]byte(nil), buf.Bytes()...), nil
}
`;
	assert.deepEqual(await runRule(poolGetWithoutReset, src), []);
	assert.deepEqual(lines(await runRule(poolGetWithoutReset, src.replace('\t\tbuf.Reset()\n', ''))), [22], 'without the reset, the encoder writes after old content');
});
