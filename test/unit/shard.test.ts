/** cli/shard.ts, the pure part: `I/N` parsing and the deterministic, balanced partition. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignShards, parseShard, type ShardItem } from '../../server/src/cli/shard';

test('parseShard: I/N with 1 ≤ I ≤ N', () => {
	assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
	assert.deepEqual(parseShard(' 1/1 '), { index: 1, count: 1 });
	for (const bad of ['0/4', '5/4', '1/0', '1', '/2', '1/', 'a/b', '1/2/3', '-1/2', '1.5/2']) assert.equal(parseShard(bad), undefined, bad);
});

const items = fc.uniqueArray(fc.record({ key: fc.string({ minLength: 1, maxLength: 12 }), weight: fc.integer({ min: 1, max: 5000 }) }), { selector: (i) => i.key, maxLength: 60 });

test('every item goes to exactly one shard in 1..N, whatever the order of the items', () => {
	fc.assert(
		fc.property(items, fc.integer({ min: 1, max: 8 }), (xs: ShardItem[], n) => {
			const a = assignShards(xs, n);
			const b = assignShards([...xs].reverse(), n);
			assert.equal(a.size, xs.length);
			for (const x of xs) {
				const s = a.get(x.key)!;
				assert.ok(s >= 1 && s <= n);
				assert.equal(b.get(x.key), s, 'the same partition from any input order');
			}
		}),
	);
});

test('largest first to the least loaded shard: no shard exceeds the mean by more than the largest item', () => {
	fc.assert(
		fc.property(items, fc.integer({ min: 1, max: 8 }), (xs: ShardItem[], n) => {
			const a = assignShards(xs, n);
			const load = new Array<number>(n + 1).fill(0);
			for (const x of xs) load[a.get(x.key)!] += x.weight;
			const total = xs.reduce((s, x) => s + x.weight, 0);
			const largest = Math.max(0, ...xs.map((x) => x.weight));
			for (let i = 1; i <= n; i++) assert.ok(load[i] <= total / n + largest, `shard ${i}: ${load[i]}`);
		}),
	);
	// Equal weights: counts differ by at most one, dealt in key order.
	const eq = assignShards(['c', 'a', 'd', 'b', 'e'].map((key) => ({ key, weight: 10 })), 2);
	assert.deepEqual([...eq].sort(), [['a', 1], ['b', 2], ['c', 1], ['d', 2], ['e', 1]]);
});
