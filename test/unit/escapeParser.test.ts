import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { EscapeOutputParser, parseEscapeOutput, parserStats } from '../../server/src/escape/parser';
import type { EscapeFact } from '../../server/src/model';
import { byteToUtf16, splitLines } from '../../server/src/util/positions';

const root = path.join(__dirname, '../fixtures/compiler');

function parseCase(name: string, file = 'm2.txt') {
	const dir = path.join(root, name);
	return { dir, ...parseEscapeOutput(readFileSync(path.join(dir, file), 'utf8'), { cwd: dir }) };
}

/** Facts in the fixture's own files, as compact strings. */
function local(dir: string, facts: EscapeFact[], kinds?: string[]): string[] {
	return facts
		.filter((f) => f.pos.file.startsWith(dir + path.sep) && (!kinds || kinds.includes(f.kind)))
		.map((f) => `${path.basename(f.pos.file)}:${f.pos.line}:${f.pos.column} ${f.kind} ${f.subject}${f.detail ? ' | ' + f.detail : ''}`);
}

function find(facts: EscapeFact[], line: number, kind: string, subject?: string): EscapeFact {
	const f = facts.find((x) => x.pos.line === line && x.kind === kind && (subject === undefined || x.subject === subject));
	assert.ok(f, `no ${kind} ${subject ?? ''} at line ${line}`);
	return f;
}

test('basic: every escape fact with exact positions, kinds and subjects', () => {
	const { dir, facts, buildErrors, packages } = parseCase('basic');
	assert.deepEqual(buildErrors, []);
	assert.deepEqual(packages, ['example.com/basic']);
	assert.deepEqual(local(dir, facts, ['moved-to-heap', 'escapes-to-heap', 'leaking-param', 'leaking-param-content', 'does-not-escape']), [
		'a.go:8:50 escapes-to-heap new([]byte)',
		'a.go:12:2 moved-to-heap buf',
		'a.go:12:13 escapes-to-heap make([]byte, 0, 64)',
		'a.go:20:9 escapes-to-heap &T{...}',
		'a.go:25:2 moved-to-heap x',
		'a.go:30:15 leaking-param p | to result ~r0 level=0',
		'a.go:37:12 leaking-param p',
		'a.go:44:14 leaking-param-content q',
		'a.go:50:13 does-not-escape ... argument',
		'a.go:50:14 escapes-to-heap v',
		'a.go:55:13 escapes-to-heap make([]byte, n)',
		'a.go:59:10 does-not-escape xs',
		'a.go:71:2 moved-to-heap a',
		'a.go:72:17 escapes-to-heap []*int{...}',
		'a.go:76:13 leaking-param-content ps',
		'a.go:88:2 moved-to-heap v',
		'a.go:89:7 escapes-to-heap &holder{}',
	]);
	assert.equal(path.isAbsolute(facts[0].pos.file), true);
});

test('basic: the pool chain is attached to buf, not to the make() printed between them', () => {
	const { dir, facts } = parseCase('basic');
	const buf = find(facts, 12, 'moved-to-heap', 'buf');
	const file = path.join(dir, 'a.go');
	assert.equal(buf.message, 'moved to heap: buf');
	assert.deepEqual(buf.flows, [
		{
			dst: '{heap}',
			op: '&',
			src: 'buf',
			steps: [
				{ expr: '&buf', reason: 'address-of', pos: { file, line: 13, column: 11 } },
				{ expr: '&buf', reason: 'interface-converted', pos: { file, line: 13, column: 11 } },
				{ expr: '(*sync.Pool).Put(pool, &buf)', reason: 'call parameter', pos: { file, line: 13, column: 10 } },
			],
		},
	]);
	const mk = find(facts, 12, 'escapes-to-heap');
	assert.deepEqual(mk.flows.map((f) => [f.dst, f.op, f.src, f.steps.map((s) => s.reason)]), [
		['buf', '&', '{storage for make([]byte, 0, 64)}', ['spill', 'assign']],
	]);
});

