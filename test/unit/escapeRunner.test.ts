import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { escapeArgs, escapeEnv, runEscape, sanitizeFlags, type EscapeRunRequest } from '../../server/src/escape/runner';
import { writeOverlay } from '../../server/src/escape/overlay';
import { parseEscapeOutput } from '../../server/src/escape/parser';
import { goVersion, resolveGoBinary } from '../../server/src/analysis/goEnv';
import { groupAlive } from './processes';

const root = path.join(__dirname, '../fixtures/compiler');
const goBin = '/usr/local/go/bin/go';
const base: EscapeRunRequest = { goBin, dir: path.join(root, 'unicode'), test: false, tags: [], buildFlags: [], env: {}, timeoutMs: 120_000 };


test('live compiler output parses to the same facts as the captured fixture (format drift check)', async () => {
	const r = await runEscape(base);
	assert.equal(r.status, 'ok', r.message);
	assert.equal(r.cwd, base.dir);
	assert.match(r.command, /go list -x -export -gcflags=-m=2 \.$/, '-x: the runner keeps the compile step to replay');
	const captured = parseEscapeOutput(readFileSync(path.join(base.dir, 'm2.txt'), 'utf8'), { cwd: base.dir }).facts;
	assert.deepEqual(r.facts, captured);
	assert.ok(r.facts.some((f) => f.kind === 'moved-to-heap' && f.subject === 'größe'));
	// The output is parsed as a stream and kept compressed; what is kept is the compiler's text.
	const text = r.output.text();
	assert.match(text, /moved to heap: größe/);
	assert.equal(r.output.byteLength, Buffer.byteLength(text));
	assert.deepEqual(parseEscapeOutput(text, { cwd: base.dir }).facts, r.facts);
});

test('unsaved buffers go through -overlay: facts name the real file at the buffer positions', async () => {
	const file = path.join(base.dir, 'u.go');
	// Two lines inserted at the top shift every fact by two; a unique comment defeats the build cache.
	const text = `// unsaved ${process.pid} ${Date.now()}\n\n` + readFileSync(file, 'utf8');
	const r = await runEscape({ ...base, overlay: new Map([[file, text]]) });
	assert.equal(r.status, 'ok', r.message);
	assert.match(r.command, /-overlay=\S+overlay\.json \.$/);
	const g = r.facts.find((f) => f.kind === 'moved-to-heap' && f.subject === 'größe');
	assert.deepEqual(g?.pos, { file, line: 7, column: 2 });
	const overlayFile = /-overlay=(\S+)/.exec(r.command)![1];
	assert.equal(existsSync(path.dirname(overlayFile)), false, 'the overlay temp dir is removed');
});

test('a cache replay of a build first run at the module root still names the right file', async () => {
	const mod = mkdtempSync(path.join(os.tmpdir(), 'memlens-replay-'));
	try {
		writeFileSync(path.join(mod, 'go.mod'), 'module m\n\ngo 1.22\n');
		mkdirSync(path.join(mod, 'q'));
		const file = path.join(mod, 'q', 'q.go');
		writeFileSync(file, `package q\n\n// ${process.pid} ${Math.random()}\nfunc F() *int { x := 1; return &x }\n`);
		const env = { ...process.env, GOTOOLCHAIN: 'local' };
		const first = spawnSync(goBin, ['build', '-o', os.devNull, '-gcflags=-m=2', './q'], { cwd: mod, env, encoding: 'utf8' });
		assert.match(first.stderr, /^q\/q\.go:4:17: moved to heap: x$/m);
		const r = await runEscape({ ...base, dir: path.join(mod, 'q') });
		assert.equal(r.status, 'ok', r.message);
		assert.match(r.output.text(), /^q\/q\.go:4:17: moved to heap: x$/m, 'the go command replayed the root-relative text');
		assert.deepEqual(r.facts.find((f) => f.kind === 'moved-to-heap')?.pos, { file, line: 4, column: 17 });
	} finally {
		rmSync(mod, { recursive: true, force: true });
	}
});

test('test mode compiles _test.go files too', async () => {
	const dir = path.join(root, 'testpkg');
	const r = await runEscape({ ...base, dir, test: true });
	assert.equal(r.status, 'ok', r.message);
	assert.ok(r.facts.some((f) => f.pos.file === path.join(dir, 't_test.go') && f.kind === 'leaking-param' && f.subject === 't'));
});

