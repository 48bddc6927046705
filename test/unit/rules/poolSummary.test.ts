/**
 * Summaries of this file's functions (poolSummary.ts): what a method does with its receiver, read
 * a bounded number of calls deep, and kept across runs only while the declarations it looked up
 * are the same nodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../../server/src/syntax/goParser';
import { mirrorOf, type Node } from '../../../server/src/syntax/mirror';
import type { FileFacts } from '../../../server/src/rules/pool/poolOwnership';
import { fileFacts } from '../../../server/src/rules/pool/poolOwnership';
import { poolIndex } from '../../../server/src/rules/pool/poolShared';
import { MAX_DEPTH, receiverName, summary } from '../../../server/src/rules/pool/poolSummary';

const V1 = `package a

import "sync"

var msgs sync.Pool

type msg struct{ refs int }

func (m *msg) done() { m.unref() }

func (m *msg) unref() {
	m.refs--
	if m.refs == 0 {
		msgs.Put(m)
	}
}

func (m *msg) a() { m.b() }
func (m *msg) b() { m.c() }
func (m *msg) c() { m.d() }
func (m *msg) d() { msgs.Put(m) }
`;

async function facts(src: string): Promise<{ f: FileFacts; method: (n: string) => Node; free: () => void }> {
	const parser = await newGoParser();
	const ts = parser.parse(src)!;
	const tree = mirrorOf(ts, src);
	const ctx = { tree, text: src, scope: undefined, memo: undefined };
	const f = fileFacts(poolIndex(ctx), tree.rootNode);
	const method = (n: string) => tree.rootNode.namedChildren.find((d) => d?.type === 'method_declaration' && d.childForFieldName('name')?.text === n)!;
	return { f, method, free: () => (ts.delete(), parser.delete()) };
}

test('a method that calls a releasing method releases its receiver; the budget bounds the depth', async () => {
	const { f, method, free } = await facts(V1);
	try {
		const done = method('done');
		assert.equal(summary(f, done, receiverName(done)).fate, 'release');
		const a = method('a');
		// a → b → c → d puts: four calls deep, one more than the budget reads.
		assert.equal(MAX_DEPTH, 3);
		assert.equal(summary(f, a, receiverName(a)).fate, 'unknown');
		const c = method('c');
		assert.equal(summary(f, c, receiverName(c)).fate, 'release');
	} finally {
		free();
	}
});

test('a kept summary is not reused once a declaration it looked up is another node', async () => {
	const one = await facts(V1);
	const two = await facts(V1.replace('\t\tmsgs.Put(m)\n', '\t\t_ = m\n'));
	try {
		const done = one.method('done');
		assert.equal(summary(one.f, done, 'm').fate, 'release');
		// The same `done` node, with `unref` now the second version's (no Put): recomputed.
		const mixed: FileFacts = {
			idx: one.f.idx,
			root: one.f.root,
			packages: one.f.packages,
			funcs: one.f.funcs,
			methods: new Map([...one.f.methods].map(([k, v]) => [k, k === 'unref' ? [two.method('unref')] : v])),
			signature: one.f.signature,
		};
		assert.equal(summary(mixed, done, 'm').fate, 'none');
		assert.equal(summary(one.f, done, 'm').fate, 'release', 'and back');
	} finally {
		one.free();
		two.free();
	}
});

test('a method whose locals alias its receiver through a call of itself terminates (the callee budget carries through aliases)', async () => {
	// regexp's machine.add shape: the alias scan reads `n := m.step(q)`, which asks step's own summary.
	const src = `package a

import "sync"

var machines sync.Pool

type machine struct{ next *machine }

func (m *machine) step(q []int) *machine {
	n := m.step(q[1:])
	if n == nil {
		return m
	}
	return n
}

func run() {
	m := machines.Get().(*machine)
	m.step(nil)
	machines.Put(m)
}
`;
	const { f, method, free } = await facts(src);
	try {
		const step = method('step');
		assert.ok(['none', 'unknown', 'handoff', 'release'].includes(summary(f, step, receiverName(step)).fate));
	} finally {
		free();
	}
});
