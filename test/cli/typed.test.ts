/**
 * `memlens check` with the typed pass (go vet copylocks per module): the protobuf-shaped copy is
 * found with `--escape none` too, `--typed off` and a missing go give the syntax answer (with a
 * note on stderr for the latter), a shadowed name is never a finding, a package vet cannot check
 * keeps the syntax answer, nothing is written into the module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, tempCopy, type JsonFinding } from './helpers';

const PROTOLIKE = path.join(ROOT, 'test', 'fixtures', 'typed', 'protolike');
const RULE = 'lock-copy-by-value';

function lockFindings(stdout: string): string[] {
	const r = JSON.parse(stdout) as { findings: JsonFinding[] };
	return r.findings.filter((f) => f.rule === RULE).map((f) => `${f.file}:${f.line}:${f.column} ${f.severity}`);
}

function treeHash(dir: string): string {
	const h = createHash('sha256');
	const walk = (d: string) => {
		for (const n of readdirSync(d).sort()) {
			const p = path.join(d, n);
			const st = statSync(p);
			h.update(`${path.relative(dir, p)}\0${st.mode}\0`);
			if (st.isDirectory()) walk(p);
			else h.update(readFileSync(p));
		}
	};
	walk(dir);
	return h.digest('hex');
}

/** `--typed on` (the default): packages are vetted without their test files (no syntax finding there to confirm). */
const EXPECTED = ['use/use.go:10:14 warning', 'use/use.go:14:9 warning', 'use/use.go:21:7 warning', 'use/use.go:25:37 warning', 'use/use.go:27:17 warning'];
/** `--typed full`: with their test files, where only types show the copies. */
const EXPECTED_FULL = ['use/ext_test.go:12:15 information', ...EXPECTED, 'use/use_test.go:11:9 information', 'use/use_test.go:12:11 information'].sort();

