/** Compiler expressions told in source terms (sourceTerms.ts, goSnippet.ts), on captured output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEscapeOutput } from '../../server/src/escape/parser';
import { explainFact, factSentence, shortLabel } from '../../server/src/escape/explain';
import { snippetAt } from '../../server/src/escape/goSnippet';
import { funcName, hasInternalNames, importNames, sourceLookup, stripInlined } from '../../server/src/escape/sourceTerms';
import type { EscapeFact } from '../../server/src/model';

const dir = path.join(__dirname, '../fixtures/compiler/sourceterms');
const facts = parseEscapeOutput(readFileSync(path.join(dir, 'm2.txt'), 'utf8'), { cwd: dir }).facts;
const lines = readFileSync(path.join(dir, 's.go'), 'utf8').split('\n');
const src = sourceLookup(facts, (file, n) => (file === path.join(dir, 's.go') ? lines[n - 1] : undefined));

function at(line: number, kind: string, detail?: string): EscapeFact {
	const f = facts.find((x) => x.pos.line === line && x.kind === kind && (detail === undefined || x.detail === detail) && x.pos.file.endsWith('s.go'));
	assert.ok(f, `${kind} at ${line}`);
	return f;
}

const INTERNAL = /~r\d|\.autotmp_|\.\.\. argument|bytes\.b\b|fmt\.a\b|errors\.errorString/;

function words(f: EscapeFact, withSource = true): string {
	const s = withSource ? src : sourceLookup(facts);
	const e = explainFact(f, s);
	return [e.headline, e.why, ...e.steps.map((x) => x.text), shortLabel(f, s)].join('\n');
}

test('snippetAt: a call at its parenthesis, a binary expression at its operator, an operand, a statement', () => {
	assert.deepEqual(snippetAt('\treturn b.String()', 17), { text: 'b.String()', kind: 'call', callee: 'b.String' });
	assert.deepEqual(snippetAt('\treturn b.String()', 2), { text: 'return b.String()', kind: 'statement' });
	assert.deepEqual(snippetAt('\ts := "id:" + strconv.FormatInt(n, 10)', 13), { text: '"id:" + strconv.FormatInt(n, 10)', kind: 'binary' });
	assert.deepEqual(snippetAt('\tx := &T{a: f(1), b: "(}"}', 7), { text: '&T{a: f(1), b: "(}"}', kind: 'operand' });
	assert.deepEqual(snippetAt('\tgo func(s string) {', 2), { text: 'go func(s string)', kind: 'statement' });
	assert.deepEqual(snippetAt('\td, ok := f.file.(fs.ReadDirFile)', 8), { text: 'd, ok := f.file.(fs.ReadDirFile)', kind: 'statement' });
	// A call continued on the next line, and one too long: the callee with its arguments elided.
	assert.deepEqual(snippetAt('\tfr.debugReadLoggerf("http2: Framer %p: read %v", fr,', 21), { text: 'fr.debugReadLoggerf(…)', kind: 'call', callee: 'fr.debugReadLoggerf' });
	// Byte columns: `é` is two bytes.
	assert.deepEqual(snippetAt('\t/* é */ f(x)', 12), { text: 'f(x)', kind: 'call', callee: 'f' });
	assert.equal(snippetAt('\tx', 10), undefined);
});

test('names: inlined qualifiers stripped, method names as Go writes them, imports read from the file', () => {
	assert.equal(stripInlined('string(bytes.b.buf[bytes.b.off:])', src), 'string(b.buf[b.off:])');
	assert.equal(stripInlined('os.Stdout', src), 'os.Stdout', 'an exported package variable stays');
	assert.ok(hasInternalNames('fmt.a := ... argument', src) && hasInternalNames('~r0', undefined) && !hasInternalNames('buf[:n / 2]', src));
	assert.equal(funcName('bytes.(*Buffer).String'), '(*bytes.Buffer).String');
	assert.equal(funcName('atomic.(*Pointer[go.shape.struct { a [16]int }]).Load'), '(*atomic.Pointer[…]).Load');
	assert.deepEqual([...(importNames((n) => lines[n - 1]) ?? [])], ['bytes', 'errors', 'fmt', 'strconv', 'sync']);
	assert.deepEqual([...(importNames((n) => ['package p', 'import r "math/rand/v2"', 'import "gopkg.in/yaml.v3"', 'func f() {}'][n - 1]) ?? [])], ['r', 'yaml']);
});

