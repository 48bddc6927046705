/**
 * The summary report's pure layer (server/src/summary/): grouping per package and cause, advice,
 * top functions and files, rule findings, and the three renderers. Facts are real compiler output
 * (test/fixtures/compiler); their causes come from a classifier of this test built through the
 * EscapeCause interface, so nothing here depends on how escape/causes.ts classifies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEscapeOutput } from '../../server/src/escape/parser';
import { causeOf, type CauseId, type EscapeCause } from '../../server/src/escape/causes';
import type { EscapeFact } from '../../server/src/model';
import { PACKAGE_LEVEL, summarize, UNCLASSIFIED } from '../../server/src/summary/assemble';
import { renderText } from '../../server/src/summary/text';
import { renderMarkdown } from '../../server/src/summary/markdown';
import { chartData, renderHtml } from '../../server/src/summary/html';
import type { PackageInput, SummaryInput } from '../../server/src/summary/types';

const root = path.join(__dirname, '../fixtures/compiler');

function heapFacts(name: string): EscapeFact[] {
	const dir = path.join(root, name);
	return parseEscapeOutput(readFileSync(path.join(dir, 'm2.txt'), 'utf8'), { cwd: dir }).facts.filter((f) => f.kind === 'moved-to-heap' || f.kind === 'escapes-to-heap');
}

const reasons = (f: EscapeFact) => f.flows.flatMap((fl) => fl.steps.map((s) => s.reason));

/** This test's causes: titles and advice of its own, so the assertions can tell where they came from. */
const CAUSES: Partial<Record<CauseId, EscapeCause>> = {
	returned: { id: 'returned', title: 'T-returned', expected: true },
	'interface-conversion': { id: 'interface-conversion', title: 'T-iface', advice: 'A-iface-1' },
	'captured-by-closure': { id: 'captured-by-closure', title: 'T-closure', advice: 'A-closure' },
};

/** Classifies by the compiler's reasons; facts without a chain get no cause. */
function classify(f: EscapeFact): EscapeCause | undefined {
	const r = reasons(f);
	if (r.includes('return')) return CAUSES.returned;
	if (r.includes('interface-converted')) return CAUSES['interface-conversion'];
	if (r.includes('captured by a closure')) return CAUSES['captured-by-closure'];
	return undefined;
}

function pkg(id: string, name: string, funcs: (f: EscapeFact) => string | undefined, extra: Partial<PackageInput> = {}): PackageInput {
	return {
		id,
		dir: name,
		files: 1,
		compiled: true,
		heap: heapFacts(name).map((fact) => ({ fact, file: `${name}/${path.basename(fact.pos.file)}`, ...(funcs(fact) ? { func: funcs(fact), funcLine: 1 } : {}) })),
		findings: [],
		...extra,
	};
}

function input(): SummaryInput {
	const basic = pkg('example.com/basic', 'basic', (f) => (f.pos.line === 8 ? undefined : `F${f.pos.line < 20 ? 'a' : 'b'}`), {
		findings: [
			{ rule: 'pool-put-local-address', file: 'basic/a.go', line: 13, column: 11, severity: 'warning', message: 'put <b>&buf</b> | x' },
			{ rule: 'defer-in-loop', file: 'basic/a.go', line: 40, column: 3, severity: 'information', message: 'defer' },
			{ rule: 'pool-put-local-address', file: 'basic/a.go', line: 30, column: 11, severity: 'error', message: 'another' },
		],
	});
	const closure = pkg('example.com/closure', 'closure', () => 'Counter');
	const empty: PackageInput = { id: 'example.com/none', dir: 'none', files: 2, compiled: false, heap: [], findings: [] };
	return { meta: { tool: 'memlens 0.0.0', paths: ['.'] }, packages: [empty, closure, basic] };
}

