import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../server/src/syntax/goParser';
import { byteToUtf16, utf16ToByte } from '../../server/src/util/positions';

test('tree-sitter-go loads and reports UTF-16 columns', async () => {
	const p = await newGoParser();
	const src = 'package a\n\nvar s, héllo, z = "😀", 1, 2\n';
	const tree = p.parse(src)!;
	const ids = tree.rootNode.descendantsOfType('identifier').map((n) => [n.text, n.startPosition.column]);
	// 'z' follows the 2-byte 'é': UTF-16 column 14 (its byte column would be 15).
	assert.deepEqual(ids, [['s', 4], ['héllo', 7], ['z', 14]]);
	tree.delete();
	p.delete();
});

test('byte and UTF-16 columns convert both ways', () => {
	const line = 'x := "é😀" + y';
	const yByte = Buffer.byteLength(line.slice(0, line.indexOf('y')));
	assert.equal(byteToUtf16(line, yByte), line.indexOf('y'));
	assert.equal(utf16ToByte(line, line.indexOf('y')), yByte);
	assert.equal(byteToUtf16(line, 0), 0);
	assert.equal(byteToUtf16(line, 10_000), line.length);
});
