import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../../server/src/syntax/goParser';
import { mirrorOf, type Node } from '../../../server/src/syntax/mirror';
import { declarationOf, resolve } from '../../../server/src/rules/shared/declarations';

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
				out.push(d ? `${d.kind}${d.pkg ? '(pkg)' : ''}@${d.id.startPosition.row + 1}${d.type ? `:${d.type.text}` : ''}` : 'none');
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

test('resolve: a := in the body block reuses a parameter or result, var specs in order, a label with a comment', async () => {
	const src = `package p

func f(n int) (err error) {
	x, err := g()
	_ = err/*?*/
	const (
		a = 1
		b = a/*?*/ + 1
	)
L:
	// a comment between the label and its statement
	id := x
	_ = id/*?*/
	goto L
}
`;
	assert.deepEqual(await resolveMarked(src), ['result@3:error', 'const@7', 'short@12']);
});

/** declarationOf for the identifiers marked `/*d*​/`: "kind@line" of what each declares or refers to. */
async function declaredMarked(src: string): Promise<string[]> {
	const parser = await newGoParser();
	const tree = parser.parse(src)!;
	try {
		const root = mirrorOf(tree, src).rootNode;
		return root
			.descendantsOfType('identifier')
			.filter((n) => src.startsWith('/*d*/', n!.endIndex))
			.map((n) => {
				const d = declarationOf(n!);
				return d ? `${d.kind}@${d.id.startPosition.row + 1}` : 'none';
			});
	} finally {
		tree.delete();
		parser.delete();
	}
}

test('declarationOf: a declaring identifier denotes its own declaration, or the variable its := reuses', async () => {
	const src = `package p

func f(v any, ch chan int) (r int) {
	a/*d*/, b := 1, 2
	a/*d*/, c/*d*/ := 3, 4
	for i/*d*/ := 0; i/*d*/ < b; i++ {
	}
	switch t/*d*/ := v.(type) {
	case int:
		_ = t
	}
	select {
	case m/*d*/ := <-ch:
		_ = m
	}
	if r/*d*/, ok := 1, true; ok {
		_ = r
	}
	r/*d*/, e := 5, 6
	_, _ = c, e
	return
}
`;
	assert.deepEqual(await declaredMarked(src), ['short@4', 'short@4', 'short@5', 'short@6', 'short@6', 'typeSwitch@8', 'receive@13', 'short@16', 'result@3']);
});
