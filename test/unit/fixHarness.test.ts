import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, goCheck } from './fixHarness';

test('applyEdits applies edits in any order', () => {
	const text = 'ab\ncd\n';
	const out = applyEdits(text, [
		{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, newText: 'X' },
		{ range: { start: { line: 0, character: 2 }, end: { line: 0, character: 2 } }, newText: '!' },
	]);
	assert.equal(out, 'ab!\nXd\n');
});

test('goCheck tells good Go from bad Go with the real toolchain', () => {
	assert.equal(goCheck({ 'a.go': 'package a\n\nfunc F() int { return 1 }\n' }).ok, true);
	const bad = goCheck({ 'a.go': 'package a\n\nfunc F() int { return "x" }\n' });
	assert.equal(bad.ok, false);
	assert.match(bad.output, /cannot use "x"/);
});
