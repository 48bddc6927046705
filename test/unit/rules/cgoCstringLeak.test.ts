import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';
import { cgoCstringLeak } from '../../../server/src/rules/gc/cgoCstringLeak';

const spec = `package a

/*
#include <stdlib.h>
static void set_title(const char *s) {}
*/
import "C"
import "unsafe"

func SetTitle(s string) {
	C.set_title(C.CString(s))
}

func SetTitleOK(s string) {
	cs := C.CString(s)
	defer C.free(unsafe.Pointer(cs))
	C.set_title(cs)
}
`;

// No <stdlib.h>, no "unsafe" import: the fixes must add both (C.free needs stdlib.h:
// go1.26 fails with "could not determine what C.free refers to" otherwise).
const bare = `package b

// static void use(const char *s) {}
// static void useb(void *p, int n) {}
import "C"

type Opts struct{ name *C.char }

var keep *C.char

func One(s string) {
	cs := C.CString(s)
	C.use(cs)
}

func Many(xs []string, b []byte) {
	for _, x := range xs {
		p := C.CString(x)
		C.use(p)
		C.use(C.CString(x))
	}
	var q = C.CBytes(b)
	C.useb(q, C.int(len(b)))
}

func Owned(s string) (*C.char, Opts) {
	keep = C.CString(s)
	o := Opts{name: C.CString(s)}
	r := C.CString(s)
	return r, o
}
`;

test('spec positive (inline argument) with exact range; negative silent', async () => {
	const f = await runRule(cgoCstringLeak, spec);
	assert.deepEqual(lines(f), [11]);
	assert.deepEqual(f[0].range, { start: { line: 10, character: 13 }, end: { line: 10, character: 25 } });
	assert.equal(f[0].severity, 'warning');
	assert.match(f[0].message, /C malloc/);
});

test('bound variables, loops (error), CBytes; ownership hand-offs silent', async () => {
	const f = await runRule(cgoCstringLeak, bare);
	assert.deepEqual(lines(f), [12, 18, 20, 22]);
	assert.deepEqual(f.map((x) => x.severity), ['warning', 'error', 'error', 'warning']);
});

test('files without import "C" and half-typed code', async () => {
	assert.deepEqual(await runRule(cgoCstringLeak, 'package a\nfunc F() { C.use(C.CString(s)) }'), []);
	for (const s of ['package a\nimport "C"\nfunc F() { x := C.CString(', 'package a\nimport "C"\nfunc F() { C.f(C.CString(s)']) await runRule(cgoCstringLeak, s);
});

