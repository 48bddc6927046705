import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EscapeScheduler, type PackageState } from '../../server/src/analysis/scheduler';
import { cacheKey, LruCache } from '../../server/src/analysis/cache';
import { forgetPlan } from '../../server/src/escape/planStore';
import { runEscape, type EscapeRunRequest, type EscapeRunResult } from '../../server/src/escape/runner';
import { groupAlive } from './processes';

const root = path.join(__dirname, '../fixtures/compiler');
const goBin = '/usr/local/go/bin/go';

interface Harness {
	s: EscapeScheduler;
	results: { dir: string; result: EscapeRunResult; fromCache: boolean }[];
	states: [string, PackageState][];
	pids: number[];
	runs: EscapeRunResult[];
	maxInFlight: number;
}

function harness(over: { goBin?: string; maxConcurrent?: number; onRunning?: (dir: string) => void; prime?: boolean } = {}): Harness {
	const h: Harness = { results: [], states: [], pids: [], runs: [], maxInFlight: 0 } as unknown as Harness;
	let inFlight = 0;
	h.s = new EscapeScheduler({
		run: async (req: EscapeRunRequest) => {
			h.maxInFlight = Math.max(h.maxInFlight, ++inFlight);
			const r = await runEscape({ ...req, onSpawn: (pid) => h.pids.push(pid) });
			inFlight--;
			h.runs.push(r);
			return r;
		},
		settings: () => ({ goBin: over.goBin ?? goBin, tags: [], buildFlags: [], env: {}, maxConcurrent: over.maxConcurrent ?? 2, timeoutMs: 120_000 }),
		goVersion: async () => 'go-test',
		// Process counts below are exact: the background capture compile has its own test.
		primeCompileSteps: over.prime ?? false,
		onResult: (dir, result, fromCache) => h.results.push({ dir, result, fromCache }),
		onStateChange: (dir, state) => {
			h.states.push([dir, state]);
			if (state === 'running') over.onRunning?.(dir);
		},
	});
	return h;
}


/** A buffer for basic/a.go that the build cache has never seen, so go really compiles. */
function freshBasic(marker: string): Map<string, string> {
	const file = path.join(root, 'basic', 'a.go');
	return new Map([[file, `// ${marker} ${process.pid} ${Math.random()}\n` + readFileSync(file, 'utf8')]]);
}

test('re-opening an unchanged package is answered from the cache: no new process', async () => {
	const h = harness();
	const dir = path.join(root, 'unicode');
	const first = await h.s.request({ dir, test: false, reason: 'open' });
	assert.equal(first?.status, 'ok');
	assert.equal(h.s.spawnCount, 1);
	const again = await h.s.request({ dir, test: false, reason: 'open' });
	assert.equal(h.s.spawnCount, 1);
	assert.equal(again, first);
	assert.deepEqual(h.results.map((r) => r.fromCache), [false, true]);
	// An overlay with different content is a different key; forcing bypasses the cache.
	await h.s.request({ dir, test: false, reason: 'edit', overlay: new Map([[path.join(dir, 'u.go'), readFileSync(path.join(dir, 'u.go'), 'utf8') + '\n// edit\n']]) });
	assert.equal(h.s.spawnCount, 2);
	await h.s.request({ dir, test: false, reason: 'manual', force: true });
	assert.equal(h.s.spawnCount, 3);
	assert.equal(h.s.isQuiescent(), true);
	assert.equal(h.s.liveProcesses(), 0);
	h.s.dispose();
});

test('a build-cache answer is followed by one silent compile that captures the step; the next edit replays it', async () => {
	const h = harness({ prime: true });
	const dir = path.join(root, 'basic');
	const text = freshBasic('prime');
	const first = await h.s.request({ dir, test: false, reason: 'edit', overlay: text });
	assert.equal(first?.via, 'go');
	forgetPlan(dir);
	// Same text again, forced past our cache: the go command answers from its build cache, printing no compile step.
	const replayed = await h.s.request({ dir, test: false, reason: 'manual', overlay: text, force: true });
	assert.equal(replayed?.captured, false);
	const quiet = new Promise<void>((resolve) => {
		if (h.s.isQuiescent()) resolve();
		const d = h.s.onQuiescent(() => (d.dispose(), resolve()));
	});
	await quiet;
	assert.equal(h.s.spawnCount, 3, 'one background compile');
	assert.equal(h.results.length, 2, 'it publishes nothing');
	assert.equal(h.states.filter(([, st]) => st === 'running').length, 2, 'and shows no running state');
	const next = await h.s.request({ dir, test: false, reason: 'save', overlay: freshBasic('after prime') });
	assert.equal(next?.via, 'compile');
	assert.equal(next?.status, 'ok');
	h.s.dispose();
});

