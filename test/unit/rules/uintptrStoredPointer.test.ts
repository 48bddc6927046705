import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';
import { uintptrStoredPointer } from '../../../server/src/rules/gc/uintptrStoredPointer';
import type { LocatedEscapeFact } from '../../../server/src/rules/types';

// go1.26: vet reports fieldB (13:18) and viaParam; it is silent on getWinsize, where -m prints no
// "moved to heap: ws" (ws stays on the stack). With //go:uintptrescapes on ioctl, -m prints
// "moved to heap: ws" and "marking arg as escaping uintptr".
const src = `package a

import (
	"syscall"
	"unsafe"
)

type T struct {
	a int32
	b int64
}

func fieldB(p *T) *int64 {
	u := uintptr(unsafe.Pointer(p))
	u += unsafe.Offsetof(p.b)
	return (*int64)(unsafe.Pointer(u))
}

func viaParam(u uintptr, off uintptr) *byte { return (*byte)(unsafe.Pointer(u + off)) }

func ioctl(fd, req, arg uintptr) error {
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, req, arg)
	if e != 0 {
		return e
	}
	return nil
}

func getWinsize(fd uintptr) (ws [4]uint16, err error) {
	err = ioctl(fd, syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&ws)))
	return
}

func hash(p uintptr) uintptr { return p * 31 }

func good(p *T, fd uintptr, ws *[4]uint16) (*int64, uintptr) {
	_, _, _ = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(ws)))
	return (*int64)(unsafe.Pointer(uintptr(unsafe.Pointer(p)) + unsafe.Offsetof(p.b))), hash(uintptr(unsafe.Pointer(p)))
}
`;

const noWsOnHeap: LocatedEscapeFact[] = [
	{ kind: 'does-not-escape', subject: 'p', message: 'p does not escape', flows: [], pos: { file: '/tmp/memlens-test/a.go', line: 13, column: 13 }, at: { line: 12, character: 12 } },
];

test('spec positives (A stored uintptr, B ordinary callee); negatives silent; exact range', async () => {
	const f = await runRule(uintptrStoredPointer, src);
	// viaParam (19) is silent: a uintptr parameter's address comes from its callers, where (B)
	// reports a Go address passed in (see "uintptr parameters" below); vet still reports it.
	assert.deepEqual(lines(f), [16, 30]);
	assert.deepEqual(f[0].range, { start: { line: 15, character: 17 }, end: { line: 15, character: 34 } });
	assert.match(f[0].message, /possible misuse of unsafe\.Pointer/);
	assert.match(f[0].message, /checkptr: pointer arithmetic result points to invalid allocation/);
	assert.deepEqual(f.map((x) => x.severity), ['warning', 'warning']);
});

test('escape facts: pointee kept on the stack is an error; moved to the heap stays a warning', async () => {
	const f = await runRule(uintptrStoredPointer, src, { escape: noWsOnHeap });
	assert.equal(f[1].severity, 'error');
	assert.match(f[1].message, /kept `ws` on the goroutine stack/);
	const moved: LocatedEscapeFact = { kind: 'moved-to-heap', subject: 'ws', message: 'moved to heap: ws', flows: [], pos: { file: '/tmp/memlens-test/a.go', line: 29, column: 33 }, at: { line: 28, character: 32 } };
	const g = await runRule(uintptrStoredPointer, src, { escape: [moved] });
	assert.equal(g[1].severity, 'warning');
	assert.match(g[1].message, /moved `ws` to the heap/);
});

