import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';
import { uintptrStoredPointer } from '../../../server/src/rules/uintptrStoredPointer';
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

test('spec positives (A stored uintptr, A parameter, B ordinary callee); negatives silent; exact range', async () => {
	const f = await runRule(uintptrStoredPointer, src);
	assert.deepEqual(lines(f), [16, 19, 30]);
	assert.deepEqual(f[0].range, { start: { line: 15, character: 17 }, end: { line: 15, character: 34 } });
	assert.match(f[0].message, /possible misuse of unsafe\.Pointer/);
	assert.deepEqual(f.map((x) => x.severity), ['warning', 'warning', 'warning']);
});

test('escape facts: pointee kept on the stack is an error; moved to the heap stays a warning', async () => {
	const f = await runRule(uintptrStoredPointer, src, { escape: noWsOnHeap });
	assert.equal(f[2].severity, 'error');
	assert.match(f[2].message, /kept `ws` on the goroutine stack/);
	const moved: LocatedEscapeFact = { kind: 'moved-to-heap', subject: 'ws', message: 'moved to heap: ws', flows: [], pos: { file: '/tmp/memlens-test/a.go', line: 29, column: 33 }, at: { line: 28, character: 32 } };
	const g = await runRule(uintptrStoredPointer, src, { escape: [moved] });
	assert.equal(g[2].severity, 'warning');
	assert.match(g[2].message, /moved `ws` to the heap/);
});

test('non-Go memory is information; //go:uintptrescapes callee is silent; half-typed code', async () => {
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
	assert.deepEqual(lines(f), [11, 15, 25]);
	assert.equal(f[0].severity, 'information');
	for (const t of ['package a\nimport "unsafe"\nfunc F() { u := uintptr(unsafe.Pointer(', 'package a\nimport "unsafe"\nfunc F() { return unsafe.Pointer(u +']) await runRule(uintptrStoredPointer, t);
});

test('fixes: unsafe.Add rewrite and //go:uintptrescapes; vet clean, rule silent on them', async () => {
	const f = await runRule(uintptrStoredPointer, src, { minor: 21 });
	assert.equal(f[1].fixes, undefined); // a parameter: no single-expression shape to rebuild
	let out = applyEdits(src, f[0].fixes![0].edits);
	assert.match(out, /func fieldB\(p \*T\) \*int64 \{\n\treturn \(\*int64\)\(unsafe\.Add\(unsafe\.Pointer\(p\), unsafe\.Offsetof\(p\.b\)\)\)\n\}/);
	const g = await runRule(uintptrStoredPointer, out, { minor: 21 });
	out = applyEdits(out, g.find((x) => x.range.start.line > 20)!.fixes![0].edits);
	assert.match(out, /\n\/\/go:uintptrescapes\nfunc ioctl/);
	assert.deepEqual(lines(await runRule(uintptrStoredPointer, out, { minor: 21 })), [17]);
	// viaParam is still (rightly) reported by vet; check the fixed functions without it.
	const r = goCheck({ 'a.go': out.replace(/^func viaParam.*\n/m, '') }, { goVersion: '1.21' });
	assert.ok(r.ok, r.output);
	assert.equal((await runRule(uintptrStoredPointer, src, { minor: 16 }))[0].fixes, undefined);
});

test('every prefix of the fixture (half-typed code) runs without throwing', async () => {
	for (let n = 0; n <= src.length; n += 5) await runRule(uintptrStoredPointer, src.slice(0, n), { minor: 21 });
});
