import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lockCopyByValue } from '../../../server/src/rules/lock/lockCopyByValue';
import { lines, runRule, assertTotalOnSplices } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';

const SPEC_POSITIVE = `package p

import "sync"

type Counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c Counter) Inc(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[k]++
}
`;

test('spec positive: value receiver of a struct holding a Mutex, exact range, vet wording', async () => {
	const f = await runRule(lockCopyByValue, SPEC_POSITIVE);
	assert.deepEqual(lines(f), [10]);
	assert.deepEqual(f[0].range, { start: { line: 9, character: 8 }, end: { line: 9, character: 15 } });
	assert.equal(f[0].severity, 'error');
	assert.match(f[0].message, /`Inc` passes lock by value: `Counter` contains `sync\.Mutex`/);
});

test('negatives: pointer receiver, pointer field, atomic.Value, types from other files, literals and calls', async () => {
	const src = `package p

import (
	"sync"
	"sync/atomic"
)

type Counter struct {
	mu sync.Mutex
}

func (c *Counter) Inc() {}

type Shared struct{ mu *sync.Mutex }

func (s Shared) A() {}

type Cfg struct{ v atomic.Value }

func (c Cfg) B() {}

func (o Other) C() {} // declared in another file: unknown, not reported

func newCounter() Counter { return Counter{} }

func use(p *Counter) {
	c := Counter{}
	d := newCounter()
	e := p
	_, _, _ = &c, &d, e
}
`;
	assert.deepEqual(await runRule(lockCopyByValue, src), []);
});

test('copy then re-initialise the lock is not reported (golang/go#20261)', async () => {
	const src = `package p

import "sync"

type Session struct {
	m    sync.RWMutex
	name string
}

func (s *Session) Clone() *Session {
	scopy := *s
	scopy.m = sync.RWMutex{}
	return &scopy
}
`;
	assert.deepEqual(await runRule(lockCopyByValue, src), []);
});

