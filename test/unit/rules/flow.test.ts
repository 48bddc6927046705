/** flow.ts and loops.ts: Go's terminating statements (the spec's list), outcomes, and "can this run again in the loop". */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../../server/src/syntax/goParser';
import { mirrorOf, type Node } from '../../../server/src/syntax/mirror';
import { caseRepeats, isTerminating, onceGuard, repeatingLoop, statementsOf } from '../../../server/src/rules/shared/flow';
import { exitsOnlyOnSignal, fixedCount, literalBound, onMainPath, waitsForEvents } from '../../../server/src/rules/shared/loopShape';

/** Parses `func f() { BODY }` and hands the body's statements (and the tree) to `fn`. */
async function withBody<T>(body: string, fn: (stmts: Node[], root: Node) => T): Promise<T> {
	const src = `package p\n\nfunc f(ch chan int, xs []int, b *testing.B) int {\n${body}\n}\n`;
	const parser = await newGoParser();
	const tree = parser.parse(src)!;
	try {
		const root = mirrorOf(tree, src).rootNode;
		const decl = root.descendantsOfType('function_declaration')[0]!;
		return fn(statementsOf(decl.childForFieldName('body')), root);
	} finally {
		tree.delete();
		parser.delete();
	}
}

const last = (s: Node[]) => s[s.length - 1];
/** The statement tagged with a trailing `// here` comment. */
function tagged(root: Node): Node {
	const c = root.descendantsOfType('comment').find((x) => x?.text === '// here')!;
	let n = c.previousSibling ?? c.parent!;
	while (n.parent && n.parent.type !== 'statement_list') n = n.parent;
	return n;
}

test('isTerminating follows the spec, case by case', async () => {
	const yes = [
		'return 1',
		'panic("x")',
		'{ return 1 }',
		'if true { return 1 } else { panic(1) }',
		'if true { return 1 } else if false { return 2 } else { return 3 }',
		'for { }',
		'for { select {} }',
		'switch { case true: return 1; default: panic(2) }',
		'switch { case true: fallthrough; default: return 2 }',
		'select { case <-ch: return 1 }',
		'select {}',
		'L: for { }',
		'goto L; L: return 0',
	];
	for (const s of yes) assert.equal(await withBody(`\t${s}`, (st) => isTerminating(st[0])), true, s);
	const no = [
		'if true { return 1 }', // no else
		'for { break }', // a break refers to the loop
		'L: for { for { break L } }',
		'for i := 0; i < 3; i++ { return 1 }', // has a condition
		'for range xs { return 1 }',
		'switch { case true: return 1 }', // no default
		'switch { case true: break; default: return 2 }', // a break refers to the switch
		'select { case <-ch: break }',
		'os.Exit(1)', // only panic counts in the spec
		'{ }',
	];
	for (const s of no) assert.equal(await withBody(`\t${s}`, (st) => isTerminating(st[0])), false, s);
	// A list ends in a terminating statement: the last one, not any.
	assert.equal(await withBody('\treturn 1\n\tx := 2\n\t_ = x', (st) => isTerminating(last(st))), false);
});

