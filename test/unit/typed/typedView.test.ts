/**
 * The typed results as rules see them: per-file views, facts moved through edits, edited ranges,
 * which files vet surely compiled, and lock-copy-by-value's confirm / retract / add on top.
 */
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { alwaysCompiled } from '../../../server/src/typed/coverage';
import type { TypedFact, TypedView } from '../../../server/src/typed/facts';
import { shiftTyped, typedView, type TypedPackage } from '../../../server/src/typed/view';
import { diffChange } from '../../../server/src/lsp/typedRuns';
import { vetArgs, vetBuildFlags } from '../../../server/src/typed/runner';
import { hasInternalTests, internalUnconstrained, vetSaltFlag } from '../../../server/src/typed/vetSalt';
import { lockCopyByValue } from '../../../server/src/rules/lock/lockCopyByValue';
import { runRule } from '../ruleHarness';

const FILE = '/m/use/use.go';

function fact(line: number, column: number, endColumn: number, message: string): TypedFact {
	return { analyzer: 'copylocks', pos: { file: FILE, line, column }, end: { file: FILE, line, column: endColumn }, message, pkg: 'example.com/m/use' };
}

function pkg(facts: TypedFact[], complete = true): TypedPackage {
	return { analyzers: ['copylocks'], facts, complete, edited: new Map(), stale: false };
}

test('alwaysCompiled: build constraints, GOOS/GOARCH suffixes and cgo make vet’s silence inconclusive', () => {
	assert.equal(alwaysCompiled('/m/a.go', 'package a\n'), true);
	assert.equal(alwaysCompiled('/m/a_test.go', '// Copyright\n\npackage a\n'), true);
	assert.equal(alwaysCompiled('/m/linux.go', 'package a\n'), true, 'a name that is only the suffix');
	assert.equal(alwaysCompiled('/m/a_linux.go', 'package a\n'), false);
	assert.equal(alwaysCompiled('/m/a_arm64_test.go', 'package a\n'), false);
	assert.equal(alwaysCompiled('/m/a_windows_amd64.go', 'package a\n'), false);
	assert.equal(alwaysCompiled('/m/a.go', '//go:build linux\n\npackage a\n'), false);
	assert.equal(alwaysCompiled('/m/a.go', '// +build ignore\n\npackage a\n'), false);
	assert.equal(alwaysCompiled('/m/a.go', 'package a\n\n//go:build linux\n'), true, 'a go:build line after the package clause is no constraint');
	assert.equal(alwaysCompiled('/m/a.go', 'package a\n\n// #include <x.h>\nimport "C"\n'), false);
	assert.equal(alwaysCompiled('/m/_a.go', 'package a\n'), false);
});

test('typedView: the file’s facts in UTF-16 columns; checked only when vet checked the package and the file has no constraint', () => {
	const text = 'package use\n\n// é\nfunc Greet(é int, u pb.User) string { return "" }\n';
	const p = pkg([fact(4, 20, 27, 'Greet passes lock by value: example.com/m/pb.User contains sync.Mutex'), { ...fact(1, 1, 1, 'x'), pos: { file: '/m/other.go', line: 1, column: 1 } }]);
	const v = typedView(p, FILE, text);
	assert.equal(v.facts.length, 1);
	assert.deepEqual(v.facts[0].at, { line: 3, character: 18 }, 'byte column 20 is UTF-16 character 18 after `é`');
	assert.deepEqual(v.facts[0].atEnd, { line: 3, character: 25 });
	assert.equal(v.checked, true);
	assert.equal(typedView(pkg(p.facts, false), FILE, text).checked, false);
	assert.equal(typedView(p, FILE, '//go:build linux\n\n' + text).checked, false);
});

