/**
 * pool-put-missing on real-world shapes (issue 11, class 1): ownership that moves on through an
 * alias, a getter, a method of the object or code in another file is never called a missing
 * Put; per-path misses (an early return before a later `defer`, a `continue`, a switch arm) are
 * found; the `defer` fix is marked safe only when it cannot put back a live object.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { poolPutMissing } from '../../../server/src/rules/pool/poolPutMissing';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';

const FIXTURE = path.join(__dirname, '../../fixtures/lsp/poolflows');
const flows = readFileSync(path.join(FIXTURE, 'flows.go'), 'utf8');
const other = readFileSync(path.join(FIXTURE, 'other.go'), 'utf8');

/** 1-based line of the first line containing `needle` after line `from`. */
function lineOf(src: string, needle: string, from = 0): number {
	const i = src.split('\n').findIndex((l, n) => n >= from && l.includes(needle));
	assert.ok(i >= 0, needle);
	return i + 1;
}

const HEAD = `package a

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}
var errEmpty = errors.New("empty")
`;

test('the fixture module: only the two real misses, with their exact exits', async () => {
	const f = await runRule(poolPutMissing, flows);
	const json = lineOf(flows, 'func writeJSON');
	const queue = lineOf(flows, 'func writeOrQueue');
	assert.deepEqual(lines(f), [json + 1, queue + 1]);
	const early = lineOf(flows, 'return errors.New("nil value")');
	assert.match(f[0].message, new RegExp(`returns at line ${early}: the deferred Put is registered after that return`));
	assert.ok(f[0].related?.some((r) => r.range.start.line === early - 1 && r.message === 'this exit skips the Put'));
	assert.ok(f[0].related?.some((r) => r.range.start.line === lineOf(flows, 'defer bufPool.Put(b)', json) - 1 && /registered after/.test(r.message)));
	assert.match(f[1].message, new RegExp(`returns at line ${lineOf(flows, 'return errors.New("empty")')} \\(the Put is on another path\\)`));
	assert.deepEqual(await runRule(poolPutMissing, other), []);
});

test('aliases: x := v.(*T), x, ok := v.(*T), x = v.(*T) carry the object (returned, stored, sent)', async () => {
	const src = `${HEAD}
type conn struct{ cur *bytes.Buffer; all map[int]*bytes.Buffer; out chan *bytes.Buffer }

func acquire() *bytes.Buffer {
	v := bufs.Get()
	if v == nil {
		return new(bytes.Buffer)
	}
	return v.(*bytes.Buffer)
}

func (c *conn) keep() {
	var b *bytes.Buffer
	v := bufs.Get()
	b = v.(*bytes.Buffer)
	c.cur = b
}

func (c *conn) index(id int) {
	v := bufs.Get()
	b, ok := v.(*bytes.Buffer)
	if !ok {
		return
	}
	c.all[id] = b
}

func (c *conn) emit() {
	if v := bufs.Get(); v != nil {
		b := v.(*bytes.Buffer)
		c.out <- b
	}
}

func (c *conn) wrap() io.Writer {
	b := bufs.Get().(*bytes.Buffer)
	w := io.MultiWriter(b, io.Discard)
	return w
}
`;
	assert.deepEqual(await runRule(poolPutMissing, src), []);
});

test('release through a method of the object, here or in another file, and hand-offs to unseen code', async () => {
	const src = `${HEAD}
type msg struct{ refs int32; b *bytes.Buffer }

var msgs sync.Pool

func (m *msg) unref() {
	m.refs--
	if m.refs == 0 {
		msgs.Put(m)
	}
}

func a() { m := msgs.Get().(*msg); m.refs = 1; m.unref() }
func b() { m := msgs.Get().(*msg); m.done() }
func c() { m := msgs.Get().(*msg); defer m.returnToPool(); m.refs = 2 }
func d(q interface{ push(*msg) }) { m := msgs.Get().(*msg); q.push(m) }
func e() { m := msgs.Get().(*msg); submit(m) }
func f() { m := msgs.Get().(*msg); go func() { m.refs = 3 }() }
func g(cb func()) { m := msgs.Get().(*msg); cb = func() { msgs.Put(m) }; _ = cb }
`;
	assert.deepEqual(await runRule(poolPutMissing, src), []);
});

test('nothing taken: a nil check, a failed assertion, a getter error; deliberate size drops', async () => {
	const src = `${HEAD}
func getBuf() (*bytes.Buffer, error) {
	v := bufs.Get()
	if v == nil {
		return nil, errEmpty
	}
	return v.(*bytes.Buffer), nil
}

func use(w io.Writer) error {
	b, err := getBuf()
	if err != nil {
		return err
	}
	defer bufs.Put(b)
	_, err = w.Write(b.Bytes())
	return err
}

func capped(s string) {
	b := bufs.Get().(*bytes.Buffer)
	b.WriteString(s)
	if b.Cap() > 64<<10 {
		return
	}
	bufs.Put(b)
}

func small(s string) {
	b := bufs.Get().(*bytes.Buffer)
	b.WriteString(s)
	if b.Len() < 4096 {
		bufs.Put(b)
	}
}
`;
	assert.deepEqual(await runRule(poolPutMissing, src), []);
});

