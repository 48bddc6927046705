import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';
import { cgoCstringLeak } from '../../../server/src/rules/cgoCstringLeak';

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
