import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subsliceRetention } from '../../../server/src/rules/subslice/subsliceRetention';
import type { LocatedEscapeFact } from '../../../server/src/rules/types';
import { lines, runRule, assertTotalOnSplices } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const FIXTURE = path.join(__dirname, '../../fixtures/subslice');
const fixture = (name: string): string => readFileSync(path.join(FIXTURE, name), 'utf8');

const SPEC_POSITIVE = `package p

import (
	"bytes"
	"os"
)

var firstLines = map[string][]byte{}

func remember(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	end := bytes.IndexByte(data, '\\n')
	if end < 0 {
		end = len(data)
	}
	firstLines[path] = data[:end]
	return nil
}
`;

test('spec positive: a line of a whole file kept in a map, exact range, warning', async () => {
	const f = await runRule(subsliceRetention, SPEC_POSITIVE, { minor: 21 });
	assert.deepEqual(lines(f), [19]);
	assert.deepEqual(f[0].range, { start: { line: 18, character: 20 }, end: { line: 18, character: 30 } });
	assert.equal(f[0].severity, 'warning');
	assert.match(f[0].message, /os\.ReadFile.*stored in `firstLines\[path\]`/);
});

test('negatives: consumed immediately, copied, whole buffer kept, small buffer, already cloned', async () => {
	const src = `package p

import (
	"bytes"
	"os"
	"strings"
)

type Index struct{ names []string }

func locate(path string) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	n := bytes.Count(raw[:100], []byte("x"))
	return bytes.IndexByte(raw[n:200], 'y'), nil
}

func (ix *Index) add(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	ix.names = append(ix.names, string(raw[:10]))
	ix.names = append(ix.names, strings.Clone(string(raw[:10])))
	return nil
}

func whole(path string) []byte {
	data, _ := os.ReadFile(path)
	return data[1:]
}

func small() []byte {
	b := make([]byte, 64)
	return b[:8]
}

type reader struct{ buf []byte }

func (r *reader) reset(n int) {
	r.buf = r.buf[:0]
	r.buf = r.buf[n:n+10]
}

type edit struct{ New string }

func (e *edit) extend(src string, a, b int) {
	e.New += src[a:b]
}

func cloned(path string) []byte {
	data, _ := os.ReadFile(path)
	return bytes.Clone(data[:8])
}
`;
	assert.deepEqual(await runRule(subsliceRetention, src, { minor: 21 }), []);
});

test('real-world shapes: Trim of a field returned in a literal, append in a loop, make(4096), channel, := hop', async () => {
	const src = `package p

import (
	"io"
	"strings"
)

type Fragment struct{ Raw string }

type Finding struct{ Line string }

func detect(fragment Fragment, a, b int) Finding {
	return Finding{Line: strings.TrimSpace(fragment.Raw[a:b])}
}

func headers(r io.Reader) ([][]byte, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for i := 0; i+16 <= len(body); i += 4096 {
		out = append(out, body[i:i+16])
	}
	return out, nil
}

func reader(r io.Reader, ch chan []byte) {
	buf := make([]byte, 64*1024)
	big := make([]byte, 65536)
	n, _ := r.Read(big)
	key := big[:n/100]
	ch <- key
	_ = buf
}
`;
	const f = await runRule(subsliceRetention, src, { minor: 21 });
	assert.deepEqual(lines(f), [13, 23, 32]);
	// Hint: neither the size of fragment.Raw nor how long Finding lives is visible here.
	assert.deepEqual(f.map((x) => x.severity), ['hint', 'hint', 'hint']);
	assert.match(f[0].message, /the field `fragment\.Raw`.*returned/);
	assert.match(f[1].message, /appended to `out`/);
	assert.match(f[2].message, /sent on a channel/);
});

