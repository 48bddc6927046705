/** The pure parts of the CLI's unit cache (server/src/cli/unitCache.ts): key inputs, entries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { goEnvForKey, readUnitEntry, uncacheable, writeUnitEntry, type UnitResult } from '../../server/src/cli/unitCache';
import { localReplaces, settled, stampMemo, stampOf, stampsOf, worldOf } from '../../server/src/cli/stamps';
import type { ModuleUnit } from '../../server/src/cli/discover';

test('local replace targets, the hashed go env, and what is not cached', () => {
	const mod = 'module m\n\nreplace a.com/x => ../x\nreplace (\n\tb.com/y v1.0.0 => ./vendored/y\n\tc.com/z => c.com/z v1.2.3\n\td.com/w => "/abs/w"\n)\n';
	assert.deepEqual(localReplaces(mod, '/w/m'), [path.resolve('/w/m', '../x'), path.resolve('/w/m', './vendored/y'), path.resolve('/abs/w')]);
	const a = goEnvForKey(JSON.stringify({ GOVERSION: 'go1.26.8', GOTMPDIR: '/tmp/a', GOGCCFLAGS: '-ffile-prefix-map=/tmp/a/go-build1=/tmp/go-build', GOOS: 'linux' }))!;
	const b = goEnvForKey(JSON.stringify({ GOOS: 'linux', GOTMPDIR: '/tmp/b', GOVERSION: 'go1.26.8', GOGCCFLAGS: '-ffile-prefix-map=/tmp/b/go-build2=/tmp/go-build' }))!;
	assert.equal(a.text, b.text, 'the per-run temp dir is not part of the key; key order does not count');
	assert.notEqual(goEnvForKey(JSON.stringify({ GOOS: 'linux', GOVERSION: 'go1.26.7' }))!.text, a.text);
	assert.equal(goEnvForKey('not json'), undefined);
	assert.match(uncacheable({ GOWORK: '/w/go.work' }, '/tmp/run') ?? '', /go.work/);
	assert.equal(uncacheable({ GOWORK: 'off' }, '/tmp/run'), undefined);
	assert.match(uncacheable({ GO111MODULE: 'off' }, '/tmp/run') ?? '', /GOPATH/);
	assert.ok(uncacheable({ GOFLAGS: '-mod=mod -modfile=/tmp/run/go.mod' }, '/tmp/run'));
	assert.equal(uncacheable({ GOFLAGS: '-buildvcs=false' }, '/tmp/run'), undefined);
});

test('stamps see an edit of the same size with mtime restored, any file type, embedded subdirectories, vendor/', () => {
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-ucache-unit-'));
	try {
		const root = path.join(tmp, 'm');
		mkdirSync(path.join(root, 'static'), { recursive: true });
		mkdirSync(path.join(root, 'vendor', 'x'), { recursive: true });
		mkdirSync(path.join(root, 'nested'), { recursive: true });
		writeFileSync(path.join(root, 'go.mod'), 'module m\n');
		writeFileSync(path.join(root, 'a.go'), 'package m\n');
		writeFileSync(path.join(root, 'static', 'page.html'), '<p>1</p>');
		writeFileSync(path.join(root, 'vendor', 'x', 'x.go'), 'package x\n');
		writeFileSync(path.join(root, 'nested', 'go.mod'), 'module n\n');
		const unit: ModuleUnit = { root, hasGoMod: true, packages: [root], files: [path.join(root, 'a.go')], patterns: ['./...'] };
		const s0 = stampsOf(unit);
		assert.equal(stampsOf(unit), s0);
		const a = path.join(root, 'a.go');
		const st = statSync(a);
		const s1 = stampOf(a);
		writeFileSync(a, 'package n\n');
		utimesSync(a, st.atime, st.mtime);
		assert.notEqual(stampOf(a), s1, 'ctime moved');
		const s2 = stampsOf(unit);
		assert.notEqual(s2, s0);
		writeFileSync(path.join(root, 'static', 'page.html'), '<p>2</p>');
		const s3 = stampsOf(unit);
		assert.notEqual(s3, s2, 'an embeddable file in a subdirectory');
		writeFileSync(path.join(root, 'vendor', 'x', 'x.go'), 'package y\n');
		const s4 = stampsOf(unit);
		assert.notEqual(s4, s3, 'vendor/');
		writeFileSync(path.join(root, 'nested', 'n.go'), 'package n\n');
		assert.equal(stampsOf(unit), s4, 'a nested module is not this unit');
	} finally {
		rmSync(tmp, { recursive: true, force: true });
	}
});

test('entries: written whole, read by key (head at once, findings on load), a torn or foreign entry and a changed outside file are misses', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-ucache-entry-'));
	try {
		const cfg = { dir, salt: 's' };
		const root = path.join(dir, 'm');
		const outside = path.join(dir, 'dep.go');
		writeFileSync(outside, 'package dep\n');
		const unit: ModuleUnit = { root, hasGoMod: true, packages: [root], files: [], patterns: ['./...'] };
		const finding = { rule: 'moved-to-heap', file: outside, line: 1, column: 1, endLine: 1, endColumn: 2, column16: 1, endColumn16: 2, severity: 'information' as const, message: 'm', source: 'compiler' as const, flow: [] };
		const result: UnitResult = { findings: [finding], compile: { status: 'ok', facts: [], buildErrors: [], errors: [], command: 'go build', cwd: root, durationMs: 1 }, files: 1, warnings: [], spans: [] };
		const key = 'a'.repeat(64);
		const out = 'b'.repeat(64);
		writeUnitEntry(cfg, key, out, unit, result);
		const e = readUnitEntry(cfg, key)!;
		assert.equal(e.buildHash, out);
		assert.deepEqual(await e.load(), result);
		assert.equal(readUnitEntry(cfg, 'c'.repeat(64)), undefined);
		const p = path.join(dir, 'units', `${key}.json`);
		const whole = readFileSync(p, 'utf8');
		writeFileSync(p, whole.slice(0, whole.length - 5));
		assert.equal(await readUnitEntry(cfg, key)?.load(), undefined, 'torn');
		writeFileSync(p, whole.replace(key, 'd'.repeat(64)));
		assert.equal(readUnitEntry(cfg, key), undefined, 'another key inside');
		writeFileSync(p, whole);
		assert.ok(await readUnitEntry(cfg, key)?.load());
		assert.equal(readUnitEntry(cfg, key)?.externalUnchanged(), true);
		writeFileSync(outside, 'package dep // edited\n');
		assert.equal(readUnitEntry(cfg, key)?.externalUnchanged(), false, 'a file outside the unit the findings read changed');
		writeFileSync(p, whole.slice(0, whole.indexOf('\n') - 1));
		assert.equal(readUnitEntry(cfg, key), undefined, 'a torn head');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('the world: the whole module and GOROOT/src, not a nested module; bounded; settled by git\'s racily-clean rule', () => {
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-ucache-world-'));
	try {
		const root = path.join(tmp, 'm');
		const goroot = path.join(tmp, 'goroot');
		for (const d of [path.join(root, 'sub'), path.join(root, 'other'), path.join(root, 'nested'), path.join(goroot, 'src', 'fmt')]) mkdirSync(d, { recursive: true });
		writeFileSync(path.join(root, 'go.mod'), 'module m\n');
		writeFileSync(path.join(root, 'sub', 's.go'), 'package sub\n');
		writeFileSync(path.join(root, 'other', 'o.go'), 'package other\n');
		writeFileSync(path.join(root, 'nested', 'go.mod'), 'module n\n');
		writeFileSync(path.join(goroot, 'src', 'fmt', 'print.go'), 'package fmt\n');
		const unit: ModuleUnit = { root, hasGoMod: true, packages: [path.join(root, 'sub')], files: [path.join(root, 'sub', 's.go')], patterns: ['./sub'] };
		const w0 = worldOf(unit, goroot)!;
		const s0 = stampsOf(unit);
		writeFileSync(path.join(root, 'other', 'o.go'), 'package othe\n');
		const w1 = worldOf(unit, goroot)!;
		assert.equal(stampsOf(unit), s0, 'outside the unit\'s packages: its stamps are the same');
		assert.notEqual(w1.digest, w0.digest, 'a package of the module outside the unit');
		writeFileSync(path.join(goroot, 'src', 'fmt', 'print.go'), 'package fmt \n');
		const w2 = worldOf(unit, goroot)!;
		assert.notEqual(w2.digest, w1.digest, 'std as installed');
		writeFileSync(path.join(root, 'nested', 'n.go'), 'package n\n');
		assert.equal(worldOf(unit, goroot)!.digest, w2.digest, 'a nested module is not this one');
		// One memo for the unit's stamps and its world: each file stamped once, the newest time kept.
		const memo = stampMemo();
		stampsOf(unit, memo);
		const before = memo.stamps.size;
		const w3 = worldOf(unit, goroot, memo)!;
		assert.equal(w3.digest, w2.digest);
		assert.ok(memo.stamps.size > before && memo.newestNs === w3.newestNs);
		const newest = BigInt(statSync(path.join(root, 'nested', 'n.go'), { bigint: true }).ctimeNs);
		assert.ok(w3.newestNs >= newest);
		assert.equal(worldOf(unit, goroot, stampMemo(), 2), undefined, 'more files than the bound: no world');
		// Racily clean: stamps vouch only for files left alone longer than the margin before they were taken.
		const ms = 1_000_000n;
		assert.equal(settled(1000n * ms, 3001n * ms, 2000), true);
		assert.equal(settled(1000n * ms, 3000n * ms, 2000), false);
		assert.equal(settled(5000n * ms, 3000n * ms, 2000), false, 'a file time ahead of the clock');
	} finally {
		rmSync(tmp, { recursive: true, force: true });
	}
});
