import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deferInLoop } from '../../../server/src/rules/deferInLoop';
import { lines, runRule, assertTotalOnSplices } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';

const wrap = (body: string) => `package p

import (
	"os"
	"sync"
)

func process(*os.File) error { return nil }

func run(names []string, mu *sync.Mutex, ch chan string) error {
${body}
	return nil
}
`;

const SPEC_POSITIVE = wrap(`	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := process(f); err != nil {
			return err
		}
	}`);

test('spec positive: reported at the defer with the exact range, warning for a release call', async () => {
	const f = await runRule(deferInLoop, SPEC_POSITIVE);
	assert.deepEqual(lines(f), [16]);
	assert.deepEqual(f[0].range, { start: { line: 15, character: 2 }, end: { line: 15, character: 17 } });
	assert.equal(f[0].severity, 'warning');
	assert.match(f[0].message, /`f\.Close\(\)`.*function returns/);
	// The body returns: wrapping it would change what `return err` means.
	assert.equal(f[0].fixes, undefined);
});

test('spec negative and other negatives: per-iteration closure, one-shot loop, defer outside loops', async () => {
	const closure = wrap(`	for _, name := range names {
		if err := func() error {
			f, err := os.Open(name)
			if err != nil {
				return err
			}
			defer f.Close()
			return process(f)
		}(); err != nil {
			return err
		}
	}`);
	const oneShot = wrap(`	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close()
		return process(f)
	}`);
	const outside = wrap(`	mu.Lock()
	defer mu.Unlock()
	for range names {
	}`);
	for (const src of [closure, oneShot, outside]) assert.deepEqual(await runRule(deferInLoop, src), [], src);
});

test('severity: error in a loop that never exits, information for a non-release call', async () => {
	const endless = wrap(`	for {
		name := <-ch
		mu.Lock()
		defer mu.Unlock()
		_ = name
	}`);
	const f = await runRule(deferInLoop, endless);
	assert.equal(f[0].severity, 'error');
	assert.match(f[0].message, /never run/);
	const exits = endless.replace('_ = name', 'if name == "" {\n\t\t\tbreak\n\t\t}');
	assert.equal((await runRule(deferInLoop, exits))[0].severity, 'warning');
	const overChan = wrap(`	for name := range ch {
		mu.Lock()
		defer mu.Unlock()
		_ = name
	}
	local := make(chan int)
	for v := range local {
		defer println(v)
	}
	for _, n := range names {
		defer println(n)
	}`);
	const fc = await runRule(deferInLoop, overChan);
	assert.deepEqual(fc.map((x) => x.severity), ['error', 'error', 'information']);
	assert.match(fc[0].message, /loop over the channel `ch`/);
	const logging = wrap(`	for i, name := range names {
		defer println(i, name)
	}`);
	assert.equal((await runRule(deferInLoop, logging))[0].severity, 'information');
	const lit = await runRule(deferInLoop, wrap(`	for range names {\n\t\tdefer func() { mu.Unlock() }()\n\t}`));
	assert.match(lit[0].message, /^a func literal is deferred inside a loop/);
});

test('nested loops and closures: the defer in a func literal inside a loop body is fine', async () => {
	const src = wrap(`	for _, n := range names {
		for i := 0; i < 3; i++ {
			mu.Lock()
			defer mu.Unlock()
		}
		go func() {
			for range n {
				defer mu.Unlock()
			}
		}()
	}`);
	assert.deepEqual(lines(await runRule(deferInLoop, src)), [14, 18]);
});

test('no fix when the body breaks, returns, jumps to a label or continues an outer loop', async () => {
	const shapes = [
		`	for _, n := range names {\n\t\tdefer mu.Unlock()\n\t\tif n == "" {\n\t\t\tbreak\n\t\t}\n\t}`,
		`outer:\n\tfor range names {\n\t\tfor range names {\n\t\t\tdefer mu.Unlock()\n\t\t\tcontinue outer\n\t\t}\n\t}`,
		`	for range names {\n\t\tdefer mu.Unlock()\n\t\tgoto end\n\t}\nend:`,
	];
	for (const s of shapes) {
		const f = await runRule(deferInLoop, wrap(s));
		assert.equal(f.length, 1, s);
		assert.equal(f[0].fixes, undefined, s);
	}
});

test('half-typed code does not throw', async () => {
	for (const src of ['package p\nfunc f() { for { defer ', 'package p\nfunc f() { for x := range { defer f.Close() ', 'defer for {']) {
		await runRule(deferInLoop, src);
	}
});

test('fix: wrapping the body (continue → return, inner break kept) compiles, vets and clears the finding', async () => {
	const a = wrap(`	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close()
		for i := 0; i < 2; i++ {
			if i == 1 {
				break
			}
		}
		switch name {
		case "x":
			break
		}
		_ = process(f)
	}`);
	const b = wrap(`	for i := 0; i < len(names); i++ {
		mu.Lock()
		defer mu.Unlock()
		fn := func() error { return nil }
		_ = fn()
	}`);
	const fixed: Record<string, string> = {};
	for (const [i, src] of [a, b].entries()) {
		const f = await runRule(deferInLoop, src);
		assert.equal(f.length, 1);
		const out = applyEdits(src, f[0].fixes![0].edits);
		assert.match(out, /\t\tfunc\(\) \{\n/);
		assert.deepEqual(await runRule(deferInLoop, out), []);
		fixed[`p${i}/a.go`] = out;
	}
	assert.match(fixed['p0/a.go'], /\t\t\t\treturn\n/);
	const r = goCheck(fixed, { goVersion: '1.21' });
	assert.ok(r.ok, r.output + '\n' + Object.values(fixed).join('\n'));
});

test('never throws on arbitrary cuts and splices of the fixture', () => assertTotalOnSplices(deferInLoop, SPEC_POSITIVE));
