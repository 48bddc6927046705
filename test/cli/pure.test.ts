/** Pure parts of the CLI: argument parsing, the unified diff, fix application, replayed-path repair. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCli, UsageError, ALL_ESCAPE_KINDS } from '../../server/src/cli/args';
import { applySafeFixes, unifiedDiff } from '../../server/src/cli/fix';
import { fixPos } from '../../server/src/cli/compile';
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

test('fixPos: a replayed ./file path and a ../ path of another package are put back', () => {
	const root = mkdtempSync(path.join(os.tmpdir(), 'memlens-pos-'));
	try {
		mkdirSync(path.join(root, 'q'));
		mkdirSync(path.join(root, 'other'));
		writeFileSync(path.join(root, 'q', 'q.go'), 'package q\n');
		writeFileSync(path.join(root, 'other', 'o.go'), 'package other\n');
		const pkg = path.join(root, 'q');
		// `./q.go` as replayed, resolved against the module root by the parser:
		assert.equal(fixPos({ file: path.join(root, 'q.go'), line: 1, column: 1 }, root, pkg).file, path.join(pkg, 'q.go'));
		// `../other/o.go` printed relative to the package dir:
		assert.equal(fixPos({ file: path.resolve(root, '../other/o.go'), line: 1, column: 1 }, root, pkg).file, path.join(root, 'other', 'o.go'));
		// A right path is left alone; so is one that names no file of the package.
		assert.equal(fixPos({ file: path.join(pkg, 'q.go'), line: 1, column: 1 }, root, pkg).file, path.join(pkg, 'q.go'));
		assert.equal(fixPos({ file: path.join(root, 'zz.go'), line: 1, column: 1 }, root, pkg).file, path.join(root, 'zz.go'));
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
