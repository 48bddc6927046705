import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deferInLoop } from '../../../server/src/rules/loops/deferInLoop';
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
	// It can exit now, but it blocks on the channel and defers on every iteration until told to stop:
	// an unbounded pile-up is the highest-confidence case (issue 11), not a plain warning.
	const exits = endless.replace('_ = name', 'if name == "" {\n\t\t\tbreak\n\t\t}');
	const fe = await runRule(deferInLoop, exits);
	assert.equal(fe[0].severity, 'error');
	assert.match(fe[0].message, /every iteration of a long-running loop/);
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

// Issue 11: each false-positive class stays silent, the real cases keep their (evidence-based) severity.
const mod = (body: string, extra = '') => `package p

import (
	"context"
	"net"
	"os"
	"sync/atomic"
	"testing"
)

${extra}
func run(names []string, l net.Listener, jobs <-chan func(), stop <-chan struct{}, n *int64, keep []*os.File) ([]*os.File, error) {
${body}
	return keep, nil
}
`;

test('issue 11: a resource meant to outlive its iteration is not reported (appended, stored, goroutine, used after, element)', async () => {
	const shapes = [
		`	for _, name := range names {\n\t\tf, err := os.Open(name)\n\t\tif err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t\tdefer f.Close()\n\t\tkeep = append(keep, f)\n\t}`,
		`	m := map[string]*os.File{}\n\tfor _, name := range names {\n\t\tf, _ := os.Open(name)\n\t\tdefer f.Close()\n\t\tm[name] = f\n\t}\n\t_ = m`,
		`	for range names {\n\t\tc, err := l.Accept()\n\t\tif err != nil {\n\t\t\tbreak\n\t\t}\n\t\tdefer c.Close()\n\t\tgo func() { _, _ = c.Write(nil) }()\n\t}`,
		`	var last *os.File\n\tfor _, name := range names {\n\t\tf, _ := os.Open(name)\n\t\tlast = f\n\t\tdefer f.Close()\n\t}\n\t_, _ = last.Stat()`,
		`	for i, name := range names {\n\t\tkeep[i], _ = os.Open(name)\n\t\tdefer keep[i].Close()\n\t}`,
		`	for range names {\n\t\tctx, cancel := context.WithCancel(context.Background())\n\t\tdefer cancel()\n\t\tgo serve(ctx)\n\t}`,
	];
	for (const s of shapes) assert.deepEqual(await runRule(deferInLoop, mod(s, 'func serve(context.Context) {}')), [], s);
});

test('issue 11: a defer that runs at most once is not reported (block ends in return or panic, loop returns at once, once-guard)', async () => {
	const shapes = [
		`	for _, name := range names {\n\t\tif f, err := os.Open(name); err == nil {\n\t\t\tdefer f.Close()\n\t\t\treturn []*os.File{f}, nil\n\t\t}\n\t}`,
		`	for _, name := range names {\n\t\tif name == "" {\n\t\t\tf, _ := os.Open(os.DevNull)\n\t\t\tdefer f.Close()\n\t\t\tpanic("empty")\n\t\t}\n\t}`,
		`	for _, name := range names {\n\t\tf, err := os.Open(name)\n\t\tdefer f.Close()\n\t\tif err != nil {\n\t\t\treturn nil, err\n\t\t} else {\n\t\t\treturn []*os.File{f}, nil\n\t\t}\n\t}`,
		`	var f *os.File\n\tfor _, name := range names {\n\t\tif f == nil {\n\t\t\tf, _ = os.Open(name)\n\t\t\tdefer f.Close()\n\t\t}\n\t}`,
	];
	for (const s of shapes) assert.deepEqual(await runRule(deferInLoop, mod(s)), [], s);
});

test('issue 11: a safety-net defer beside an explicit close is not reported', async () => {
	const s = `	for _, name := range names {\n\t\tf, err := os.Open(name)\n\t\tif err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t\tdefer f.Close()\n\t\tif _, err := f.Stat(); err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t\tf.Close()\n\t}`;
	assert.deepEqual(await runRule(deferInLoop, mod(s)), []);
	// Closed only on one branch: not a safety net.
	const half = s.replace('\t\tf.Close()\n\t}', '\t\tif name == "" {\n\t\t\tf.Close()\n\t\t}\n\t}');
	assert.equal((await runRule(deferInLoop, mod(half)))[0]?.severity, 'warning');
});

