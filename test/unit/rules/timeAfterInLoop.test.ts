import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../../server/src/syntax/goParser';
import type { GoVersionInfo } from '../../../server/src/model';
import { timeAfterInLoop } from '../../../server/src/rules/loops/timeAfterInLoop';
import { goVersion, lines, runRule, assertTotalOnSplices } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';

const wrap = (body: string, extra = '') => `package p

import "time"

func handle(int) {}
${extra}
func run(msgs chan int, done chan struct{}) {
${body}
}
`;
import { mirrorOf } from '../../../server/src/syntax/mirror';

const SPEC_POSITIVE = wrap(`	for {
		select {
		case m := <-msgs:
			handle(m)
		case <-time.After(5 * time.Minute):
			return
		}
	}`);

async function runWith(src: string, v: GoVersionInfo) {
	const parser = await newGoParser();
	const tree = parser.parse(src)!;
	try {
		return timeAfterInLoop.check({ tree: mirrorOf(tree, src), text: src, filePath: '/tmp/a.go', goVersion: v, escape: undefined, isCgo: false });
	} finally {
		tree.delete();
		parser.delete();
	}
}

test('spec positive: reported below go 1.23 with the exact range and the version in the message', async () => {
	const f = await runRule(timeAfterInLoop, SPEC_POSITIVE, { minor: 22 });
	assert.deepEqual(lines(f), [12]);
	assert.deepEqual(f[0].range, { start: { line: 11, character: 9 }, end: { line: 11, character: 36 } });
	assert.equal(f[0].severity, 'warning');
	assert.match(f[0].message, /go 1\.22/);
	assert.match(f[0].message, /time\.After\(5 \* time\.Minute\)/);
});

test('version gate: main module go 1.23 and later is silent; asynctimerchan=1 re-enables it', async () => {
	assert.deepEqual(await runRule(timeAfterInLoop, SPEC_POSITIVE, { minor: 23 }), []);
	assert.deepEqual(await runRule(timeAfterInLoop, SPEC_POSITIVE, { minor: 26 }), []);
	// The file's own version does not matter, the main module's does.
	assert.equal((await runWith(SPEC_POSITIVE, goVersion(26, 21))).length, 1);
	assert.equal((await runWith(SPEC_POSITIVE, goVersion(21, 24))).length, 0);
	const async = await runWith(SPEC_POSITIVE, { ...goVersion(24), asyncTimerChan: true });
	assert.equal(async.length, 1);
	assert.match(async[0].message, /asynctimerchan=1/);
});

test('unknown language version: reported one step lower and says so', async () => {
	const f = await runRule(timeAfterInLoop, SPEC_POSITIVE, { minor: undefined });
	assert.equal(f.length, 1);
	assert.equal(f[0].severity, 'information');
	assert.match(f[0].message, /unknown/);
});

test('negatives: other cases leave the loop, reusable timer, select outside a loop, goroutine per iteration', async () => {
	const allLeave = wrap(`	for {
		select {
		case m := <-msgs:
			handle(m)
			return
		case <-done:
			panic("x")
		case <-time.After(time.Second):
			return
		}
	}`);
	const labeled = wrap(`loop:
	for {
		select {
		case <-msgs:
			break loop
		case <-time.After(time.Second):
		}
	}`);
	const reusable = wrap(`	idle := time.NewTimer(5 * time.Minute)
	defer idle.Stop()
	for {
		select {
		case m := <-msgs:
			handle(m)
			if !idle.Stop() {
				<-idle.C
			}
			idle.Reset(5 * time.Minute)
		case <-idle.C:
			return
		}
	}`);
	const noLoop = wrap(`	select {
	case m := <-msgs:
		handle(m)
	case <-time.After(time.Second):
	}`);
	const perGoroutine = wrap(`	for m := range msgs {
		go func() {
			select {
			case <-done:
			case <-time.After(time.Second):
				handle(m)
			}
		}()
	}`);
	const fatal = wrap(`	for {
		select {
		case <-msgs:
			log.Fatalf("unexpected")
		case <-done:
			t.FailNow()
		case <-time.After(time.Second):
		}
	}`);
	for (const src of [allLeave, labeled, reusable, noLoop, perGoroutine, fatal]) {
		assert.deepEqual(await runRule(timeAfterInLoop, src, { minor: 21 }), [], src);
	}
});

