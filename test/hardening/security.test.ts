/**
 * Security: the server never writes into the workspace, runs nothing in an untrusted workspace,
 * never goes through a shell, pins GOTOOLCHAIN=local, and does not let GOFLAGS=-toolexec (from the
 * environment, the go env file or settings) run a program. Policy: docs/security.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { URI } from 'vscode-uri';
import { CLI_JS, goEnv, ROOT } from './session';
import { settledStatus, startServer } from './server';
import { hashTree, removeCase, tempCase, writeModule } from './workspace';

/** A script that records that it ran (in `markerDir`), then runs the real tool so builds still work. */
function evilScript(dir: string, markerDir: string): string {
	const p = path.join(dir, 'evil.sh');
	writeFileSync(p, `#!/bin/sh\ntouch '${markerDir}/MARKER'\nexec "$@"\n`);
	chmodSync(p, 0o755);
	return p;
}

async function analyseAll(root: string, files: string[], opts: { settings?: Record<string, unknown>; env?: Record<string, string>; initializationOptions?: Record<string, unknown> } = {}) {
	const s = await startServer({ root, ...opts });
	const uris: string[] = [];
	for (const f of files) uris.push(await s.client.open(path.join(root, f)));
	for (const u of uris) await s.client.save(u);
	const status = await settledStatus(s.client, URI.file(path.dirname(path.join(root, files[0]))).toString());
	return { s, status, uris };
}

test('a full analysis run and a CLI check leave the workspace byte-for-byte unchanged', async () => {
	const dir = tempCase('basic');
	writeModule(path.join(dir, 'sub'), 'example.com/basic/sub', { 's.go': 'package sub\n\nfunc S() *int { s := 1; return &s }\n' });
	const before = hashTree(dir);
	const { s, status } = await analyseAll(dir, ['a.go', 'sub/s.go']);
	try {
		assert.equal(status.state, 'upToDate');
		s.assertHealthy();
	} finally {
		await s.stop();
	}
	assert.equal(hashTree(dir), before, 'the server wrote into the workspace');
	const r = spawnSync(process.execPath, [CLI_JS, 'check', '--format', 'json', dir], { cwd: dir, env: goEnv(), encoding: 'utf8' });
	assert.equal(r.signal, null);
	assert.ok(r.status === 0 || r.status === 1, `cli exit ${r.status}: ${r.stderr}`);
	assert.equal(hashTree(dir), before, 'the CLI wrote into the workspace');
	removeCase(dir);
});

for (const trusted of [false, 'false', 0, null]) test(`untrusted workspace (trusted: ${JSON.stringify(trusted)}): 0 processes spawned, state untrusted`, async () => {
	const dir = tempCase('basic');
	const { s, status, uris } = await analyseAll(dir, ['a.go'], { initializationOptions: { trusted } });
	try {
		assert.equal(status.state, 'untrusted', JSON.stringify(status));
		await s.client.waitForDiagnostics(uris[0]);
		const stats = await s.client.debugStats();
		assert.equal(stats.spawnCount, 0, 'debugStats.spawnCount');
		assert.deepEqual(s.children(), [], 'no child processes');
		s.assertHealthy();
	} finally {
		await s.stop();
		removeCase(dir);
	}
});

test("no shell: a module in a directory named -x $(touch pwned) 'q' is analysed and nothing runs", async () => {
	const dir = tempCase(undefined, "-x $(touch pwned) 'q'");
	writeModule(dir, 'example.com/weird', { "it's $(touch pwned) a.go": 'package weird\n\nfunc F() *int {\n\tx := 1\n\treturn &x\n}\n' });
	const { s, status, uris } = await analyseAll(dir, ["it's $(touch pwned) a.go"]);
	try {
		assert.equal(status.state, 'upToDate', JSON.stringify(status));
		const d = await s.client.waitForDiagnostics(uris[0], (ds) => ds.some((x) => x.code === 'moved-to-heap'));
		assert.deepEqual(d.find((x) => x.code === 'moved-to-heap')?.range.start, { line: 3, character: 1 });
		s.assertHealthy();
	} finally {
		await s.stop();
	}
	const r = spawnSync(process.execPath, [CLI_JS, 'check', '--format', 'json', dir], { cwd: path.dirname(dir), env: goEnv(), encoding: 'utf8' });
	assert.equal(r.signal, null, r.stderr);
	for (const where of [dir, path.dirname(dir), ROOT, process.cwd(), os.tmpdir()]) {
		assert.ok(!existsSync(path.join(where, 'pwned')), `a shell ran: ${where}/pwned exists`);
	}
	removeCase(dir);
});

/** Runs the basic case with a toolexec-style hook configured by `how`; the marker must not appear. */
async function noMarker(how: (script: string, scratch: string) => { settings?: Record<string, unknown>; env?: Record<string, string> }, expectState?: string) {
	const dir = tempCase('basic');
	const scratch = path.join(path.dirname(dir), 'scratch');
	mkdirSync(scratch);
	const script = evilScript(scratch, scratch);
	const { s, status } = await analyseAll(dir, ['a.go'], how(script, scratch));
	try {
		assert.ok(!readdirSync(scratch).includes('MARKER'), `the hook ran (state ${status.state}: ${status.detail ?? status.message})`);
		if (expectState) assert.equal(status.state, expectState, JSON.stringify(status));
		s.assertHealthy();
	} finally {
		await s.stop();
		removeCase(dir);
	}
}

test('GOFLAGS=-toolexec in the server environment does not run', () => noMarker((script) => ({ env: { GOFLAGS: `-toolexec=${script}` } }), 'upToDate'));

test('GOFLAGS=-toolexec in goMemlens.env does not run', () => noMarker((script) => ({ settings: { env: { GOFLAGS: `-toolexec=${script}` } } }), 'upToDate'));

test('-toolexec in goMemlens.buildFlags does not run', () => noMarker((script) => ({ settings: { buildFlags: ['-toolexec', script] } }), 'upToDate'));

test('GOFLAGS=-toolexec in the go env file (GOENV, as `go env -w` writes it) does not run', () =>
	noMarker((script, scratch) => {
		const envFile = path.join(scratch, 'goenv');
		writeFileSync(envFile, `GOFLAGS=-toolexec=${script}\n`);
		return { env: { GOENV: envFile } };
	}));

test('GOFLAGS with a quoted value (as cmd/go allows) still builds', async () => {
	const dir = tempCase('basic');
	const { s, status } = await analyseAll(dir, ['a.go'], { env: { GOFLAGS: "'-ldflags=-s -w'" } });
	try {
		assert.equal(status.state, 'upToDate', JSON.stringify(status));
	} finally {
		await s.stop();
		removeCase(dir);
	}
});

test('GOTOOLCHAIN is pinned: a go.mod asking for a newer toolchain does not download one', async () => {
	const dir = tempCase('basic');
	writeFileSync(path.join(dir, 'go.mod'), 'module example.com/basic\n\ngo 1.22\n\ntoolchain go1.99.1\n');
	const { s, status } = await analyseAll(dir, ['a.go'], { env: { GOTOOLCHAIN: 'auto', GOPROXY: 'off' } });
	try {
		// GOTOOLCHAIN=local: the local go builds it; `auto` would try (and here fail) to download go1.99.1.
		assert.equal(status.state, 'upToDate', JSON.stringify(status));
		s.assertHealthy();
	} finally {
		await s.stop();
		removeCase(dir);
	}
});