test('shiftTyped: facts move with the text, a fact whose expression an edit touches is dropped, edits are recorded', () => {
	const p = pkg([fact(3, 10, 17, 'a'), fact(5, 2, 4, 'b'), fact(8, 1, 3, 'c')]);
	// Two lines inserted at the top: everything moves down.
	let q = shiftTyped(p, FILE, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x\ny\n' }]);
	assert.deepEqual(q.facts.map((f) => `${f.pos.line}:${f.pos.column}-${f.end?.column}`), ['5:10-17', '7:2-4', '10:1-3']);
	assert.deepEqual(q.edited.get(FILE), [{ start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }]);
	// Typing right at the start of fact a's expression (0-based line 4, character 9) drops it; the others stay.
	q = shiftTyped(q, FILE, [{ range: { start: { line: 4, character: 9 }, end: { line: 4, character: 9 } }, text: '*' }]);
	assert.deepEqual(q.facts.map((f) => f.message), ['b', 'c']);
	assert.equal(q.edited.get(FILE)!.length, 2);
	// Other files' facts and ranges are untouched; the original object is not modified.
	assert.equal(p.facts.length, 3);
	assert.equal(shiftTyped(q, '/m/use/other.go', [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'z' }]).facts.length, 2);
	// A full-text change: the file's facts go, the whole file is edited.
	const full = shiftTyped(q, FILE, [{ text: 'package use\n' }]);
	assert.deepEqual(full.facts, []);
	assert.equal(full.edited.get(FILE)!.length, 1);
});

test('diffChange: the one change that turns the compile’s snapshot into the current text', () => {
	const a = 'package p\n\nfunc F() {\n\tx := 1\n}\n';
	const b = 'package p\n\nfunc F() {\n\tx := 12\n\ty := 2\n}\n';
	const c = diffChange(a, b) as { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string };
	assert.deepEqual(c.range, { start: { line: 3, character: 7 }, end: { line: 3, character: 7 } });
	assert.equal(c.text, '2\n\ty := 2');
	const d = diffChange('abc', 'abc') as { text: string };
	assert.equal(d.text, '');
});

test('vet flags: ours and vet-only ones dropped from the user’s, -toolexec and -vettool never passed', () => {
	assert.deepEqual(vetBuildFlags(['-race', '-toolexec', '/bin/x', '-vettool=/bin/y', '-cover', '-mod=mod', '-gcflags=-N', '-json', '-trimpath']), ['-race', '-trimpath']);
	// -mod is not a command-line flag here: toolchain/toolRun.ts decides it (GOFLAGS, a -modfile copy for -mod=mod).
	assert.deepEqual(vetArgs({ tags: ['a', 'b'], buildFlags: ['-race'], patterns: ['./...'] }, '/tmp/o.json'), ['vet', '-json', '-copylocks', '-tags=a,b', '-race', '-overlay=/tmp/o.json', './...']);
	assert.deepEqual(vetArgs({ tags: [], buildFlags: [] }), ['vet', '-json', '-copylocks', '.']);
});

const SRC = `package use

import (
	"sync"

	"example.com/m/pb"
)

type Counter struct {
	mu sync.Mutex
}

func Greet(u pb.User) string { return u.Name }

func Inc(c Counter) {}

func Clone(s *Counter) *Counter {
	c := *s
	c.mu = sync.Mutex{}
	return &c
}
`;

function view(facts: TypedFact[], over: Partial<TypedView> = {}): TypedView {
	return { ...typedView(pkg(facts), FILE, SRC), ...over };
}

const GREET = fact(13, 14, 21, 'Greet passes lock by value: example.com/m/pb.User contains google.golang.org/protobuf/internal/impl.MessageState contains sync.Mutex');
const INC = fact(15, 12, 19, 'Inc passes lock by value: example.com/m/use.Counter contains sync.Mutex');
const CLONE = fact(18, 7, 9, 'assignment copies lock value to c: example.com/m/use.Counter contains sync.Mutex');

