import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { CompressedText, LineSplitter } from '../../server/src/escape/rawText';
import { EscapeOutputParser, parseEscapeOutput } from '../../server/src/escape/parser';

const dir = path.join(__dirname, '../fixtures/compiler/unicode');
const m2 = readFileSync(path.join(dir, 'm2.txt'));

function splitInChunks(bytes: Buffer, cuts: number[]): string[] {
	const lines: string[] = [];
	const s = new LineSplitter((l) => lines.push(l));
	let at = 0;
	for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
		s.push(bytes.subarray(at, c));
		at = c;
	}
	s.push(bytes.subarray(at));
	s.end();
	return lines;
}

test('LineSplitter gives the same lines as split, wherever the chunks are cut (also inside a UTF-8 sequence)', () => {
	const text = m2.toString('utf8');
	const want = text.split('\n');
	if (want.at(-1) === '') want.pop();
	assert.ok(/[^\x00-\x7f]/.test(text), 'the fixture has multi-byte characters (größe, ←)');
	fc.assert(
		fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
			assert.deepEqual(splitInChunks(m2, cuts), want);
		}),
		{ numRuns: 200 },
	);
	// every cut point, one byte at a time
	assert.deepEqual(splitInChunks(m2, [...Array(m2.length).keys()]), want);
	// no final newline: the last line still comes out; \r is kept for the parser to drop
	assert.deepEqual(splitInChunks(Buffer.from('a\r\nb'), [2]), ['a\r', 'b']);
});

test('the streaming parser finds the same facts as parsing the whole text', () => {
	const text = m2.toString('utf8');
	const p = new EscapeOutputParser({ cwd: dir });
	for (const l of splitInChunks(m2, [7, 300, 301, 302, 4000])) p.line(l);
	const streamed = p.finish();
	const whole = parseEscapeOutput(text, { cwd: dir });
	assert.deepEqual(streamed, whole);
	assert.ok(whole.facts.length > 0);
});

test('CompressedText keeps the text exactly, smaller', async () => {
	const text = m2.toString('utf8');
	const c = CompressedText.of(text);
	assert.equal(c.text(), text);
	assert.equal(c.byteLength, m2.length);
	assert.ok(c.compressedBytes < m2.length);
	const w = CompressedText.writer();
	for (let i = 0; i < m2.length; i += 1000) w.write(m2.subarray(i, i + 1000));
	const streamed = await w.end();
	assert.equal(streamed.text(), text);
	assert.equal(CompressedText.of('').text(), '');
	assert.equal((await CompressedText.writer().end()).text(), '');
});

test('LineSplitter: a 100 MB line without a newline is cut at maxLine and never held whole', () => {
	const lines: string[] = [];
	const s = new LineSplitter((l) => lines.push(l), 1024);
	const chunk = Buffer.alloc(64 * 1024, 'x');
	const heap0 = process.memoryUsage().arrayBuffers;
	let peak = 0;
	for (let i = 0; i < 1600; i++) {
		s.push(chunk);
		if (i % 100 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - heap0);
	}
	s.push(Buffer.from('xx\nnext line\nlast'));
	s.end();
	assert.deepEqual(lines.map((l) => l.length), [1024, 'next line'.length, 4]);
	assert.equal(lines[1], 'next line');
	assert.equal(s.truncatedLines, 1);
	// What the splitter holds is the kept 1 KB, not the 100 MB it was given.
	assert.ok(peak < 8 * 1024 * 1024, `buffers grew by ${peak} bytes`);
});

test('LineSplitter: lines at the limit are whole; one byte over is cut, also across chunks', () => {
	const lines: string[] = [];
	const s = new LineSplitter((l) => lines.push(l), 4);
	s.push(Buffer.from('abcd\nab'));
	s.push(Buffer.from('cde\nabcdef\n'));
	s.end();
	assert.deepEqual(lines, ['abcd', 'abcd', 'abcd']);
	assert.equal(s.truncatedLines, 2);
});

test('CompressedText.writer(maxBytes) keeps the first bytes and says how many more there were', async () => {
	const w = CompressedText.writer(10);
	w.write(Buffer.from('0123456789abc'));
	w.write(Buffer.from('def'));
	const t = (await w.end()).text();
	assert.equal(t, '0123456789\n[Go MemLens: 6 more bytes of output were not kept]\n');
});

test('drained() asked after the drain already came resolves (a replayed compile hung on its full pipe)', async () => {
	const w = CompressedText.writer();
	const chunk = Buffer.alloc(64 * 1024, 'a');
	let writes = 0;
	while (w.write(chunk)) writes++;
	// The compressor catches up and emits its 'drain' before anyone asks.
	await w.drained();
	await new Promise((resolve) => setImmediate(resolve));
	const late = await Promise.race([w.drained().then(() => 'resolved'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2000))]);
	assert.equal(late, 'resolved');
	const text = await w.end();
	assert.equal(text.byteLength, (writes + 1) * chunk.length);
});