test('counts per package and per cause; titles and advice from the classification', () => {
	const inp = input();
	const m = summarize(inp, { classify });
	const all = inp.packages.flatMap((p) => p.heap);
	assert.equal(m.totals.heap, all.length);
	assert.equal(m.totals.moved, all.filter((h) => h.fact.kind === 'moved-to-heap').length);
	assert.equal(m.totals.escapes + m.totals.moved, m.totals.heap);
	assert.equal(m.totals.packages, 3);
	assert.equal(m.totals.compiled, 2);
	// Each cause's count is the number of facts the classifier put there, per package too.
	for (const c of m.causes) {
		const mine = all.filter((h) => (classify(h.fact)?.id ?? 'unclassified') === c.id);
		assert.equal(c.count, mine.length, c.id);
		assert.equal(c.moved + c.escapes, c.count);
	}
	assert.equal(m.causes.reduce((n, c) => n + c.count, 0), m.totals.heap);
	const byId = new Map(m.causes.map((c) => [c.id, c]));
	assert.equal(byId.get('returned')?.title, 'T-returned');
	assert.equal(byId.get('returned')?.expected, true);
	assert.equal(byId.get('returned')?.advice, undefined, 'no advice when the cause has none');
	assert.equal(byId.get('interface-conversion')?.advice, 'A-iface-1');
	assert.equal(byId.get('unclassified')?.title, UNCLASSIFIED.title);
	assert.equal(m.causes.at(-1)?.id, 'unclassified', 'what could not be classified comes last');
	for (const p of m.packages) {
		const src = inp.packages.find((x) => x.id === p.id)!;
		assert.equal(p.heap, src.heap.length);
		assert.equal(p.causes.reduce((n, c) => n + c.count, 0), p.heap);
	}
	assert.deepEqual(m.packages.map((p) => p.id), ['example.com/basic', 'example.com/closure', 'example.com/none'], 'most heap sites first');
});

test('the most common advice of a cause wins; one non-expected fact makes the cause not expected', () => {
	const facts = heapFacts('basic').slice(0, 5);
	const advice = ['x', 'y', 'y', 'x', 'y'];
	const m = summarize(
		{ meta: { tool: 't', paths: [] }, packages: [{ id: 'p', dir: 'p', files: 1, compiled: true, findings: [], heap: facts.map((fact) => ({ fact, file: 'p/a.go' })) }] },
		{ classify: (f) => ({ id: 'other', title: 'O', advice: advice[facts.indexOf(f)], expected: facts.indexOf(f) !== 2 }) },
	);
	assert.equal(m.causes.length, 1);
	assert.equal(m.causes[0].advice, 'y');
	assert.equal(m.causes[0].expected, false);
	assert.equal(m.causes[0].examples.length, 3);
});

test('without a classifier the causes are escape/causes.ts\'s', () => {
	const inp = input();
	const m = summarize(inp);
	for (const c of m.causes) {
		const expected = inp.packages.flatMap((p) => p.heap).filter((h) => (causeOf(h.fact)?.id ?? 'unclassified') === c.id);
		assert.equal(c.count, expected.length, c.id);
		if (c.id !== 'unclassified') assert.equal(c.title, causeOf(expected[0].fact)?.title);
	}
});

test('top functions and files; package-level code has a name of its own', () => {
	const m = summarize(input(), { classify, top: 4 });
	assert.ok(m.topFunctions.length <= 4);
	for (let i = 1; i < m.topFunctions.length; i++) assert.ok(m.topFunctions[i - 1].heap >= m.topFunctions[i].heap);
	const basic = m.packages.find((p) => p.id === 'example.com/basic')!;
	const names = basic.topFunctions.map((f) => f.name);
	assert.ok(names.includes(PACKAGE_LEVEL), 'the var at line 8 (package level) is counted under its own name');
	const fa = basic.topFunctions.find((f) => f.name === 'Fa')!;
	assert.equal(fa.heap, heapFacts('basic').filter((f) => f.pos.line !== 8 && f.pos.line < 20).length);
	assert.equal(m.topFiles[0].file, 'basic/a.go');
	assert.equal(m.topFiles[0].findings, 3);
});