test('repeatingLoop: runs at most once when every path after it leaves the loops', async () => {
	const once = [
		// The block always returns (its if/else is terminating).
		'for _, x := range xs {\n\t\tif x > 0 {\n\t\t\tdefer g() // here\n\t\t\treturn x\n\t\t}\n\t}\n\treturn 0',
		// The block always panics.
		'for range xs {\n\t\tdefer g() // here\n\t\tpanic("no")\n\t}\n\treturn 0',
		// The loop returns in its first iteration whichever branch runs.
		'for range xs {\n\t\tdefer g() // here\n\t\tif len(xs) > 1 {\n\t\t\treturn 1\n\t\t} else {\n\t\t\treturn 2\n\t\t}\n\t}\n\treturn 0',
		// A break out of the loop right after it.
		'for range xs {\n\t\tdefer g() // here\n\t\tbreak\n\t}\n\treturn 0',
		// A labeled break out of both loops.
		'L:\n\tfor range xs {\n\t\tfor range xs {\n\t\t\tdefer g() // here\n\t\t\tbreak L\n\t\t}\n\t}\n\treturn 0',
		// A switch whose every case returns, then nothing else.
		'for range xs {\n\t\tdefer g() // here\n\t\tswitch {\n\t\tcase len(xs) > 2:\n\t\t\treturn 1\n\t\tdefault:\n\t\t\treturn 2\n\t\t}\n\t}\n\treturn 0',
		// log.Fatal and t.Fatal do not come back.
		'for range xs {\n\t\tdefer g() // here\n\t\tlog.Fatalf("x")\n\t}\n\treturn 0',
		// A once-guard on a variable declared outside the loop.
		'var t *T\n\tfor range xs {\n\t\tif t == nil {\n\t\t\tt = newT()\n\t\t\tdefer t.Stop() // here\n\t\t}\n\t}\n\treturn 0',
		'done := false\n\tfor range xs {\n\t\tif !done && len(xs) > 0 {\n\t\t\tdefer g() // here\n\t\t\tdone = true\n\t\t}\n\t}\n\treturn 0',
		// Not in a loop at all.
		'defer g() // here\n\treturn 0',
	];
	for (const b of once) assert.equal(await withBody(b, (_s, root) => repeatingLoop(tagged(root))), null, b);
	const again = [
		'for range xs {\n\t\tdefer g() // here\n\t}\n\treturn 0',
		// A continue before the return goes round.
		'for range xs {\n\t\tdefer g() // here\n\t\tif len(xs) > 1 {\n\t\t\tcontinue\n\t\t}\n\t\treturn 1\n\t}\n\treturn 0',
		// A break of the select (not the loop) falls through and goes round.
		'for {\n\t\tselect {\n\t\tcase <-ch:\n\t\t\tdefer g() // here\n\t\t\tbreak\n\t\t}\n\t}',
		// An inner loop that runs once, inside an outer loop that goes round.
		'for range xs {\n\t\tfor range xs {\n\t\t\tdefer g() // here\n\t\t\tbreak\n\t\t}\n\t}\n\treturn 0',
		// continue of the outer loop from the inner one.
		'L:\n\tfor range xs {\n\t\tfor range xs {\n\t\t\tdefer g() // here\n\t\t\tcontinue L\n\t\t}\n\t}\n\treturn 0',
		// goto may go anywhere.
		'for range xs {\n\tA:\n\t\tdefer g() // here\n\t\tgoto A\n\t}\n\treturn 0',
		// The guard variable is declared in the loop: it resets every iteration.
		'for range xs {\n\t\tvar t *T\n\t\tif t == nil {\n\t\t\tt = newT()\n\t\t\tdefer t.Stop() // here\n\t\t}\n\t}\n\treturn 0',
		// A guard that does not assign its variable guards nothing.
		'var t *T\n\tfor range xs {\n\t\tif t == nil {\n\t\t\tdefer g() // here\n\t\t}\n\t}\n\treturn 0',
	];
	for (const b of again) assert.notEqual(await withBody(b, (_s, root) => repeatingLoop(tagged(root))), null, b);
	// The loop found is the one that goes round: the outer one here.
	const outer = await withBody('L:\n\tfor range xs {\n\t\tfor i := 0; ; i++ {\n\t\t\tdefer g() // here\n\t\t\tcontinue L\n\t\t}\n\t}\n\treturn 0', (_s, root) => repeatingLoop(tagged(root))?.startPosition.row);
	assert.equal(outer, 4);
});

test('onceGuard recognises nil, zero, false and ! guards whose body assigns the variable', async () => {
	const g = (body: string) => withBody(body, (st) => onceGuard(st[0]) ?? null);
	assert.equal(await g('\tif s.t == nil {\n\t\ts.t = x\n\t}'), 's.t');
	assert.equal(await g('\tif n == 0 && ok {\n\t\tn = 1\n\t}'), 'n');
	assert.equal(await g('\tif !(seen) {\n\t\tseen = true\n\t}'), 'seen');
	assert.equal(await g('\tif t != nil {\n\t\tt = nil\n\t}'), null);
	assert.equal(await g('\tif t == nil {\n\t\tu = x\n\t}'), null);
	assert.equal(await g('\tif t == nil {\n\t\tgo func() { t = x }()\n\t}'), null, 'an assignment in another function does not guard');
});

