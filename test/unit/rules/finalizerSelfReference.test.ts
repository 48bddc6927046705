import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';
import { finalizerSelfReference } from '../../../server/src/rules/gc/finalizerSelfReference';

// Verified with go1.26: a SetFinalizer whose literal captures f never runs after runtime.GC();
// the same code with `func(f *File)` runs.
const src = `package a

import (
	"os"
	"runtime"
	"syscall"
)

type File struct{ fd int }

var global = &File{}

func Open(fd int) *File {
	f := &File{fd: fd}
	runtime.SetFinalizer(f, func(_ *File) { syscall.Close(f.fd) })
	return f
}

func OpenAny(fd int) *File {
	c := &File{fd: fd}
	runtime.SetFinalizer(c, func(_ interface{}) { syscall.Close(c.fd) })
	return c
}

func OpenNamed(w *File) {
	fin := func(x *File) { syscall.Close(w.fd) }
	runtime.SetFinalizer(w, fin)
}

func Good(fd int) *File {
	f := &File{fd: fd}
	runtime.SetFinalizer(f, func(f *File) { syscall.Close(f.fd) })
	inner := os.Stdin
	g := &File{}
	runtime.SetFinalizer(g, func(_ *File) { inner.Close() })
	runtime.SetFinalizer(g, nil)
	runtime.SetFinalizer(global, func(_ *File) { _ = global })
	return f
}
`;

test('spec positive and variants; negatives silent; exact range', async () => {
	const f = await runRule(finalizerSelfReference, src);
	assert.deepEqual(lines(f), [15, 21, 26]);
	assert.deepEqual(f[0].range, { start: { line: 14, character: 55 }, end: { line: 14, character: 56 } });
	assert.equal(f[0].severity, 'error');
	assert.match(f[0].message, /never collected and the finalizer never runs/);
});

test('AddCleanup: closure over ptr and arg == ptr', async () => {
	const s = `package a

import "runtime"

type F struct{ fd int }

func A() {
	f := &F{fd: 1}
	runtime.AddCleanup(f, func(fd int) { _ = f }, f.fd)
	g := &F{fd: 2}
	runtime.AddCleanup(g, func(fd int) {}, g.fd)
	h := &F{}
	runtime.AddCleanup(h, func(*F) {}, h)
}
`;
	const f = await runRule(finalizerSelfReference, s, { minor: 24 });
	assert.deepEqual(lines(f), [9, 13]);
	assert.match(f[0].message, /closes over ptr/);
	assert.match(f[1].message, /ptr is equal to arg/);
});

test('aliases (`d := f`) are followed, without an automatic fix (the alias could become unused)', async () => {
	// go1.26 runtime: with d := f captured, the finalizer never ran across five GC cycles.
	const s = `package a

import "runtime"

type File struct{ fd int }

func A() {
	f := &File{fd: 1}
	d := f
	runtime.SetFinalizer(f, func(_ *File) { _ = d.fd })
	g := &File{fd: 2}
	e := g
	runtime.SetFinalizer(g, func(x *File) { _ = e.fd })
}
`;
	const f = await runRule(finalizerSelfReference, s);
	assert.deepEqual(lines(f), [10, 13]);
	assert.match(f[0].message, /closes over `d` \(an alias of `f`\)/);
	assert.ok(f.every((x) => x.fixes === undefined));
});

test('no runtime import or half-typed code: no throw, no finding', async () => {
	assert.deepEqual(await runRule(finalizerSelfReference, 'package a\nfunc F() { runtime.SetFinalizer(f, func() { f }) }'), []);
	for (const s of ['package a\nimport "runtime"\nfunc F() { runtime.SetFinalizer(f, func(_ *T) { f', 'package a\nimport "runtime"\nfunc F() { runtime.SetFinalizer(']) {
		await runRule(finalizerSelfReference, s);
	}
});

