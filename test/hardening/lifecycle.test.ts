/**
 * Children owned to the end (issue 15): the real server over stdio, a real `go list` of a cgo
 * package whose C compiler never returns (so a run is in flight without burning CPU), and each
 * way a run or the server can end. Each asserts that 2 s later no process the server started is
 * alive (found by a tag in their environment, wherever they were re-parented) and nothing is left
 * in the server's temp directory (its own TMPDIR).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { URI } from 'vscode-uri';
import { startServer, type Started } from './server';
import { bigGoFile } from './workspace';
import { assertNothingLeft, cgoModule, hangingCc, killTagged, scratch, taggedPids, waitForTagged, type Scratch } from './lifecycle';

interface Hung {
	s: Scratch;
	server: Started;
	uri: string;
	dirUri: string;
}

/** A server with a package open whose compile is in flight (its C compiler is running). */
async function hungServer(opts: { settings?: Record<string, unknown>; processId?: number } = {}): Promise<Hung> {
	const s = scratch();
	const file = cgoModule(s.ws);
	const server = await startServer({
		root: s.ws,
		settings: opts.settings,
		processId: opts.processId,
		// CC from the server's own environment is the machine's toolchain: honoured (docs/security.md).
		env: { ...s.env, CC: hangingCc(s.base), CGO_ENABLED: '1' },
	});
	const uri = await server.client.open(file);
	await waitForTagged(s.tag, 'sleep');
	return { s, server, uri, dirUri: URI.file(s.ws).toString() };
}

/** Runs `body` on a hung server; whatever happens, nothing tagged survives the test. */
async function withHung(opts: Parameters<typeof hungServer>[0], body: (h: Hung) => Promise<void>): Promise<void> {
	const h = await hungServer(opts);
	try {
		await body(h);
	} finally {
		await h.server.stop().catch(() => undefined);
		killTagged(h.s.tag);
		h.s.remove();
	}
}

const exited = (h: Hung) => (h.server.client.child.exitCode !== null || h.server.client.child.signalCode !== null ? Promise.resolve() : once(h.server.client.child, 'exit'));

test('shutdown and exit during a compile: the go tree is killed and the temp dir removed', () =>
	withHung({}, async (h) => {
		await h.server.client.connection.sendRequest('shutdown');
		await h.server.client.connection.sendNotification('exit');
		await exited(h);
		await assertNothingLeft(h.s);
	}));

test('stdin closing during a compile: the server exits and takes its go tree with it', () =>
	withHung({}, async (h) => {
		h.server.client.child.stdin!.end();
		await exited(h);
		await assertNothingLeft(h.s);
	}));

test('the client process (initialize.processId) dying during a compile: the server exits and takes its go tree with it', async () => {
	const editor = spawn('sleep', ['3600'], { stdio: 'ignore' });
	await once(editor, 'spawn');
	try {
		await withHung({ processId: editor.pid }, async (h) => {
			editor.kill('SIGKILL');
			await exited(h);
			assert.ok(h.server.client.logs.some((l) => /client process \d+ is gone/.test(l)), 'our watcher saw it (not the library one, which leaves the tree)');
			await assertNothingLeft(h.s);
		});
	} finally {
		editor.kill('SIGKILL');
	}
});

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
	test(`${sig} to the server during a compile: cleaned up, and the server still dies of ${sig}`, () =>
		withHung({}, async (h) => {
			h.server.client.child.kill(sig);
			await exited(h);
			assert.equal(h.server.client.child.signalCode, sig, 'the signal is re-raised after the cleanup');
			await assertNothingLeft(h.s);
		}));
}

test('cancel from the progress UI: the go tree is killed and the run dir removed; the server keeps running', () =>
	withHung({}, async (h) => {
		// The progress may have begun while the C compiler was being waited for.
		const begin = h.server.client.progress.find((p) => p.value.kind === 'begin') ?? (await h.server.client.waitForProgress('begin'));
		const cancelled = h.server.client.waitForStatus((st) => st.packageUri === h.dirUri && /cancelled/.test(st.message));
		await h.server.client.connection.sendNotification('window/workDoneProgress/cancel', { token: begin.token });
		await cancelled;
		await assertNothingLeft(h.s, h.server.client.child.pid);
		h.server.assertHealthy();
	}));

test('a compile timeout (goMemlens.compileTimeoutSec): the go tree is killed and the run dir removed', () =>
	withHung({ settings: { compileTimeoutSec: 5 } }, async (h) => {
		const timedOut = (x: { packageUri: string; state: string }) => x.packageUri === h.dirUri && x.state === 'stale';
		const st = h.server.client.statuses.find(timedOut) ?? (await h.server.client.waitForStatus(timedOut, 60_000));
		assert.match(st.message, /timed out/);
		await assertNothingLeft(h.s, h.server.client.child.pid);
		h.server.assertHealthy();
	}));

test("closing the package's last document stops its compile", () =>
	withHung({}, async (h) => {
		const quiet = h.server.client.waitForQuiescent();
		await h.server.client.close(h.uri);
		await quiet;
		await assertNothingLeft(h.s, h.server.client.child.pid);
		h.server.assertHealthy();
	}));

test('the go command killed from outside mid-compile: its compile child does not linger', async () => {
	const s = scratch();
	try {
		// A real compile that takes seconds: a big generated package, unique so the build cache cannot answer.
		writeFileSync(path.join(s.ws, 'go.mod'), 'module example.com/big\n\ngo 1.22\n');
		const file = path.join(s.ws, 'big.go');
		writeFileSync(file, bigGoFile(1_000_000) + `\nconst nonce = "${s.tag}"\n`);
		const server = await startServer({ root: s.ws, env: s.env });
		try {
			await server.client.open(file);
			await waitForTagged(s.tag, 'compile');
			const go = taggedPids(s.tag).find((p) => p.comm === 'go');
			assert.ok(go, 'the go command is running');
			const failed = server.client.waitForStatus((st) => st.packageUri === URI.file(s.ws).toString() && st.state === 'stale' && st.quiescent, 60_000);
			process.kill(go.pid, 'SIGKILL');
			const st = await failed;
			assert.match(st.detail ?? '', /SIGKILL|signal/);
			await assertNothingLeft(s, server.client.child.pid);
			server.assertHealthy();
		} finally {
			await server.stop();
		}
	} finally {
		killTagged(s.tag);
		s.remove();
	}
});
