/** Pure parts of the CLI: argument parsing, the unified diff, fix application, replayed-path repair. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCli, UsageError, ALL_ESCAPE_KINDS } from '../../server/src/cli/args';
import { applySafeFixes, unifiedDiff } from '../../server/src/cli/fix';
import { parseSections } from '../../server/src/cli/compile';
import { failsOn } from '../../server/src/cli/format';
import type { Finding } from '../../server/src/cli/analyze';

test('parseCli: defaults, lists, and usage errors', () => {
	assert.deepEqual(parseCli(['check']), {
		command: 'check',
		format: 'text',
		escape: ['moved-to-heap', 'escapes-to-heap'],
		failOn: 'error',
		tags: [],
		go: '',
		typed: true,
		disabledRules: [],
		paths: ['.'],
	});
	assert.equal((parseCli(['check', '--typed', 'off']) as { typed: boolean }).typed, false);
	const c = parseCli(['check', '--escape', 'all', '--tags', 'a,b', '--rules-disable', 'defer-in-loop', 'x', 'y']);
	assert.ok(c.command === 'check');
	assert.deepEqual(c.escape, [...ALL_ESCAPE_KINDS]);
	assert.ok(!c.escape.includes('inlining'));
	assert.deepEqual([c.tags, c.disabledRules, c.paths], [['a', 'b'], ['defer-in-loop'], ['x', 'y']]);
	assert.deepEqual((parseCli(['check', '--escape', 'none']) as { escape: string[] }).escape, []);
	assert.deepEqual(parseCli(['fix', '--dry-run']), { command: 'fix', dryRun: true, disabledRules: [], paths: ['.'] });
	for (const bad of [[], ['check', '--escape', 'heap'], ['check', '--fail-on', 'fatal'], ['fix', '--format', 'json'], ['check', '--dry-run'], ['lint'], ['check', '--go', ''], ['check', '--typed', 'yes'], ['fix', '--typed', 'on']]) {
		assert.throws(() => parseCli(bad), UsageError, bad.join(' '));
	}
});

test('unifiedDiff: one hunk with context; empty for equal texts', () => {
	const a = 'l1\nl2\nl3\nl4\nl5\nl6\nl7\n';
	const b = 'l1\nl2\nl3\nl5\nl6\nl7\n';
	assert.equal(unifiedDiff('f.go', a, a), '');
	assert.equal(unifiedDiff('f.go', a, b), '--- a/f.go\n+++ b/f.go\n@@ -1,7 +1,6 @@\n l1\n l2\n l3\n-l4\n l5\n l6\n l7\n');
});

function finding(line: number, start: number, end: number, newText: string, safe = true): Finding {
	const range = { start: { line, character: start }, end: { line, character: end } };
	return {
		rule: 'r',
		file: '/x.go',
		line: line + 1,
		column: start + 1,
		endLine: line + 1,
		endColumn: end + 1,
		column16: start + 1,
		endColumn16: end + 1,
		severity: 'hint',
		message: 'm',
		source: 'syntax',
		flow: [],
		fixes: [{ title: `t${line}`, edits: [{ range, newText }], safe }],
	};
}

test('applySafeFixes: safe fixes only, overlapping ones left for a second run', () => {
	const text = 'aaaa\nbbbb\ncccc\n';
	const r = applySafeFixes('/x.go', text, [finding(0, 0, 2, 'X'), finding(0, 1, 3, 'Y'), finding(1, 0, 4, 'Z', false), finding(2, 0, 4, 'W')]);
	assert.equal(r.after, 'Xaa\nbbbb\nW\n');
	assert.equal(r.skipped, 1);
	assert.deepEqual(r.applied.map((a) => a.line), [1, 3]);
});

test('parseSections: each section is placed against its own package, replayed or fresh', () => {
	const root = mkdtempSync(path.join(os.tmpdir(), 'memlens-pos-'));
	try {
		writeFileSync(path.join(root, 'go.mod'), 'module example.com/m\n');
		for (const d of ['q', 'other']) mkdirSync(path.join(root, d));
		const src = 'package x\n\nfunc F(p *int) *int { return p }\n';
		for (const f of ['log.go', 'q/q.go', 'q/log.go', 'other/o.go']) writeFileSync(path.join(root, f), src);
		const unit = { root, hasGoMod: true, packages: [root, path.join(root, 'q'), path.join(root, 'other')], files: [], patterns: ['./...'] };
		const out = [
			// Fresh, from the module root: q's own log.go, and the root's log.go inlined into q.
			'# example.com/m/q',
			'q/log.go:3:8: leaking param: p',
			'./log.go:3:8: leaking param: p',
			// Replayed as first printed from inside other/: its own file, then q's.
			'# example.com/m/other',
			'./o.go:3:8: leaking param: p',
			'../q/q.go:3:8: leaking param: p',
			// A line past the end of the file and a file that does not exist are dropped.
			'./o.go:9:1: leaking param: p',
			'./gone.go:3:8: leaking param: p',
		].join('\n');
		const facts = parseSections(out, unit).facts.map((f) => path.relative(root, f.pos.file));
		assert.deepEqual(facts, [path.join('q', 'log.go'), 'log.go', path.join('other', 'o.go'), path.join('q', 'q.go')]);
	} finally {
		rmSync(root, { recursive: true, force: true });
	}
});

test('failsOn: threshold and none', () => {
	const f = [finding(0, 0, 1, '')];
	assert.equal(failsOn(f, 'hint'), true);
	assert.equal(failsOn(f, 'information'), false);
	assert.equal(failsOn(f, 'none'), false);
	assert.equal(failsOn([], 'hint'), false);
});
