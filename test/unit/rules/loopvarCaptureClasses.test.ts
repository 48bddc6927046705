/** loopvar-capture: the false-positive classes found on real code, and the real bugs kept. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRule, lines } from '../ruleHarness';
import { loopvarCapture } from '../../../server/src/rules/loopvar/loopvarCapture';

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
