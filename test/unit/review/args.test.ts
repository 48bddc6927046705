/** Command-line parsing of `memlens diff`, `memlens baseline` and check's --new-from-rev/--baseline. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, UsageError } from '../../../server/src/cli/args';

test('diff: BASE, optional HEAD, paths after --, formats and kinds', () => {
	assert.deepEqual(parseCli(['diff', 'main']), { command: 'diff', base: 'main', format: 'text', escape: ['moved-to-heap', 'escapes-to-heap'], failOnNew: [], tags: [], go: '', paths: ['.'] });
	const d = parseCli(['diff', '--format', 'md', '--fail-on-new', 'moved-to-heap,escapes-to-heap', 'v1.0', 'HEAD', '--', './pkg', 'cmd']);
	assert.equal(d.command, 'diff');
	if (d.command !== 'diff') return;
	assert.equal(d.base, 'v1.0');
	assert.equal(d.head, 'HEAD');
	assert.equal(d.format, 'md');
	assert.deepEqual(d.failOnNew, ['moved-to-heap', 'escapes-to-heap']);
	assert.deepEqual(d.paths, ['./pkg', 'cmd']);
	const onlyPaths = parseCli(['diff', 'main', '--', 'sub']);
	assert.ok(onlyPaths.command === 'diff' && onlyPaths.head === undefined && onlyPaths.paths[0] === 'sub');
	assert.throws(() => parseCli(['diff', '--', 'sub']), UsageError);
	assert.throws(() => parseCli(['diff', '--fail-on-new', 'heap', 'main']), /--escape: "heap" is not one of/);
});

test('check: --new-from-rev and --baseline; baseline takes check\'s analysis options', () => {
	const c = parseCli(['check', '--new-from-rev', 'origin/main', '--baseline', 'bl.json', 'a']);
	assert.ok(c.command === 'check' && c.newFromRev === 'origin/main' && c.baseline === 'bl.json');
	assert.deepEqual(Object.keys(parseCli(['check'])).includes('newFromRev'), false);
	const b = parseCli(['baseline', '--escape', 'all', '--typed', 'off', 'x']);
	assert.ok(b.command === 'baseline' && b.escape.length === 5 && b.typed === false && b.paths[0] === 'x');
	assert.throws(() => parseCli(['check', '--new-from-rev', ' ']), /--new-from-rev: give a value/);
	assert.throws(() => parseCli(['fix', '--baseline', 'x']), /--baseline belongs to `memlens check`/);
});
