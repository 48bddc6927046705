/**
 * The de-duplication table and matching (client/src/duplicates.ts) on what the real gopls v0.23
 * and Go MemLens published for the same files (test/e2e/fixtures/other-source/capture.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { samePlace, sameProblem, splitDuplicates, type DiagnosticLike } from '../../client/src/duplicates';

const dir = path.join(__dirname, '../e2e/fixtures/other-source');
const gopls = JSON.parse(readFileSync(path.join(dir, 'extension/diagnostics.json'), 'utf8')).files as Record<string, DiagnosticLike[]>;
const ours = JSON.parse(readFileSync(path.join(dir, 'memlens-diagnostics.json'), 'utf8')).files as Record<string, DiagnosticLike[]>;

const at = (d: DiagnosticLike) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.character}`;
const r = (line: number, s: number, e: number, endLine = line) => ({ start: { line, character: s }, end: { line: endLine, character: e } });

describe('on the real gopls diagnostics', () => {
	const pairs = (file: string) =>
		splitDuplicates(ours[file], gopls[file]).dropped.map((x) => `${String(x.ours.code)} ${at(x.ours)} = ${x.other.source} ${at(x.other)}`);

	test('copylocks: the lock copy is the same problem at the same range', () => {
		assert.deepEqual(pairs('lockcopy.go'), ['lock-copy-by-value 12:11-13 = copylocks 12:11-13']);
	});

	test('loopclosure, and the optimization details at the compiler positions inside our subjects', () => {
		assert.deepEqual(pairs('loopclosure.go'), [
			'moved-to-heap 4:8-9 = optimizer details 4:8-8',
			'escapes-to-heap 5:5-9 = optimizer details 5:5-5',
			'loopvar-capture 6:3-4 = loopclosure 6:3-4',
		]);
	});

	test("staticcheck's SA6002 is pool-put-non-pointer; escape() with no message matches nothing", () => {
		assert.deepEqual(pairs('poolputslice.go'), [
			'escapes-to-heap 4:50-70 = optimizer details 4:54-54',
			'escapes-to-heap 9:13-14 = optimizer details 9:13-13',
			'escapes-to-heap 10:13-14 = optimizer details 10:13-13',
			'pool-put-non-pointer 13:14-17 = SA6002 13:14-17',
			'escapes-to-heap 13:14-17 = optimizer details 13:14-14',
		]);
		// pool-new-non-pointer has no gopls counterpart: it stays.
		assert.ok(splitDuplicates(ours['poolputslice.go'], gopls['poolputslice.go']).keep.some((d) => d.code === 'pool-new-non-pointer'));
	});

	test('a finding of ours with no counterpart stays (pool-put-local-address, the leaking params)', () => {
		const { keep } = splitDuplicates(ours['poolputlocal.go'], gopls['poolputlocal.go']);
		assert.deepEqual(keep.map((d) => d.code), ['pool-put-local-address']);
		assert.deepEqual(
			splitDuplicates(ours['loopcapture.go'], gopls['loopcapture.go']).keep.map((d) => d.code),
			['leaking-param-content', 'leaking-param', 'loopvar-capture'],
		);
	});

	test('without the other tool nothing is dropped', () => {
		assert.deepEqual(splitDuplicates(ours['lockcopy.go'], []).keep, ours['lockcopy.go']);
	});
});

describe('sameProblem and samePlace', () => {
	const mine: DiagnosticLike = { source: 'memlens', code: 'lock-copy-by-value', message: 'm', range: r(3, 4, 8) };
	const theirs: DiagnosticLike = { source: 'copylocks', code: { value: 'default' }, message: 'assignment copies lock value', range: r(3, 4, 8) };

	test('the table decides: another source at the same range is not enough', () => {
		assert.ok(sameProblem(mine, theirs));
		assert.ok(!sameProblem(mine, { ...theirs, source: 'unusedfunc' }));
		assert.ok(!sameProblem({ ...mine, code: 'loopvar-capture' }, theirs));
		assert.ok(!sameProblem(mine, { ...theirs, source: 'memlens' }), 'never our own');
		assert.ok(!sameProblem(mine, { ...theirs, range: r(4, 4, 8) }));
	});

	test('a message shape is required where the source reports several kinds of thing', () => {
		const fact: DiagnosticLike = { source: 'memlens', code: 'moved-to-heap', message: 'm', range: r(1, 5, 8) };
		const opt = (message: string): DiagnosticLike => ({ source: 'optimizer details', message, range: r(1, 5, 5) });
		assert.ok(sameProblem(fact, opt('escapes(buf escapes to heap)')));
		assert.ok(!sameProblem(fact, opt('escape()')));
		assert.ok(!sameProblem(fact, opt('canInlineFunction(cost: 3)')));
		assert.ok(sameProblem({ ...fact, code: 'inlining' }, opt('canInlineFunction(cost: 3)')));
	});

	test('ranges meet on their first line; a bare position counts inside or at the start, not at the end', () => {
		assert.ok(samePlace(r(1, 5, 8), r(1, 7, 7)));
		assert.ok(samePlace(r(1, 5, 8), r(1, 5, 5)));
		assert.ok(!samePlace(r(1, 5, 8), r(1, 8, 8)), 'just past the end');
		assert.ok(samePlace(r(1, 5, 5), r(1, 5, 5)));
		assert.ok(samePlace(r(1, 5, 8), r(1, 7, 12)), 'overlapping');
		assert.ok(!samePlace(r(1, 5, 8), r(1, 8, 12)), 'touching');
		assert.ok(samePlace(r(1, 5, 2, 3), r(1, 40, 41)), 'a multi-line range runs to the end of its first line');
		assert.ok(!samePlace(r(1, 5, 8), r(2, 5, 8)));
	});

});
