import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';
import { loopvarAddress } from '../../../server/src/rules/loopvar/loopvarAddress';
import type { LocatedEscapeFact } from '../../../server/src/rules/types';

/** A `moved to heap: NAME` fact at 1-based line/column (ASCII source: byte column = UTF-16 + 1). */
function moved(name: string, line: number, column: number): LocatedEscapeFact {
	return { kind: 'moved-to-heap', subject: name, message: `moved to heap: ${name}`, flows: [], pos: { file: '/tmp/memlens-test/a.go', line, column }, at: { line: line - 1, character: column - 1 } };
}

// Checked with go1.26 -gcflags=-m on this exact source: "19:9 moved to heap: it"; NoRet prints
// "p does not escape" and nothing for it; Ret prints "36:9 moved to heap: it".
const src = `package a

type Item struct {
	ID  int
	Big [20]int
}

func fetch(s string) {}

func unused() {
	var v string
	_ = v
}

func Store() {}

func Addr(items []Item) []*Item {
	var ptrs []*Item
	for _, it := range items {
		ptrs = append(ptrs, &it)
	}
	return ptrs
}

func show(p *Item) int { return p.ID }

func NoRet(items []Item) int {
	n := 0
	for _, it := range items {
		n += show(&it)
	}
	return n
}

func Ret(items []Item) *Item {
	for _, it := range items {
		if it.ID == 3 {
			return &it
		}
	}
	return nil
}
`;
const facts = [moved('it', 19, 9), moved('it', 36, 9)];

test('go1.21 with escape facts: stored pointer is an error, return is info, non-retaining callee silent', async () => {
	const f = await runRule(loopvarAddress, src, { minor: 21, escape: facts });
	assert.deepEqual(lines(f), [20, 38]);
	assert.deepEqual(f.map((x) => x.severity), ['error', 'information']);
	assert.deepEqual(f[0].range, { start: { line: 19, character: 22 }, end: { line: 19, character: 25 } });
	assert.match(f[0].message, /same variable `it`.*go1\.21.*The compiler moved `it` to the heap/);
	assert.ok(f[0].fixes?.length);
	assert.equal(f[1].fixes, undefined);
});

test('go1.21 without escape facts: only the stored shape, as a warning', async () => {
	const f = await runRule(loopvarAddress, src, { minor: 21 });
	assert.deepEqual(lines(f), [20]);
	assert.equal(f[0].severity, 'warning');
});

test('go1.22: information only where the compiler moved the variable; nothing without facts', async () => {
	const f = await runRule(loopvarAddress, src, { minor: 22, escape: facts });
	assert.deepEqual(lines(f), [20, 38]);
	assert.ok(f.every((x) => x.severity === 'information' && !x.fixes));
	assert.match(f[0].message, /each iteration allocates a new `it` on the heap holding a copy of the element/);
	assert.deepEqual(await runRule(loopvarAddress, src, { minor: 22 }), []);
});

test('`=` form aliases in every version; &v.f and &items[i] shapes', async () => {
	const s = `package a

type T struct{ f int }

func F(ts []T) ([]*int, []*T) {
	var t T
	var out []*int
	var good []*T
	for _, t = range ts {
		out = append(out, &t.f)
	}
	for i := range ts {
		good = append(good, &ts[i])
	}
	var found *T
	for _, x := range ts {
		if x.f == 1 {
			found = &x
			break
		}
	}
	_ = found
	return out, good
}
`;
	// Without facts `&t.f` is not reported (t could be a pointer); go1.26 -m prints
	// "6:6 moved to heap: t" at the outer declaration, which confirms it.
	assert.deepEqual(await runRule(loopvarAddress, s, { minor: 24 }), []);
	const f = await runRule(loopvarAddress, s, { minor: 21, escape: [moved('t', 6, 6), moved('x', 16, 9)] });
	assert.deepEqual(lines(f), [10]);
	assert.equal(f[0].severity, 'error');
	assert.match(f[0].message, /in every Go version/);
});

test('unknown version lowers severity; half-typed code does not throw', async () => {
	const f = await runRule(loopvarAddress, src, { minor: undefined, escape: facts });
	assert.equal(f[0].severity, 'warning');
	assert.match(f[0].message, /language version unknown/);
	for (const s of ['package a\nfunc F() { for _, v := range x { p = &', 'package a\nfunc F() { for _, v := range { &v.']) await runRule(loopvarAddress, s, { minor: 21 });
});

test('fix: `it := it` compiles, and the rule is silent afterwards', async () => {
	const f = await runRule(loopvarAddress, src, { minor: 21, escape: facts });
	const out = applyEdits(src, f[0].fixes![0].edits);
	assert.match(out, /\t\tit := it\n\t\tptrs = append/);
	assert.deepEqual(lines(await runRule(loopvarAddress, out, { minor: 21 })), []);
	const r = goCheck({ 'a.go': out }, { goVersion: '1.21' });
	assert.ok(r.ok, r.output);
});

test('every prefix of the fixture (half-typed code) runs without throwing', async () => {
	for (let n = 0; n <= src.length; n += 5) await runRule(loopvarAddress, src.slice(0, n), { minor: 21 });
});

