import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileDigest, forEachLine, readHead, readHeadSync } from '../../server/src/util/boundedRead';
import { GoModReader } from '../../server/src/analysis/goVersion';

const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-bounded-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('readHead: whole lines of the first bytes, and whether the file goes on', async () => {
	const f = path.join(dir, 'head.txt');
	writeFileSync(f, 'one\ntwo\nthree\n');
	assert.deepEqual({ ...readHeadSync(f, 9)!, mtimeMs: 0 }, { text: 'one\ntwo\n', truncated: true, size: 14, mtimeMs: 0 });
	assert.equal((await readHead(f, 100))!.text, 'one\ntwo\nthree\n');
	assert.equal((await readHead(f, 100))!.truncated, false);
	assert.equal(readHeadSync(path.join(dir, 'missing')), undefined);
	assert.equal(readHeadSync(dir), undefined, 'a directory is not read');
});

test('fileDigest is the sha256 of the bytes; forEachLine cuts long lines', async () => {
	const f = path.join(dir, 'lines.txt');
	const text = `a\n${'x'.repeat(300_000)}\nlast`;
	writeFileSync(f, text);
	assert.equal(await fileDigest(f), createHash('sha256').update(text).digest('hex'));
	assert.equal(await fileDigest(path.join(dir, 'missing')), '');
	const lines: string[] = [];
	assert.ok(await forEachLine(f, (l) => lines.push(l), 1000));
	assert.deepEqual(lines.map((l) => l.length), [1, 1000, 4]);
});

test('a big go.mod: its head answers at once, the background scan finds the go line at its end', async () => {
	const f = path.join(dir, 'big', 'go.mod');
	const file = path.join(dir, 'big', 'a.go');
	await import('node:fs').then((fs) => fs.mkdirSync(path.dirname(f), { recursive: true }));
	writeFileSync(f, `module example.com/big\n\n${'// padding padding padding padding\n'.repeat(60_000)}go 1.21\n`);
	const r = new GoModReader();
	const scanned = new Promise<void>((resolve) => (r.onScanned = resolve));
	const first = r.version(file, 'package big\n');
	assert.equal(first.source, 'go.mod (no go directive)', 'the head (1 MB) has no go line');
	await scanned;
	const then = r.version(file, 'package big\n');
	assert.equal(then.minor, 21);
	assert.equal(then.source, 'go.mod');
});
