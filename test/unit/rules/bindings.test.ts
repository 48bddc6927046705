/** bindings.ts: which declaration an identifier refers to (Go's block scoping, shadowing). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../../server/src/syntax/goParser';
import { mirrorOf, type Node } from '../../../server/src/syntax/mirror';
import { reassignedIn, referencesTo } from '../../../server/src/rules/shared/bindings';
import { localDeclarationOf as declarationOf } from '../../../server/src/rules/shared/declarations';

/** The identifiers tagged `/*N*​/` right after them, by N, plus the tree. */
async function parse<T>(src: string, fn: (ids: Map<string, Node>, root: Node) => T): Promise<T> {
	const parser = await newGoParser();
	const tree = parser.parse(src)!;
	try {
		const root = mirrorOf(tree, src).rootNode;
		const ids = new Map<string, Node>();
		for (const c of root.descendantsOfType('comment')) {
			const m = /^\/\*(\w+)\*\/$/.exec(c!.text);
			if (!m) continue;
			const id = root.descendantsOfType('identifier').filter((i) => i!.endIndex === c!.startIndex)[0];
			if (id) ids.set(m[1], id);
		}
		return fn(ids, root);
	} finally {
		tree.delete();
		parser.delete();
	}
}

/** Line (1-based) of the declaration an identifier resolves to, or 0. */
const declLine = (n: Node) => (declarationOf(n)?.id.startPosition.row ?? -1) + 1;

test('shadowing: if/switch init, inner blocks, := in a loop body, closures, parameters', async () => {
	const src = `package p

func f(v int) int {
	x := v/*a*/
	if v := x/*b*/ + 1; v/*c*/ > 0 {
		return v/*d*/
	} else {
		_ = v/*e*/
	}
	for _, v := range []int{x} {
		x := v/*f*/
		_ = x/*g*/
	}
	{
		var x = 2
		_ = x/*h*/
	}
	switch y := x/*i*/.(type) {
	case int:
		_ = y/*j*/
	}
	go func() { _ = x/*k*/ }()
	x, err := v/*l*/, error(nil)
	_ = err
	return x/*m*/
}
`;
	await parse(src, (ids) => {
		const want: Record<string, number> = { a: 3, b: 4, c: 5, d: 5, e: 5, f: 10, g: 11, h: 15, i: 4, j: 18, k: 4, l: 3, m: 4 };
		for (const [tag, line] of Object.entries(want)) assert.equal(declLine(ids.get(tag)!), line, tag);
	});
});

test('the value of a := refers to the outer name; a := in the body block reuses a parameter; package names resolve to nothing', async () => {
	await parse(
		`package p

var g = 1

func f(c int, d int) {
	{
		c := c/*a*/ + g/*b*/
		_ = c/*c*/
	}
	e, d := 1, 2
	_, _ = e, d/*d*/
}
`,
		(ids) => {
			assert.equal(declLine(ids.get('a')!), 5);
			assert.equal(declarationOf(ids.get('b')!), undefined);
			assert.equal(declLine(ids.get('c')!), 7);
			// Go spec, short variable declarations: a name declared earlier in the same block, or
			// among the parameters when the block is the function body, is reused.
			assert.equal(declLine(ids.get('d')!), 5);
		},
	);
});

test('referencesTo skips a same-named variable of a sibling scope and composite keys; reassignedIn', async () => {
	await parse(
		`package p

func f(conn int) {
	for i := 0; i < 3; i++ {
		if conn := i; conn > 0 {
			_ = conn
		}
		_ = T{conn: conn}
		conn = i
	}
}
`,
		(_ids, root) => {
			const param = root.descendantsOfType('parameter_declaration')[0]!.childrenForFieldName('name')[0]!;
			const b = declarationOf(param)!;
			const loop = root.descendantsOfType('for_statement')[0]!;
			const refs = referencesTo(b, loop).map((r) => `${r.startPosition.row + 1}:${r.startPosition.column}`);
			assert.deepEqual(refs, ['8:14', '9:2']);
			assert.equal(reassignedIn(b, loop), true);
			const inner = declarationOf(root.descendantsOfType('if_statement')[0]!.childForFieldName('initializer')!.childForFieldName('left')!.namedChild(0)!)!;
			assert.equal(reassignedIn(inner, loop), false);
		},
	);
});