test('parity with go vet copylocks on a fixture covering every lock kind', async () => {
	const file = path.join(__dirname, '../../fixtures/rules/lockCopyByValue/vetParity.go');
	const src = readFileSync(file, 'utf8');
	const ours = (await runRule(lockCopyByValue, src)).map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1}`);
	const vet = goCheck({ 'a.go': src }, { goVersion: '1.22' });
	assert.equal(vet.ok, false);
	const vetPos = [...vet.output.matchAll(/a\.go:(\d+:\d+): (.*)/g)].map((m) => ({ pos: m[1], msg: m[2] }));
	// Everything we report, vet reports at the same position.
	for (const p of ours) assert.ok(vetPos.some((v) => v.pos === p), `${p} not reported by vet:\n${vet.output}`);
	// Everything vet reports we report too (range elements and names initialised from a lock value included).
	const missing = vetPos.filter((v) => !ours.includes(v.pos)).map((v) => v.msg);
	assert.deepEqual(missing, []);
	assert.ok(ours.length >= 15);
});

test('severity: error for Mutex/RWMutex/WaitGroup/Cond, warning for Pool/Once/Map/atomics', async () => {
	const src = (t: string) => `package p\n\nimport (\n\t"sync"\n\t"sync/atomic"\n)\n\nvar _ atomic.Bool\n\ntype S struct{ x ${t} }\n\nfunc (s S) M() {}\n`;
	for (const t of ['sync.Mutex', 'sync.RWMutex', 'sync.WaitGroup', 'sync.Cond']) assert.equal((await runRule(lockCopyByValue, src(t)))[0].severity, 'error', t);
	for (const t of ['sync.Pool', 'sync.Once', 'sync.Map', 'atomic.Int64', 'atomic.Pointer[int]']) assert.equal((await runRule(lockCopyByValue, src(t)))[0].severity, 'warning', t);
	assert.deepEqual(await runRule(lockCopyByValue, src('[]sync.Mutex')), []);
	assert.deepEqual(await runRule(lockCopyByValue, src('map[string]sync.Mutex')), []);
});

test('half-typed code does not throw', async () => {
	for (const src of ['package p\nimport "sync"\ntype S struct { mu sync.', 'package p\nimport "sync"\nfunc (s S', 'package p\nimport "sync"\ntype S struct{ mu sync.Mutex }\nfunc (s S) M(x S, ) { for _, v := range']) {
		await runRule(lockCopyByValue, src);
	}
});

test('fix: pointer receiver vets clean and clears the finding', async () => {
	const f = await runRule(lockCopyByValue, SPEC_POSITIVE);
	const fixed = applyEdits(SPEC_POSITIVE, f[0].fixes![0].edits);
	assert.match(fixed, /func \(c \*Counter\) Inc/);
	assert.deepEqual(await runRule(lockCopyByValue, fixed), []);
	const generic = `package q\n\nimport "sync"\n\ntype Box[T any] struct {\n\tmu sync.Mutex\n\tv  T\n}\n\nfunc (b Box[T]) Get() T {\n\tb.mu.Lock()\n\tdefer b.mu.Unlock()\n\treturn b.v\n}\n`;
	const g = await runRule(lockCopyByValue, generic);
	assert.equal(g.length, 1);
	const fixedG = applyEdits(generic, g[0].fixes![0].edits);
	assert.deepEqual(await runRule(lockCopyByValue, fixedG), []);
	const r = goCheck({ 'p/a.go': fixed, 'q/a.go': fixedG }, { goVersion: '1.22' });
	assert.ok(r.ok, r.output);
});

test('never throws on arbitrary cuts and splices of the fixture', () => assertTotalOnSplices(lockCopyByValue, SPEC_POSITIVE));

const SHADOWED = `package shadow

import (
	"sync"
	"sync/atomic"
)

type Config struct{ Name string }

type Stats struct {
	mu    sync.Mutex
	count int
}

func apply(c Config) {}

// An if statement's init declares a new cfg: the loaded *Config, not the atomic.
func Reload(cfg *atomic.Pointer[Config]) {
	if cfg := cfg.Load(); cfg != nil {
		apply(*cfg)
	}
}

func Pick(st *Stats, v any) {
	switch st := snapshot(st); {
	case st.count > 0:
		_ = *st
	}
	switch st := v.(type) {
	case *Config:
		apply(*st)
	}
}

type snap struct{ count int }

func snapshot(s *Stats) *snap { return &snap{count: s.count} }

func Loop(st *Stats, ch chan *Config, cfgs []*Config) {
	for st := 0; st < 3; st++ {
		_ = st
	}
	for _, st := range cfgs {
		apply(*st)
	}
	select {
	case st := <-ch:
		apply(*st)
	default:
	}
	func(st *Config) { apply(*st) }(nil)
}
`;

test('a name shadowed by an if/switch init, a type switch, for, range, select or a func literal param is not the outer lock', async () => {
	assert.deepEqual(await runRule(lockCopyByValue, SHADOWED), []);
	// vet agrees: nothing to report.
	const vet = goCheck({ 'a.go': SHADOWED }, { goVersion: '1.22' });
	assert.ok(vet.ok, vet.output);
});

test('scopes resolved the other way: captured variables, names initialised from T{} / &T{} / new(T), range elements, type parameters', async () => {
	const src = `package p

import "sync"

type Stats struct {
	mu sync.Mutex
	n  int
}

func record(s Stats) {}

func Captured(p *Stats) {
	go func() {
		record(*p)
	}()
}

func Literal() {
	s := Stats{}
	t := s
	q := &Stats{}
	r := new(Stats)
	record(*q)
	record(*r)
	println(&t)
}

func Elements(all []Stats) {
	for _, s := range all {
		c := s
		println(&c)
	}
}

func Generic[Stats any](v Stats) Stats { return v }

func Local() {
	type Stats struct{ n int }
	var a Stats
	b := a
	println(&b)
}
`;
	const f = await runRule(lockCopyByValue, src);
	assert.deepEqual(
		f.map((x) => `${x.range.start.line + 1}: ${x.message.split(':')[0]}`),
		['10: `record` passes lock by value', '14: call of `record` copies lock value', '20: assignment copies lock value to `t`', '23: call of `record` copies lock value', '24: call of `record` copies lock value', '29: range var `s` copies lock', '30: assignment copies lock value to `c`'],
	);
	// Each of them is a vet copylocks report too (and vet reports nothing else here).
	const vet = goCheck({ 'a.go': src }, { goVersion: '1.22' });
	const vetLines = [...vet.output.matchAll(/a\.go:(\d+):\d+: /g)].map((m) => Number(m[1]));
	assert.deepEqual([...new Set(vetLines)].sort((a, b) => a - b), [10, 14, 20, 23, 24, 29, 30]);
});
