/**
 * Load and cancellation: 200 saves in quick succession on one package never run two `go`
 * processes for it at once (compile or the typed pass's vet), leave none behind, and end with diagnostics for the final text.
 * Memory: 300 edit cycles leave the tree count at the open-document count and RSS flat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { URI } from 'vscode-uri';
import { childPids, cmdLines, commNames } from './session';
import { closeAndAssertTreesFreed, startServer } from './server';
import { removeCase, tempCase } from './workspace';

/** The package's file at save number `i`: the escaping local is named `v<i>` on line 5. */
function version(i: number): string {
	return `package basic\n\n// Grow returns a pointer to a local.\nfunc Grow(k int) *int {\n\tv${i} := k * ${i + 2}\n\treturn &v${i}\n}\n`;
}

test('200 saves in quick succession: at most one go process, none left, final diagnostics match the final text', async () => {
	const dir = tempCase('basic');
	const s = await startServer({ root: dir, settings: { debounceMs: 0 } });
	let maxLive = 0;
	let maxGoChildren = 0;
	const overlap: string[][] = [];
	let samples = 0;
	let sampling = true;
	// Sampling is observation only (no assertion on timing): as often as the server answers.
	// /proc is sampled in a tight loop; debugStats every 20th sample.
	const sampler = (async () => {
		while (sampling) {
			// Compiles and the typed pass's go vet (docs/typed.md) alike: one go process for the package.
			const builds = cmdLines(childPids(s.client.child.pid)).filter((c) => /\/go ((build|test|list) .*-gcflags|vet .*-json)/.test(c));
			if (builds.length > 1) overlap.push(builds);
			maxGoChildren = Math.max(maxGoChildren, builds.length);
			if (samples % 20 === 0) maxLive = Math.max(maxLive, (await s.client.debugStats()).liveProcesses);
			samples++;
			await new Promise((r) => setImmediate(r));
		}
	})();
	try {
		const file = path.join(dir, 'a.go');
		const uri = await s.client.open(file);
		const dirUri = URI.file(dir).toString();
		await s.client.waitForQuiescent((st) => st.packageUri === dirUri);
		const before = (await s.client.debugStats()).spawnCount;
		for (let i = 0; i < 200; i++) {
			const text = version(i);
			writeFileSync(file, text);
			await s.client.change(uri, [{ text }]);
			await s.client.save(uri);
		}
		const final = await s.client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'moved-to-heap' && x.range.start.line === 4 && x.range.end.character === 1 + 'v199'.length));
		await s.client.waitForQuiescent((st) => st.packageUri === dirUri && st.state === 'upToDate');
		sampling = false;
		await sampler;
		const heap = final.filter((x) => x.code === 'moved-to-heap');
		assert.equal(heap.length, 1, JSON.stringify(final));
		assert.deepEqual(heap[0].range, { start: { line: 4, character: 1 }, end: { line: 4, character: 5 } });
		const stats = await s.client.debugStats();
		assert.ok(maxGoChildren >= 1, 'the sampler saw a go build (else it proves nothing)');
		assert.ok(samples > 10, `sampled ${samples} times`);
		assert.ok(maxLive <= 1, `debugStats.liveProcesses peaked at ${maxLive}`);
		assert.ok(maxGoChildren <= 1, `${maxGoChildren} go builds at once: ${JSON.stringify(overlap.slice(0, 2))}`);
		assert.equal(stats.liveProcesses, 0);
		assert.deepEqual(commNames(s.children()), [], 'no child process left');
		console.log(`# 200 saves: ${stats.spawnCount - before} go runs, peak live ${maxLive}, peak go children ${maxGoChildren}, ${samples} samples`);
		s.assertHealthy();
	} finally {
		sampling = false;
		await sampler.catch(() => undefined);
		await s.stop();
		removeCase(dir);
	}
});

test('300 edit cycles: trees back to the open count, live memory does not grow more than 5 % after warm-up', async () => {
	const dir = tempCase('basic');
	// Only syntax work per edit: escape runs happen on save (debounce 0), which this test never does.
	// --expose-gc: debugStats collects garbage first, so the figures are live memory, not V8's
	// lazily collected garbage (RSS without it drifted 5-11 % over the same run).
	const s = await startServer({ root: dir, settings: { debounceMs: 0 }, nodeArgs: ['--expose-gc'] });
	try {
		const file = path.join(dir, 'a.go');
		const uri = await s.client.open(file);
		await s.client.waitForDiagnostics(uri);
		const cycle = async () => {
			// insert "x" at the start of line 3's comment text, then remove it
			let v = await s.client.change(uri, [{ range: { start: { line: 2, character: 3 }, end: { line: 2, character: 3 } }, text: 'x' }]);
			await s.client.waitForDiagnostics(uri, (_d, p) => p.version === v);
			v = await s.client.change(uri, [{ range: { start: { line: 2, character: 3 }, end: { line: 2, character: 4 } }, text: '' }]);
			await s.client.waitForDiagnostics(uri, (_d, p) => p.version === v);
		};
		for (let i = 0; i < 100; i++) await cycle();
		const warm: { rss: number; heap: number }[] = [];
		for (let i = 0; i < 5; i++) {
			for (let j = 0; j < 8; j++) await cycle();
			const st = await s.client.debugStats();
			warm.push({ rss: st.rssBytes, heap: st.heapUsedBytes });
		}
		const late: { rss: number; heap: number }[] = [];
		for (let i = 0; i < 5; i++) {
			for (let j = 0; j < 32; j++) await cycle();
			const st = await s.client.debugStats();
			late.push({ rss: st.rssBytes, heap: st.heapUsedBytes });
		}
		const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
		const mb = (x: number) => (x / 2 ** 20).toFixed(1);
		const [rssA, rssB] = [median(warm.map((x) => x.rss)), median(late.map((x) => x.rss))];
		const [heapA, heapB] = [median(warm.map((x) => x.heap)), median(late.map((x) => x.heap))];
		const stats = await s.client.debugStats();
		console.log(`# 300 edit cycles: RSS ${mb(rssA)} → ${mb(rssB)} MB (${(((rssB - rssA) / rssA) * 100).toFixed(1)} %), live JS heap ${mb(heapA)} → ${mb(heapB)} MB (${(((heapB - heapA) / heapA) * 100).toFixed(1)} %), liveTrees ${stats.liveTrees}`);
		assert.equal(stats.liveTrees, 1, 'one open document, one tree');
		// Only growth can mean a leak; a drop is memory returned to the system.
		assert.ok((heapB - heapA) / heapA <= 0.05, `live JS heap grew from ${heapA} to ${heapB}`);
		assert.ok((rssB - rssA) / rssA <= 0.05, `RSS grew from ${rssA} to ${rssB}`);
		await closeAndAssertTreesFreed(s, uri);
		s.assertHealthy();
	} finally {
		await s.stop();
		removeCase(dir);
	}
});
