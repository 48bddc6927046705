import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolUseAfterPut } from '../../../server/src/rules/pool/poolUseAfterPut';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';

const HEAD = `package a

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
)

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}
var sbs = sync.Pool{New: func() any { return new(strings.Builder) }}
`;

const POS = `${HEAD}
func marshal(v any) ([]byte, error) {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	defer bufs.Put(b)
	err := json.NewEncoder(b).Encode(v)
	return b.Bytes(), err
}

func logAsync(msg string) {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteString(msg)
	go func() { os.Stdout.Write(b.Bytes()) }()
	bufs.Put(b)
}

func after(msg string) int {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteString(msg)
	out := b.Bytes()
	bufs.Put(b)
	return len(out)
}

func name(parts []string) string {
	sb := sbs.Get().(*strings.Builder)
	sb.Reset()
	defer sbs.Put(sb)
	for _, p := range parts {
		sb.WriteString(p)
	}
	return sb.String()
}
`.replace('"encoding/json"', '"bytes"\n\t"encoding/json"');

const NEG = `${HEAD}
func marshal(v any) ([]byte, error) {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	defer bufs.Put(b)
	err := json.NewEncoder(b).Encode(v)
	return append([]byte(nil), b.Bytes()...), err
}

func str(v any) (string, error) {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	defer bufs.Put(b)
	err := json.NewEncoder(b).Encode(v)
	return b.String(), err
}

func joined(msg string) {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteString(msg)
	done := make(chan struct{})
	go func() { os.Stdout.Write(b.Bytes()); close(done) }()
	<-done
	bufs.Put(b)
}

func owned(msg string) {
	b := bufs.Get().(*bytes.Buffer)
	go func() { b.WriteString(msg); bufs.Put(b) }()
}

func reget() {
	b := bufs.Get().(*bytes.Buffer)
	bufs.Put(b)
	b = bufs.Get().(*bytes.Buffer)
	b.Reset()
	bufs.Put(b)
}
`.replace('"encoding/json"', '"bytes"\n\t"encoding/json"');

test('spec positives: deferred Put + returned alias, goroutine, use after Put, strings.Builder', async () => {
	const f = await runRule(poolUseAfterPut, POS);
	assert.deepEqual(lines(f), [19, 26, 36, 46]);
	assert.deepEqual(f[0].range, { start: { line: 18, character: 8 }, end: { line: 18, character: 17 } });
	assert.ok(f.every((x) => x.severity === 'error'));
	assert.match(f[2].message, /`out` is used after `bufs.Put\(b\)`/);
});

test('spec negatives: copies, Buffer.String, joined goroutine, goroutine owns, re-Get', async () => {
	assert.deepEqual(await runRule(poolUseAfterPut, NEG), []);
	await runRule(poolUseAfterPut, 'package a\nimport "sync"\nvar p sync.Pool\nfunc f() { b := p.Get().(*T)\n defer p.Put(b)\n return b.Bytes(');
});

test('fixes by version: bytes.Clone (≥1.20) / append copy (older); they vet and remove the finding', async () => {
	const src = POS.split('\nfunc logAsync')[0] + '\n';
	const [f21] = await runRule(poolUseAfterPut, src, { minor: 21 });
	assert.match(f21.fixes![0].title, /bytes\.Clone\(b\.Bytes\(\)\)/);
	const [f19] = await runRule(poolUseAfterPut, src, { minor: 19 });
	assert.match(f19.fixes![0].title, /append\(\[\]byte\(nil\), b\.Bytes\(\)\.\.\.\)/);
	const builder = HEAD + '\nfunc name(p string) string {\n\tsb := sbs.Get().(*strings.Builder)\n\tsb.Reset()\n\tdefer sbs.Put(sb)\n\tsb.WriteString(p)\n\treturn sb.String()\n}\n';
	const withBytes = (s: string) => s.replace('"encoding/json"', '"bytes"\n\t"encoding/json"');
	const pad = '\nvar _ = json.Marshal\nvar _ = os.Stdout\nvar _ = strings.Clone\n';
	const a = applyEdits(src, f21.fixes![0].edits) + pad;
	const b = (applyEdits(src, f19.fixes![0].edits) + pad).replace(/\bbufs\b/g, 'bufs2').replace(/\bsbs\b/g, 'sbs2').replace('func marshal(', 'func marshal2(');
	const [fb] = await runRule(poolUseAfterPut, withBytes(builder));
	assert.match(fb.fixes![0].title, /strings\.Clone\(sb\.String\(\)\)/);
	const c = (applyEdits(withBytes(builder), fb.fixes![0].edits) + pad).replace(/\bbufs\b/g, 'bufs3').replace(/\bsbs\b/g, 'sbs3');
	for (const t of [a, b, c]) assert.deepEqual(await runRule(poolUseAfterPut, t), [], t);
	const r = goCheck({ 'a.go': a, 'b.go': b, 'c.go': c }, { cmd: 'vet' });
	assert.ok(r.ok, r.output);
});

test('a Put under a condition in a deferred closure (put back on error) is not a sure Put at return', async () => {
	const src = `${HEAD}
func open(v any) (b *bytes.Buffer, err error) {
	b = bufs.Get().(*bytes.Buffer)
	defer func() {
		if err != nil {
			bufs.Put(b)
		}
	}()
	b.Reset()
	if err = json.NewEncoder(b).Encode(v); err != nil {
		return nil, err
	}
	return b, nil
}

func always(v any) *bytes.Buffer {
	b := bufs.Get().(*bytes.Buffer)
	defer func() { bufs.Put(b) }()
	b.Reset()
	return b
}
`.replace('"encoding/json"', '"bytes"\n\t"encoding/json"');
	const f = await runRule(poolUseAfterPut, src);
	assert.deepEqual(lines(f), [src.split('\n').findIndex((l) => l.includes('return b\n') || l === '\treturn b') + 1]);
});

// fasthttp's hijack path: `go hijackConnHandler(ctx, …)` whose body ends with `s.releaseCtx(ctx)`,
// while the caller's own release is on the other path.
test('a goroutine that puts the object back itself (through this file\'s functions) owns it', async () => {
	const src = `package a

import "sync"

type Ctx struct{ b []byte }

type Server struct{ ctxPool sync.Pool }

func (s *Server) acquireCtx() *Ctx {
	v := s.ctxPool.Get()
	if v == nil {
		return &Ctx{}
	}
	return v.(*Ctx)
}

func (s *Server) releaseCtx(ctx *Ctx) {
	ctx.b = ctx.b[:0]
	s.ctxPool.Put(ctx)
}

func handle(ctx *Ctx, s *Server) {
	_ = ctx.b
	s.releaseCtx(ctx)
}

func read(ctx *Ctx) { _ = ctx.b }

func (s *Server) serve(hijack bool) {
	ctx := s.acquireCtx()
	if hijack {
		go handle(ctx, s)
	}
	if !hijack {
		s.releaseCtx(ctx)
	}
}

func (s *Server) racy() {
	ctx := s.acquireCtx()
	go read(ctx)
	s.releaseCtx(ctx)
}
`;
	const f = await runRule(poolUseAfterPut, src);
	assert.deepEqual(lines(f), [41]);
	assert.equal(f[0].severity, 'error');
});