test('basic: reasons return, assign, slice-literal-element, range-deref, indirection, multi-flow chains', () => {
	const { facts } = parseCase('basic');
	const reasons = (f: EscapeFact) => f.flows.flatMap((x) => x.steps.map((s) => s.reason));
	assert.deepEqual(reasons(find(facts, 25, 'moved-to-heap', 'x')), ['address-of', 'return']);
	assert.deepEqual(reasons(find(facts, 37, 'leaking-param', 'p')), ['assign']);
	assert.deepEqual(reasons(find(facts, 71, 'moved-to-heap', 'a')), ['address-of', 'slice-literal-element']);
	const ps = find(facts, 76, 'leaking-param-content', 'ps');
	assert.deepEqual(ps.flows.map((f) => `${f.dst} ← ${f.op}${f.src}`), ['{temp} ← ps', 'p ← *{temp}', '{heap} ← p']);
	assert.deepEqual(reasons(ps), ['range-deref', 'assign']);
	const q = find(facts, 44, 'leaking-param-content', 'q');
	assert.equal(q.flows[0].op, '**');
	assert.deepEqual(reasons(find(facts, 50, 'escapes-to-heap', 'v')), ['spill', 'slice-literal-element', 'spill', 'assign-pair', 'call parameter']);
});

test('closures, goroutines and method values', () => {
	const { dir, facts } = parseCase('closure');
	assert.deepEqual(local(dir, facts, ['moved-to-heap', 'escapes-to-heap', 'leaking-param', 'does-not-escape']), [
		'c.go:5:2 moved-to-heap n',
		'c.go:6:9 escapes-to-heap func literal',
		'c.go:13:12 leaking-param done',
		'c.go:14:2 moved-to-heap pkt',
		'c.go:15:5 escapes-to-heap func literal',
		'c.go:31:7 does-not-escape s',
		'c.go:35:18 leaking-param s',
		'c.go:36:8 escapes-to-heap s.Get',
	]);
	const pkt = find(facts, 14, 'moved-to-heap', 'pkt');
	assert.deepEqual(pkt.flows[0].steps.map((s) => [s.reason, s.pos.line, s.pos.column]), [
		['captured by a closure', 16, 3],
		['reference', 16, 3],
	]);
	assert.equal(pkt.flows[0].dst, '{storage for func literal}');
	const spawn = find(facts, 13, 'inlining', 'Spawn');
	assert.equal(spawn.detail, 'cannot inline: unhandled op GO');
	// "capturing by ref" lines are informational, not facts or errors.
	assert.ok(!facts.some((f) => f.message.includes('capturing')));
});

test('too large for stack, struct literal element, append', () => {
	const { facts } = parseCase('large');
	const a = find(facts, 5, 'moved-to-heap', 'a');
	assert.deepEqual(a.flows[0].steps.map((s) => s.reason), ['too large for stack']);
	assert.equal(find(facts, 12, 'does-not-escape').subject, 'make([]int, n)');
	const app = find(facts, 23, 'escapes-to-heap', 'append');
	assert.equal(app.pos.column, 15);
	assert.deepEqual(app.flows[0].steps.map((s) => s.reason), ['spill', 'assign']);
	assert.deepEqual(find(facts, 28, 'escapes-to-heap').flows[0].steps.map((st) => [st.expr, st.reason]), [['make([]byte, 1048576)', 'too large for stack']]);
	assert.equal(find(facts, 34, 'escapes-to-heap').flows[0].steps[0].reason, 'zero-sized element');
	const lit = find(facts, 23, 'escapes-to-heap', 'func literal');
	assert.deepEqual(lit.flows[0].steps.map((s) => s.reason), ['spill', 'struct literal element', 'call parameter']);
});

test('generics: shape instantiations as subjects, inlined positions', () => {
	const { facts } = parseCase('generic');
	const box = facts.find((f) => f.kind === 'inlining' && f.subject === 'Box[go.shape.int]' && f.detail === 'can inline (cost 3)');
	assert.ok(box);
	assert.equal(box.pos.line, 4);
	assert.deepEqual(
		facts.filter((f) => f.kind === 'moved-to-heap').map((f) => `${f.pos.line}:${f.pos.column} ${f.subject}`),
		['19:12 v', '4:17 v', '4:6 v'],
	);
	// Two chains print at 19:21 before their facts; each fact gets its own.
	const at1921 = facts.filter((f) => f.pos.line === 19 && f.pos.column === 21 && f.kind === 'escapes-to-heap');
	assert.deepEqual(at1921.map((f) => [f.subject, f.flows[0].src]), [
		['make([]go.shape.string, 0, len(m))', '{storage for make([]go.shape.string, 0, len(m))}'],
		['append', '{storage for append(out, k)}'],
	]);
});