test('a package that does not compile: build-failed with the errors', async () => {
	const r = await runEscape({ ...base, dir: path.join(root, 'broken') });
	assert.equal(r.status, 'build-failed');
	assert.equal(r.buildErrors.length, 3);
	assert.match(r.buildErrors[1], /undefined: undefinedThing/);
	assert.equal(r.errors?.[1].pos?.line, 4);
	assert.match(r.message ?? '', /does not compile/);
});

test('missing go: go-missing naming the goMemlens.goPath setting', async () => {
	for (const bin of ['/nonexistent/bin/go', 'memlens-no-such-go']) {
		const r = await runEscape({ ...base, goBin: bin });
		assert.equal(r.status, 'go-missing');
		assert.match(r.message ?? '', /goMemlens\.goPath/);
	}
	const nodir = await runEscape({ ...base, dir: path.join(root, 'no-such-package') });
	assert.equal(nodir.status, 'error');
	assert.match(nodir.message ?? '', /Package directory not found/);
});

test('cancel kills the whole process tree; a timeout does too', async () => {
	const file = path.join(root, 'basic', 'a.go');
	const fresh = () => new Map([[file, `// ${Math.random()}\n` + readFileSync(file, 'utf8')]]);
	const ac = new AbortController();
	let pid = 0;
	const r = await runEscape({
		...base,
		dir: path.join(root, 'basic'),
		overlay: fresh(),
		signal: ac.signal,
		onSpawn: (p) => {
			pid = p;
			ac.abort();
		},
	});
	assert.equal(r.status, 'cancelled');
	assert.ok(pid > 0);
	assert.equal(groupAlive(pid), false, 'no process of the build is left');

	let pid2 = 0;
	const t = await runEscape({ ...base, dir: path.join(root, 'basic'), overlay: fresh(), timeoutMs: 1, onSpawn: (p) => (pid2 = p) });
	assert.equal(t.status, 'timeout');
	assert.match(t.message ?? '', /compileTimeoutSec/);
	assert.equal(groupAlive(pid2), false);

	const pre = new AbortController();
	pre.abort();
	assert.equal((await runEscape({ ...base, signal: pre.signal })).status, 'cancelled');
});

test('flags and env: ours are not overridable, -toolexec is stripped, GOTOOLCHAIN pinned', () => {
	// -mod is not passed as given: toolchain/toolRun.ts decides it (a -modfile copy for -mod=mod).
	assert.deepEqual(sanitizeFlags(['-race', '-toolexec', 'evil', '-gcflags=all=-N', '-o', 'x', '-mod=mod', '--toolexec=/bin/x']), ['-race']);
	assert.deepEqual(escapeArgs({ test: false, tags: ['a', 'b'], buildFlags: ['-race'] }, '/tmp/o.json'), ['list', '-export', '-gcflags=-m=2', '-tags=a,b', '-race', '-overlay=/tmp/o.json', '.']);
	assert.deepEqual(escapeArgs({ test: true, tags: [], buildFlags: [] }), ['list', '-export', '-test', '-gcflags=-m=2', '.']);
	const env = escapeEnv({ GOFLAGS: '-mod=readonly -toolexec=/bin/evil', GOTOOLCHAIN: 'go1.99.0' });
	assert.equal(env.GOFLAGS, '-mod=readonly -buildvcs=false');
	assert.equal(env.GOTOOLCHAIN, 'local');
});

test('overlay files live in the OS temp dir and are removed on dispose', async () => {
	const o = await writeOverlay(new Map([['/w/pkg/a.go', 'package a\n']]));
	const json = JSON.parse(readFileSync(o.file, 'utf8')) as { Replace: Record<string, string> };
	const backing = json.Replace['/w/pkg/a.go'];
	assert.equal(readFileSync(backing, 'utf8'), 'package a\n');
	assert.equal(o.backingToReal.get(backing), '/w/pkg/a.go');
	await o.dispose();
	assert.equal(existsSync(path.dirname(o.file)), false);
});

test('resolveGoBinary order and goVersion', async () => {
	assert.equal(resolveGoBinary('/opt/go/bin/go', { alternateGo: '/x/go' }), '/opt/go/bin/go');
	assert.equal(resolveGoBinary('', { alternateGo: '/x/go', goroot: '/usr/local/go' }), '/x/go');
	assert.equal(resolveGoBinary('', { goroot: '/usr/local/go' }), '/usr/local/go/bin/go');
	assert.ok(path.isAbsolute(resolveGoBinary('')));
	assert.match((await goVersion(goBin, {})) ?? '', /^go1\.\d+/);
	assert.equal(await goVersion('/nonexistent/go', {}), undefined);
});