test('C memory is a hint (no GC hazard); uintptr parameters and //go:uintptrescapes callees are silent; half-typed code', async () => {
	const s = `package a

/*
#include <stdlib.h>
*/
import "C"
import "unsafe"

func cmem() *byte {
	u := uintptr(unsafe.Pointer(C.malloc(16)))
	return (*byte)(unsafe.Pointer(u + 8))
}

//go:uintptrescapes
func use(p uintptr) { _ = (*byte)(unsafe.Pointer(p)) }

func call(x *int) { use(uintptr(unsafe.Pointer(x))) }

//go:linkname syscall
//go:uintptrkeepalive
func syscall(fn, a1 uintptr) uintptr { return use2(a1) }

func rawSyscall(fn, a1 uintptr) uintptr { return use2(a1) }

func use2(p uintptr) uintptr { _ = (*byte)(unsafe.Pointer(p)); return 0 }

func call2(b []byte) { syscall(0, uintptr(unsafe.Pointer(&b[0]))); rawSyscall(0, uintptr(unsafe.Pointer(&b[0]))) }
`;
	const f = await runRule(uintptrStoredPointer, s);
	// 15 and 25 convert uintptr parameters back: whether that is Go memory is the callers' business.
	assert.deepEqual(lines(f), [11]);
	assert.equal(f[0].severity, 'hint');
	assert.match(f[0].message, /neither moves nor frees: no GC hazard/);
	for (const t of ['package a\nimport "unsafe"\nfunc F() { u := uintptr(unsafe.Pointer(', 'package a\nimport "unsafe"\nfunc F() { return unsafe.Pointer(u +']) await runRule(uintptrStoredPointer, t);
});

test('fixes: unsafe.Add rewrite and //go:uintptrescapes; vet clean, rule silent on them', async () => {
	const f = await runRule(uintptrStoredPointer, src, { minor: 21 });
	let out = applyEdits(src, f[0].fixes![0].edits);
	assert.match(out, /func fieldB\(p \*T\) \*int64 \{\n\treturn \(\*int64\)\(unsafe\.Add\(unsafe\.Pointer\(p\), unsafe\.Offsetof\(p\.b\)\)\)\n\}/);
	const g = await runRule(uintptrStoredPointer, out, { minor: 21 });
	out = applyEdits(out, g.find((x) => x.range.start.line > 20)!.fixes![0].edits);
	assert.match(out, /\n\/\/go:uintptrescapes\nfunc ioctl/);
	assert.deepEqual(lines(await runRule(uintptrStoredPointer, out, { minor: 21 })), []);
	// viaParam is still (rightly) reported by vet; check the fixed functions without it.
	const r = goCheck({ 'a.go': out.replace(/^func viaParam.*\n/m, '') }, { goVersion: '1.21' });
	assert.ok(r.ok, r.output);
	assert.equal((await runRule(uintptrStoredPointer, src, { minor: 16 }))[0].fixes, undefined);
});

test('every prefix of the fixture (half-typed code) runs without throwing', async () => {
	for (let n = 0; n <= src.length; n += 5) await runRule(uintptrStoredPointer, src.slice(0, n), { minor: 21 });
});

// Issue 11 class 6: memory the Go GC neither moves nor frees. A cgo binding's shapes (written
// here, not copied): GValue marshalers and Wrap functions taking a C address as uintptr, a C
// array walked with a uintptr, a ring buffer of C structs, a C string field read through a helper.
const cgoShapes = `package b

/*
#include <stdlib.h>
typedef struct { int v; } item;
typedef struct { char *name; } dev;
static item *items(int *n) { *n = 0; return 0; }
static int item_v(item *it) { return it->v; }
*/
import "C"
import "unsafe"

type Item struct{ native *C.item }

func marshalItem(p uintptr) (interface{}, error) {
	return int(C.item_v((*C.item)(unsafe.Pointer(p)))), nil
}

func WrapItem(p uintptr) *Item {
	it := new(Item)
	it.native = (*C.item)(unsafe.Pointer(p))
	return it
}

func sum() int {
	var n C.int
	base := uintptr(unsafe.Pointer(C.items(&n)))
	total := 0
	for i := 0; i < int(n); i++ {
		total += int(C.item_v((*C.item)(unsafe.Pointer(base))))
		base += unsafe.Sizeof(C.item{})
	}
	return total
}

type ring struct{ cur *C.item }

func (r *ring) next(step uintptr) {
	next := uintptr(unsafe.Pointer(r.cur))
	next += step
	r.cur = (*C.item)(unsafe.Pointer(next))
}

func cstr(p uintptr) string {
	if p == 0 {
		return ""
	}
	return C.GoString((*C.char)(unsafe.Pointer(p)))
}

func name(d *C.dev) string { return cstr(uintptr(unsafe.Pointer(d.name))) }

func typed(d *C.dev) *C.char {
	u := uintptr(unsafe.Pointer(d))
	return (*C.char)(unsafe.Pointer(u))
}
`;