test('found per path: a defer after an early return, a continue, a switch arm, a never-returned object', async () => {
	const src = `${HEAD}
func late(w io.Writer, s string) error {
	b := bufs.Get().(*bytes.Buffer)
	if s == "" {
		return errEmpty
	}
	defer bufs.Put(b)
	b.WriteString(s)
	_, err := w.Write(b.Bytes())
	return err
}

func each(w io.Writer, ss []string) {
	for _, s := range ss {
		b := bufs.Get().(*bytes.Buffer)
		b.Reset()
		if s == "" {
			continue
		}
		b.WriteString(s)
		w.Write(b.Bytes())
		bufs.Put(b)
	}
}

func arm(v any) string {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	switch v.(type) {
	case string:
		return "s"
	case int:
		bufs.Put(b)
		return "i"
	}
	bufs.Put(b)
	return "?"
}

func count(s string) int {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteString(s)
	return b.Len()
}
`;
	const f = await runRule(poolPutMissing, src);
	const gets = ['func late', 'func each', 'func arm', 'func count'].map((fn) => lineOf(src, 'bufs.Get()', lineOf(src, fn)));
	assert.deepEqual(lines(f), gets);
	assert.match(f[0].message, new RegExp(`returns at line ${lineOf(src, 'return errEmpty')}: the deferred Put is registered after that return`));
	assert.equal(f[1].severity, 'warning');
	assert.match(f[1].message, new RegExp(`leaves this iteration at line ${lineOf(src, 'continue')}`));
	assert.deepEqual(f[1].fixes, [], 'no defer inside a loop');
	assert.match(f[2].message, new RegExp(`returns at line ${lineOf(src, 'return "s"')}`));
	assert.match(f[3].message, /never put back/);
	assert.deepEqual(
		f.map((x) => x.fixes?.[0]?.safe),
		[true, undefined, true, true],
	);
	// The safe fixes compile and leave nothing to report.
	let fixed = src;
	for (const x of [...f].reverse()) if (x.fixes?.[0]?.safe) fixed = applyEdits(fixed, x.fixes[0].edits);
	assert.match(fixed, /b := bufs\.Get\(\)\.\(\*bytes\.Buffer\)\n\tdefer bufs\.Put\(b\)\n\tif s == "" \{/);
	assert.equal((fixed.match(/defer bufs\.Put\(b\)/g) ?? []).length, 3, fixed);
	assert.deepEqual(lines(await runRule(poolPutMissing, fixed)), [lineOf(fixed, 'bufs.Get()', lineOf(fixed, 'func each'))]);
	const r = goCheck({ 'a.go': fixed });
	assert.ok(r.ok, r.output);
});

test('the defer fix is not safe when it could put back a live object or change a deliberate drop', async () => {
	const src = `${HEAD}
func queued(ch chan *bytes.Buffer, s string) error {
	b := bufs.Get().(*bytes.Buffer)
	if s == "" {
		return errEmpty
	}
	if len(s) > 10 {
		ch <- b
		return nil
	}
	bufs.Put(b)
	return nil
}

func checked(s string) error {
	b := bufs.Get().(*bytes.Buffer)
	if s == "" {
		return errEmpty
	}
	if !finish(b) {
		return nil
	}
	bufs.Put(b)
	return nil
}

func unseen(s string) error {
	b := bufs.Get().(*bytes.Buffer)
	if s == "" {
		return errEmpty
	}
	if !validate(b) {
		return nil
	}
	bufs.Put(b)
	return nil
}

func sized(s string) error {
	b := bufs.Get().(*bytes.Buffer)
	if s == "" {
		return errEmpty
	}
	if b.Cap() <= 1<<16 {
		bufs.Put(b)
	}
	return nil
}

func finish(b *bytes.Buffer) bool { return b.Len() > 0 }
`;
	const f = await runRule(poolPutMissing, src);
	assert.deepEqual(
		lines(f),
		['func queued', 'func checked', 'func unseen', 'func sized'].map((fn) => lineOf(src, 'bufs.Get()', lineOf(src, fn))),
	);
	// A send, a call of another file's function (validate), a size-guarded Put: not safe. A call
	// of this file's function that only reads the buffer (finish): safe.
	assert.deepEqual(
		f.map((x) => x.fixes?.[0]?.safe),
		[false, true, false, false],
	);
});

test("a release-named method of another package's type ends the object's use; its other methods do not", async () => {
	const src = `package a

import (
	"sync"

	"example.com/frames"
)

var objs sync.Pool

func released() { f := objs.Get().(*frames.Frame); f.Fill(); f.Release() }

func dropped() int { f := objs.Get().(*frames.Frame); f.Fill(); return f.Len() }
`;
	assert.deepEqual(lines(await runRule(poolPutMissing, src)), [13]);
});

test('real bug shape (caddyserver/forwardproxy#76): a copy buffer taken in a closure and never put back', async () => {
	const src = `package a

import (
	"io"
	"sync"
)

var bufferPool = sync.Pool{New: func() any { b := make([]byte, 32*1024); return &b }}

func dualStream(a, b io.ReadWriter) error {
	stream := func(w io.Writer, r io.Reader) error {
		bp := bufferPool.Get().(*[]byte)
		_, err := copyBuffer(w, r, *bp)
		return err
	}
	go stream(a, b)
	return stream(b, a)
}

func copyBuffer(dst io.Writer, src io.Reader, buf []byte) (int64, error) {
	var n int64
	for {
		nr, er := src.Read(buf)
		if nr > 0 {
			nw, ew := dst.Write(buf[:nr])
			n += int64(nw)
			if ew != nil {
				return n, ew
			}
		}
		if er != nil {
			return n, er
		}
	}
}
`;
	const f = await runRule(poolPutMissing, src);
	assert.deepEqual(lines(f), [12]);
	assert.match(f[0].message, /never put back/);
	assert.equal(f[0].fixes?.[0].safe, true);
	const fixed = applyEdits(src, f[0].fixes![0].edits);
	assert.match(fixed, /bp := bufferPool\.Get\(\)\.\(\*\[\]byte\)\n\t\tdefer bufferPool\.Put\(bp\)\n/);
	assert.ok(goCheck({ 'a.go': fixed }).ok);
});