test('rule findings: per rule with its worst severity and doc summary, sorted by severity', () => {
	const m = summarize(input(), { classify });
	assert.deepEqual(
		m.rules.map((r) => [r.rule, r.count, r.severity, r.packages]),
		[
			['pool-put-local-address', 2, 'error', 1],
			['defer-in-loop', 1, 'information', 1],
		],
	);
	assert.match(m.rules[0].summary, /sync\.Pool\.Put/);
	assert.deepEqual(m.totals.bySeverity, { error: 1, warning: 1, information: 1, hint: 0 });
	const basic = m.packages.find((p) => p.id === 'example.com/basic')!;
	assert.deepEqual(basic.findings.map((f) => f.line), [13, 30, 40], 'in file and line order');
});

test('packages only inlined into the analysed ones are not counted as analysed, and their sites come last in examples', () => {
	const inp = input();
	const inl = pkg('internal/x', 'closure', () => 'G', { inlinedOnly: true, files: 0 });
	inp.packages.push({ ...inl, heap: inl.heap.map((h) => ({ ...h, file: `aaa/${h.file}` })) });
	const m = summarize(inp, { classify });
	assert.equal(m.totals.packages, 3);
	assert.equal(m.packages.find((p) => p.id === 'internal/x')?.inlinedOnly, true);
	for (const c of m.causes) {
		const firstInlined = c.examples.findIndex((e) => e.file.startsWith('aaa/'));
		if (firstInlined >= 0) assert.ok(c.examples.slice(firstInlined).every((e) => e.file.startsWith('aaa/')), c.id);
	}
});

test('renderers: text, Markdown and HTML show the counts, causes, advice and findings; user text is escaped', () => {
	const m = summarize(input(), { classify });
	const text = renderText(m);
	assert.match(text, new RegExp(`${m.totals.heap} heap allocation sites`));
	assert.match(text, /T-iface/);
	assert.match(text, /advice: A-iface-1/);
	assert.match(text, /basic\/a\.go:13:11: warning: put <b>&buf<\/b> \| x \[pool-put-local-address\]/);
	assert.match(text, /example\.com\/none .*no compiler facts/);

	const md = renderMarkdown(m);
	assert.match(md, /^# Go MemLens report/);
	assert.match(md, /\| T-iface \| A-iface-1 \|/);
	assert.match(md, /put &lt;b>&buf&lt;\/b> \\\| x/, 'pipes and tags in a message cannot break the table');

	const html = renderHtml(m);
	assert.ok(html.startsWith('<!DOCTYPE html>'));
	assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
	assert.ok(!html.includes('<b>&buf</b>'), 'a message is text, not markup');
	assert.match(html, /put &lt;b&gt;&amp;buf&lt;\/b&gt; \| x/);
	assert.match(html, /Chart\.js v4/, 'the charting library is inlined');
	assert.ok(!/<script[^>]+src=|<link[^>]+href=|sourceMappingURL/.test(html), 'nothing is fetched');
	for (const id of ['chart-causes', 'chart-packages', 'chart-rules']) assert.match(html, new RegExp(`<canvas id="${id}"`));
	const data = chartData(m);
	assert.deepEqual(data.causes.labels, m.causes.map((c) => c.title));
	assert.deepEqual(data.rules.counts, [2, 1]);
});

test('an HTML report of nothing still renders (no charts without data)', () => {
	const m = summarize({ meta: { tool: 't', paths: ['x'] }, packages: [{ id: 'p', dir: 'p', files: 1, compiled: true, heap: [], findings: [] }] });
	const html = renderHtml(m);
	assert.ok(!html.includes('<canvas'));
	assert.match(renderText(m), /0 heap allocation sites/);
});

test('the data island cannot close its script element', () => {
	const facts = heapFacts('basic').slice(0, 1);
	const m = summarize(
		{ meta: { tool: 't', paths: [] }, packages: [{ id: '</script><script>alert(1)</script>', dir: 'p', files: 1, compiled: true, findings: [], heap: facts.map((fact) => ({ fact, file: 'p/a.go' })) }] },
		{ classify },
	);
	const html = renderHtml(m);
	const island = /<script type="application\/json" id="memlens-data">([\s\S]*?)<\/script>/.exec(html)![1];
	assert.ok(!island.includes('<'));
	assert.equal(JSON.parse(island).packages.labels[0], '</script><script>alert(1)</script>');
});
