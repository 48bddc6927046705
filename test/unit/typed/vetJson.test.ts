/**
 * The parser of `go vet -json` on output captured from the real toolchain
 * (test/fixtures/typed/*.stdout|stderr, `node --import tsx test/fixtures/typed/capture.ts`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePosn, parseVetJson, parseVetStderr } from '../../../server/src/typed/vetJson';
import { parseCopylocks, shortTypeName } from '../../../server/src/typed/copylocks';

const FIX = path.join(__dirname, '..', '..', 'fixtures', 'typed');
const CASE = '/work/m';
const OVERLAY = '/tmp/ov';

function captured(name: string): { stdout: string; stderr: string; meta: { exitCode: number; goVersion: string } } {
	const read = (ext: string) => readFileSync(path.join(FIX, `${name}.${ext}`), 'utf8').replaceAll('$CASE', CASE).replaceAll('$OVERLAY', OVERLAY);
	return { stdout: read('stdout'), stderr: read('stderr'), meta: JSON.parse(read('meta.json')) };
}

const rel = (f: { pos: { file: string; line: number; column: number } }) => `${path.relative(CASE, f.pos.file)}:${f.pos.line}:${f.pos.column}`;

test('a module with a protobuf-shaped message: one object per package (`{}` when clean), test and external test packages', () => {
	const c = captured('protolike');
	assert.equal(c.meta.exitCode, 0);
	const out = parseVetJson(c.stdout);
	assert.deepEqual(out.unparsed, []);
	assert.deepEqual(out.analyzerErrors, []);
	assert.deepEqual(out.packages, ['example.com/protolike/use', 'example.com/protolike/use_test']);
	assert.deepEqual(out.facts.map(rel), ['use/use.go:10:14', 'use/use.go:14:9', 'use/use.go:21:7', 'use/use.go:25:37', 'use/use.go:27:17', 'use/use_test.go:11:9', 'use/use_test.go:12:11', 'use/ext_test.go:12:15']);
	assert.ok(out.facts.every((f) => f.analyzer === 'copylocks'));
	const greet = out.facts[0];
	assert.deepEqual(greet.end, { file: `${CASE}/use/use.go`, line: 10, column: 21 });
	assert.equal(greet.message, 'Greet passes lock by value: example.com/protolike/pb.User contains example.com/protolike/internal/impl.MessageState contains sync.Mutex');
	assert.deepEqual(parseVetStderr(c.stderr), { failedPackages: [], messages: [] });
});

test('an overlay: positions in the replaced file are mapped from the backing file back to the real one', () => {
	const c = captured('protolike-use-overlay');
	assert.equal(c.meta.exitCode, 0);
	const plain = parseVetJson(c.stdout);
	assert.ok(plain.facts.some((f) => f.pos.file === `${OVERLAY}/0-use.go`), 'vet prints the backing path');
	const out = parseVetJson(c.stdout, { backingToReal: new Map([[`${OVERLAY}/0-use.go`, `${CASE}/use/use.go`]]) });
	assert.deepEqual(out.facts.map(rel), ['use/use.go:5:14', 'use/use.go:7:46', 'use/use_test.go:11:9', 'use/use_test.go:12:11', 'use/ext_test.go:12:15']);
	assert.match(out.facts[1].message, /^return copies lock value: /);
	assert.equal(out.facts[0].end?.file, `${CASE}/use/use.go`);
});

test('a package that does not type-check: named on stderr, the others still print their findings', () => {
	const c = captured('broken');
	assert.equal(c.meta.exitCode, 1);
	assert.deepEqual(parseVetJson(c.stdout).facts.map(rel), ['good/good.go:10:13']);
	const errs = parseVetStderr(c.stderr);
	assert.deepEqual(errs.failedPackages, ['example.com/broken/bad']);
	assert.match(errs.messages[0], /^vet: .*bad\.go:5:58: c\.missing undefined/);
	// Vetting bad alone (after the module's run): its own errors, and the dependency's findings
	// printed again; facts are placed by file, so they land where they belong.
	const alone = captured('broken-bad');
	assert.deepEqual(parseVetJson(alone.stdout).facts.map(rel), ['good/good.go:10:13']);
	assert.deepEqual(parseVetStderr(alone.stderr).failedPackages, ['example.com/broken/bad']);
});

test('a test file that no longer compiles fails the whole package (its test variant is named on stderr)', () => {
	const c = captured('protolike-test-breaks');
	assert.equal(c.meta.exitCode, 1);
	const errs = parseVetStderr(c.stderr);
	assert.deepEqual(errs.failedPackages, ['example.com/protolike/use']);
	assert.match(errs.messages[0], /use_test\.go:12:11: cannot use got/);
});

test('cgo: vet follows the cgo-generated code back to the original file positions', () => {
	const c = captured('cgo');
	assert.equal(c.meta.exitCode, 0);
	assert.deepEqual(parseVetJson(c.stdout).facts.map(rel), ['cgo.go:16:14', 'cgo.go:19:7']);
});

test('every copylocks message captured reads back into site, subject and type path', () => {
	const all = ['protolike', 'protolike-use-overlay', 'broken', 'cgo'].flatMap((n) => parseVetJson(captured(n).stdout).facts);
	for (const f of all) assert.ok(parseCopylocks(f.message), f.message);
	assert.deepEqual(parseCopylocks(all[0].message), {
		site: 'passes',
		subject: 'Greet',
		path: ['example.com/protolike/pb.User', 'example.com/protolike/internal/impl.MessageState', 'sync.Mutex'],
	});
	assert.deepEqual(parseCopylocks('call of fmt.Println copies lock value: example.com/protolike/pb.User contains sync.Mutex'), { site: 'call', subject: 'fmt.Println', path: ['example.com/protolike/pb.User', 'sync.Mutex'] });
	assert.deepEqual(parseCopylocks('return copies lock value: sync.WaitGroup contains sync.noCopy'), { site: 'return', path: ['sync.WaitGroup', 'sync.noCopy'] });
	assert.deepEqual(parseCopylocks('literal copies lock value from T{a: b}: p.T contains sync.Mutex')?.subject, 'T{a: b}');
	assert.equal(parseCopylocks('range var m copies lock: x.T contains sync.Mutex')?.site, 'range');
	assert.equal(parseCopylocks('for loop iteration copies lock value to c: x.T contains sync.Mutex')?.site, 'loop');
	assert.equal(parseCopylocks('variable declaration copies lock value to z: sync.Mutex')?.site, 'declaration');
	assert.equal(parseCopylocks('something else entirely: x'), undefined);
	assert.equal(shortTypeName('example.com/m/pb.User'), 'pb.User');
	assert.equal(shortTypeName('sync/atomic.Pointer[example.com/m/pb.User]'), 'atomic.Pointer[pb.User]');
	assert.equal(shortTypeName('sync.Mutex'), 'sync.Mutex');
});

test('robustness: positions without a column, `-`, concatenated objects with `#` lines between, analyzer errors, garbage', () => {
	assert.deepEqual(parsePosn('/a/b.go:3'), { file: '/a/b.go', line: 3, column: 1 });
	assert.deepEqual(parsePosn('C:/x/y.go:3:4'), { file: 'C:/x/y.go', line: 3, column: 4 });
	assert.equal(parsePosn('-'), undefined);
	assert.equal(parsePosn(''), undefined);
	const text = `# example.com/a\n{"example.com/a":{"copylocks":[{"posn":"/a/a.go:1:2","end":"/a/a.go:1:3","message":"return copies lock value: sync.Mutex"}]}}\n{}\n{"example.com/b":{"copylocks":{"error":"boom"}}}{"x":\n`;
	const out = parseVetJson(text);
	assert.equal(out.facts.length, 1);
	assert.deepEqual(out.analyzerErrors, [{ pkg: 'example.com/b', analyzer: 'copylocks', error: 'boom' }]);
	assert.deepEqual(out.unparsed, ['{"x":']);
	assert.doesNotThrow(() => parseVetJson('{"a": "}"} }} {{{'));
	assert.deepEqual(parseVetJson('{"a":{"copylocks":[{"posn":"/a.go:1:1","message":"x \\"}\\" y"}]}}').facts[0].message, 'x "}" y');
});
