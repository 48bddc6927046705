import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';
import { loopvarCapture } from '../../../server/src/rules/loopvar/loopvarCapture';

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

// juruen/rmapi#290: a poll of ctx.Done() in a select with a default case does not wait for the
// goroutine started by wg.Go, so the iteration moves on while it may still read `doc`.
test('a receive in a select with a default case, or inside a func literal, is not a join', async () => {
	const src = `package a

import "context"

type group struct{}

func (g *group) Go(f func() error) {}
func (g *group) Wait() error       { return nil }

func use(string) error { return nil }

func poll(ctx context.Context, docs []string) {
	var wg group
	for _, doc := range docs {
		wg.Go(func() error { return use(doc) })
		select {
		case <-ctx.Done():
			return
		default:
		}
	}
	wg.Wait()
}

func waits(ctx context.Context, docs []string, done chan struct{}) {
	var wg group
	for _, doc := range docs {
		wg.Go(func() error { return use(doc) })
		select {
		case <-ctx.Done():
			return
		case <-done:
		}
	}
}

func later(docs []string, done chan struct{}) {
	var wg group
	for _, doc := range docs {
		wg.Go(func() error { return use(doc) })
		go func() { <-done }()
	}
}
`;
	const f = await runRule(loopvarCapture, src, { minor: 18 });
	assert.deepEqual(lines(f), [15, 40]);
});