test('fixes: free added (defer outside loops, after last use inside), imports and stdlib.h added; builds with cgo', async () => {
	const fixed: Record<string, string> = {};
	for (const [name, src] of [['a/a.go', spec], ['b/b.go', bare]] as const) {
		let out: string = src;
		for (let i = 0; i < 10; i++) {
			const f = await runRule(cgoCstringLeak, out);
			if (!f.length) break;
			assert.equal(f[0].fixes?.[0].safe, true);
			out = applyEdits(out, f[0].fixes![0].edits);
		}
		assert.deepEqual(await runRule(cgoCstringLeak, out), [], out);
		fixed[name] = out;
	}
	const b = fixed['b/b.go'];
	assert.match(b, /^\/\/ #include <stdlib\.h>\n\/\/ static void use/m);
	assert.equal(b.match(/import "unsafe"/g)?.length, 1);
	assert.match(b, /cs := C\.CString\(s\)\n\tdefer C\.free\(unsafe\.Pointer\(cs\)\)\n\tC\.use\(cs\)/);
	assert.match(b, /\t\tC\.use\(p\)\n\t\tC\.free\(unsafe\.Pointer\(p\)\)/);
	assert.match(b, /\t\tcs := C\.CString\(x\)\n\t\tC\.use\(cs\)\n\t\tC\.free\(unsafe\.Pointer\(cs\)\)/);
	assert.match(b, /defer C\.free\(q\)/);
	assert.match(fixed['a/a.go'], /SetTitle\(s string\) \{\n\tcs := C\.CString\(s\)\n\tdefer C\.free\(unsafe\.Pointer\(cs\)\)\n\tC\.set_title\(cs\)\n\}/);
	const r = goCheck(fixed, { cmd: 'build' });
	assert.ok(r.ok, r.output);
});

test('every prefix of the fixture (half-typed code) runs without throwing', async () => {
	for (let n = 0; n <= bare.length; n += 5) await runRule(cgoCstringLeak, bare.slice(0, n), { minor: 21 });
});

// Issue 11 class 6: ownership handed to C. Written for these tests in the shapes C bindings use.
const handedToC = `package h

/*
#include <stdlib.h>
typedef void (*destroy_fn)(void *);
typedef struct { char *name; destroy_fn destroy; } obj;
static char *saved;
static void set_string(obj *o, char *s, destroy_fn d) { o->name = s; o->destroy = d; }
static void remember(char *s) { saved = s; }
static void result_text(obj *o, const char *s) { set_string(o, (char *)s, free); }
static void release(char *s) { free(s); }
static void value_take_string(obj *o, char *s) { o->name = s; }

// queue_push takes ownership of item: the queue frees it when drained.
extern void queue_push(char *item);
*/
import "C"
import "unsafe"

var freeFn = C.destroy_fn(C.free)

func destructorPassed(o *C.obj, a, b, c string) {
	C.set_string(o, C.CString(a), C.destroy_fn(C.free))
	cs := C.CString(b)
	C.set_string(o, cs, (*[0]byte)(unsafe.Pointer(C.free)))
	C.set_string(o, C.CString(c), freeFn)
}

func helpersThatKeep(o *C.obj, a, b, c string) {
	C.remember(C.CString(a))
	C.result_text(o, C.CString(b))
	C.release(C.CString(c))
}

func takingNames(o *C.obj, a, b string) {
	C.value_take_string(o, C.CString(a))
	C.queue_push(C.CString(b))
}

func storedInC(o *C.obj, a, b string) C.obj {
	cs := C.CString(a)
	o.name = cs
	return C.obj{name: C.CString(b)}
}

func later(o *C.obj, a, b, c string) {
	cs := C.CString(a)
	go C.remember(cs)
	cb := C.CString(b)
	defer C.remember(cb)
	cc := C.CString(c)
	p := &cc
	_ = p
}
`;

test('ownership handed to C (destructor passed along, helper keeps/frees it, take-style or documented owner, stored in a C struct, used later): silent', async () => {
	assert.deepEqual(await runRule(cgoCstringLeak, handedToC), []);
});

const doubtful = `package d

/*
#include <stdlib.h>
#include <string.h>
static int name_len(const char *s) { return (int)strlen(s); }
extern int lookup(const char *key);
*/
import "C"
import "unsafe"

func certain(a string) int {
	cs := C.CString(a)
	return int(C.name_len(cs)) + int(C.strlen(cs))
}

func external(a string) int {
	cs := C.CString(a)
	return int(C.lookup(cs))
}

func inlineExternal(a string) int {
	return int(C.lookup(C.CString(a)))
}

func viaGo(a string) {
	cs := C.CString(a)
	process(unsafe.Pointer(cs))
}

func process(p unsafe.Pointer) {}

// Two variables named cs in separate blocks: freeing the second says nothing about the first.
func scoped(args []string) {
	for _, a := range args {
		cs := C.CString(a)
		C.name_len(cs)
	}
	for range args {
		cs := C.CString("x")
		C.free(unsafe.Pointer(cs))
	}
}
`;

test('only reads: certain (safe fix); an unseen C function: warning with a fix not applied in bulk; a Go function: hint; scopes resolved', async () => {
	const f = await runRule(cgoCstringLeak, doubtful);
	assert.deepEqual(lines(f), [13, 18, 23, 27, 36]);
	assert.deepEqual(f.map((x) => x.severity), ['warning', 'warning', 'warning', 'hint', 'error']);
	assert.deepEqual(f.map((x) => x.fixes?.[0].safe), [true, false, false, false, true]);
	assert.match(f[1].message, /`C\.lookup` is not defined in this package's C code \(a library function\): this is a leak unless that code takes ownership/);
	assert.match(f[1].fixes![0].title, /only if nothing keeps it/);
	assert.match(f[3].message, /Go function `process`, which may free or keep it/);
});

test("the package's other C code (a header, another file's preamble) decides what a helper does", async () => {
	const src = `package p

// #include "helpers.h"
// extern void log_line(const char *msg);
import "C"

func Log(msg string) {
	C.log_line(C.CString(msg))
}

func Set(l *C.list, s string) {
	C.list_set(l, C.CString(s))
}

func Len(s string) int {
	return int(C.name_len(C.CString(s)))
}
`;
	const pkg = `
static inline void list_set(list *l, char *s) { l->items[l->n++] = s; }
static inline int name_len(const char *s) { return (int)strlen(s); }
static char *last;
void log_line(const char *msg) { free(last); last = (char *)msg; }
`;
	const without = await runRule(cgoCstringLeak, src);
	assert.deepEqual(lines(without), [8, 12, 16]);
	assert.ok(without.every((x) => x.severity === 'warning' && x.fixes?.[0].safe === false));
	const withPkg = await runRule(cgoCstringLeak, src, { cgoPackageC: pkg });
	assert.deepEqual(lines(withPkg), [16]);
	assert.equal(withPkg[0].fixes?.[0].safe, true);
});

test('bulk-safe free fixes only where every use is a read: never on a pointer handed to C', async () => {
	for (const src of [handedToC, doubtful]) {
		for (const f of await runRule(cgoCstringLeak, src)) {
			const safe = f.fixes?.some((x) => x.safe) ?? false;
			assert.equal(safe, f.fixes?.[0].isPreferred ?? false);
			if (safe) assert.ok(/name_len|strlen/.test(src.split('\n').slice(f.range.start.line, f.range.start.line + 3).join('\n')), `safe fix at ${f.range.start.line + 1}`);
		}
	}
});

test('no inline fix where hoisting the allocation would change what runs (loop header, a header variable, right of &&)', async () => {
	const src = `package g

/*
#include <string.h>
static int name_len(const char *s) { return (int)strlen(s); }
*/
import "C"

func guards(xs []string, p *string) bool {
	for i := 0; C.name_len(C.CString(xs[i])) > 0; i++ {
	}
	if v := xs[0]; C.name_len(C.CString(v)) > 0 {
		return true
	}
	return p != nil && C.name_len(C.CString(*p)) > 0
}
`;
	const f = await runRule(cgoCstringLeak, src);
	assert.deepEqual(lines(f), [10, 12, 15]);
	assert.deepEqual(f.map((x) => x.fixes), [undefined, undefined, undefined]);
});
