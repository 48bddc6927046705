/** The toolchain policy (server/src/toolchain/): flags, environment, GOFLAGS quoting, go.work copies, run dirs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decideEnv, decideFlags, joinQuoted, splitQuoted } from '../../server/src/toolchain/policy';
import { absoluteWorkPaths, copyWorkFile } from '../../server/src/toolchain/moduleFiles';
import { prepareToolRun } from '../../server/src/toolchain/toolRun';
import { currentTempRoot } from '../../server/src/toolchain/tempRoot';

test('build flags: an allowlist; programs refused from every source; -mod/-modfile/-buildvcs decided apart', () => {
	const d = decideFlags(['-race', '-tags', 'a,b', '-toolexec', '/x', '-exec=/y', '-vettool=/z', '-compiler=gccgo', '-ldflags=-s -w', '-ldflags', '-extld=/cc', '-mod=mod', '-modfile', 'alt.mod', '-buildvcs=true', 'pkg/...', '-C', 'dir', '-debug-trace=t.out'], 'goMemlens.buildFlags');
	assert.deepEqual(d.flags, ['-race', '-tags=a,b', '-ldflags=-s -w']);
	assert.equal(d.mod, 'mod');
	assert.equal(d.modfile, 'alt.mod');
	assert.equal(d.buildvcs, 'true');
	const refused = d.refused.join('\n');
	for (const what of ['-toolexec=/x', '-exec=/y', '-vettool=/z', '-compiler=gccgo', '-ldflags=-extld=/cc', '"pkg/..."', '-C not used', '-debug-trace not used']) assert.ok(refused.includes(what), `${what} in ${refused}`);
	assert.deepEqual(decideFlags(['-compiler=gc', '-trimpath', '-p=2'], 'x').flags, ['-compiler=gc', '-trimpath', '-p=2']);
	// GOFLAGS: our own flags (-x, -n, -gcflags…) are dropped without a note; programs still noted.
	const g = decideFlags(['-x', '-gcflags=all=-N', '-toolexec=/t'], 'GOFLAGS');
	assert.deepEqual([g.flags, g.refused.length], [[], 1]);
});

test('settings env: an allowlist; the inherited environment is the machine and is kept', () => {
	const d = decideEnv({ GOOS: 'linux', CGO_ENABLED: '0', GOFLAGS: '-tags=x', CC: '/evil', GOROOT: '/r', PATH: '/p', LD_PRELOAD: '/l.so', GOENV: '/e', GOCACHEPROG: '/c', GCCGO: '/g', HTTPS_PROXY: 'http://p' }, { PATH: '/usr/bin', CC: 'clang', GOENV: 'off' });
	assert.deepEqual([d.env.GOOS, d.env.CGO_ENABLED, d.env.PATH, d.env.CC, d.env.HTTPS_PROXY, d.env.GOENV], ['linux', '0', '/usr/bin', 'clang', 'http://p', 'off']);
	assert.equal(d.env.GOROOT, undefined);
	assert.deepEqual(d.goflags, ['-tags=x']);
	assert.match(d.refused[0], /^goMemlens\.env: CC, GCCGO, GOCACHEPROG, GOENV, GOROOT, LD_PRELOAD, PATH not used/);
});

test('GOFLAGS quoting round-trips as cmd/internal/quoted does it', () => {
	assert.deepEqual(splitQuoted(`-a '-ldflags=-s -w'  "-tags=x y" -b`), ['-a', '-ldflags=-s -w', '-tags=x y', '-b']);
	const fields = ['-modfile=/tmp/a b/go.mod', `-ldflags=-X 'm.v=1'`, '-race'];
	assert.deepEqual(splitQuoted(joinQuoted(fields)), fields);
});

test('go.work copies: relative use and local replace paths made absolute, the rest as written', () => {
	const text = 'go 1.22\n\nuse ./a // the app\nuse (\n\t../b\n\t"./c d"\n\t/abs/e\n)\n\nreplace example.com/x => ./x\nreplace (\n\texample.com/y v1.0.0 => ../y\n\texample.com/z => example.com/zz v1.2.3\n)\n';
	assert.equal(
		absoluteWorkPaths(text, '/w/s'),
		'go 1.22\n\nuse "/w/s/a" // the app\nuse (\n\t"/w/b"\n\t"/w/s/c d"\n\t/abs/e\n)\n\nreplace example.com/x => "/w/s/x"\nreplace (\n\texample.com/y v1.0.0 => "/w/y"\n\texample.com/z => example.com/zz v1.2.3\n)\n',
	);
});

test('a go.work copy elsewhere gives the go command the same workspace (real toolchain), and go.work.sum stays put', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-work-'));
	try {
		for (const m of ['a', 'b c']) {
			mkdirSync(path.join(dir, m));
			writeFileSync(path.join(dir, m, 'go.mod'), `module example.com/${m.replace(' ', '')}\n\ngo 1.22\n`);
		}
		writeFileSync(path.join(dir, 'go.work'), 'go 1.22\n\nuse (\n\t./a\n\t"./b c"\n)\n');
		writeFileSync(path.join(dir, 'go.work.sum'), '');
		const copyDir = mkdtempSync(path.join(os.tmpdir(), 'memlens-work-copy-'));
		const copy = (await copyWorkFile(path.join(dir, 'go.work'), copyDir))!;
		const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '', GOENV: 'off' };
		const list = (work: string) => execFileSync('/usr/local/go/bin/go', ['list', '-m', '-f', '{{.Dir}}'], { cwd: path.join(dir, 'a'), env: { ...env, GOWORK: work }, encoding: 'utf8' });
		assert.equal(list(copy), list(path.join(dir, 'go.work')));
		assert.ok(existsSync(`${copy}.sum`));
		rmSync(copyDir, { recursive: true, force: true });
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('a run: GOFLAGS explicit with -buildvcs=false, GOTMPDIR/TMPDIR inside the run dir, -mod=mod on a copy; all removed', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-run-'));
	try {
		writeFileSync(path.join(dir, 'go.mod'), 'module example.com/r\n\ngo 1.22\n');
		writeFileSync(path.join(dir, 'go.sum'), 'x\n');
		const run = await prepareToolRun({ cwd: dir, buildFlags: ['-mod=mod', '-race'], env: { GOTOOLCHAIN: 'auto', CC: 'x' }, overlay: new Map([[path.join(dir, 'a.go'), 'package r\n']]) });
		const root = currentTempRoot()!;
		assert.ok(run.dir.startsWith(root) && path.basename(root).startsWith(`memlens-${process.pid}-`));
		assert.equal(run.env.GOTOOLCHAIN, 'local');
		assert.ok(run.env.GOTMPDIR.startsWith(run.dir) && run.env.TMPDIR === run.env.GOTMPDIR);
		const goflags = splitQuoted(run.env.GOFLAGS);
		assert.ok(goflags.includes('-buildvcs=false') && goflags.includes('-mod=mod'), run.env.GOFLAGS);
		const modfile = goflags.find((f) => f.startsWith('-modfile='))!.slice('-modfile='.length);
		assert.ok(modfile.startsWith(run.dir));
		assert.equal(readFileSync(path.join(path.dirname(modfile), 'go.sum'), 'utf8'), 'x\n');
		assert.deepEqual(run.flags, ['-race']);
		assert.equal(run.notes.length, 3, run.notes.join('\n'));
		assert.ok(run.overlay?.file.startsWith(run.dir));
		await run.dispose();
		assert.equal(existsSync(root), false, 'the root goes with the last run');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