test('C memory (uintptr parameters turned into *C.T, C call results, *C.T values, fields of C structs): hints or silent', async () => {
	const f = await runRule(uintptrStoredPointer, cgoShapes);
	// sum (C call result walked as uintptr) and typed (*C.dev parameter) are C memory: a hint each.
	assert.deepEqual(lines(f), [30, 55]);
	assert.deepEqual(f.map((x) => x.severity), ['hint', 'hint']);
	for (const x of f) assert.match(x.message, /C \(or mmap'd\) memory, which the Go garbage collector neither moves nor frees: no GC hazard/);
});

const goShapes = `package c

import (
	"runtime"
	"syscall"
	"unsafe"
)

type hdr struct{ a, b int64 }

type buf struct{ data *hdr }

// A Go address kept as an integer across a call: the stack may move at the call.
func stackAcrossCall() int64 {
	var h hdr
	u := uintptr(unsafe.Pointer(&h))
	runtime.Gosched()
	return (*hdr)(unsafe.Pointer(u)).b
}

// A field in a file without cgo: likely Go memory, but another package may hand out C memory.
func field(s *buf) *int64 {
	u := uintptr(unsafe.Pointer(s.data))
	return (*int64)(unsafe.Pointer(u + 8))
}

// mmap'd pages: outside the Go heap.
func mapped(fd int) *int64 {
	m, _ := syscall.Mmap(fd, 0, 4096, syscall.PROT_READ, syscall.MAP_SHARED)
	u := uintptr(unsafe.Pointer(&m[0]))
	return (*int64)(unsafe.Pointer(u + 8))
}

// The noescape idiom: nosplit, nothing called in between.
//
//go:nosplit
func noescape(p *hdr) *hdr {
	x := uintptr(unsafe.Pointer(p))
	return (*hdr)(unsafe.Pointer(x ^ 0))
}

// A uintptr parameter: the address comes from the caller.
func load(addr uintptr) uintptr { return *(*uintptr)(unsafe.Pointer(addr)) }

func callers(m []byte, h *hdr) uintptr {
	var local [2]uintptr
	return load(uintptr(unsafe.Pointer(&local))) + load(uintptr(unsafe.Pointer(h))) + load(uintptr(unsafe.Pointer(&m[0])))
}
`;

test('Go memory: a stored uintptr across a call (error with the stack kept); a field of unknown memory without cgo (hint); mmap, noescape, parameters silent; callers passing Go addresses reported', async () => {
	const onStack: LocatedEscapeFact[] = [];
	const f = await runRule(uintptrStoredPointer, goShapes, { escape: onStack });
	assert.deepEqual(lines(f), [18, 24, 31, 47, 47, 47]);
	assert.deepEqual(f.map((x) => x.severity), ['error', 'hint', 'hint', 'error', 'warning', 'warning']);
	assert.match(f[0].message, /kept `h` on the goroutine stack/);
	assert.match(f[1].message, /If that pointer is Go memory/);
	assert.match(f[2].message, /mmap'd/);
	// Without escape facts the stack case is a warning.
	assert.deepEqual((await runRule(uintptrStoredPointer, goShapes)).map((x) => x.severity), ['warning', 'hint', 'hint', 'warning', 'warning', 'warning']);
});