test('methods: receivers, leaking content, inlined strings.Builder, autogenerated wrappers dropped', () => {
	const { dir, facts } = parseCase('method');
	assert.equal(find(facts, 11, 'leaking-param-content', 'b').pos.column, 7);
	assert.equal(find(facts, 16, 'leaking-param', 'b').detail, 'to result ~r0 level=0');
	assert.equal(find(facts, 29, 'leaking-param', 'b').flows[0].dst, '{storage for b}');
	// String literals containing ": " stay whole subjects.
	assert.ok(facts.some((f) => f.subject === '"strings: illegal use of non-zero Builder copied by value"' && f.pos.line === 21));
	assert.ok(facts.every((f) => path.isAbsolute(f.pos.file) && !f.pos.file.includes('<')));
	assert.ok(local(dir, facts).length > 0);
});

test('facts inlined from other packages keep their real absolute path', () => {
	const { facts } = parseCase('basic');
	const goroot = facts.filter((f) => f.pos.file.includes(`${path.sep}src${path.sep}sync${path.sep}`));
	assert.ok(goroot.length > 0);
	assert.ok(goroot.every((f) => path.isAbsolute(f.pos.file) && !f.pos.file.startsWith(path.join(root, 'basic'))));
});

test('cgo: $WORK files (_cgo_gotypes.go) are dropped, the package file is kept', () => {
	const { dir, facts, buildErrors } = parseCase('cgo');
	assert.deepEqual(buildErrors, []);
	assert.ok(!facts.some((f) => f.pos.file.includes('_cgo_')));
	assert.deepEqual(local(dir, facts, ['does-not-escape']), ['c.go:9:11 does-not-escape s']);
});

test('go test -c: _test.go facts kept, _testmain.go dropped, both package headers seen', () => {
	const { dir, facts, packages } = parseCase('testpkg', 'm2test.txt');
	assert.deepEqual(packages, ['example.com/testpkg [example.com/testpkg.test]', 'example.com/testpkg.test']);
	assert.ok(!facts.some((f) => f.pos.file.includes('_testmain')));
	assert.deepEqual(local(dir, facts, ['leaking-param', 'escapes-to-heap']), [
		't.go:4:11 leaking-param p | to result ~r0 level=0',
		't_test.go:5:15 leaking-param t',
		't_test.go:8:11 escapes-to-heap "nil"',
	]);
});

test('non-ASCII identifiers: byte columns point at the subject once converted to UTF-16', () => {
	const { dir, facts } = parseCase('unicode');
	const lines = splitLines(readFileSync(path.join(dir, 'u.go'), 'utf8'));
	const at = (p: { line: number; column: number }) => {
		const l = lines[p.line - 1];
		return l.slice(byteToUtf16(l, p.column - 1));
	};
	const g = find(facts, 5, 'moved-to-heap', 'größe');
	assert.equal(g.pos.column, 2);
	const addr = g.flows[0].steps[0];
	assert.equal(addr.pos.column, 22); // bytes: 'ö' and 'ß' and 'π' are 2 bytes each
	assert.ok(at(addr.pos).startsWith('&größe'));
	const mk = find(facts, 11, 'escapes-to-heap');
	assert.equal(mk.pos.column, 24);
	// Calls are positioned at their '(' (the compiler's call position), here after a 4-byte emoji.
	const l11 = lines[10];
	const u = byteToUtf16(l11, mk.pos.column - 1);
	assert.equal(u, mk.pos.column - 1 - 2); // '🙂' is 4 bytes but 2 UTF-16 units
	assert.equal(l11.slice(u - 4, u + 7), 'make([]byte');
});

test('every local moved/leaking fact points at its subject in the source', () => {
	for (const name of ['basic', 'closure', 'unicode', 'large', 'method']) {
		const { dir, facts } = parseCase(name);
		for (const f of facts) {
			if (!f.pos.file.startsWith(dir + path.sep) || !['moved-to-heap', 'leaking-param', 'leaking-param-content'].includes(f.kind)) continue;
			const line = splitLines(readFileSync(f.pos.file, 'utf8'))[f.pos.line - 1];
			assert.ok(line.slice(byteToUtf16(line, f.pos.column - 1)).startsWith(f.subject), `${name} ${f.message} at ${f.pos.line}:${f.pos.column}`);
		}
	}
});

