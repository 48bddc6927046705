import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolPutMissing } from '../../../server/src/rules/pool/poolPutMissing';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';

const HEAD = `package a

import (
	"bytes"
	"encoding/json"
	"sync"
)

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}
`;

const POS = `${HEAD}
func encode(v any) ([]byte, error) {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	if err := json.NewEncoder(b).Encode(v); err != nil {
		return nil, err
	}
	out := append([]byte(nil), b.Bytes()...)
	bufs.Put(b)
	return out, nil
}
`;

const NEVER = `${HEAD}
func size(v any) int {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	_ = json.NewEncoder(b).Encode(v)
	return b.Len()
}

func loop(vs []any) {
	for _, v := range vs {
		b := bufs.Get().(*bytes.Buffer)
		b.Reset()
		_ = json.NewEncoder(b).Encode(v)
	}
}

func discard() int { return bufs.Get().(*bytes.Buffer).Len() }

func stmt() { bufs.Get() }
`;

test('spec positive: early return skips the Put (exact range, related positions)', async () => {
	const f = await runRule(poolPutMissing, POS);
	assert.deepEqual(lines(f), [12]);
	assert.deepEqual(f[0].range, { start: { line: 11, character: 6 }, end: { line: 11, character: 16 } });
	assert.equal(f[0].severity, 'information');
	assert.match(f[0].message, /returns at line 15/);
	assert.ok(f[0].related?.some((r) => r.range.start.line === 14));
});

test('never put back; in a loop is a warning; discarded Get results', async () => {
	const f = await runRule(poolPutMissing, NEVER);
	assert.deepEqual(lines(f), [12, 20, 26, 28]);
	assert.equal(f[1].severity, 'warning');
	assert.match(f[0].message, /never put back/);
});

test('spec negative and ownership transfers are silent', async () => {
	const src = `${HEAD}
type holder struct{ b *bytes.Buffer }

var ch = make(chan *bytes.Buffer, 1)

func deferred(v any) ([]byte, error) {
	b := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(b)
	b.Reset()
	if err := json.NewEncoder(b).Encode(v); err != nil {
		return nil, err
	}
	return append([]byte(nil), b.Bytes()...), nil
}

func acquire() *bytes.Buffer { return bufs.Get().(*bytes.Buffer) }

func get2() *bytes.Buffer {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func store(h *holder) { b := bufs.Get().(*bytes.Buffer); h.b = b }

func send() { b := bufs.Get().(*bytes.Buffer); ch <- b }

func wrap() *holder { b := bufs.Get().(*bytes.Buffer); return &holder{b: b} }

func releaseBuf(b *bytes.Buffer) { bufs.Put(b) }

func viaRelease(s string) {
	b := acquire()
	b.WriteString(s)
	releaseBuf(b)
}

func capDrop(s string) {
	b := bufs.Get().(*bytes.Buffer)
	b.WriteString(s)
	if b.Cap() > 1<<16 {
		return
	}
	bufs.Put(b)
}

func branches(ok bool) {
	b := bufs.Get().(*bytes.Buffer)
	if ok {
		bufs.Put(b)
		return
	}
	bufs.Put(b)
}
`;
	assert.deepEqual(await runRule(poolPutMissing, src), []);
	await runRule(poolPutMissing, 'package a\nimport "sync"\nvar p sync.Pool\nfunc f() { b := p.Get().(*T)\n if x { return');
});

test('defer fix compiles (go vet) and removes the finding', async () => {
	const fixed: Record<string, string> = {};
	for (const [name, src] of [['a.go', POS], ['b.go', NEVER.replace(/\bbufs\b/g, 'bufs2').replace(/^package a[\s\S]*?\)\n/, 'package a\n\nimport (\n\t"bytes"\n\t"encoding/json"\n\t"sync"\n)\n').replace(/func (\w+)\(/g, 'func $1_2(')]] as const) {
		const f = (await runRule(poolPutMissing, src)).find((x) => x.fixes?.length)!;
		const out = applyEdits(src, f.fixes![0].edits);
		assert.ok(!(await runRule(poolPutMissing, out)).some((x) => x.range.start.line === f.range.start.line), out);
		fixed[name] = out;
	}
	assert.match(fixed['a.go'], /b := bufs\.Get\(\)\.\(\*bytes\.Buffer\)\n\tdefer bufs\.Put\(b\)\n/);
	assert.doesNotMatch(fixed['a.go'], /\n\tbufs\.Put\(b\)/);
	const r = goCheck(fixed, { cmd: 'vet' });
	assert.ok(r.ok, r.output);
});