test('issue 11: a deferred callback in an endless select loop that returns only at shutdown is an error', async () => {
	const s = `	for {\n\t\tselect {\n\t\tcase <-stop:\n\t\t\treturn keep, nil\n\t\tcase job := <-jobs:\n\t\t\tjob()\n\t\t}\n\t\tdefer func() { atomic.AddInt64(n, 1) }()\n\t}`;
	const f = await runRule(deferInLoop, mod(s));
	assert.equal(f.length, 1);
	assert.equal(f[0].severity, 'error');
	assert.match(f[0].message, /^a func literal is deferred on every iteration of a long-running loop/);
	// Polling the stop channel with a default case: still runs until told to stop.
	const polling = `	for {\n\t\tjob := <-jobs\n\t\tjob()\n\t\tdefer func() { atomic.AddInt64(n, 1) }()\n\t\tselect {\n\t\tcase <-stop:\n\t\t\treturn keep, nil\n\t\tdefault:\n\t\t}\n\t}`;
	assert.equal((await runRule(deferInLoop, mod(polling)))[0]?.severity, 'error');
	// Per message, inside a case: an error when what it holds is not kept.
	const perCase = `	for {\n\t\tselect {\n\t\tcase <-stop:\n\t\t\treturn keep, nil\n\t\tcase <-jobs:\n\t\t\tf, _ := os.Open(names[0])\n\t\t\tdefer f.Close()\n\t\t\t_, _ = f.Stat()\n\t\t}\n\t}`;
	assert.equal((await runRule(deferInLoop, mod(perCase)))[0]?.severity, 'error');
});

test('issue 11: in a test file only a b.N loop (or a loop with no way out) is reported', async () => {
	const t = `package p

import (
	"os"
	"testing"
)

func TestEach(t *testing.T) {
	for _, n := range os.Args {
		f, _ := os.Open(n)
		defer f.Close()
		_, _ = f.Stat()
	}
}

func BenchmarkOpen(b *testing.B) {
	for i := 0; i < b.N; i++ {
		f, _ := os.Open(os.DevNull)
		defer f.Close()
	}
}
`;
	const f = await runRule(deferInLoop, t, { filePath: '/tmp/memlens-test/a_test.go' });
	assert.deepEqual(lines(f), [19]);
	assert.equal(f[0].severity, 'error');
	assert.match(f[0].message, /b\.N times/);
	// The same code outside a test file: both reported.
	assert.deepEqual(lines(await runRule(deferInLoop, t)), [11, 19]);
});

test('issue 11: a loop the code runs a fixed, small number of times is not reported (a relock still is)', async () => {
	const shapes = [
		`	var roots []string\n\tif len(names) > 0 {\n\t\troots = append(roots, names[0])\n\t}\n\troots = append(roots, "/etc")\n\tfor _, r := range roots {\n\t\tf, err := os.Open(r)\n\t\tif err != nil {\n\t\t\tcontinue\n\t\t}\n\t\tdefer f.Close()\n\t\t_, _ = f.Stat()\n\t}`,
		`	for _, r := range []string{"/etc/hosts", "/etc/resolv.conf"} {\n\t\tf, _ := os.Open(r)\n\t\tdefer f.Close()\n\t\t_, _ = f.Stat()\n\t}`,
		`	for i := 0; i < 4; i++ {\n\t\tf, _ := os.Open(names[i])\n\t\tdefer f.Close()\n\t\t_, _ = f.Stat()\n\t}`,
		`	for _, r := range defaultPaths {\n\t\tf, _ := os.Open(r)\n\t\tdefer f.Close()\n\t\t_, _ = f.Stat()\n\t}`,
	];
	for (const s of shapes) assert.deepEqual(await runRule(deferInLoop, mod(s, 'var defaultPaths = []string{"a", "b"}')), [], s);
	// Appended to in a loop, or a package variable assigned elsewhere: the count is not fixed.
	const grows = `	var roots []string\n\tfor _, n := range names {\n\t\troots = append(roots, n)\n\t}\n\tfor _, r := range roots {\n\t\tf, _ := os.Open(r)\n\t\tdefer f.Close()\n\t\t_, _ = f.Stat()\n\t}`;
	assert.equal((await runRule(deferInLoop, mod(grows)))[0]?.severity, 'warning');
	const reassigned = shapes[3];
	assert.equal((await runRule(deferInLoop, mod(reassigned, 'var defaultPaths = []string{"a", "b"}\n\nfunc init() { defaultPaths = os.Args }')))[0]?.severity, 'warning');
	assert.equal((await runRule(deferInLoop, mod(shapes[2].replace('i < 4', 'i < 1000'))))[0]?.severity, 'warning', 'a literal count above 100');
});