test('a package that fails to compile gives build errors and no facts', () => {
	const { dir, facts, buildErrors, errors } = parseCase('broken');
	assert.deepEqual(facts, []);
	assert.deepEqual(buildErrors, [
		'./b.go:4:2: declared and not used: x',
		'./b.go:4:7: undefined: undefinedThing',
		'./b.go:5:9: invalid operation: "str" + 1 (mismatched types untyped string and untyped int)',
	]);
	assert.deepEqual(errors[1], { pos: { file: path.join(dir, 'b.go'), line: 4, column: 7 }, message: 'undefined: undefinedThing' });
});

test('older toolchain format ("=" flows, headers without "in FUNC")', () => {
	const { facts } = parseCase('legacy');
	const buf = find(facts, 11, 'moved-to-heap', 'buf');
	assert.deepEqual(buf.flows.map((f) => [f.dst, f.op, f.src, f.steps.length]), [['{heap}', '&', 'buf', 3]]);
	assert.equal(find(facts, 15, 'leaking-param', 'b').flows[0].dst, '{storage for b}');
	assert.equal(find(facts, 22, 'moved-to-heap', 'pkt').flows[0].steps[0].reason, 'captured by a closure');
	assert.equal(find(facts, 7, 'inlining', 'f').detail, 'can inline');
});

test('overlay backing paths map to the real file; duplicates collapse; go: errors kept', () => {
	const out = [
		'# example.com/x',
		'/tmp/memlens-overlay-1/0-a.go:3:2: moved to heap: v',
		'/tmp/memlens-overlay-1/0-a.go:3:2: moved to heap: v',
		'<autogenerated>:1: leaking param: p',
		'../other/b.go:4:6: x escapes to heap',
		'go: finding module for package example.com/nope',
		'a.go:1:1: stray bare name',
	].join('\n');
	const r = parseEscapeOutput(out, { cwd: '/w/pkg', backingToReal: new Map([['/tmp/memlens-overlay-1/0-a.go', '/w/pkg/a.go']]) });
	assert.deepEqual(r.facts.map((f) => `${f.pos.file}:${f.pos.line}:${f.pos.column} ${f.kind}`), ['/w/pkg/a.go:3:2 moved-to-heap', '/w/other/b.go:4:6 escapes-to-heap']);
	assert.deepEqual(r.buildErrors, ['go: finding module for package example.com/nope', 'a.go:1:1: stray bare name']);
});

test('duplicates at the same position, kind and subject collapse; their chain is kept', () => {
	const out = [
		'./a.go:3:2: v escapes to heap in F:',
		'./a.go:3:2:   flow: {heap} ← &v:',
		'./a.go:3:2:     from &v (address-of) at ./a.go:4:9',
		'./a.go:3:2: moved to heap: v',
		'./a.go:3:2: moved to heap: v',
		'./a.go:9:6: can inline G with cost 3 as: func() {  }',
		'./a.go:9:6: inlining call to G',
		'./a.go:12:15: leaking param: tag to result ~r0 level=0',
		'./a.go:12:15: leaking param: tag to result ~r1 level=0',
	].join('\n');
	const r = parseEscapeOutput(out, { cwd: '/w' });
	assert.deepEqual(r.facts.map((f) => `${f.kind} ${f.subject} ${f.flows.length}`), ['moved-to-heap v 1', 'inlining G 0', 'inlining G 0', 'leaking-param tag 0', 'leaking-param tag 0']);
});

test('cache replays printed relative to another working dir are placed against the dir that build ran in', () => {
	// Replayed from a build at /m: the package's own file says so, and the other paths follow it.
	const out = ['# m/q', 'q/q.go:3:17: moved to heap: x', '../lib/x.go:5:2: moved to heap: y', 'other/z.go:1:1: moved to heap: z'].join('\n');
	const files = new Set(['/m/q/q.go', '/lib/x.go']);
	const r = parseEscapeOutput(out, { cwd: '/m/q', exists: (f) => files.has(f) });
	assert.deepEqual(r.facts.map((f) => f.pos.file), ['/m/q/q.go', '/lib/x.go']);
	assert.equal(r.unplaced, 1, 'other/z.go names no file under /m: dropped, never put elsewhere');
	// Pure without `exists`: plain resolution against cwd.
	assert.equal(parseEscapeOutput(out, { cwd: '/m/q' }).facts[0].pos.file, '/m/q/q/q.go');
});

