/** The pure review layer: function spans, fingerprints, the baseline file, fact matching. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../../server/src/syntax/goParser';
import { functionAt, functionSpans } from '../../../server/src/review/functions';
import { fingerprintAll, fingerprintBase, normaliseLine } from '../../../server/src/review/fingerprint';
import { applyBaseline, BaselineError, makeBaseline, parseBaseline, type BaselineEntry } from '../../../server/src/review/baseline';
import { diffFacts, failingChanges, reportedChanges, type KeyedFact } from '../../../server/src/review/factDiff';
import type { EscapeKind } from '../../../server/src/model';

const SRC = `package p

var global = make([]byte, 10)

func Plain() {
	f := func() {}
	f()
}

func (e *Encoder) Encode(v any) error { return nil }

func (b Buf) Len() int { return 0 }

func (l *List[T]) Push(v T) {}

func (p (*Paren)) M() {}
`;

test('functionSpans: names as the compiler prints them; closures belong to their declaration', async () => {
	const parser = await newGoParser();
	const tree = parser.parse(SRC)!;
	try {
		const spans = functionSpans(tree.rootNode);
		assert.deepEqual(
			spans.map((s) => `${s.name} ${s.startLine}-${s.endLine}`),
			['Plain 5-8', '(*Encoder).Encode 10-10', 'Buf.Len 12-12', '(*List).Push 14-14', '(*Paren).M 16-16'],
		);
		assert.equal(functionAt(spans, 6), 'Plain', 'a closure line');
		assert.equal(functionAt(spans, 3), '', 'package scope');
		assert.equal(functionAt(spans, 9), '', 'between declarations');
		assert.equal(functionAt(spans, 14), '(*List).Push');
	} finally {
		tree.delete();
		parser.delete();
	}
});

test('fingerprints: whitespace and line numbers do not count; kind, package, function, text and subject do', () => {
	const base = { rule: 'moved-to-heap', pkg: 'sub', function: 'F', text: '\tx := 1', subject: 'x' };
	assert.equal(normaliseLine('\t out   =  append(out, v) '), 'out = append(out, v)');
	assert.equal(fingerprintBase(base), fingerprintBase({ ...base, text: 'x  :=  1   ' }));
	for (const other of [{ rule: 'escapes-to-heap' }, { pkg: '' }, { function: 'G' }, { text: 'x := 2' }, { subject: 'y' }]) {
		assert.notEqual(fingerprintBase(base), fingerprintBase({ ...base, ...other }), JSON.stringify(other));
	}
	assert.match(fingerprintBase(base), /^[0-9a-f]{16}$/);
	const prints = fingerprintAll([base, { ...base, subject: 'y' }, base, base], (p) => p);
	assert.deepEqual(prints.map((p) => p.slice(-2)), ['#0', '#0', '#1', '#2']);
});

const entry = (fingerprint: string, rule = 'moved-to-heap', file = 'a.go'): BaselineEntry => ({ fingerprint, rule, file, line: 1, function: 'F', message: 'm' });

test('baseline: the version is checked, the shape validated; matched entries hide, the rest in scope is stale', () => {
	const doc = makeBaseline([entry('a#0'), entry('b#0'), entry('c#0', 'defer-in-loop'), entry('d#0', 'moved-to-heap', 'other/x.go')], 'memlens test');
	const round = parseBaseline(JSON.stringify(doc), 'bl.json');
	assert.deepEqual(round, doc);
	assert.throws(() => parseBaseline(JSON.stringify({ ...doc, version: 2 }), 'bl.json'), (e: Error) => e instanceof BaselineError && /format version 2; this memlens reads version 1/.test(e.message));
	assert.throws(() => parseBaseline('[]', 'bl.json'), /not a memlens baseline/);
	assert.throws(() => parseBaseline('{', 'bl.json'), /not JSON/);
	assert.throws(() => parseBaseline(JSON.stringify({ ...doc, entries: [{ ...entry('x'), line: 'one' }] }), 'bl.json'), /entries\.0\.line/);
	const items = ['A', 'B', 'NEW'];
	const m = applyBaseline(items, ['a#0', 'b#0', 'n#0'], round, (e) => e.file === 'a.go' && e.rule === 'moved-to-heap');
	assert.deepEqual(m.fresh, ['NEW']);
	assert.equal(m.hidden, 2);
	// c#0 is another rule and d#0 another directory: out of scope, so not stale.
	assert.deepEqual(m.stale, []);
	const gone = applyBaseline(['A'], ['a#0'], round, () => true);
	assert.deepEqual(gone.stale.map((e) => e.fingerprint), ['b#0', 'c#0', 'd#0']);
});

function fact(kind: EscapeKind, subject: string, line: number, fn = 'F', pkg = '', file = '/r/a.go'): KeyedFact {
	return { pkg, function: fn, fact: { kind, subject, message: `${kind} ${subject}`, pos: { file, line, column: 2 }, flows: [] } };
}

test('diffFacts: matched by package, function and subject, not by line', () => {
	const base = [fact('moved-to-heap', 'x', 4, 'Keep'), fact('moved-to-heap', 'y', 9, 'Gone'), fact('does-not-escape', 'make([]byte, 8)', 14, 'Small'), fact('leaking-param', 'p', 20, 'Leak')];
	// Every line moved; y no longer escapes (no fact); the make now escapes; buf is new; p leaks only its content.
	const head = [fact('escapes-to-heap', 'make([]byte, 8)', 6, 'Small'), fact('moved-to-heap', 'x', 12, 'Keep'), fact('moved-to-heap', 'buf', 30, 'Fresh'), fact('leaking-param-content', 'p', 40, 'Leak')];
	const all = diffFacts(base, head);
	const show = (cs: typeof all) => cs.map((c) => `${c.change} ${c.base?.fact.kind ?? ''}>${c.head?.fact.kind ?? ''} ${c.function} ${c.subject}`);
	assert.deepEqual(show(all), [
		'new >moved-to-heap Fresh buf',
		'changed does-not-escape>escapes-to-heap Small make([]byte, 8)',
		'changed leaking-param>leaking-param-content Leak p',
		'gone moved-to-heap> Gone y',
	]);
	const heap = new Set<EscapeKind>(['moved-to-heap', 'escapes-to-heap']);
	assert.deepEqual(show(reportedChanges(all, heap)), ['new >moved-to-heap Fresh buf', 'changed does-not-escape>escapes-to-heap Small make([]byte, 8)', 'gone moved-to-heap> Gone y']);
	assert.deepEqual(show(failingChanges(all, new Set<EscapeKind>(['escapes-to-heap']))), ['changed does-not-escape>escapes-to-heap Small make([]byte, 8)']);
	assert.deepEqual(failingChanges(all, new Set<EscapeKind>(['leaking-param'])), []);
	// The same function name in another package is another key.
	assert.deepEqual(show(diffFacts([fact('moved-to-heap', 'x', 4, 'Keep', 'a')], [fact('moved-to-heap', 'x', 4, 'Keep', 'b')])), ['new >moved-to-heap Keep x', 'gone moved-to-heap> Keep x']);
});

test('diffFacts: repeated subjects pair kind with kind first, then in order', () => {
	const base = [fact('escapes-to-heap', '&T{...}', 3), fact('does-not-escape', '&T{...}', 5)];
	// Swapped order and one more: one pair unchanged each, the third is new.
	const head = [fact('does-not-escape', '&T{...}', 3), fact('escapes-to-heap', '&T{...}', 5), fact('escapes-to-heap', '&T{...}', 7)];
	assert.deepEqual(diffFacts(base, head).map((c) => `${c.change} ${c.head?.fact.pos.line}`), ['new 7']);
	assert.deepEqual(diffFacts(head, base).map((c) => `${c.change} ${c.base?.fact.pos.line}`), ['gone 7']);
	assert.deepEqual(diffFacts(base, base), []);
});