test('the string returned by an inlined b.String()', () => {
	const f = at(14, 'escapes-to-heap');
	assert.equal(f.subject, 'string(bytes.b.buf[bytes.b.off:])');
	const e = explainFact(f, src);
	assert.equal(e.headline, 'the string returned by `b.String()` (inlined from `(*bytes.Buffer).String`) escapes to the heap');
	assert.equal(e.why, "because it becomes the result of `b.String()` (inlined from `(*bytes.Buffer).String`) at line 14 and it is returned at line 14, so it flows to the function's result");
	assert.deepEqual(e.steps.map((s) => s.text), [
		'spill: string(b.buf[b.off:]) (in (*bytes.Buffer).String, inlined at b.String())',
		'assign-pair: the result of b.String() (inlined from (*bytes.Buffer).String)',
		'return: return b.String()',
	]);
	assert.equal(shortLabel(f, src), 'heap: b.String() result — returned');
	assert.equal(factSentence(f, e).split(' because')[0], 'the string returned by `b.String()` (inlined from `(*bytes.Buffer).String`) escapes to the heap (returned to the caller)');
});

test('the argument list of fmt.Println, and of fmt.Errorf where an inlined errors.New makes the error', () => {
	const n = explainFact(at(19, 'escapes-to-heap'), src);
	assert.equal(n.why, 'because it is put in the argument list of `fmt.Println` at line 19 and it is passed to `fmt.Fprintln` (in `fmt.Println`, inlined) at line 19, so it flows to the heap');
	assert.equal(explainFact(at(19, 'does-not-escape'), src).headline, 'the argument list of `fmt.Println` stays on the stack');
	const err = facts.find((f) => f.pos.line === 27 && f.subject === '&errors.errorString{...}')!;
	assert.equal(explainFact(err, src).headline, 'the value returned by `errors.New` (inlined in `fmt.Errorf("bad name %q", name)`) escapes to the heap');
	assert.equal(explainFact(at(25, 'escapes-to-heap'), src).headline, 'the value returned by `errors.New("empty name")` escapes to the heap');
});

test('a go statement keeps its function and arguments; a concatenation with an inlined call', () => {
	const lit = facts.find((f) => f.pos.line === 34 && f.subject === 'func literal')!;
	assert.match(explainFact(lit, src).why, /^because the `go` statement keeps it for later at line 34/);
	assert.ok(explainFact(lit, src).steps.some((s) => s.text === 'assign-pair: what the go statement keeps for later (go func(s string))'));
	assert.equal(explainFact(at(43, 'escapes-to-heap'), src).headline, '`"id:" + strconv.FormatInt(n, 10)` escapes to the heap');
});

test('results: the function\'s result, result 2, a named result', () => {
	const pair = facts.filter((f) => f.pos.line === 48 && f.kind === 'leaking-param');
	assert.deepEqual(pair.map((f) => explainFact(f, src).headline), ["parameter `p` leaks to the function's result", "parameter `p` leaks to the function's result 2"]);
	assert.deepEqual(pair.map((f) => shortLabel(f, src)), ['leaks: p → result — returned', 'leaks: p → result 2 — returned']);
	const named = explainFact(at(53, 'leaking-param'), src);
	assert.equal(named.headline, 'parameter `p` leaks to result `r`');
	assert.match(named.why, /so it flows to result `r`$/);
});

test('no fact of the fixture is told with a compiler name, with the source or without it', () => {
	for (const f of facts) {
		if (f.kind === 'inlining') continue;
		for (const withSource of [true, false]) assert.doesNotMatch(words(f, withSource), INTERNAL, `${f.message} (source: ${withSource})`);
	}
});
