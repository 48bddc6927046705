/** Which packages' tests recompile other packages, from `go list -e -test -deps -f '{{.ImportPath}}|{{.ForTest}}'`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costlyTestPackages } from '../../../server/src/typed/testVariants';
import { vetArgs } from '../../../server/src/typed/runner';
import { compileArgs } from '../../../server/src/cli/compile';

// Go 1.26 over test/fixtures/typed/testvariants (plus std lines cut short): q [p.test] makes p costly;
// p [p.test], p_test [p.test] and p.test itself are every tested package's own variants.
const LISTED = `internal/goarch|
sync|
example.com/testvariants/p|
example.com/testvariants/q|
testing|
example.com/testvariants/p [example.com/testvariants/p.test]|example.com/testvariants/p
example.com/testvariants/q [example.com/testvariants/p.test]|example.com/testvariants/p
example.com/testvariants/p_test [example.com/testvariants/p.test]|example.com/testvariants/p
example.com/testvariants/p.test|
strings [strings.test]|strings
testing [strings.test]|strings
strings_test [strings.test]|strings
bytes [bytes.test]|bytes
bytes_test [bytes.test]|bytes
`;

test('a variant of another package for p.test makes p costly; a package’s own variants do not', () => {
	assert.deepEqual([...costlyTestPackages(LISTED)].sort(), ['example.com/testvariants/p', 'strings']);
	assert.deepEqual([...costlyTestPackages('')], []);
});

test('vet after the escape compile takes that compile’s -gcflags (so its compiles are replayed, not redone)', () => {
	const shared = vetArgs({ tags: ['t'], buildFlags: [], patterns: ['./...'], shareEscapeCompile: true }, '/tmp/o.json');
	assert.deepEqual(shared, ['vet', '-json', '-copylocks', '-tags=t', '-gcflags=-m=2', '-overlay=/tmp/o.json', './...']);
	const gcflags = compileArgs(['./...'], ['t']).filter((a) => a.startsWith('-gcflags'));
	assert.deepEqual(gcflags, shared.filter((a) => a.startsWith('-gcflags')), 'the same flag as cli/compile.ts');
	assert.ok(!vetArgs({ tags: [], buildFlags: [] }).some((a) => a.startsWith('-gcflags')));
});