test('real-world shapes: continue, unlabeled break of the select, default case, aliased import', async () => {
	const cont = wrap(`	for i := 0; i < 10; i++ {
		select {
		case m := <-msgs:
			if m > 0 {
				continue
			}
			return
		case <-time.After(time.Second):
			return
		}
	}`);
	const brk = wrap(`	for {
		select {
		case m := <-msgs:
			if m == 0 {
				break
			}
			return
		case <-time.After(time.Second):
			return
		}
	}`);
	const dflt = wrap(`	for {
		select {
		case <-time.After(time.Millisecond):
			return
		default:
		}
	}`);
	assert.deepEqual(lines(await runRule(timeAfterInLoop, cont, { minor: 20 })), [15]);
	assert.deepEqual(lines(await runRule(timeAfterInLoop, brk, { minor: 20 })), [15]);
	assert.deepEqual(lines(await runRule(timeAfterInLoop, dflt, { minor: 20 })), [10]);
	const labeledSelect = wrap(`	for {
	sel:
		select {
		case <-msgs:
			break sel
		case <-time.After(time.Second):
			return
		}
	}`);
	assert.deepEqual(lines(await runRule(timeAfterInLoop, labeledSelect, { minor: 20 })), [13]);
	const aliased = SPEC_POSITIVE.replace('import "time"', 'import tm "time"').replaceAll('time.', 'tm.');
	const f = await runRule(timeAfterInLoop, aliased, { minor: 22 });
	assert.deepEqual(lines(f), [12]);
	assert.match(f[0].fixes![0].edits[0].newText, /tm\.NewTimer/);
});

test('half-typed code does not throw', async () => {
	for (const src of ['package p\nfunc f() { for { select { case <-time.After(', 'package p\nimport "time"\nfunc f() { for { select { case <-time.After(1):\n case x := <-', 'package p\nimport "time"\nfor select case <-time.After()']) {
		assert.doesNotThrow(() => runRule(timeAfterInLoop, src, { minor: 20 }));
		await runRule(timeAfterInLoop, src, { minor: 20 });
	}
});

test('fix: hoisted NewTimer compiles and vets, and the rule no longer fires', async () => {
	const name = wrap(`	timer := 1
	_ = timer
	for {
		select {
		case m := <-msgs:
			handle(m)
		case <-done:
		case <-time.After(5 * time.Minute):
			return
		}
	}`);
	const fixed: Record<string, string> = {};
	for (const [i, src] of [SPEC_POSITIVE, name].entries()) {
		const f = await runRule(timeAfterInLoop, src, { minor: 21 });
		assert.equal(f.length, 1);
		const out = applyEdits(src, f[0].fixes![0].edits);
		assert.match(out, /\.Stop\(\)/);
		assert.deepEqual(await runRule(timeAfterInLoop, out, { minor: 21 }), []);
		fixed[`p${i}/a.go`] = out;
	}
	assert.match(fixed['p1/a.go'], /timer2 := time\.NewTimer/);
	const r = goCheck(fixed, { goVersion: '1.21' });
	assert.ok(r.ok, r.output + '\n' + Object.values(fixed).join('\n'));
});

test('never throws on arbitrary cuts and splices of the fixture', () => assertTotalOnSplices(timeAfterInLoop, SPEC_POSITIVE));

test('variable form: `t := time.After(d)` in the loop received in the select; fixed form compiles', async () => {
	const src = wrap(`	for {
		timeout := time.After(time.Second)
		select {
		case m := <-msgs:
			handle(m)
		case <-timeout:
			return
		}
	}`);
	const hoisted = wrap(`	timeout := time.After(time.Second)
	for {
		select {
		case m := <-msgs:
			handle(m)
		case <-timeout:
			return
		}
	}`);
	const otherUse = wrap(`	for {
		timeout := time.After(time.Second)
		go func() { <-timeout }()
		select {
		case m := <-msgs:
			handle(m)
		case <-timeout:
			return
		}
	}`);
	const f = await runRule(timeAfterInLoop, src, { minor: 22 });
	assert.deepEqual(lines(f), [9]);
	assert.deepEqual(await runRule(timeAfterInLoop, hoisted, { minor: 22 }), []);
	const g = await runRule(timeAfterInLoop, otherUse, { minor: 22 });
	assert.equal(g.length, 1);
	assert.equal(g[0].fixes, undefined);
	const fixed = applyEdits(src, f[0].fixes![0].edits);
	assert.match(fixed, /timeout := time\.NewTimer\(time\.Second\)/);
	assert.match(fixed, /case <-timeout\.C:/);
	assert.match(fixed, /case m := <-msgs:\n\t\t\ttimeout\.Stop\(\)/);
	assert.deepEqual(await runRule(timeAfterInLoop, fixed, { minor: 22 }), []);
	const r = goCheck({ 'a.go': fixed }, { goVersion: '1.22' });
	assert.ok(r.ok, r.output + '\n' + fixed);
});

