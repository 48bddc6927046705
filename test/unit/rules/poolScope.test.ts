/** Names resolved by Go's block scoping (poolScope.ts): a shadowing `:=` is never taken for the variable it hides. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolPutNonPointer } from '../../../server/src/rules/pool/poolPutNonPointer';
import { poolPutLocalAddress } from '../../../server/src/rules/pool/poolPutLocalAddress';
import { newGoParser } from '../../../server/src/syntax/goParser';
import { mirrorOf, type Node } from '../../../server/src/syntax/mirror';
import { descendants } from '../../../server/src/rules/shared/ast';
import { resolveLocal } from '../../../server/src/rules/shared/declarations';
import { runRule, lines } from '../ruleHarness';

const SRC = `package a

import (
	"bytes"
	"sync"
)

var pool = sync.Pool{New: func() any { return new(bytes.Buffer) }}
var slices sync.Pool
var spare []byte

func shadowed() {
	b := pool.Get().(*bytes.Buffer)
	{
		b := make([]byte, 3)
		_ = b
	}
	pool.Put(b)
}

func global(big bool) {
	if big {
		spare := make([]byte, 1)
		_ = spare
	}
	slices.Put(&spare)
}

func header(n int) {
	if b := make([]byte, n); n > 0 {
		slices.Put(b)
	}
	for i, v := range []int{1} {
		_, _ = i, v
	}
}
`;

test('pool-put-non-pointer reads the declaration in scope, not the last one before the Put', async () => {
	const f = await runRule(poolPutNonPointer, SRC);
	assert.deepEqual(lines(f), [31], 'only the slice declared in the if header');
});

test('pool-put-local-address skips a package-level variable hidden by a local in another block', async () => {
	assert.deepEqual(await runRule(poolPutLocalAddress, SRC), []);
});

test('resolveLocal: blocks, if/for headers, parameters, package level', async () => {
	const parser = await newGoParser();
	const ts = parser.parse(SRC)!;
	const tree = mirrorOf(ts, SRC);
	try {
		const fns = descendants(tree.rootNode, 'function_declaration');
		const byName = (n: string) => fns.find((f) => f.childForFieldName('name')?.text === n)!;
		const uses = (fn: Node, name: string) => descendants(fn, 'identifier').filter((i) => i.text === name);
		const put = uses(byName('shadowed'), 'b').at(-1)!;
		assert.equal(resolveLocal(put, 'b', byName('shadowed'))?.value?.text, 'pool.Get().(*bytes.Buffer)');
		const inner = uses(byName('shadowed'), 'b')[2];
		assert.equal(resolveLocal(inner, 'b', byName('shadowed'))?.value?.text, 'make([]byte, 3)');
		assert.equal(resolveLocal(uses(byName('global'), 'spare').at(-1)!, 'spare', byName('global')), undefined);
		const n = uses(byName('header'), 'n');
		assert.equal(resolveLocal(n.at(-1)!, 'n', byName('header'))?.kind, 'param');
		const v = uses(byName('header'), 'v').at(-1)!;
		assert.equal(resolveLocal(v, 'v', byName('header'))?.decl.type, 'range_clause');
	} finally {
		ts.delete();
		parser.delete();
	}
});