test('escape refinement: a leaking parameter is quoted in the message', async () => {
	// As Go 1.26 prints it for this file (-gcflags=-m=2): "a.go:5:11: leaking param: data".
	const src = `package p\n\nvar last []byte\n\nfunc keep(data []byte) {\n\tlast = data[:4]\n}\n`;
	const fact: LocatedEscapeFact = {
		kind: 'leaking-param', pos: { file: '/tmp/memlens-test/a.go', line: 5, column: 11 }, subject: 'data',
		message: 'leaking param: data', flows: [], at: { line: 4, character: 10 },
	};
	const f = await runRule(subsliceRetention, src, { minor: 21, escape: [fact] });
	assert.equal(f.length, 1);
	// Hint: a package variable lives forever, but the parameter's size is unknown here.
	assert.equal(f[0].severity, 'hint');
	assert.match(f[0].message, /The compiler reports `leaking param: data`/);
	// A parameter of unknown size handed back to the caller (who still holds it) is ordinary Go.
	assert.deepEqual(await runRule(subsliceRetention, `package p\n\nfunc head(data []byte) []byte {\n\treturn data[:4]\n}\n`, { minor: 21 }), []);
	assert.deepEqual(await runRule(subsliceRetention, `package p\n\nvar rest []byte\n\nfunc tail(data []byte, i int) {\n\trest = data[i:]\n}\n`, { minor: 21 }), []);
});

test('zero-copy views (issue 11 class 2) stay silent: decoders, owners, lexers, readers, shadowing, filled reads, kept-whole and captured buffers', async () => {
	assert.deepEqual(await runRule(subsliceRetention, fixture('views.go'), { minor: 21 }), []);
});

test('fixture leaks: warning only with a buffer this call made and a home that outlives it; hint when one side is only likely', async () => {
	const f = await runRule(subsliceRetention, fixture('leaks.go'), { minor: 21 });
	assert.deepEqual(
		f.map((x) => [x.range.start.line + 1, x.severity]),
		[[22, 'warning'], [42, 'warning'], [53, 'warning'], [59, 'hint'], [74, 'hint'], [83, 'hint'], [91, 'hint'], [100, 'hint']],
	);
	assert.match(f[1].message, /a string copy of everything `os\.ReadFile` read.*kept as a key of `ix\.byTitle`/);
	assert.match(f[2].message, /the whole contents of the `bytes\.Buffer` `b`.*appended to `ix\.tags`/);
	assert.match(f[6].message, /each piece taken in this loop/);
	assert.match(f[7].message, /stored in the field `c\.name`: while the object holding it is reachable/);
	assert.match(f[4].message, /the field `fragment\.Raw` of the parameter `fragment`.*appended to `findings`, which is returned/);
	// Only a string copy at warning level is safe in bulk: a []byte copy stops sharing writes.
	assert.deepEqual(f.map((x) => x.fixes?.[0].safe), [false, true, false, false, false, false, false, false]);
});

test('shadowing: a name declared in an inner block or a closure is not the outer buffer', async () => {
	const src = `package p

import "os"

var heads [][]byte

func a(path string, small []byte) {
	data, _ := os.ReadFile(path)
	_ = data
	if len(small) > 0 {
		data := small
		heads = append(heads, data[:4])
	}
	func(data []byte) { heads = append(heads, data[:4]) }(small)
	heads = append(heads, data[:4])
}
`;
	const f = await runRule(subsliceRetention, src, { minor: 21 });
	// Line 12 is the local \`data := small\` (unknown origin), line 14 a func literal's parameter (hint: a package home).
	assert.deepEqual(f.map((x) => [x.range.start.line + 1, x.severity]), [[14, 'hint'], [15, 'warning']]);
});