test('fixes: the finalizer uses its argument; compiles, vets clean, rule silent', async () => {
	let out = src;
	for (let i = 0; i < 5; i++) {
		const f = await runRule(finalizerSelfReference, out);
		if (!f.length) break;
		out = applyEdits(out, f[0].fixes![0].edits);
	}
	assert.deepEqual(await runRule(finalizerSelfReference, out), []);
	assert.match(out, /func\(f \*File\) \{ syscall\.Close\(f\.fd\) \}\)\n\treturn f\n\}\n\nfunc OpenAny/);
	assert.match(out, /func\(c \*File\) \{ syscall\.Close\(c\.fd\) \}/);
	assert.match(out, /func\(x \*File\) \{ syscall\.Close\(x\.fd\) \}/);
	const r = goCheck({ 'a.go': out });
	assert.ok(r.ok, r.output);
});

test('every prefix of the fixture (half-typed code) runs without throwing', async () => {
	for (let n = 0; n <= src.length; n += 5) await runRule(finalizerSelfReference, src.slice(0, n), { minor: 21 });
});

// Each case run with go1.26 (runtime.GC() five times): which ones panic, leak or run.
test('capture by value or reference decides what is true: written after the literal is not reported; the panic is claimed only where the runtime sees ptr', async () => {
	const s = `package a

import "runtime"

type T struct {
	p *byte
	f int
}

func keep(**T) {}

func Later() {
	v := &T{}
	runtime.AddCleanup(v, func(int) { _ = v }, 0)
	v = nil
}

func Before() {
	var v *T
	v = &T{}
	runtime.AddCleanup(v, func(int) { _ = v.f }, 0)
}

func Addr() {
	var x T
	runtime.AddCleanup(&x, func(int) { _ = x.f }, 0)
}

func ByRef() {
	v := &T{}
	keep(&v)
	runtime.AddCleanup(v, func(int) { _ = v.f }, 0)
}

func CopyArg() {
	var x T
	runtime.AddCleanup(&x, func(t T) { _ = t.f }, x)
}

func FinLater() {
	v := &T{}
	runtime.SetFinalizer(v, func(_ *T) { _ = v })
	v = nil
}
`;
	const f = await runRule(finalizerSelfReference, s, { minor: 24 });
	// Later: the cleanup ran with v == nil; CopyArg ran; FinLater's finalizer ran with v == nil.
	assert.deepEqual(lines(f), [21, 26, 32]);
	// Before and Addr panicked ("closes over ptr"); ByRef did not panic and never ran.
	assert.match(f[0].message, /runtime detects this and panics/);
	assert.match(f[1].message, /runtime detects this and panics/);
	assert.doesNotMatch(f[2].message, /panics/);
	assert.match(f[2].message, /never collected/);
});

// twpayne/go-geos#216: `runtime.AddCleanup(c, c.destroyWKBReader, cWKBReader)`. A method value with a
// pointer receiver binds ptr (go1.26 panics: "cleanup function closes over ptr"); a value receiver
// binds a copy, and the cleanup runs (both checked with go run).
test('AddCleanup with a method value of the object: pointer receiver error, value receiver silent, unknown a hint', async () => {
	const src = `package a

import "runtime"

type C struct{ n int }

func (c *C) destroyPtr(h int) {}
func (c C) destroyVal(h int)  {}

func a() { c := &C{}; runtime.AddCleanup(c, c.destroyPtr, 1) }
func b() { c := &C{}; runtime.AddCleanup(c, c.destroyVal, 1) }
func d() { var x C; runtime.AddCleanup(&x, x.destroyPtr, 1) }
func e() { c := &C{}; runtime.AddCleanup(c, c.elsewhere, 1) }
func f() { c := &C{}; o := &C{}; runtime.AddCleanup(c, o.destroyPtr, 1) }
`;
	const f = await runRule(finalizerSelfReference, src);
	assert.deepEqual(lines(f), [10, 12, 13]);
	assert.deepEqual(f.map((x) => x.severity), ['error', 'error', 'hint']);
	assert.match(f[0].message, /method value `c.destroyPtr` binds its pointer receiver `c`.*panics/);
	assert.match(f[1].message, /binds its pointer receiver `&x`/);
});
