import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goroutineAppendRace } from '../../../server/src/rules/loops/goroutineAppendRace';
import type { LocatedEscapeFact } from '../../../server/src/rules/types';
import { lines, runRule, assertTotalOnSplices } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';

const wrap = (body: string) => `package p

import "sync"

type Job int
type Result int

func run(j Job) Result { return Result(j) }

func all(jobs []Job) []Result {
	var wg sync.WaitGroup
${body}
	wg.Wait()
	return results
}
`;

const SPEC_POSITIVE = wrap(`	var results []Result
	for _, job := range jobs {
		wg.Add(1)
		go func(j Job) {
			defer wg.Done()
			results = append(results, run(j))
		}(job)
	}`);

test('spec positive: reported at the assignment with the exact range', async () => {
	const f = await runRule(goroutineAppendRace, SPEC_POSITIVE);
	assert.deepEqual(lines(f), [17]);
	assert.deepEqual(f[0].range, { start: { line: 16, character: 3 }, end: { line: 16, character: 36 } });
	assert.equal(f[0].severity, 'error');
	assert.match(f[0].message, /`results = append\(results, …\)`.*data race/);
});

test('escape refinement: says when the compiler moved the slice to the heap', async () => {
	const fact: LocatedEscapeFact = {
		kind: 'moved-to-heap', pos: { file: '/tmp/memlens-test/a.go', line: 12, column: 6 }, subject: 'results',
		message: 'moved to heap: results', flows: [], at: { line: 11, character: 5 },
	};
	const f = await runRule(goroutineAppendRace, SPEC_POSITIVE, { escape: [fact] });
	assert.match(f[0].message, /compiler moved `results` to the heap/);
	assert.doesNotMatch((await runRule(goroutineAppendRace, SPEC_POSITIVE))[0].message, /compiler moved/);
});

test('negatives: index writes, mutex held, slice local to the goroutine or to the iteration, no loop, channel fan-in', async () => {
	const byIndex = wrap(`	results := make([]Result, len(jobs))
	for i, job := range jobs {
		wg.Add(1)
		go func(i int, j Job) {
			defer wg.Done()
			results[i] = run(j)
		}(i, job)
	}`);
	const locked = wrap(`	var results []Result
	var mu sync.Mutex
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := run(job)
			mu.Lock()
			defer mu.Unlock()
			results = append(results, r)
		}()
	}`);
	const inner = wrap(`	var results []Result
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var results []Result
			results = append(results, run(job))
			_ = results
		}()
	}`);
	const perIteration = wrap(`	var results []Result
	for _, job := range jobs {
		var mine []Result
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine = append(mine, run(job))
		}()
	}`);
	const noLoop = wrap(`	var results []Result
	wg.Add(1)
	go func() {
		defer wg.Done()
		results = append(results, run(jobs[0]))
	}()`);
	const fanIn = wrap(`	var results []Result
	ch := make(chan Result)
	for _, job := range jobs {
		go func() { ch <- run(job) }()
	}
	for range jobs {
		results = append(results, <-ch)
	}`);
	for (const src of [byIndex, locked, inner, perIteration, noLoop, fanIn]) {
		assert.deepEqual(await runRule(goroutineAppendRace, src), [], src);
	}
});

test('real-world shapes: errgroup-style g.Go, a struct field, a package-level slice', async () => {
	const src = `package p

import "sync"

type Group struct{}

func (g *Group) Go(f func() error) {}

type Crawler struct{ seen []string }

var logs []string

func (c *Crawler) crawl(urls []string) {
	var g Group
	var wg sync.WaitGroup
	for _, u := range urls {
		g.Go(func() error {
			c.seen = append(c.seen, u)
			return nil
		})
		wg.Add(1)
		go func() {
			defer wg.Done()
			logs = append(logs, u)
		}()
	}
	wg.Wait()
}
`;
	assert.deepEqual(lines(await runRule(goroutineAppendRace, src)), [18, 24]);
});

test('a lock released before the append does not guard it', async () => {
	const src = wrap(`	var results []Result
	var mu sync.Mutex
	n := 0
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			n++
			mu.Unlock()
			results = append(results, run(job))
		}()
	}
	_ = n`);
	assert.deepEqual(lines(await runRule(goroutineAppendRace, src)), [22]);
});

test('half-typed code does not throw', async () => {
	for (const src of ['package p\nfunc f() { for { go func() { s = append(', 'package p\nfunc f() { for { go func() { s = append(s, 1) ', 'go func for = append']) {
		await runRule(goroutineAppendRace, src);
	}
});

test('fix: a mutex guards the append; compiles, vets, and the rule no longer fires', async () => {
	const noSync = `package q

type Crawler struct{ seen []string }

func (c *Crawler) crawl(urls []string, done chan bool) {
	for _, u := range urls {
		go func() { c.seen = append(c.seen, u); done <- true }()
	}
}
`;
	const fixed: Record<string, string> = {};
	for (const [i, src] of [SPEC_POSITIVE, noSync].entries()) {
		const f = await runRule(goroutineAppendRace, src);
		assert.equal(f.length, 1);
		assert.equal(f[0].fixes![0].safe, false);
		const out = applyEdits(src, f[0].fixes![0].edits);
		assert.deepEqual(await runRule(goroutineAppendRace, out), []);
		fixed[`p${i}/a.go`] = out;
	}
	assert.match(fixed['p0/a.go'], /var resultsMu sync\.Mutex[^\n]*\n\tfor _, job/);
	assert.match(fixed['p0/a.go'], /\t\t\tresultsMu\.Lock\(\)\n\t\t\tresults = append\(results, run\(j\)\)\n\t\t\tresultsMu\.Unlock\(\)/);
	assert.match(fixed['p1/a.go'], /import "sync"/);
	const r = goCheck(fixed, { goVersion: '1.22' });
	assert.ok(r.ok, r.output + '\n' + Object.values(fixed).join('\n'));
});

test('never throws on arbitrary cuts and splices of the fixture', () => assertTotalOnSplices(goroutineAppendRace, SPEC_POSITIVE));

test('no two goroutines append at once: joined in the same iteration, loop left after the launch, a lock helper, a callback the callee may lock', async () => {
	const src = `package p

import "sync"

type store struct {
	mu   sync.Mutex
	rw   sync.RWMutex
	seen []string
}

func (s *store) lock()           { s.mu.Lock() }
func (s *store) unlock()         { s.mu.Unlock() }
func (s *store) locked(f func()) { s.mu.Lock(); defer s.mu.Unlock(); f() }

func (s *store) crawl(groups [][]string, one string) {
	var wg sync.WaitGroup
	for _, u := range groups[0] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.seen = append(s.seen, u)
		}()
		wg.Wait()
	}
	for _, u := range groups[0] {
		if u == one {
			go func() { s.seen = append(s.seen, u) }()
			return
		}
	}
	for _, u := range groups[0] {
		go func() {
			s.lock()
			s.seen = append(s.seen, u)
			s.unlock()
		}()
		go func() {
			s.locked(func() { s.seen = append(s.seen, u) })
		}()
	}
	for _, g := range groups {
		for _, u := range g {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.rw.RLock()
				s.seen = append(s.seen, u)
				s.rw.RUnlock()
			}()
		}
		wg.Wait()
	}
}
`;
	// Only the last loop races: a read lock lets every goroutine in, and the join comes after the
	// inner loop has started all of them.
	assert.deepEqual(lines(await runRule(goroutineAppendRace, src)), [47]);
});