test('the rest of a buffer (an open-ended tail) is not a small piece of it; a tail after a constant header is nearly all of it', async () => {
	const src = `package p

import "os"

const hdrLen = 16

var bodies = map[string][]byte{}

func load(path string, i int) {
	data, _ := os.ReadFile(path)
	bodies[path] = data[i+1:]
}

func loadBody(path string) {
	data, _ := os.ReadFile(path)
	bodies[path] = data[hdrLen:]
	// The body keeps the file anyway: the header piece pins nothing more.
	bodies[path+"#"] = data[hdrLen-8:hdrLen]
}

func loadHeader(path string) {
	data, _ := os.ReadFile(path)
	bodies[path] = data[hdrLen-8:hdrLen]
}
`;
	const f = await runRule(subsliceRetention, src, { minor: 21 });
	assert.deepEqual(f.map((x) => [x.range.start.line + 1, x.severity]), [[23, 'warning']]);
});

test('a collection method keeps its argument: sync.Map.Store, a list push; a Write consumes it', async () => {
	const src = `package p

import (
	"container/list"
	"os"
	"sync"
)

var cache sync.Map

type store struct {
	recent *list.List
	byName sync.Map
}

func load(k string) {
	data, _ := os.ReadFile(k)
	cache.Store(k, data[:10])
}

func (s *store) load(k string) {
	data, _ := os.ReadFile(k)
	s.byName.Store(k, data[:10])
	s.recent.PushBack(data[:4])
}

func local(k string) *list.List {
	data, _ := os.ReadFile(k)
	l := list.New()
	l.PushBack(data[:4])
	return l
}

func consumed(k string, w interface{ Write([]byte) (int, error) }) {
	data, _ := os.ReadFile(k)
	w.Write(data[:4])
}
`;
	const f = await runRule(subsliceRetention, src, { minor: 21 });
	assert.deepEqual(f.map((x) => [x.range.start.line + 1, x.severity]), [[18, 'warning'], [23, 'warning'], [24, 'warning'], [30, 'hint']]);
	assert.match(f[0].message, /stored in `cache` \(`Store`\)/);
	assert.match(f[3].message, /stored in `l` \(`PushBack`\), which is returned/);
});

test('half-typed code does not throw', async () => {
	for (const src of ['package p\nfunc f(data []byte) []byte { return data[:', 'package p\nimport "os"\nfunc f() { d, _ := os.ReadFile(\nm[k] = d[1:', 'return raw[a:b]']) {
		await runRule(subsliceRetention, src, { minor: 21 });
	}
});

test('fix: Clone from go1.20 (adds the import), copying fallbacks below; all compile and clear the finding', async () => {
	const strSrc = `package q

import "os"

var titles []string

func load(path string) {
	data, _ := os.ReadFile(path)
	text := string(data)
	titles = append(titles, text[:10])
}
`;
	const fixed: Record<string, string> = {};
	const old: Record<string, string> = {};
	for (const [i, src] of [SPEC_POSITIVE, strSrc].entries()) {
		for (const minor of [21, 19]) {
			const f = await runRule(subsliceRetention, src, { minor });
			assert.equal(f.length, 1, src);
			const out = applyEdits(src, f[0].fixes![0].edits);
			assert.deepEqual(await runRule(subsliceRetention, out, { minor }), []);
			(minor === 21 ? fixed : old)[`p${i}/a.go`] = out;
		}
	}
	assert.match(fixed['p0/a.go'], /= bytes\.Clone\(data\[:end\]\)/);
	assert.match(fixed['p1/a.go'], /"strings"/);
	assert.match(old['p0/a.go'], /append\(\[\]byte\(nil\), data\[:end\]\.\.\.\)/);
	assert.match(old['p1/a.go'], /string\(\[\]byte\(text\[:10\]\)\)/);
	const r = goCheck(fixed, { goVersion: '1.21' });
	assert.ok(r.ok, r.output + '\n' + Object.values(fixed).join('\n'));
	const r19 = goCheck(old, { goVersion: '1.19' });
	assert.ok(r19.ok, r19.output + '\n' + Object.values(old).join('\n'));
});

test('never throws on arbitrary cuts and splices of the fixture', () => assertTotalOnSplices(subsliceRetention, SPEC_POSITIVE));
