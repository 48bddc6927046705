import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRule, lines } from '../ruleHarness';
import { applyEdits, goCheck } from '../fixHarness';
import { loopvarRedundantCopy } from '../../../server/src/rules/loopvarRedundantCopy';

const src = `package a

import "testing"

func check(t *testing.T, n int) {}

func TestX(t *testing.T) {
	cases := []struct {
		name string
		n    int
	}{{"a", 1}}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.name, func(t *testing.T) { t.Parallel(); check(t, tc.n) })
	}
	for i, tc := range cases { i, tc := i, tc; _, _ = i, tc }
}
`;

test('go1.22: copies reported as Unnecessary hints, with exact range', async () => {
	const f = await runRule(loopvarRedundantCopy, src, { minor: 22 });
	assert.deepEqual(lines(f), [13, 16]);
	assert.deepEqual(f[0].range, { start: { line: 12, character: 2 }, end: { line: 12, character: 10 } });
	assert.equal(f[0].severity, 'hint');
	assert.deepEqual(f[0].tags, [1]);
	assert.match(f[0].message, /go1\.22, from go\.mod/);
});

test('below go1.22 or unknown version the copy is required: silent', async () => {
	assert.deepEqual(await runRule(loopvarRedundantCopy, src, { minor: 21 }), []);
	assert.deepEqual(await runRule(loopvarRedundantCopy, src, { minor: undefined }), []);
});

test('negatives: `=` form, outer variable copies, copies of a copy, 3-clause loop writing the copy', async () => {
	const s = `package a

func F(xs []int) {
	var v int
	for _, v = range xs {
		v := v
		go func() { _ = v }()
	}
	w := 1
	for range xs {
		w := w
		_ = w
	}
	for i := 0; i < 3; i++ {
		i := i
		i++
		_ = i
	}
	for i := 0; i < 3; i++ {
		i := i
		go func() { _ = i }()
	}
}
`;
	assert.deepEqual(lines(await runRule(loopvarRedundantCopy, s, { minor: 23 })), [20]);
});

test('half-typed code does not throw', async () => {
	for (const s of ['package a\nfunc F() { for _, v := range x { v := ', 'package a\nfunc F() { for _, v := range x { v := v']) await runRule(loopvarRedundantCopy, s, { minor: 22 });
});

test('fix: deleting the copies vets clean and silences the rule', async () => {
	let out = src;
	for (let i = 0; i < 5; i++) {
		const f = await runRule(loopvarRedundantCopy, out, { minor: 22 });
		if (!f.length) break;
		assert.equal(f[0].fixes![0].safe, true);
		out = applyEdits(out, f[0].fixes![0].edits);
	}
	assert.match(out, /range cases \{\n\t\tt\.Run/);
	assert.match(out, /range cases \{ _, _ = i, tc \}/);
	const r = goCheck({ 'a_test.go': out }, { goVersion: '1.22' });
	assert.ok(r.ok, r.output);
});

test('every prefix of the fixture (half-typed code) runs without throwing', async () => {
	for (let n = 0; n <= src.length; n += 5) await runRule(loopvarRedundantCopy, src.slice(0, n), { minor: 21 });
});

test('3-clause loop whose body writes the copy through `&i` or a method: not redundant; a range loop writing its copy is', async () => {
	const s = `package a

type ctr int

func (c *ctr) bump() { *c++ }

func F(xs []int) {
	for i := 0; i < 6; i++ {
		i := i
		p := &i
		*p += 1
	}
	for c := ctr(0); c < 6; c++ {
		c := c
		c.bump()
	}
	for _, v := range xs {
		v := v
		v++
		_ = &v
	}
}
`;
	// Without the copy, the first two loops would step their counter twice per iteration (go1.26:
	// a go1.22 module prints 1 3 5 instead of 1 2 3 4 5 6); a range loop re-assigns v anyway.
	assert.deepEqual(lines(await runRule(loopvarRedundantCopy, s, { minor: 22 })), [18]);
});