test('issue 11: when what follows the select leaves the loop, no timer is left pending while it goes round', async () => {
	// The message case falls out of the select into a return; only the timer case (whose timer fired) loops.
	const afterSelect = wrap(`	retry := true
	for {
		select {
		case m := <-msgs:
			handle(m)
		case <-time.After(time.Second):
			if retry {
				retry = false
				continue
			}
		}
		return
	}`);
	assert.deepEqual(await runRule(timeAfterInLoop, afterSelect, { minor: 21 }), []);
	// A labeled break after the select, out of the loop.
	const breakOut = wrap(`loop:
	for {
		select {
		case m := <-msgs:
			handle(m)
		case <-time.After(time.Second):
		}
		break loop
	}`);
	assert.deepEqual(await runRule(timeAfterInLoop, breakOut, { minor: 21 }), []);
	// The real case next to it is still found: the message case goes round again.
	const loops = afterSelect.replace('\t\treturn\n\t}', '\t\tif retry {\n\t\t\treturn\n\t\t}\n\t}');
	assert.equal((await runRule(timeAfterInLoop, loops, { minor: 21 })).length, 1);
});

test('issue 11: in a test file a loop bounded by a literal is not reported; an unbounded one is', async () => {
	const bounded = wrap(`	for i := 0; i < 2; i++ {
		select {
		case m := <-msgs:
			handle(m)
		case <-time.After(5 * time.Second):
			handle(i)
		}
	}`);
	const asTest = { minor: 21, filePath: '/tmp/memlens-test/a_test.go' };
	assert.deepEqual(await runRule(timeAfterInLoop, bounded, asTest), []);
	assert.equal((await runRule(timeAfterInLoop, bounded, { minor: 21 })).length, 1, 'the same loop outside a test');
	assert.equal((await runRule(timeAfterInLoop, SPEC_POSITIVE, asTest)).length, 1, 'an endless loop in a test');
});

test('a case that sets the loop condition flag ends the loop: no timer left pending while it goes round', async () => {
	// A health-check loop: `for !done`, the context case sets done; the timer case is the one that loops.
	const flag = wrap(`	done := false
	for !done {
		handle(0)
		select {
		case <-done2:
			done = true
		case <-time.After(time.Second):
		}
	}`, 'var done2 chan int\n');
	assert.deepEqual(await runRule(timeAfterInLoop, flag, { minor: 17 }), []);
	const running = flag.replace('done := false', 'running := true').replace('for !done', 'for running').replace('done = true', 'running = false');
	assert.deepEqual(await runRule(timeAfterInLoop, running, { minor: 17 }), []);
	// Setting the flag only sometimes, or to the value that keeps looping, leaves the finding.
	assert.equal((await runRule(timeAfterInLoop, flag.replace('\t\t\tdone = true', '\t\t\tif len(msgs) > 0 {\n\t\t\t\tdone = true\n\t\t\t}'), { minor: 17 })).length, 1);
	assert.equal((await runRule(timeAfterInLoop, flag.replace('done = true', 'done = false'), { minor: 17 })).length, 1);
});

test('in a test file a loop bounded by its header (range, i < n) is not reported', async () => {
	const asTest = { minor: 21, filePath: '/tmp/memlens-test/a_test.go' };
	const ranged = wrap(`	for _, want := range []int{1, 2, 3, 4} {
		select {
		case got := <-msgs:
			handle(got - want)
		case <-time.After(time.Second):
			return
		}
	}`);
	const counted = ranged.replace('for _, want := range []int{1, 2, 3, 4} {', 'want := 0\n\tfor i := 0; i < cap(msgs); i++ {');
	assert.deepEqual(await runRule(timeAfterInLoop, ranged, asTest), []);
	assert.deepEqual(await runRule(timeAfterInLoop, counted, asTest), []);
	assert.equal((await runRule(timeAfterInLoop, counted, { minor: 21 })).length, 1, 'the same loop outside a test');
});