test('latest request per package wins: the running compile is killed and resolves undefined', async () => {
	const dir = path.join(root, 'basic');
	let second: Promise<EscapeRunResult | undefined> | undefined;
	let h!: Harness;
	const startedFirst = new Promise<void>((resolve) => {
		h = harness({ onRunning: () => resolve() });
	});
	const first = h.s.request({ dir, test: false, reason: 'edit', overlay: freshBasic('first') });
	await startedFirst;
	second = h.s.request({ dir, test: false, reason: 'edit', overlay: freshBasic('second') });
	assert.equal(await first, undefined);
	const r = await second;
	assert.equal(r?.status, 'ok');
	assert.equal(h.runs[0].status, 'cancelled', 'the first compile was aborted, not left to finish');
	assert.equal(h.results.length, 1, 'only the newest result is reported');
	assert.equal(h.s.liveProcesses(), 0);
	for (const pid of h.pids) assert.equal(groupAlive(pid), false, `process group ${pid} is gone`);
	h.s.dispose();
});

test('quiescence is signalled once all requests settle; concurrency cap holds', async () => {
	const h = harness({ maxConcurrent: 1 });
	h.s.onQuiescent(() => undefined);
	const quiet = new Promise<void>((resolve) => h.s.onQuiescent(resolve));
	const dirs = ['unicode', 'large', 'closure'].map((n) => path.join(root, n));
	const all = dirs.map((dir) => h.s.request({ dir, test: false, reason: 'open' }));
	assert.equal(h.s.isQuiescent(), false);
	await quiet;
	const rs = await Promise.all(all);
	assert.deepEqual(rs.map((r) => r?.status), ['ok', 'ok', 'ok']);
	assert.equal(h.maxInFlight, 1);
	assert.equal(h.s.spawnCount, 3);
	assert.equal(h.s.isQuiescent(), true);
	h.s.dispose();
});

test('build error and missing go come through as results', async () => {
	const h = harness();
	const broken = await h.s.request({ dir: path.join(root, 'broken'), test: false, reason: 'save' });
	assert.equal(broken?.status, 'build-failed');
	assert.ok((broken?.buildErrors.length ?? 0) > 0);
	h.s.dispose();
	const m = harness({ goBin: '/nonexistent/go' });
	const missing = await m.s.request({ dir: path.join(root, 'unicode'), test: false, reason: 'open' });
	assert.equal(missing?.status, 'go-missing');
	// Not cached: once go is installed the next request runs.
	await m.s.request({ dir: path.join(root, 'unicode'), test: false, reason: 'open' });
	assert.equal(m.s.spawnCount, 2);
	m.s.dispose();
});

test('cancelAll and dispose resolve pending requests with undefined', async () => {
	let h!: Harness;
	const running = new Promise<void>((resolve) => {
		h = harness({ onRunning: () => resolve() });
	});
	const p = h.s.request({ dir: path.join(root, 'basic'), test: false, reason: 'edit', overlay: freshBasic('cancelAll') });
	await running;
	h.s.cancelAll();
	assert.equal(await p, undefined);
	assert.equal(h.s.liveProcesses(), 0);
	assert.deepEqual(h.states.at(-1)?.[1], 'idle', 'the package is reported idle after cancelAll');
	h.s.dispose();
	assert.equal(await h.s.request({ dir: path.join(root, 'unicode'), test: false, reason: 'open' }), undefined);
});

test('cache key covers files, overlay, mode, flags, env and go version; LRU evicts', async () => {
	const dir = path.join(root, 'basic');
	const k = (o: Partial<Parameters<typeof cacheKey>[0]>) =>
		cacheKey({ dir, test: false, tags: [], buildFlags: [], env: {}, goBin, goVersion: 'go1.26', ...o });
	const base = await k({});
	assert.equal(await k({}), base);
	assert.notEqual(await k({ test: true }), base);
	assert.notEqual(await k({ tags: ['x'] }), base);
	assert.notEqual(await k({ buildFlags: ['-race'] }), base);
	assert.notEqual(await k({ env: { GOARCH: 'arm64' } }), base);
	assert.notEqual(await k({ goVersion: 'go1.25' }), base);
	assert.notEqual(await k({ overlay: new Map([[path.join(dir, 'a.go'), 'package basic\n']]) }), base);
	assert.ok(base.startsWith(dir + '\0'));
	const lru = new LruCache<number>(2);
	lru.set('a', 1);
	lru.set('b', 2);
	lru.get('a');
	lru.set('c', 3);
	assert.equal(lru.get('b'), undefined);
	assert.equal(lru.get('a'), 1);
});