test('a body inlined from another package keeps its file, even when the package has a file of that name (issue 11)', () => {
	const files = new Set(['/m/log.go', '/m/sub/log.go']);
	const exists = (f: string) => files.has(f);
	const section = (own: string, inlined: string) =>
		[
			'# example.com/m/sub',
			`${own}:8:16: inlining call to m.(*L).Panic`,
			`${inlined}:6:20: parameter m.msg leaks to {storage for m.msg} for P.(*L).Panic.func1 with derefs=0:`,
			`${inlined}:6:20:   flow: {storage for m.msg} ← m.msg:`,
			`${inlined}:6:20:     from m.msg (interface-converted) at ${inlined}:6:40`,
			`${inlined}:6:20: leaking param: msg`,
			`${own}:7:8: l does not escape`,
		].join('\n');
	const packageDir = () => '/m/sub';
	// The go command's lines from the module root (fresh there, or replayed in sub/ by the LSP's go list).
	for (const cwd of ['/m', '/m/sub']) {
		const r = parseEscapeOutput(section('sub/log.go', './log.go'), { cwd, exists, packageDir });
		assert.deepEqual(r.facts.map((f) => `${f.pos.file}:${f.pos.line}`), ['/m/sub/log.go:8', '/m/log.go:6', '/m/sub/log.go:7'], cwd);
		assert.equal(r.facts[1].flows[0].steps[0].pos.file, '/m/log.go');
	}
	// The same build run in sub/: `./log.go` is sub's own, `../log.go` the root's.
	const r = parseEscapeOutput(section('./log.go', '../log.go'), { cwd: '/m', exists, packageDir });
	assert.deepEqual(r.facts.map((f) => `${f.pos.file}:${f.pos.line}`), ['/m/sub/log.go:8', '/m/log.go:6', '/m/sub/log.go:7']);
});

test('`# path` then `# [description]` head one section, placed against the path\'s package', () => {
	const files = new Set(['/m/log.go', '/m/sub/log.go']);
	const out = ['# example.com/m/sub', '# [example.com/m/sub.cgo]', 'sub/log.go:7:8: l does not escape', './log.go:6:20: leaking param: msg'].join('\n');
	const dirs: Record<string, string> = { 'example.com/m/sub': '/m/sub', 'example.com/m': '/m' };
	// Replayed root-relative text read in sub/: without sub's own files to go by, ./log.go would be sub's.
	const r = parseEscapeOutput(out, { cwd: '/m/sub', exists: (f) => files.has(f), packageDir: (h) => (h ? dirs[h] : undefined) });
	assert.deepEqual(r.facts.map((f) => f.pos.file), ['/m/sub/log.go', '/m/log.go']);
	assert.deepEqual(r.packages, ['example.com/m/sub', '[example.com/m/sub.cgo]']);
});

test('a position outside its file (no such line, column past the end) is dropped', () => {
	const lengths = new Map([['/w/a.go', [9, 0, 20]]]);
	const out = ['./a.go:3:2: moved to heap: v', './a.go:4:1: moved to heap: w', './a.go:3:21: moved to heap: z', './a.go:1:9: leaking param: p'].join('\n');
	const r = parseEscapeOutput(out, { cwd: '/w', exists: (f) => lengths.has(f), lineLengths: (f) => lengths.get(f) });
	assert.deepEqual(r.facts.map((f) => `${f.pos.line}:${f.pos.column} ${f.subject}`), ['3:2 v', '1:9 p']);
	assert.equal(r.unplaced, 2);
});

