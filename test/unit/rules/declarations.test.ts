import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../../server/src/syntax/goParser';
import { mirrorOf, type Node } from '../../../server/src/syntax/mirror';
import { resolve } from '../../../server/src/rules/declarations';

// Resolves every identifier followed by the marker comment MARK and returns "kind@line" (or "none").
const MARK = '/*?*/';

async function resolveMarked(src: string): Promise<string[]> {
	const parser = await newGoParser();
	const tree = parser.parse(src)!;
	try {
		const root = mirrorOf(tree, src).rootNode;
		const out: string[] = [];
		const walk = (n: Node): void => {
			if ((n.type === 'identifier' || n.type === 'type_identifier') && src.startsWith(MARK, n.endIndex)) {
				const d = resolve(n);
				out.push(d ? `${d.kind}${d.pkg ? '(pkg)' : ''}@${d.name.startPosition.row + 1}${d.type ? `:${d.type.text}` : ''}` : 'none');
			}
			for (const c of n.children) walk(c);
		};
		walk(root);
		return out;
	} finally {
		tree.delete();
		parser.delete();
	}
}

test('resolve: block order, if/switch/for/range/select headers, type switches, literals, package level', async () => {
	const src = `package p

var g int

func f(v *T, xs []T, ch chan int) (r int) {
	_ = v/*?*/
	if v := v/*?*/.Load(); v/*?*/ != nil {
		_ = v/*?*/
	} else {
		_ = v/*?*/
	}
	_ = v/*?*/
	x := 1
	{
		_ = x/*?*/
		x := "s"
		_ = x/*?*/
	}
	for i := 0; i/*?*/ < 3; i++ {
		_ = i/*?*/
	}
	for _, e := range xs/*?*/ {
		_ = e/*?*/
	}
	switch w := v.(type) {
	case *T:
		_ = w/*?*/
	case A, B:
		_ = w/*?*/
	}
	select {
	case n := <-ch:
		_ = n/*?*/
	}
	func(v int) { _ = v/*?*/; _ = g/*?*/; _ = r/*?*/ }(0)
	var y, z = 1, x/*?*/
	_ = z/*?*/
	_ = y
	_ = other/*?*/
	return
}

func G[T any](t T/*?*/) {}
`;
	assert.deepEqual(await resolveMarked(src), [
		'param@5:*T',
		'param@5:*T',
		'short@7',
		'short@7',
		'short@7',
		'param@5:*T',
		'short@13',
		'short@16',
		'short@19',
		'short@19',
		'param@5:[]T',
		'range@22',
		'typeSwitch@25:*T',
		'typeSwitch@25',
		'receive@32',
		'param@35:int',
		'var(pkg)@3:int',
		'result@5:int',
		'short@13',
		'var@36',
		'none',
		'typeParam@43',
	]);
});