test('--escape none still runs the typed pass: the protobuf-shaped copies from another package are found; nothing written', async () => {
	const dir = tempCopy(PROTOLIKE);
	try {
		const before = treeHash(dir);
		const r = await runCli(['check', '--escape', 'none', '--format', 'json', '--fail-on', 'none', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stderr, '');
		assert.deepEqual(lockFindings(r.stdout), EXPECTED);
		const greet = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.find((f) => f.file === 'use/use.go' && f.line === 10)!;
		assert.match(greet.message, /`Greet` passes lock by value: `pb\.User` contains `impl\.MessageState` contains `sync\.Mutex`/);
		assert.equal(greet.endColumn, 21);
		assert.equal(treeHash(dir), before, 'the module is unchanged');
		// With the compiler too: the same lock findings next to the compiler's facts.
		const withEscape = await runCli(['check', '--format', 'json', '--fail-on', 'none', '.'], { cwd: dir });
		assert.deepEqual(lockFindings(withEscape.stdout), EXPECTED);
		const full = await runCli(['check', '--escape', 'none', '--typed', 'full', '--format', 'json', '--fail-on', 'none', '.'], { cwd: dir });
		assert.equal(full.code, 0, full.stderr);
		assert.deepEqual(lockFindings(full.stdout), EXPECTED_FULL, 'the test files too');
		// A syntax finding in a test file brings its package's vet with tests: then every test file there has its typed answer.
		writeFileSync(path.join(dir, 'use', 'z_test.go'), 'package use\n\nimport "sync"\n\ntype local struct{ mu sync.Mutex }\n\nfunc dup(l local) {}\n');
		const again = await runCli(['check', '--escape', 'none', '--format', 'json', '--fail-on', 'none', '.'], { cwd: dir });
		assert.deepEqual(lockFindings(again.stdout), [...EXPECTED_FULL, 'use/z_test.go:7:12 error'].sort());
	} finally {
		rmSync(path.dirname(dir), { recursive: true, force: true });
	}
});

test('--typed off, and a go that cannot run: the syntax answer (none here), a note on stderr for the missing go', async () => {
	const off = await runCli(['check', '--escape', 'none', '--typed', 'off', '--format', 'json', '--fail-on', 'none', '.'], { cwd: PROTOLIKE });
	assert.equal(off.code, 0);
	assert.deepEqual(lockFindings(off.stdout), []);
	assert.equal(off.stderr, '');
	const missing = await runCli(['check', '--escape', 'none', '--go', '/nonexistent/go', '--format', 'json', '--fail-on', 'none', '.'], { cwd: PROTOLIKE });
	assert.equal(missing.code, 0, 'not fatal with --escape none');
	assert.deepEqual(lockFindings(missing.stdout), []);
	assert.match(missing.stderr, /no types from the Go toolchain, lock-copy-by-value gives its syntax answer only/);
	const bad = await runCli(['check', '--typed', 'maybe', '.'], { cwd: PROTOLIKE });
	assert.equal(bad.code, 2);
	const fix = await runCli(['fix', '--typed', 'off', '.'], { cwd: PROTOLIKE });
	assert.equal(fix.code, 2, '--typed belongs to check');
});

const SHADOW = `package use

import "sync/atomic"

type Profile struct{ Name string }

func show(p Profile) string { return p.Name }

// An if init, a switch init, a range and a func literal param each declare a new p: never the atomic.
func Reload(p *atomic.Pointer[Profile], all []*Profile) string {
	if p := p.Load(); p != nil {
		return show(*p)
	}
	switch p := p.Load(); {
	case p != nil:
		return show(*p)
	}
	for _, p := range all {
		return show(*p)
	}
	return func(p *Profile) string { return show(*p) }(&Profile{})
}
`;

test('a name shadowed by an if/switch init, a range or a func literal param: no finding, with or without types', async () => {
	const dir = tempCopy(PROTOLIKE);
	try {
		writeFileSync(path.join(dir, 'use', 'shadow.go'), SHADOW);
		for (const typed of ['on', 'off']) {
			const r = await runCli(['check', '--escape', 'none', '--typed', typed, '--format', 'json', '--fail-on', 'none', 'use/shadow.go'], { cwd: dir });
			assert.deepEqual(lockFindings(r.stdout).filter((f) => f.startsWith('use/shadow.go')), [], typed);
		}
	} finally {
		rmSync(path.dirname(dir), { recursive: true, force: true });
	}
});

/** A same-file lock copy in store: the syntax rule reports it, and so does vet (store/pair.go:7:12). */
const PAIR = 'package store\n\nimport "sync"\n\ntype Pair struct{ mu sync.Mutex }\n\nfunc Dup(p Pair) {}\n';

test('a package vet cannot check keeps the syntax answer (a same-file lock copy stays reported); the others get types; by default its broken test file is not vetted', async () => {
	const dir = tempCopy(PROTOLIKE);
	try {
		// store: a same-file lock copy the syntax rule sees (PAIR), and a test file that does not compile.
		writeFileSync(path.join(dir, 'store', 'pair.go'), PAIR);
		writeFileSync(path.join(dir, 'store', 'broken_test.go'), 'package store\n\nvar _ int = "not an int"\n');
		const r = await runCli(['check', '--escape', 'none', '--typed', 'full', '--format', 'json', '--fail-on', 'none', '.'], { cwd: dir });
		assert.match(r.stderr, /go vet could not check example\.com\/protolike\/store/);
		const found = lockFindings(r.stdout);
		assert.ok(found.includes('store/pair.go:7:12 error'), `the syntax answer stands where vet could not look: ${found}`);
		assert.ok(found.includes('use/use.go:10:14 warning'), 'the other package still has its typed findings');
		const byDefault = await runCli(['check', '--escape', 'none', '--format', 'json', '--fail-on', 'none', '.'], { cwd: dir });
		assert.equal(byDefault.stderr, '', 'the test file is not shown to vet');
		assert.ok(lockFindings(byDefault.stdout).includes('store/pair.go:7:12 error'), 'confirmed by vet');
	} finally {
		rmSync(path.dirname(dir), { recursive: true, force: true });
	}
});

test('a package vetted before as another package\'s import keeps its diagnostics (the go command\'s vet cache does not tell the two apart)', async () => {
	const dir = tempCopy(PROTOLIKE);
	try {
		writeFileSync(path.join(dir, 'store', 'pair.go'), PAIR);
		// use imports store: vetting use vets store for facts only, and the go command caches that.
		const first = await runCli(['check', '--escape', 'none', '--format', 'json', '--fail-on', 'none', './use'], { cwd: dir });
		assert.equal(first.code, 0, first.stderr);
		for (const typed of ['on', 'full']) {
			const r = await runCli(['check', '--escape', 'none', '--typed', typed, '--format', 'json', '--fail-on', 'none', './store'], { cwd: dir });
			assert.equal(r.code, 0, r.stderr);
			assert.deepEqual(lockFindings(r.stdout), ['store/pair.go:7:12 error'], `--typed ${typed}: vet's answer for store, not its facts-only run's empty one`);
		}
	} finally {
		rmSync(path.dirname(dir), { recursive: true, force: true });
	}
});