test('a parameter leaking to two results gets the chain of each destination (real encoding/json output)', () => {
	// GOROOT/src/encoding/json/tags.go, Go 1.26: the ~r1 chain is printed first, the ~r0 fact first.
	const out = [
		'./tags.go:19:15: parameter tag leaks to ~r1 for parseTag with derefs=0:',
		'./tags.go:19:15:   flow: strings.s ← tag:',
		'./tags.go:19:15:     from strings.s, strings.sep := tag, "," (assign-pair) at ./tags.go:20:28',
		'./tags.go:19:15:   flow: {temp} ← strings.s:',
		'./tags.go:19:15:     from stringslite.Cut(strings.s, strings.sep) (call parameter) at ./tags.go:20:28',
		'./tags.go:19:15:   flow: .autotmp_6 ← {temp}:',
		'./tags.go:19:15:   flow: strings.after ← .autotmp_6:',
		'./tags.go:19:15:     from strings.before, strings.after, strings.found = string(.autotmp_5), .autotmp_6, .autotmp_7 (assign-pair) at ./tags.go:20:28',
		'./tags.go:19:15:   flow: .autotmp_5 ← strings.after:',
		'./tags.go:19:15:   flow: opt ← .autotmp_5:',
		'./tags.go:19:15:     from tag, opt, _ := string(.autotmp_4), .autotmp_5, 0 (assign-pair) at ./tags.go:20:14',
		'./tags.go:19:15:   flow: ~r1 ← opt:',
		'./tags.go:19:15:     from return tag, tagOptions(opt) (return) at ./tags.go:21:2',
		'./tags.go:19:15: parameter tag leaks to ~r0 for parseTag with derefs=0:',
		'./tags.go:19:15:   flow: ~r0 ← tag:',
		'./tags.go:19:15:     from return tag, tagOptions(opt) (return) at ./tags.go:21:2',
		'./tags.go:19:15: leaking param: tag to result ~r0 level=0',
		'./tags.go:19:15: leaking param: tag to result ~r1 level=0',
	].join('\n');
	const r = parseEscapeOutput(out, { cwd: '/w' });
	assert.deepEqual(
		r.facts.map((f) => `${f.detail} <- ${f.flows.at(-1)?.dst}`),
		['to result ~r0 level=0 <- ~r0', 'to result ~r1 level=0 <- ~r1'],
	);
	assert.equal(r.facts[1].flows.length, 7);
});

test('Windows paths and CRLF line ends', () => {
	const r = parseEscapeOutput('C:\\w\\a.go:3:2: moved to heap: v\r\n.\\b.go:4:1: moved to heap: w\r\n', { cwd: 'C:\\w' });
	assert.deepEqual(r.facts.map((f) => f.pos.file), ['C:\\w\\a.go', 'C:\\w\\b.go']);
	assert.equal(r.facts[0].subject, 'v');
	assert.equal(r.facts[0].pos.line, 3);
});

test('fuzz: 10,000 random and mutated inputs never throw and always give well-formed facts', () => {
	const corpus = ['basic', 'closure', 'generic', 'method', 'broken', 'legacy'].flatMap((n) =>
		readFileSync(path.join(root, n, 'm2.txt'), 'utf8').split('\n'),
	);
	const line = fc.oneof(
		fc.constantFrom(...corpus),
		fc.string({ maxLength: 120 }),
		fc.tuple(fc.constantFrom(...corpus), fc.nat(200), fc.string({ maxLength: 8 })).map(([l, i, s]) => l.slice(0, i) + s + l.slice(i)),
		fc.tuple(fc.constantFrom(...corpus), fc.nat(200)).map(([l, i]) => l.slice(0, i)),
	);
	let runs = 0;
	fc.assert(
		fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
			runs++;
			const r = parseEscapeOutput(lines.join('\n'), { cwd: '/w' });
			for (const f of r.facts) {
				assert.ok(Number.isInteger(f.pos.line) && Number.isInteger(f.pos.column));
				assert.ok(Array.isArray(f.flows) && typeof f.subject === 'string');
			}
		}),
		{ numRuns: 10_000 },
	);
	assert.equal(runs >= 10_000, true);
	assert.equal(parserStats.internalErrors, 0, 'the parser threw internally');
	// Non-string input is tolerated too.
	assert.deepEqual(parseEscapeOutput(undefined as unknown as string, { cwd: '/w' }).facts, []);
});

test('sections placed in steps while lines are fed (as the runner does) give what one parse gives', () => {
	const dir = path.join(root, 'testpkg');
	const text = readFileSync(path.join(dir, 'm2test.txt'), 'utf8');
	const whole = parseEscapeOutput(text, { cwd: dir });
	const p = new EscapeOutputParser({ cwd: dir });
	let steps = 0;
	let placedMidway = 0;
	for (const line of text.split('\n')) {
		p.line(line);
		if (p.pending) {
			placedMidway++;
			for (const _ of p.placing()) steps++;
		}
	}
	const g = p.finishing();
	let r = g.next();
	for (; !r.done; r = g.next()) steps++;
	assert.ok(placedMidway > 0, 'a section ended before the last line and was placed then');
	assert.ok(steps >= whole.facts.length, `${steps} steps for ${whole.facts.length} facts`);
	assert.deepEqual(r.value, whole);
});
