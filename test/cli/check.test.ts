/** `memlens check`: JSON shape, text output, exit codes, paths and byte columns (real Go toolchain). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { GO, goEnv, runCli, type JsonFinding } from './helpers';

function tempModule(files: Record<string, string>, goVersion = '1.21'): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-cli-'));
	writeFileSync(path.join(dir, 'go.mod'), `module example.com/t\n\ngo ${goVersion}\n`);
	for (const [name, text] of Object.entries(files)) {
		mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
		writeFileSync(path.join(dir, name), text);
	}
	return dir;
}

const RETURN_ADDR = 'package p\n\nfunc New() *int {\n\tx := 1\n\treturn &x\n}\n';

test('json: exactly one object with the documented shape, relative paths, sorted', async () => {
	const dir = tempModule({ 'a.go': RETURN_ADDR, 'sub/b.go': 'package sub\n\nfunc B() *[4]int {\n\tvar a [4]int\n\treturn &a\n}\n' });
	try {
		const r = await runCli(['check', '--format', 'json', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		const doc = JSON.parse(r.stdout);
		assert.deepEqual(Object.keys(doc).sort(), ['findings', 'version']);
		assert.equal(doc.version, 1);
		const fs = doc.findings as JsonFinding[];
		assert.deepEqual(
			fs.map((f) => [f.file, f.line, f.column, f.rule, f.source]),
			[
				['a.go', 4, 2, 'moved-to-heap', 'compiler'],
				['sub/b.go', 4, 6, 'moved-to-heap', 'compiler'],
			],
		);
		for (const f of fs) {
			assert.deepEqual(Object.keys(f).sort(), ['cause', 'column', 'compiler', 'endColumn', 'endLine', 'file', 'flow', 'line', 'message', 'rule', 'severity', 'source']);
			assert.match(f.compiler!, /^moved to heap: [xa]$/);
			assert.match(f.message, /^`[xa]` is moved to the heap \(returned to the caller\) because its address is taken/);
			assert.equal(f.cause, 'returned');
			assert.ok(f.flow.length > 0);
			for (const s of f.flow) assert.deepEqual(Object.keys(s).sort(), ['column', 'file', 'line', 'message']);
		}
		// From a parent directory the paths are relative to the cwd, not to the module.
		const up = await runCli(['check', '--format', 'json', path.basename(dir)], { cwd: path.dirname(dir) });
		assert.equal((JSON.parse(up.stdout).findings as JsonFinding[])[0].file, `${path.basename(dir)}/a.go`);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('text: file:line:col: severity: message [rule], flow indented, summary line', async () => {
	const dir = tempModule({ 'a.go': RETURN_ADDR });
	try {
		const r = await runCli(['check'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		const lines = r.stdout.trimEnd().split('\n');
		assert.match(lines[0], /^a\.go:4:2: information: `x` is moved to the heap \(returned to the caller\) .*\[moved-to-heap, cause: returned\]$/);
		assert.match(lines[1], /^ {4}a\.go:5:9: address-of: &x$/);
		assert.match(lines[lines.length - 1], /^1 finding \(1 information\) in 1 file, 1 package$/);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('exit codes: 1 at --fail-on, 0 below it, 2 on usage errors and a missing go', async () => {
	const dir = tempModule({ 'a.go': RETURN_ADDR });
	try {
		assert.equal((await runCli(['check', '--fail-on', 'information', '.'], { cwd: dir })).code, 1);
		assert.equal((await runCli(['check', '--fail-on', 'warning', '.'], { cwd: dir })).code, 0);
		const usage = await runCli(['check', '--format', 'xml'], { cwd: dir });
		assert.equal(usage.code, 2);
		assert.match(usage.stderr, /--format: "xml" is not one of text, json, sarif/);
		assert.equal((await runCli(['frobnicate'], { cwd: dir })).code, 2);
		assert.equal((await runCli(['check', '--no-such-flag'], { cwd: dir })).code, 2);
		const typo = await runCli(['check', '--escape', 'none', '--rules-disable', 'loopvar-captur', '.'], { cwd: dir });
		assert.equal(typo.code, 2);
		assert.match(typo.stderr, /unknown rule id\(s\) loopvar-captur/);
		const missing = await runCli(['check', '--go', '/nonexistent/go', '.'], { cwd: dir });
		assert.equal(missing.code, 2);
		assert.match(missing.stderr, /\/nonexistent\/go.*--go PATH/);
		assert.equal(missing.stdout, '');
		const nopath = await runCli(['check', 'no-such-dir'], { cwd: dir });
		assert.equal(nopath.code, 2);
		assert.match(nopath.stderr, /no-such-dir: no such directory/);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('--escape none spawns no compiler: works with no go on PATH', async () => {
	// N's `y` would be reported as moved to heap if the compiler ran: its absence proves it did not.
	const dir = tempModule({ 'a.go': 'package p\n\nfunc F(xs []int) {\n\tfor _, x := range xs {\n\t\tx := x\n\t\t_ = x\n\t}\n}\n\nfunc N() *int {\n\ty := 1\n\treturn &y\n}\n' }, '1.22');
	try {
		// PATH holds only node's directory: `go` is not on it.
		const env = { PATH: path.dirname(process.execPath), HOME: os.tmpdir() };
		const r = await runCli(['check', '--escape', 'none', '--format', 'json', '.'], { cwd: dir, env });
		assert.equal(r.code, 0, r.stderr);
		const fs = JSON.parse(r.stdout).findings as JsonFinding[];
		assert.deepEqual(fs.map((f) => [f.rule, f.line, f.source]), [['loopvar-redundant-copy', 5, 'syntax']]);
		// The same run with the compiler fails clearly when go is given and missing.
		const withGo = await runCli(['check', '--go', '/nonexistent/go', '.'], { cwd: dir, env });
		assert.equal(withGo.code, 2);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('columns are 1-based bytes on lines with non-ASCII identifiers, as go prints them', async () => {
	const src = 'package p\n\nfunc F(名前 []string) *int {\n\tgröße := len(名前); x := größe; return &x\n}\n\nfunc G(名 []string, print func(string)) {\n\tfor _, 値 := range 名 { 値 := 値; go func() { print(値) }() }\n}\n';
	const dir = tempModule({ 'a.go': src }, '1.22');
	try {
		const raw = spawnSync(GO, ['build', '-o', '/dev/null', '-gcflags=-m', '.'], { cwd: dir, env: goEnv(), encoding: 'utf8' }).stderr;
		const m = /a\.go:4:(\d+): moved to heap: x/.exec(raw);
		assert.ok(m, raw);
		const r = await runCli(['check', '--format', 'json', '.'], { cwd: dir });
		const fs = JSON.parse(r.stdout).findings as JsonFinding[];
		const heap = fs.find((f) => f.rule === 'moved-to-heap');
		assert.equal(heap?.column, Number(m[1]));
		// Bytes, not UTF-16 units: `größe` is 7 bytes but 5 units, `名前` 6 bytes but 2 units.
		assert.equal(heap?.column, Buffer.byteLength('\tgröße := len(名前); ') + 1);
		const copy = fs.find((f) => f.rule === 'loopvar-redundant-copy');
		assert.ok(copy, JSON.stringify(fs));
		assert.equal(copy.line, 8);
		assert.equal(copy.column, Buffer.byteLength('\tfor _, 値 := range 名 { ') + 1);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('a package that does not compile: build error on stderr, syntax findings still reported', async () => {
	const dir = tempModule({ 'ok/a.go': RETURN_ADDR, 'bad/b.go': 'package bad\n\nfunc F(xs []int) {\n\tfor _, x := range xs {\n\t\tx := x\n\t\t_ = undefinedName\n\t}\n}\n' }, '1.22');
	try {
		const r = await runCli(['check', '--format', 'json', '.'], { cwd: dir });
		assert.equal(r.code, 0);
		assert.match(r.stderr, /undefined: undefinedName/);
		const fs = JSON.parse(r.stdout).findings as JsonFinding[];
		assert.deepEqual(fs.map((f) => [f.file, f.rule]), [
			['bad/b.go', 'loopvar-redundant-copy'],
			['ok/a.go', 'moved-to-heap'],
		]);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('--help and --version', async () => {
	const h = await runCli(['--help']);
	assert.equal(h.code, 0);
	assert.match(h.stdout, /memlens check \[options\]/);
	const v = await runCli(['--version']);
	assert.equal(v.code, 0);
	assert.match(v.stdout, /^memlens \d+\.\d+\.\d+\n$/);
});

test('positions stay right when go replays cached output first printed from the package dir', async () => {
	// A unique body so that the cache entry is made by the build below, from inside q/.
	// (One size for both: two Date.now() calls straddling a millisecond made the file not compile.)
	const size = (Date.now() % 100000) + 7;
	const body = `package q\n\nfunc F() *[${size}]int {\n\tvar a [${size}]int\n\treturn &a\n}\n`;
	const dir = tempModule({ 'q/q.go': body, 'r/r.go': 'package r\n' });
	try {
		const first = spawnSync(GO, ['build', '-o', '/dev/null', '-gcflags=-m=2', '.'], { cwd: path.join(dir, 'q'), env: goEnv(), encoding: 'utf8' });
		assert.match(first.stderr, /^\.\/q\.go:4:6: moved to heap: a$/m);
		// From the module root go now replays `./q.go`, which names a file that does not exist there.
		const replay = spawnSync(GO, ['build', '-o', '/dev/null', '-gcflags=-m=2', './q'], { cwd: dir, env: goEnv(), encoding: 'utf8' });
		assert.match(replay.stderr, /^\.\/q\.go:4:6: moved to heap: a$/m);
		const r = await runCli(['check', '--format', 'json', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		const fs = JSON.parse(r.stdout).findings as JsonFinding[];
		assert.deepEqual(fs.map((f) => [f.file, f.line, f.column]), [['q/q.go', 4, 6]]);
		assert.ok(fs[0].flow.every((s) => s.file === 'q/q.go'), JSON.stringify(fs[0].flow));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('a directory whose files are all excluded by build constraints does not stop the others (wildcard patterns)', async () => {
	const dir = tempModule({ 'a.go': RETURN_ADDR, 'gen/gen.go': '//go:build ignore\n\npackage main\n\nfunc main() {}\n', 'tagged/t.go': '//go:build special\n\npackage tagged\n\nfunc T() *int {\n\tz := 1\n\treturn &z\n}\n' });
	try {
		const r = await runCli(['check', '--format', 'json', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stderr, '');
		const fs = JSON.parse(r.stdout).findings as JsonFinding[];
		assert.deepEqual(fs.map((f) => [f.file, f.rule]), [['a.go', 'moved-to-heap']]);
		// --tags brings the tagged package in.
		const t = await runCli(['check', '--format', 'json', '--tags', 'special', '.'], { cwd: dir });
		assert.deepEqual((JSON.parse(t.stdout).findings as JsonFinding[]).map((f) => [f.file, f.rule]), [
			['a.go', 'moved-to-heap'],
			['tagged/t.go', 'moved-to-heap'],
		]);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('a directory outside any module is compiled as its named files', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-nomod-'));
	writeFileSync(path.join(dir, 'a.go'), RETURN_ADDR.replace('package p', 'package main') + '\nfunc main() { _ = New() }\n');
	try {
		const r = await runCli(['check', '--format', 'json', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stderr, '');
		assert.deepEqual((JSON.parse(r.stdout).findings as JsonFinding[]).map((f) => [f.file, f.line, f.rule]), [['a.go', 4, 'moved-to-heap']]);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
