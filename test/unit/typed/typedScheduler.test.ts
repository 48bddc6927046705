/**
 * The typed pass's scheduler over the real `go vet`: latest request per package wins (the older
 * process group is killed), `cancel` resolves only once the process has exited, an unchanged
 * package is answered from the cache without a process, one vet at a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TypedScheduler } from '../../../server/src/typed/scheduler';
import { runTyped, type TypedRunRequest, type TypedRunResult } from '../../../server/src/typed/runner';
import { groupAlive } from '../processes';

const goBin = '/usr/local/go/bin/go';

/** Is the process itself still there (signal 0 only probes)? */
function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function harness() {
	const root = mkdtempSync(path.join(os.tmpdir(), 'memlens-typed-sched-'));
	cpSync(path.join(__dirname, '..', '..', 'fixtures', 'typed', 'protolike'), root, { recursive: true });
	const h = {
		root,
		use: path.join(root, 'use'),
		pids: [] as number[],
		results: [] as { dir: string; result: TypedRunResult; fromCache: boolean }[],
		inFlight: 0,
		maxInFlight: 0,
		/** Resolves when the next vet process has started. */
		spawned: undefined as undefined | (() => void),
		s: undefined as unknown as TypedScheduler,
	};
	h.s = new TypedScheduler({
		run: async (req: TypedRunRequest) => {
			h.maxInFlight = Math.max(h.maxInFlight, ++h.inFlight);
			try {
				return await runTyped({
					...req,
					onSpawn: (pid) => {
						h.pids.push(pid);
						req.onSpawn?.(pid);
						h.spawned?.();
					},
				});
			} finally {
				h.inFlight--;
			}
		},
		settings: () => ({ goBin, tags: [], buildFlags: [], env: {}, maxConcurrent: 2, timeoutMs: 120_000 }),
		goVersion: 'go-test',
		onResult: (dir, result, fromCache) => h.results.push({ dir, result, fromCache }),
	});
	return { h, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

test('a package’s results, then the same package unchanged: answered from the cache, no process', async () => {
	const { h, cleanup } = harness();
	try {
		const r = await h.s.request({ dir: h.use });
		assert.equal(r?.status, 'ok');
		assert.equal(r?.facts.length, 8);
		assert.equal(h.s.spawnCount, 1);
		const again = await h.s.request({ dir: h.use });
		assert.equal(again, r);
		assert.equal(h.s.spawnCount, 1);
		assert.deepEqual(h.results.map((x) => x.fromCache), [false, true]);
		// A different buffer is a different key: vet runs on it.
		const overlay = new Map([[path.join(h.use, 'use.go'), 'package use\n']]);
		const other = await h.s.request({ dir: h.use, overlay });
		assert.equal(h.s.spawnCount, 2);
		assert.notEqual(other?.status, 'cancelled');
	} finally {
		cleanup();
	}
});

test('latest wins: a newer request kills the running vet; cancel() resolves after the process exited', async () => {
	const { h, cleanup } = harness();
	try {
		// A buffer the go build cache has never seen, so vet really runs.
		const original = readFileSync(path.join(h.use, 'use.go'), 'utf8');
		const fresh = (n: number) => new Map([[path.join(h.use, 'use.go'), `${original}\n// ${process.pid} ${Date.now()} ${n}\nfunc F${n}() {}\n`]]);
		const started = new Promise<void>((resolve) => (h.spawned = resolve));
		const first = h.s.request({ dir: h.use, overlay: fresh(1) });
		await started;
		const pid = h.pids[0];
		assert.equal(h.s.liveProcesses(), 1);
		const second = h.s.request({ dir: h.use, overlay: fresh(2) });
		assert.equal(await first, undefined, 'the superseded request resolves undefined');
		assert.equal(alive(pid), false, 'its go process is gone');
		assert.equal((await second)?.status, 'ok');
		assert.ok(h.maxInFlight <= 1, 'one vet at a time');
		const startedAgain = new Promise<void>((resolve) => (h.spawned = resolve));
		const third = h.s.request({ dir: h.use, overlay: fresh(3) });
		await startedAgain;
		const pid3 = h.pids[h.pids.length - 1];
		await h.s.cancel(h.use);
		assert.equal(alive(pid3), false, 'cancel waited for the process to exit');
		assert.equal(h.s.liveProcesses(), 0);
		assert.equal(await third, undefined);
		assert.ok(h.s.isQuiescent());
		assert.ok(!h.results.some((x) => x.result.status === 'cancelled'), 'a superseded run reports nothing');
		// Their process groups (vet and compile children) were killed too.
		await h.s.request({ dir: h.use });
		for (const p of [pid, pid3]) assert.equal(groupAlive(p), false, `process group ${p} is gone`);
	} finally {
		cleanup();
	}
});

test('runTyped in a directory reached through a symbolic link: facts keep the linked path (the editor’s)', async () => {
	const { h, cleanup } = harness();
	const link = path.join(h.root, '..', `${path.basename(h.root)}-link`);
	try {
		symlinkSync(h.root, link);
		const r = await runTyped({ goBin, cwd: path.join(link, 'use'), tags: [], buildFlags: [], env: {}, timeoutMs: 120_000 });
		assert.equal(r.status, 'ok');
		assert.ok(r.facts.length > 0);
		for (const f of r.facts) assert.ok(f.pos.file.startsWith(path.join(link, 'use') + path.sep), f.pos.file);
	} finally {
		rmSync(link, { force: true });
		cleanup();
	}
});