// go1.26 -gcflags=-m on this source in a go1.21 module prints "moved to heap: v" at the headers on
// lines 9, 18, 35, 45 and 54 (not 26: p stays in its iteration).
const shapes = `package a

import "encoding/json"

type Node struct{ next *int }

func Last(xs []int) *int {
	var last *int
	for _, v := range xs {
		last = &v
	}
	return last
}

func Chain(xs []int) *Node {
	var prev *int
	var n Node
	for _, v := range xs {
		n.next = prev
		prev = &v
	}
	return &n
}

func Local(xs []int) {
	for _, v := range xs {
		var p *int
		p = &v
		_ = p
	}
}

func First(xs []int) []*int {
	var out []*int
	for _, v := range xs {
		if v > 0 {
			out = append(out, &v)
			return out
		}
	}
	return nil
}

func Decode(raws [][]byte) {
	for _, v := range raws {
		_ = json.Unmarshal(v, &v)
	}
}

type W struct{ P *int }

func Wrap(xs []int) []*W {
	var ws []*W
	for _, v := range xs {
		ws = append(ws, &W{P: &v})
	}
	return ws
}
`;

test('only the last pointer survives (one overwritten slot, or the loop is left): silent; a slot read in the loop is kept', async () => {
	const facts = [moved('v', 9, 9), moved('v', 18, 9), moved('v', 35, 9), moved('v', 45, 9), moved('v', 54, 9)];
	const f = await runRule(loopvarAddress, shapes, { minor: 21, escape: facts });
	assert.deepEqual(lines(f), [20, 46, 55]);
	// Appended (kept) is certain; a pointer passed to a callee that may or may not keep it is not.
	assert.deepEqual(f.map((x) => x.severity), ['error', 'information', 'error']);
	assert.match(f[1].message, /wherever this pointer is kept/);
	// Without facts: only the kept shapes with a bare `&v`.
	assert.deepEqual(lines(await runRule(loopvarAddress, shapes, { minor: 21 })), [20, 55]);
});

test('a slot stored conditionally or after a continue keeps an older iteration\'s pointer: reported', async () => {
	const s = `package a

type T struct{ ok bool }

func Pick(ts []T) (*T, *T, *T) {
	var a, b, c *T
	for _, t := range ts {
		if t.ok {
			a = &t
		}
	}
	for _, t := range ts {
		if !t.ok {
			continue
		}
		b = &t
	}
	for _, t := range ts {
		c = &t
	}
	return a, b, c
}
`;
	// go1.21 with ts = [{true} {false}]: a and b point to {false}; go1.22: to {true}. c is {false} in both.
	assert.deepEqual(lines(await runRule(loopvarAddress, s, { minor: 21 })), [9, 16]);
});

test('a pointer handed to a goroutine or a deferred call is kept past the iteration', async () => {
	const s = `package a

import "sync"

type T struct{ n int }

func work(*T) {}

func Run(ts []T) {
	var wg sync.WaitGroup
	for _, t := range ts {
		wg.Add(1)
		go func(p *T) { defer wg.Done(); work(p) }(&t)
	}
	for _, t := range ts {
		defer work(&t)
	}
	wg.Wait()
}
`;
	const f = await runRule(loopvarAddress, s, { minor: 21 });
	assert.deepEqual(lines(f), [13, 16]);
	assert.ok(f.every((x) => x.severity === 'warning'));
});

test('go1.22+: `return &f` from a 3-clause loop adds nothing to the compiler\'s own fact; `found = &v; break` allocates per iteration', async () => {
	const s = `package a

type Frame struct{ Name string }

type iter struct{ n int }

func (it *iter) Next() (Frame, bool) { it.n++; return Frame{}, it.n < 10 }

func Find(it *iter) *Frame {
	for f, again := it.Next(); again; f, again = it.Next() {
		if f.Name == "y" {
			return &f
		}
	}
	return nil
}

func Pick(fs []Frame) *Frame {
	var found *Frame
	for _, f := range fs {
		if f.Name == "y" {
			found = &f
			break
		}
	}
	return found
}
`;
	// go1.26, go 1.23 module: -m prints "moved to heap: f" at 10:6 and 20:9; testing.AllocsPerRun
	// counts 1 allocation for Find's shape and 10 for Pick's over 10 frames
	// (-d=loopvar=2: "loop variable f now per-iteration, heap-allocated" only for Pick).
	const f = await runRule(loopvarAddress, s, { minor: 23, escape: [moved('f', 10, 6), moved('f', 20, 9)] });
	assert.deepEqual(lines(f), [22]);
	assert.equal(f[0].severity, 'information');
	assert.match(f[0].message, /each iteration allocates a new `f` on the heap/);
});

test('the compiler\'s reason chain decides: moved to heap because a closure captured the variable says nothing about `&v.f`', async () => {
	const s = `package a

type W struct{ state int }

func load(*int) int { return 0 }

func Pick(ws []*W) func() int {
	for _, w := range ws {
		if load(&w.state) > 0 {
			return func() int { return w.state }
		}
	}
	return nil
}
`;
	const step = (expr: string, reason: string, line: number, column: number) => ({ expr, reason, pos: { file: 'a.go', line, column } });
	const captured: LocatedEscapeFact = { ...moved('w', 8, 9), flows: [{ dst: '{heap}', op: '', src: 'w', steps: [step('w', 'captured by a closure', 10, 31)] }] };
	// go1.26 -m=2 on this source (go 1.22 module) prints "moved to heap: w" with the closure as the reason.
	assert.deepEqual(await runRule(loopvarAddress, s, { minor: 22, escape: [captured] }), []);
	const addressed: LocatedEscapeFact = { ...moved('w', 8, 9), flows: [{ dst: '{heap}', op: '&', src: 'w', steps: [step('&w.state', 'address-of', 9, 11)] }] };
	assert.deepEqual(lines(await runRule(loopvarAddress, s, { minor: 22, escape: [addressed] })), [9]);
});
