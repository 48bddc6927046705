/** The stack lens's pure core (report/stackLens.ts) on the compiler's real output for test/fixtures/compiler/basic. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { newGoParser } from '../../server/src/syntax/goParser';
import { mirrorOf, type Tree } from '../../server/src/syntax/mirror';
import { parseEscapeOutput } from '../../server/src/escape/parser';
import { explainFact } from '../../server/src/escape/explain';
import { escapeDiagnostics, placeFacts } from '../../server/src/report/diagnostics';
import { factsOnStack, functionSpans, spanAt, stackLenses, stackLensTitle } from '../../server/src/report/stackLens';
import { defaultSettings, parseSettings } from '../../common/settings';
import type { ClientCaps } from '../../server/src/report/types';

const dir = path.join(__dirname, '../fixtures/compiler/basic');
const file = path.join(dir, 'a.go');
const text = readFileSync(file, 'utf8');
const placed = placeFacts(parseEscapeOutput(readFileSync(path.join(dir, 'm2.txt'), 'utf8'), { cwd: dir }).facts, file, text, explainFact);

let parser: Parser;
const trees: { delete(): void }[] = [];
before(async () => {
	parser = await newGoParser();
});
after(() => {
	for (const t of trees) t.delete();
	parser.delete();
});

function mirror(src: string): Tree {
	const t = parser.parse(src)!;
	trees.push(t);
	return mirrorOf(t, src);
}

describe('functionSpans', () => {
	test('keys name functions and methods (receiver type, not its variable), repeats numbered', () => {
		const src = [
			'package p',
			'func init() {}',
			'func (s *Set[K]) Add(k K) {}',
			'func (Set[K]) Len() int { return 0 }',
			'func Map[T any](xs []T) {}',
			'func init() {}',
			'var f = func() {}',
			'func (\tr  *T )\tName() {}',
		].join('\n');
		const spans = functionSpans(mirror(src));
		assert.deepEqual(
			spans.map((s) => s.key),
			['init', '(*Set[K]).Add', '(Set[K]).Len', 'Map', 'init#2', '(*T).Name'],
		);
		const add = spans[1];
		assert.deepEqual(add.nameRange, { start: { line: 2, character: 17 }, end: { line: 2, character: 20 } });
		assert.deepEqual(add.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 28 } });
	});

	test('spanAt finds the function holding a position, none between functions', () => {
		const spans = functionSpans(mirror(text));
		assert.equal(spanAt(spans, { line: 60, character: 3 })?.key, 'Sum');
		assert.equal(spanAt(spans, { line: 58, character: 0 })?.key, 'Sum', 'the func line itself');
		assert.equal(spanAt(spans, { line: 57, character: 0 }), undefined, 'the doc comment above');
	});
});

describe('stack lenses and the facts they show', () => {
	test('one lens per function with does-not-escape facts, with their count', () => {
		const spans = functionSpans(mirror(text));
		const lenses = stackLenses(spans, placed, new Set(['Sum']), defaultSettings);
		assert.deepEqual(
			lenses.map((l) => [l.key, l.count, l.on, l.range.start.line]),
			[
				['Print', 1, false, 48],
				['Sum', 1, true, 58],
			],
		);
		assert.equal(stackLensTitle(lenses[0]), 'Show what stays on the stack in this function (1 value)');
		assert.equal(stackLensTitle(lenses[1]), 'Hide what stays on the stack (1 value)');
	});

	test('no lenses when the settings already show every does-not-escape fact', () => {
		const s = parseSettings({ escapeSeverities: { 'does-not-escape': 'hint' } });
		assert.deepEqual(stackLenses(functionSpans(mirror(text)), placed, new Set(), s), []);
	});

	test("only the chosen function's facts become diagnostics (information); the others stay hidden", () => {
		const spans = functionSpans(mirror(text));
		const on = factsOnStack(spans, placed, new Set(['Sum']));
		assert.deepEqual([...on].map((p) => `${p.fact.subject}@${p.fact.pos.line}`), ['xs@59']);
		const caps = { relatedInformation: true, codeDescription: true } as ClientCaps;
		const stack = escapeDiagnostics(placed, defaultSettings, caps, false, undefined, on).filter((d) => d.code === 'does-not-escape');
		assert.deepEqual(stack.map((d) => [d.range.start.line, d.severity, d.message]), [[58, 3, '`xs` stays on the stack: the compiler proved it does not outlive the call']]);
		assert.equal(escapeDiagnostics(placed, defaultSettings, caps, false).filter((d) => d.code === 'does-not-escape').length, 0);
	});
});
