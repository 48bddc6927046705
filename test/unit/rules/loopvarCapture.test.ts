import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';
import { loopvarCapture } from '../../../server/src/rules/loopvarCapture';

const spec = `package a

func fetch(string) {}

func F(urls []string) {
	for _, u := range urls {
		go func() { fetch(u) }()
	}
	var v string
	for _, v = range urls {
		go func() { fetch(v) }()
	}
}
`;

test('spec positive: both loops below go1.22, with exact range', async () => {
	const f = await runRule(loopvarCapture, spec, { minor: 21 });
	assert.deepEqual(lines(f), [7, 11]);
	assert.deepEqual(f[0].range, { start: { line: 6, character: 20 }, end: { line: 6, character: 21 } });
	assert.equal(f[0].severity, 'error');
	assert.match(f[0].message, /shared by all iterations in this file \(go1\.21, from go\.mod\)/);
	assert.match(f[1].message, /in every Go version/);
	assert.match(f[1].related![0].message, /every iteration assigns the same `v`/);
});

test('go1.22: only the `=` form (outer variable) is reported', async () => {
	assert.deepEqual(lines(await runRule(loopvarCapture, spec, { minor: 22 })), [11]);
});

test('version unknown: reported one step lower and says so', async () => {
	const f = await runRule(loopvarCapture, spec, { minor: undefined });
	assert.equal(f[0].severity, 'warning');
	assert.match(f[0].message, /language version unknown/);
	assert.equal(f[1].severity, 'error');
});

test('negatives: passed as argument, shadowed by copy, synchronous literal, joined goroutine', async () => {
	const src = `package a

import "sync"

func fetch(string) {}

func F(urls []string) {
	for _, u := range urls {
		go func(u string) { fetch(u) }(u)
	}
	for _, u := range urls {
		u := u
		go func() { fetch(u) }()
	}
	for _, u := range urls {
		func() { fetch(u) }()
	}
	for _, u := range urls {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); fetch(u) }()
		wg.Wait()
	}
	for _, u := range urls {
		done := make(chan bool)
		go func() { fetch(u); done <- true }()
		<-done
	}
}
`;
	assert.deepEqual(lines(await runRule(loopvarCapture, src, { minor: 21 })), []);
});

test('errgroup Go, parallel subtests, defer and stored callbacks; sync subtests and an overwritten slot are fine', async () => {
	const src = `package a

import (
	"testing"
	"time"
)

type G struct{}

func (G) Go(func() error) {}

func T(t *testing.T, cases []int, g G) {
	var fns []func()
	var last, chain func()
	for i, c := range cases {
		g.Go(func() error { _ = c; return nil })
		t.Run("x", func(t *testing.T) { t.Parallel(); _ = c })
		t.Run("y", func(t *testing.T) { _ = c })
		defer func() { _ = i }()
		fns = append(fns, func() { _ = c })
		last = func() { _ = i }
		time.AfterFunc(time.Second, func() { _ = c })
		prev := chain
		chain = func() { prev(); _ = c }
	}
	_, _, _ = fns, last, chain
}
`;
	const f = await runRule(loopvarCapture, src, { minor: 20 });
	// \`last\` keeps only the last iteration's literal, which sees the last value in every version
	// (verified with go1.21 and go1.22 modules); \`chain\` keeps every iteration's literal.
	assert.deepEqual(lines(f), [16, 17, 19, 20, 22, 24]);
	assert.deepEqual(f.map((x) => x.severity), ['error', 'error', 'warning', 'warning', 'warning', 'warning']);
});

test('escape fact at the loop header is quoted', async () => {
	const f = await runRule(loopvarCapture, spec, {
		minor: 21,
		escape: [{ kind: 'moved-to-heap', subject: 'u', message: 'moved to heap: u', flows: [], pos: { file: '/tmp/memlens-test/a.go', line: 6, column: 9 }, at: { line: 5, character: 8 } }],
	});
	assert.match(f[0].message, /The compiler moved `u` to the heap/);
});

test('3-clause loop: no copy fix when the body assigns the variable', async () => {
	const src = `package a

func F() {
	for i := 0; i < 10; i++ {
		if i%2 == 0 {
			i++
		}
		go func() { _ = i }()
	}
}
`;
	const f = await runRule(loopvarCapture, src, { minor: 21 });
	assert.deepEqual(lines(f), [8]);
	assert.equal(f[0].fixes, undefined);
});

