/** git/diffLines.ts on real `git diff -U0` output (test/fixtures/git/capture.sh). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isChanged, parseChangedLines, unquoteGitPath } from '../../../server/src/git/diffLines';

const FIXTURE = readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'git', 'diff-u0.txt'), 'utf8');

test('changed lines of the new side, per file, from real git output', () => {
	const m = parseChangedLines(FIXTURE);
	const asObject = Object.fromEntries([...m].map(([f, s]) => [f, [...s].sort((a, b) => a - b)]));
	assert.deepEqual(asObject, {
		// A new file: all of it; its added lines that start with `++` and `@@` are body, not headers.
		'added.go': [1, 2, 3],
		'noeol.go': [2],
		'plain.go': [2, 5, 6],
		// A rename: the new name, only the edited line.
		'renamed.go': [3],
		// C-quoted (a space, a quote, UTF-8), with git's trailing tab.
		't é"s.go': [3],
	});
	// A deleted file has no new side.
	assert.equal(m.has('gone.go'), false);
});

test('isChanged: untracked files count whole; others by line', () => {
	const m = parseChangedLines(FIXTURE);
	assert.equal(isChanged(m, new Set(), 'plain.go', 5), true);
	assert.equal(isChanged(m, new Set(), 'plain.go', 4), false);
	assert.equal(isChanged(m, new Set(['new.go']), 'new.go', 999), true);
	assert.equal(isChanged(m, new Set(), 'elsewhere.go', 1), false);
});

test('unquoteGitPath: C escapes and octal UTF-8 bytes; plain names unchanged', () => {
	assert.equal(unquoteGitPath('"b/t \\303\\251\\"s.go"'), 'b/t é"s.go');
	assert.equal(unquoteGitPath('"a\\tb\\\\c"'), 'a\tb\\c');
	assert.equal(unquoteGitPath('b/plain.go'), 'b/plain.go');
});

test('hunk headers without counts mean one line; a zero count adds nothing', () => {
	const m = parseChangedLines('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -3 +3 @@\n-a\n+b\n@@ -7,2 +6,0 @@\n-c\n-d\n');
	assert.deepEqual([...m.get('x')!], [3]);
});
