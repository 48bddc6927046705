/**
 * Nothing written, nothing run that the user did not ask for (issue 15): the workspace (names,
 * sizes, contents, .git included) is the same before and after an analysis by the server and by
 * the CLI, whatever the flags or environment. Each case is one the go command really writes in
 * (checked with Go 1.26.8): `-mod=mod` creates go.sum, a go.work workspace gets go.work.sum even
 * under -mod=readonly, VCS stamping runs git, which runs `core.fsmonitor` from .git/config; and a
 * FIFO among a package's files blocks `go list` forever. GOSUMDB=off and GOPROXY=off: no network,
 * and go.sum is really written without the fix (with an unreachable sum database it would fail
 * first). GOENV=off: this machine's go env file sets -buildvcs=false, which would hide the VCS case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { URI } from 'vscode-uri';
import { CLI_JS, goEnv } from './session';
import { settledStatus, startServer } from './server';
import { assertNothingLeft, killTagged, markerScript, scratch, treeListing, type Scratch } from './lifecycle';

const QUIET_GO = { GOPROXY: 'off', GOSUMDB: 'off', GOENV: 'off', GOFLAGS: '' };

/** A module that needs golang.org/x/sync (in the module cache) and has no go.sum yet. */
function moduleWithDependency(dir: string, name: string): string {
	mkdirSync(dir, { recursive: true });
	writeFileSync(path.join(dir, 'go.mod'), `module example.com/${name}\n\ngo 1.22\n\nrequire golang.org/x/sync v0.11.0\n`);
	const file = path.join(dir, 'a.go');
	writeFileSync(file, `package ${name}\n\nimport "golang.org/x/sync/errgroup"\n\nfunc F() *errgroup.Group {\n\tvar g errgroup.Group\n\treturn &g\n}\n`);
	return file;
}

/** Analyses `file` with the server, asserts the workspace did not change and nothing is left; returns the final status. */
async function serverLeavesWorkspace(s: Scratch, file: string, opts: { settings?: Record<string, unknown>; env?: Record<string, string> } = {}) {
	const before = treeListing(s.ws);
	const server = await startServer({ root: s.ws, settings: opts.settings, env: { ...QUIET_GO, ...s.env, ...opts.env } });
	let status;
	try {
		await server.client.open(file);
		status = await settledStatus(server.client, URI.file(path.dirname(file)).toString());
		server.assertHealthy();
	} finally {
		await server.stop();
		killTagged(s.tag);
	}
	assert.deepEqual(treeListing(s.ws), before, 'the server changed the workspace');
	await assertNothingLeft(s);
	return status;
}

/** Runs `memlens check` at the workspace root and asserts the workspace did not change. */
function cliLeavesWorkspace(s: Scratch, env: Record<string, string> = {}) {
	const before = treeListing(s.ws);
	const r = spawnSync(process.execPath, [CLI_JS, 'check', '--format', 'json', '--fail-on', 'none', '.'], {
		cwd: s.ws,
		env: goEnv({ ...QUIET_GO, ...s.env, ...env }),
		encoding: 'utf8',
		timeout: 120_000,
	});
	assert.equal(r.status, 0, `cli: ${r.error ?? ''} ${r.stderr}`);
	assert.deepEqual(treeListing(s.ws), before, 'the CLI changed the workspace');
	assert.deepEqual(readdirSync(s.tmp), [], 'the CLI left entries in its temp directory');
	return r;
}

const heapFact = (status: { state: string }) => assert.equal(status.state, 'upToDate', JSON.stringify(status));

test('-mod=mod in goMemlens.buildFlags: analysed against a temporary copy of go.mod/go.sum, no go.sum in the module', async () => {
	const s = scratch();
	try {
		const file = moduleWithDependency(s.ws, 'm');
		const status = await serverLeavesWorkspace(s, file, { settings: { buildFlags: ['-mod=mod'] } });
		heapFact(status);
		assert.ok(status.notes?.some((n) => /-mod=mod.*temporary copy/.test(n)), `the status says the flag was redirected: ${JSON.stringify(status)}`);
	} finally {
		s.remove();
	}
});

test('GOFLAGS=-mod=mod inherited from the shell: the server and the CLI leave go.mod/go.sum alone', async () => {
	const s = scratch();
	try {
		const file = moduleWithDependency(s.ws, 'm');
		const status = await serverLeavesWorkspace(s, file, { env: { GOFLAGS: '-mod=mod' } });
		heapFact(status);
		const r = cliLeavesWorkspace(s, { GOFLAGS: '-mod=mod' });
		assert.match(r.stdout, /"rule": ?"moved-to-heap"|moved-to-heap/);
		assert.match(r.stderr, /note: -mod=mod/);
	} finally {
		s.remove();
	}
});

test('a go.work workspace: no go.work.sum is written (the go command writes it even with -mod=readonly)', async () => {
	const s = scratch();
	try {
		const file = moduleWithDependency(path.join(s.ws, 'm'), 'm');
		mkdirSync(path.join(s.ws, 'n'));
		writeFileSync(path.join(s.ws, 'n', 'go.mod'), 'module example.com/n\n\ngo 1.22\n');
		writeFileSync(path.join(s.ws, 'n', 'n.go'), 'package n\n\nfunc N() *int {\n\tx := 1\n\treturn &x\n}\n');
		writeFileSync(path.join(s.ws, 'go.work'), 'go 1.22\n\nuse (\n\t./m\n\t"./n" // quoted, with a comment\n)\n');
		heapFact(await serverLeavesWorkspace(s, file));
		cliLeavesWorkspace(s);
		assert.ok(!existsSync(path.join(s.ws, 'go.work.sum')));
	} finally {
		s.remove();
	}
});

test('a .git whose config names a program (core.fsmonitor): the program never runs, .git unchanged', async () => {
	const s = scratch();
	try {
		const marker = path.join(s.base, 'FSMONITOR_RAN');
		writeFileSync(path.join(s.ws, 'go.mod'), 'module example.com/vcs\n\ngo 1.22\n');
		// A main package: the go command stamps VCS information into those (and runs git to get it).
		const file = path.join(s.ws, 'main.go');
		writeFileSync(file, 'package main\n\nfunc main() {\n\tx := 1\n\tprintln(&x)\n}\n');
		execFileSync('git', ['init', '-q', s.ws]);
		execFileSync('git', ['-C', s.ws, 'config', 'core.fsmonitor', markerScript(s.base, 'fsmonitor.sh', marker)]);
		heapFact(await serverLeavesWorkspace(s, file));
		cliLeavesWorkspace(s);
		assert.ok(!existsSync(marker), 'git ran the fsmonitor program from .git/config');
	} finally {
		s.remove();
	}
});

test('a FIFO among the package files: left out with a clear note, the rest analysed, nothing blocks', async () => {
	const s = scratch();
	try {
		writeFileSync(path.join(s.ws, 'go.mod'), 'module example.com/fifo\n\ngo 1.22\n');
		const file = path.join(s.ws, 'a.go');
		writeFileSync(file, 'package fifo\n\nfunc F() *int {\n\tx := 1\n\treturn &x\n}\n');
		execFileSync('mkfifo', [path.join(s.ws, 'pipe.go')]);
		const status = await serverLeavesWorkspace(s, file);
		heapFact(status);
		assert.ok(status.notes?.some((n) => /pipe\.go left out of the build: it is a FIFO/.test(n)), JSON.stringify(status));
		const r = cliLeavesWorkspace(s);
		assert.match(r.stderr, /pipe\.go left out of the build: it is a FIFO/);
		assert.match(r.stdout, /moved-to-heap/);
	} finally {
		s.remove();
	}
});
