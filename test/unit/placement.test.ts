import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INLINE_CHARS, nestingOver, Placements, TREE_CHARS } from '../../server/src/lsp/placement';
import { closureFunction, nestedLiterals } from '../hardening/pathological';

test('nestingOver: brackets in code count, brackets in strings, runes, raw strings and comments do not', () => {
	assert.equal(nestingOver(nestedLiterals(150), 100), true);
	assert.equal(nestingOver(nestedLiterals(20), 100), false);
	const quoted = `package p\n\nvar s = "${'('.repeat(300)}"\nvar r = '('\nvar raw = \`${'{'.repeat(300)}\`\n// ${'['.repeat(300)}\n/* ${'('.repeat(300)} */\nvar esc = "\\"(((("\n`;
	assert.equal(nestingOver(quoted, 100), false);
	assert.equal(nestingOver(closureFunction(500), 100), false, 'many closures, none deep');
});

test('Placements: by size and shape; growth and slow keystroke runs only move towards the rule thread', () => {
	const p = new Placements();
	assert.equal(p.open('a', 'package p\n'), 'inline');
	assert.equal(p.open('b', 'x'.repeat(INLINE_CHARS + 1)), 'tree');
	assert.equal(p.open('c', 'x'.repeat(TREE_CHARS + 1)), 'thread');
	assert.equal(p.open('d', nestedLiterals(200)), 'thread');
	assert.equal(p.grown('a', INLINE_CHARS + 1), 'tree');
	assert.equal(p.grown('a', 10), 'tree', 'not back');
	// One slow run (a busy machine) does not move a document; three of the last five do.
	assert.equal(p.slow('b', 60), false);
	assert.equal(p.slow('b', 1), false);
	assert.equal(p.slow('b', 60), false);
	assert.equal(p.slow('b', 60), true);
	assert.equal(p.slow('e', 1000), true, 'one run of a second is the file');
	assert.equal(p.toThread('b'), true);
	assert.equal(p.toThread('b'), false);
	assert.equal(p.get('b'), 'thread');
	p.delete('b');
	assert.equal(p.get('b'), 'inline');
});