test('a loop inside the literal that redeclares the name is not a capture (GOROOT log_test shape)', async () => {
	const src = `package a

import "sync"

func B(n int) {
	var group sync.WaitGroup
	for i := 4; i > 0; i-- {
		group.Add(1)
		go func() {
			for i := 0; i < n; i++ {
				_ = i
			}
			defer group.Done()
		}()
	}
	group.Wait()
}
`;
	assert.deepEqual(await runRule(loopvarCapture, src, { minor: 21 }), []);
});

test('half-typed code does not throw', async () => {
	for (const src of ['package a\nfunc F() { for _, u := range { go func() { u', 'package a\nfunc F() { for i := ; { defer func(', 'package a\nfor _, v = range x { go func() { v }() }']) {
		await runRule(loopvarCapture, src, { minor: 21 });
	}
});

test('fix: `v := v` compiles, vets clean and silences the rule', async () => {
	const oneLine = `package b

func fetch(string) {}

func F(urls []string) {
	for _, u := range urls { go func() { fetch(u) }() }
}
`;
	const fixed: Record<string, string> = {};
	for (const [name, src] of [['a/a.go', spec], ['b/b.go', oneLine]] as const) {
		let out: string = src;
		// Fix one finding at a time (edits are relative to the text they were computed on).
		for (let i = 0; i < 5; i++) {
			const f = await runRule(loopvarCapture, out, { minor: 21 });
			if (!f.length) break;
			out = applyEdits(out, f[0].fixes![0].edits);
		}
		assert.deepEqual(await runRule(loopvarCapture, out, { minor: 21 }), [], out);
		fixed[name] = out;
	}
	assert.match(fixed['a/a.go'], /\t\tu := u\n\t\tgo func/);
	const r = goCheck(fixed, { goVersion: '1.21' });
	assert.ok(r.ok, r.output);
});

test('every prefix of the fixture (half-typed code) runs without throwing', async () => {
	for (let n = 0; n <= spec.length; n += 5) await runRule(loopvarCapture, spec.slice(0, n), { minor: 21 });
});

test('leaving the loop right after: go/defer then return, break or t.Fatal is not a shared-variable bug', async () => {
	const src = `package a

import "testing"

func start(string) {}

func Pick(t *testing.T, names []string, want string) {
	for _, n := range names {
		if n == want {
			go func() { start(n) }()
			return
		}
	}
	for _, n := range names {
		if n != want {
			continue
		}
		defer func() { start(n) }()
		break
	}
	for i := 0; i < len(names); i++ {
		go func() { start(names[i]) }()
		t.Fatalf("only one")
	}
	for _, n := range names {
		go func() { start(n) }()
		if n == want {
			return
		}
	}
}
`;
	// Only the last loop goes round again after starting a goroutine.
	assert.deepEqual(lines(await runRule(loopvarCapture, src, { minor: 21 })), [26]);
});

test('a nested parallel subtest does not make its synchronous parent subtest parallel', async () => {
	const src = `package a

import "testing"

func check(*testing.T, int) {}

func TestX(t *testing.T) {
	for _, tc := range []int{1, 2} {
		t.Run("group", func(t *testing.T) {
			t.Run("leaf", func(t *testing.T) {
				t.Parallel()
			})
			check(t, tc)
		})
		t.Run("par", func(t *testing.T) {
			t.Parallel()
			check(t, tc)
		})
	}
}
`;
	assert.deepEqual(lines(await runRule(loopvarCapture, src, { minor: 21 })), [17]);
});

test('3-clause loop: a literal stored in one slot sees the final i (past the last iteration): reported', async () => {
	const src = `package a

func Last(n int) func() int {
	var f func() int
	for i := 0; i < n; i++ {
		f = func() int { return i }
	}
	return f
}
`;
	assert.deepEqual(lines(await runRule(loopvarCapture, src, { minor: 21 })), [6]);
});

