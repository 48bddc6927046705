// What the result cache key and the -overlay see after the stat-based shortcuts (analysis/cache.ts,
// lsp/documents.ts): a file that changes on disk is always seen, also within the same clock tick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { URI } from 'vscode-uri';
import { cacheKey } from '../../server/src/analysis/cache';
import { DocumentStore } from '../../server/src/lsp/documents';

const past = (file: string, secondsAgo: number) => {
	const t = new Date(Date.now() - secondsAgo * 1000);
	utimesSync(file, t, t);
};

test('cache key: a changed file changes the key, remembered digests or not', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-key-'));
	try {
		const a = path.join(dir, 'a.go');
		writeFileSync(path.join(dir, 'go.mod'), 'module m\n\ngo 1.22\n');
		const k = () => cacheKey({ dir, test: false, tags: [], buildFlags: [], env: {}, goBin: 'go', goVersion: 'go1.26' });
		writeFileSync(a, 'package a // 1\n');
		past(a, 60); // old enough to be remembered
		const k1 = await k();
		assert.equal(await k(), k1);
		writeFileSync(a, 'package a // 2\n'); // same size, new mtime
		const k2 = await k();
		assert.notEqual(k2, k1);
		writeFileSync(a, 'package a // 3\n'); // same size, same clock tick as the last write: never remembered
		assert.notEqual(await k(), k2);
		// the overlay wins over the file and gives the same key as the same text on disk
		past(a, 60);
		const onDisk = await k();
		assert.equal(await cacheKey({ dir, test: false, tags: [], buildFlags: [], env: {}, goBin: 'go', goVersion: 'go1.26', overlay: new Map([[a, 'package a // 3\n']]) }), onDisk);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('overlay: only buffers that differ from their file, also after the file changes on disk', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-overlay-'));
	try {
		const a = path.join(dir, 'a.go');
		writeFileSync(a, 'package a // 1\n');
		past(a, 60);
		const docs = new DocumentStore();
		const uri = URI.file(a).toString();
		docs.open(uri, 'go', 1, 'package a // 1\n');
		assert.equal((await docs.overlay(dir)).size, 0);
		assert.equal((await docs.overlay(dir)).size, 0, 'remembered: same answer');
		docs.change(uri, [{ text: 'package a // 2\n' }], 2);
		assert.equal((await docs.overlay(dir)).get(a), 'package a // 2\n');
		writeFileSync(a, 'package a // 2\n'); // saved
		assert.equal((await docs.overlay(dir)).size, 0);
		writeFileSync(a, 'package a // 9\n'); // changed on disk behind the buffer, same size
		assert.equal((await docs.overlay(dir)).get(a), 'package a // 2\n');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