test('shapes from GOROOT stay silent: self-release method, named result, asserted alias returned', async () => {
	const src = `package a

import (
	"bufio"
	"io"
	"sync"
)

type pp struct{ buf []byte }

var ppFree = sync.Pool{New: func() any { return new(pp) }}
var readers sync.Pool

func (p *pp) free() { p.buf = p.buf[:0]; ppFree.Put(p) }

func newPrinter() *pp { return ppFree.Get().(*pp) }

func Sprint(a ...any) string {
	p := newPrinter()
	s := string(p.buf)
	p.free()
	return s
}

func newState() (s *pp, n int) {
	s = ppFree.Get().(*pp)
	return
}

func newReader(r io.Reader) *bufio.Reader {
	if v := readers.Get(); v != nil {
		br := v.(*bufio.Reader)
		br.Reset(r)
		return br
	}
	return bufio.NewReader(r)
}
`;
	assert.deepEqual(await runRule(poolPutMissing, src), []);
});

// fasthttp's pipeConn.Write: the object is sent on a channel on one path, so a deferred Put would
// hand it back under its new owner; the advice is to put it back on the path that drops it.
test('no defer advice when another path hands the object on', async () => {
	const src = `package a

import (
	"errors"
	"sync"
)

type buf struct{ b []byte }

var pool = sync.Pool{New: func() any { return new(buf) }}

func send(ch chan *buf, stop, timeout chan struct{}) error {
	b := pool.Get().(*buf)
	select {
	case <-stop:
		pool.Put(b)
		return errors.New("stop")
	default:
	}
	select {
	case ch <- b:
	case <-timeout:
		return errors.New("timeout")
	}
	return nil
}

func plain(fail bool) error {
	b := pool.Get().(*buf)
	if fail {
		return errors.New("x")
	}
	pool.Put(b)
	return nil
}
`;
	const f = await runRule(poolPutMissing, src);
	assert.deepEqual(lines(f), [13, 29]);
	assert.doesNotMatch(f[0].message, /Defer the Put/);
	assert.match(f[0].message, /Put it back on that path too/);
	assert.match(f[1].message, /Defer the Put right after the Get/);
});

// fasthttp's workerPool.getCh and client_golang's constrainLabels: the object is also given to a
// goroutine or a closure that puts it back, so the function lends it and callers own nothing.
test('a function whose goroutine or closure puts the object back is not a getter', async () => {
	const src = `package a

import "sync"

type wc struct{ ch chan int }

type wp struct{ pool sync.Pool }

func (w *wp) work(c *wc) {}

func (w *wp) getCh() *wc {
	v := w.pool.Get()
	c := v.(*wc)
	go func() {
		w.work(c)
		w.pool.Put(v)
	}()
	return c
}

var labels = sync.Pool{New: func() any { return map[string]string{} }}

func constrain() (map[string]string, func()) {
	m := labels.Get().(map[string]string)
	return m, func() { labels.Put(m) }
}

func (w *wp) getOwned() *wc {
	v := w.pool.Get()
	c := v.(*wc)
	return c
}

func (w *wp) Serve(x int) {
	c := w.getCh()
	c.ch <- x
}

func Use() int {
	m, closer := constrain()
	defer closer()
	return len(m)
}

func (w *wp) Leak(x int) {
	c := w.getOwned()
	c.ch <- x
}
`;
	assert.deepEqual(lines(await runRule(poolPutMissing, src)), [46]);
});

// facebook/dhcplb#3: the read error returns without the Put; net's packet reads do not keep the buffer.
test('net packet reads into the object do not hand it on', async () => {
	const src = `package a

import (
	"net"
	"sync"
)

var bufPool = sync.Pool{New: func() any { b := make([]byte, 1500); return &b }}

func serve(conn *net.UDPConn) error {
	bp := bufPool.Get().(*[]byte)
	n, addr, err := conn.ReadFromUDP(*bp)
	if err != nil {
		return err
	}
	_, _ = n, addr
	bufPool.Put(bp)
	return nil
}
`;
	assert.deepEqual(lines(await runRule(poolPutMissing, src)), [11]);
});

// phuslu/log's Entry.Interface: `enc := json.NewEncoder(b)` carries b; enc's methods are encoding/json's
// and cannot put b back or keep it, so the missing Put is still seen. A carrier made by another
// module's package (`x := wire.NewWriter(b)`) stays unknown, and the rule silent.
test('methods of a carrier made by a standard function do not hide a missing Put', async () => {
	const src = `package a

import (
	"encoding/json"
	"sync"

	"example.com/wire"
)

type bb struct{ B []byte }

func (b *bb) Write(p []byte) (int, error) { b.B = append(b.B, p...); return len(p), nil }

var bbpool = sync.Pool{New: func() any { return new(bb) }}

func encode(v any) []byte {
	b := bbpool.Get().(*bb)
	b.B = b.B[:0]
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return append([]byte(nil), b.B...)
}

func theirs(v any) int {
	b := bbpool.Get().(*bb)
	x := wire.NewWriter(b)
	x.Flush()
	return len(b.B)
}
`;
	assert.deepEqual(lines(await runRule(poolPutMissing, src)), [17]);
});