test('shadowing by if/switch/select/type-switch init statements and literal results', async () => {
	const src = `package a

func use(...any) {}

func F(xs []any, ch chan any) {
	for _, x := range xs {
		go func() {
			if x := 1; x > 0 {
				use(x)
			}
			switch x := 2; x {
			}
			switch x := ch; {
			default:
				use(x)
			}
			select {
			case x := <-ch:
				use(x)
			}
		}()
		go func() (x int) { x = 1; return }()
		go func() {
			switch x := use; {
			default:
				x()
			}
		}()
	}
	for _, x := range xs {
		go func() {
			switch y := x.(type) {
			default:
				use(y)
			}
		}()
	}
}
`;
	// Only the last literal reads the loop's x (as the type switch's operand).
	assert.deepEqual(lines(await runRule(loopvarCapture, src, { minor: 21 })), [32]);
});

test('one slot overwritten by every iteration: silent unless read before the store, skipped by continue, or stored conditionally', async () => {
	const src = `package a

import "net/http"

type Config struct {
	Get   func() string
	Other int
}

func use(...any) {}

func F(cfg *Config, names []string) {
	for _, n := range names {
		use(cfg.Other, cfg)
		cfg.Get = func() string { return n }
		use(cfg.Get())
	}
	for _, n := range names {
		use(cfg.Get)
		cfg.Get = func() string { return n }
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		cfg.Get = func() string { return n }
	}
	for _, n := range names {
		if n != "" {
			cfg.Get = func() string { return n }
		}
	}
	for _, n := range names {
		mux := http.NewServeMux()
		mux.HandleFunc("/", func(http.ResponseWriter, *http.Request) { use(n) })
		http.HandleFunc("/"+n, func(http.ResponseWriter, *http.Request) { use(n) })
	}
}
`;
	assert.deepEqual(lines(await runRule(loopvarCapture, src, { minor: 21 })), [20, 26, 30, 36]);
});

test('one finding per literal and variable, at the first use; the other uses are related', async () => {
	const src = `package a

func use(...any) {}

func F(xs []int) {
	for i, x := range xs {
		go func() {
			use(x)
			use(x, i)
		}()
	}
}
`;
	const f = (await runRule(loopvarCapture, src, { minor: 21 })).sort((a, b) => a.range.start.line - b.range.start.line);
	assert.deepEqual(lines(f), [8, 9]);
	assert.deepEqual(f[0].related!.map((r) => r.range.start.line + 1), [6, 9]);
	assert.match(f[0].related![1].message, /also reads `x`/);
	assert.deepEqual(f[1].related!.map((r) => r.range.start.line + 1), [6]);
});

test('t.Cleanup in a loop runs when the test ends: reported; inside a subtest it belongs to that subtest', async () => {
	const src = `package a

import (
	"os"
	"testing"
)

func TestFiles(t *testing.T) {
	for _, name := range []string{"a", "b"} {
		t.Cleanup(func() { os.Remove(name) })
		t.Run(name, func(t *testing.T) {
			t.Cleanup(func() { os.Remove(name) })
		})
	}
}
`;
	const f = await runRule(loopvarCapture, src, { minor: 21 });
	assert.deepEqual(lines(f), [10]);
	assert.match(f[0].message, /`t\.Cleanup`/);
});

test('a literal bound to a name in the iteration and started later (go f(), defer f(), g.Go(f))', async () => {
	const src = `package a

type G struct{}

func (G) Go(func() error) {}

func use(...any) {}

func F(xs []int, g G) {
	for _, x := range xs {
		work := func() { use(x) }
		go work()
	}
	for _, x := range xs {
		check := func() error { use(x); return nil }
		g.Go(check)
	}
	for _, x := range xs {
		now := func() { use(x) }
		now()
	}
}
`;
	assert.deepEqual(lines(await runRule(loopvarCapture, src, { minor: 21 })), [11, 15]);
});

test('a local slot nobody reads after the loop: a skipped or conditional store is harmless too', async () => {
	const src = `package a

import "net/http"

func use(...any) {}

func Fetch(urls []string) {
	c := &http.Client{}
	for _, u := range urls {
		if u == "" {
			continue
		}
		c.CheckRedirect = func(*http.Request, []*http.Request) error { use(u); return nil }
		c.Get(u)
	}
	d := &http.Client{}
	for _, u := range urls {
		if u == "" {
			continue
		}
		d.CheckRedirect = func(*http.Request, []*http.Request) error { use(u); return nil }
	}
	d.Get("x")
}
`;
	// d is used after the loop: its hook may be an older iteration's, seeing the last u.
	assert.deepEqual(lines(await runRule(loopvarCapture, src, { minor: 21 })), [21]);
});