test('onMainPath, caseRepeats, waitsForEvents, exitsOnlyOnSignal, literalBound', async () => {
	await withBody('for range xs {\n\t\tdefer g() // here\n\t}\n\treturn 0', (st, root) => assert.equal(onMainPath(tagged(root), st[0]), true));
	await withBody('for range xs {\n\t\tif true {\n\t\t\tdefer g() // here\n\t\t}\n\t}\n\treturn 0', (st, root) => assert.equal(onMainPath(tagged(root), st[0]), false));
	// caseRepeats: the message case goes round unless what follows the select leaves the loop.
	const cases = (body: string) =>
		withBody(body, (_s, root) => root.descendantsOfType('communication_case').map((c) => caseRepeats(c!) !== null));
	assert.deepEqual(await cases('for {\n\t\tselect {\n\t\tcase <-ch:\n\t\tcase <-ch:\n\t\t\treturn 1\n\t\t}\n\t}'), [true, false]);
	assert.deepEqual(await cases('for {\n\t\tselect {\n\t\tcase <-ch:\n\t\tcase <-ch:\n\t\t\tcontinue\n\t\t}\n\t\treturn 1\n\t}'), [false, true]);
	const loop0 = (body: string, f: (l: Node) => unknown) => withBody(body, (st) => f(st[0]));
	assert.equal(await loop0('for {\n\t\tselect {\n\t\tcase <-ch:\n\t\t}\n\t}', waitsForEvents), true);
	assert.equal(await loop0('for {\n\t\tselect {\n\t\tcase <-ch:\n\t\tdefault:\n\t\t}\n\t}', waitsForEvents), false, 'a select with default polls');
	assert.equal(await loop0('for {\n\t\tv := <-ch\n\t\t_ = v\n\t}', waitsForEvents), true);
	assert.equal(await loop0('for {\n\t\tgo func() { <-ch }()\n\t}', waitsForEvents), false, 'a receive in a goroutine is not the loop waiting');
	assert.equal(await loop0('for {\n\t\tselect {\n\t\tcase <-ch:\n\t\t\treturn 1\n\t\tdefault:\n\t\t}\n\t}', exitsOnlyOnSignal), true);
	assert.equal(await loop0('for {\n\t\tif len(xs) == 0 {\n\t\t\tbreak\n\t\t}\n\t\tselect {\n\t\tcase <-ch:\n\t\t\treturn 1\n\t\tdefault:\n\t\t}\n\t}', exitsOnlyOnSignal), false);
	assert.equal(await loop0('for i := 0; i < 10; i++ {\n\t}', literalBound), 10);
	assert.equal(await loop0('for i := 0; i <= 2; i++ {\n\t}', literalBound), 3);
	assert.equal(await loop0('for range 1_000 {\n\t}', literalBound), 1000);
	assert.equal(await loop0('for _, s := range []string{"a", "b"} {\n\t\t_ = s\n\t}', literalBound), 2);
	assert.equal(await loop0('for i := 0; i < len(xs); i++ {\n\t}', literalBound), undefined);
	assert.equal(await loop0('for i := 0; i < b.N; i++ {\n\t}', literalBound), undefined);
});

test('fixedCount: literal bounds and slices whose length the function fixes', async () => {
	const count = (body: string) => withBody(body, (st) => fixedCount(st.find((x) => x.type === 'for_statement')!) ?? null);
	assert.equal(await count('for i := 0; i < 3; i++ {\n\t}'), 3);
	assert.equal(await count('ps := []int{1, 2}\n\tps = ps[:1]\n\tfor range ps {\n\t}'), 2);
	assert.equal(await count('var rs []string\n\tif len(xs) > 0 {\n\t\trs = append(rs, "a")\n\t}\n\trs = append(rs, "b", "c")\n\tfor range rs {\n\t}'), 3);
	assert.equal(await count('var rs []string\n\tif len(xs) > 0 {\n\t\trs = []string{"a"}\n\t} else {\n\t\trs = []string{"b", "c"}\n\t}\n\tfor range rs {\n\t}'), 2);
	assert.equal(await count('var rs []int\n\tfor _, x := range xs {\n\t\trs = append(rs, x)\n\t}\n\tfor range rs {\n\t}'), null, 'appended in a loop');
	assert.equal(await count('rs := xs[:2]\n\tfor range rs {\n\t}'), null, 'from input');
	assert.equal(await count('rs := append([]int{}, xs...)\n\tfor range rs {\n\t}'), null);
	assert.equal(await count('for range xs {\n\t}'), null);
});