test('lock-copy-by-value with types: confirmed, added (warning; information in tests), exempt copies stay out', async () => {
	const syntax = await runRule(lockCopyByValue, SRC, { filePath: FILE });
	assert.deepEqual(syntax.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1}`), ['15:12']);
	const f = await runRule(lockCopyByValue, SRC, { filePath: FILE, typed: view([GREET, INC, CLONE]) });
	assert.deepEqual(f.map((x) => `${x.range.start.line + 1}:${x.range.start.character + 1} ${x.severity}`), ['13:14 warning', '15:12 error']);
	assert.match(f[0].message, /^`Greet` passes lock by value: `pb\.User` contains `impl\.MessageState` contains `sync\.Mutex`; .*go vet copylocks/);
	assert.deepEqual(f[0].range, { start: { line: 12, character: 13 }, end: { line: 12, character: 20 } });
	assert.equal(f[1].message, syntax[0].message, 'a confirmed finding keeps the syntax wording and severity');
	const inTest = await runRule(lockCopyByValue, SRC, { filePath: '/m/use/use_test.go', typed: { ...view([GREET]), facts: view([GREET]).facts } });
	assert.equal(inTest.find((x) => x.range.start.line === 12)?.severity, 'information');
});

test('lock-copy-by-value with types: a syntax finding vet did not report is retracted, unless vet may not have seen that code', async () => {
	assert.deepEqual(await runRule(lockCopyByValue, SRC, { filePath: FILE, typed: view([]) }), [], 'retracted: vet checked the file and found no copy');
	assert.equal((await runRule(lockCopyByValue, SRC, { filePath: FILE, typed: view([], { checked: false }) })).length, 1, 'kept: vet may not have compiled the file');
	const inc = { start: { line: 14, character: 0 }, end: { line: 14, character: 3 } };
	assert.equal((await runRule(lockCopyByValue, SRC, { filePath: FILE, typed: view([], { edited: [inc] }) })).length, 1, 'kept: its function was edited since');
	const other = { start: { line: 12, character: 0 }, end: { line: 12, character: 1 } };
	assert.deepEqual(await runRule(lockCopyByValue, SRC, { filePath: FILE, typed: view([], { edited: [other] }) }), [], 'retracted: only another function was edited');
	const typeDecl = { start: { line: 9, character: 1 }, end: { line: 9, character: 2 } };
	assert.equal((await runRule(lockCopyByValue, SRC, { filePath: FILE, typed: view([], { edited: [typeDecl] }) })).length, 1, 'kept: a type declaration was edited');
	assert.deepEqual(await runRule(lockCopyByValue, SRC, { filePath: FILE, typed: { ...view([]), analyzers: [] } }).then((x) => x.length), 1, 'kept: copylocks did not run');
});

test('the vet salt: the same roots the same flag, other roots another; one package with internal tests shares its module\'s', () => {
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-vetsalt-'));
	try {
		const mod = path.join(tmp, 'm');
		const [a, b, c] = ['a', 'b', 'c'].map((d) => path.join(mod, d));
		for (const d of [a, b, c]) mkdirSync(d, { recursive: true });
		writeFileSync(path.join(mod, 'go.mod'), 'module m\n');
		writeFileSync(path.join(a, 'a_test.go'), '// Copyright\n\npackage a\n');
		writeFileSync(path.join(b, 'b_test.go'), 'package b\n');
		writeFileSync(path.join(c, 'c_test.go'), 'package c_test\n');
		writeFileSync(path.join(c, 'd_linux_test.go'), 'package c\n');
		writeFileSync(path.join(c, 'e_test.go'), '//go:build extra\n\npackage c\n');
		const base = { cwd: mod, patterns: ['./...'], leaveOut: [path.join(a, 'a_test.go')], tags: [] };
		const salt = vetSaltFlag(base);
		assert.match(salt, /^-printf\.funcs=memlens\.vet[0-9a-f]{16}$/);
		assert.equal(vetSaltFlag({ ...base, leaveOut: [...base.leaveOut] }), salt);
		for (const other of [{ cwd: a }, { patterns: ['./a'] }, { leaveOut: [] }, { tags: ['x'] }]) assert.notEqual(vetSaltFlag({ ...base, ...other }), salt, JSON.stringify(other));
		assert.ok(vetArgs({ ...base, buildFlags: [], salt }).includes(salt), 'the run carries it');
		// One package: internal tests (only test variants are roots) share the module's salt.
		const one = (cwd: string, overlay?: Map<string, string>) => vetSaltFlag({ cwd, tags: [], ...(overlay ? { overlay } : {}) });
		assert.equal(one(a), one(b), 'a and b have internal tests');
		assert.notEqual(one(c), one(a), 'c: an external test, one constrained by its name, one by a build line');
		assert.equal(hasInternalTests(c), false);
		assert.equal(one(c, new Map([[path.join(c, 'z_test.go'), 'package c\n']])), one(a), 'an unsaved internal test file counts');
		assert.notEqual(vetSaltFlag({ cwd: a, tags: [], leaveOut: [path.join(a, 'a_test.go')] }), one(a), 'tests left out: its own roots');
		assert.equal(internalUnconstrained('/* x */\npackage a\n'), false, 'a header not read is not trusted');
	} finally {
		rmSync(tmp, { recursive: true, force: true });
	}
});
