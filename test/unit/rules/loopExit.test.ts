import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../../server/src/syntax/goParser';
import { mirrorOf } from '../../../server/src/syntax/mirror';
import { descendants } from '../../../server/src/rules/shared/ast';
import { leavesLoopAfter } from '../../../server/src/rules/shared/loopExit';

/** leavesLoopAfter(mark(), the function's outermost loop) for each function of `body`. */
async function answers(funcs: string): Promise<Record<string, boolean>> {
	const src = `package p\n\n${funcs}`;
	const parser = await newGoParser();
	const tree = parser.parse(src)!;
	try {
		const root = mirrorOf(tree, src).rootNode;
		const out: Record<string, boolean> = {};
		for (const fn of descendants(root, 'function_declaration')) {
			const mark = descendants(fn, 'call_expression').find((c) => c.childForFieldName('function')?.text === 'mark')!;
			const loop = descendants(fn, 'for_statement')[0];
			out[fn.childForFieldName('name')!.text] = leavesLoopAfter(mark, loop);
		}
		return out;
	} finally {
		tree.delete();
		parser.delete();
	}
}

test('leaves: return, break, panic, t.Fatal, if/else that all leave, break after a nested if, fallthrough and switches followed', async () => {
	const got = await answers(`
func ret(xs []int) { for _, x := range xs { if x > 0 { mark(); return } } }
func brk(xs []int) { for _, x := range xs { mark(); log(x); break } }
func pnc(xs []int) { for range xs { mark(); panic("x") } }
func fatal(t T, xs []int) { for range xs { mark(); t.Fatalf("x") } }
func both(xs []int) { for range xs { mark(); if ok() { return } else { break } } }
func fallOut(xs []int) { for range xs { if ok() { mark() }; return } }
func caseOut(xs []int) { for range xs { switch { case ok(): mark() }; return } }
func labeled(xs []int) { outer: for range xs { for range xs { mark(); break outer } } }
func contOuter(xs []int) { for range xs { inner: for range xs { for range xs { mark(); continue inner } } } }
func switchBreakThenReturn(xs []int) { for range xs { switch { case ok(): mark(); break }; return } }
func fallthroughCase(xs []int) { for range xs { switch { case ok(): mark(); fallthrough; default: }; return } }
func everyCaseReturns(xs []int) { for range xs { mark(); switch { case ok(): return; default: panic("x") } } }
func breakInIfThenReturn(xs []int) { for range xs { switch { case ok(): mark(); if ok() { break }; log(1) }; return } }
func deepFatal(s S, xs []int) { for range xs { mark(); s.t.Fatal("x") } }
`);
	for (const [k, v] of Object.entries(got)) if (k !== 'contOuter') assert.equal(v, true, k);
	// `continue inner` leaves the loop holding mark() but not the outermost one.
	assert.equal(got.contOuter, false);
});

test('stays: end of body, continue, a branch that falls through, break in a switch, goto, nested loop, a return of a func literal', async () => {
	const got = await answers(`
func plain(xs []int) { for range xs { mark() } }
func cont(xs []int) { for range xs { mark(); if ok() { continue }; return } }
func half(xs []int) { for range xs { mark(); if ok() { return } } }
func switchBreak(xs []int) { for range xs { switch { case ok(): mark(); break } } }
func gotoAway(xs []int) { for range xs { mark(); goto end }; end: }
func inner(xs []int) { for range xs { for range xs { mark(); break } } }
func selectBreak(ch chan int) { for { select { case <-ch: mark(); break } } }
func deferred(xs []int) { for range xs { mark(); defer func() { return }() } }
func returnInClosure(xs []int) { for range xs { go func() { mark(); return }() } }
func innerLoopRoundThenReturn(xs []int) { for range xs { for range xs { mark() }; return } }
`);
	for (const [k, v] of Object.entries(got)) assert.equal(v, false, k);
});
