/**
 * Bounded memory under hostile sizes and storms (issue 15), on the real server and toolchain. The
 * server's peak RSS is read from /proc (VmHWM: the kernel's own high-water mark, so no sampling
 * can miss a peak); processes the server started are found by a tag in their environment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { URI } from 'vscode-uri';
import type { Diagnostic } from 'vscode-languageserver-types';
import { startServer, type Started } from './server';
import { bigGoFile } from './workspace';
import { assertNothingLeft, killTagged, scratch, taggedPids, waitForTagged } from './lifecycle';

const MB = 2 ** 20;

/** The server's peak resident set size so far (VmHWM) and now (VmRSS). */
function rss(pid: number | undefined): { peak: number; now: number } {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
	return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

/** Quiescent, and every one of `dirs` has a state past 'running'. */
function settled(s: Started, dirs: string[], timeoutMs: number) {
	const uris = dirs.map((d) => URI.file(d).toString());
	const done = () => {
		const last = s.client.statuses.at(-1);
		return !!last?.quiescent && uris.every((u) => {
			const mine = s.client.statuses.filter((x) => x.packageUri === u).at(-1);
			return mine !== undefined && mine.state !== 'running';
		});
	};
	return done() ? Promise.resolve() : s.client.waitForStatus(() => done(), timeoutMs).then(() => undefined);
}

test('a 400 MB go.mod (its go line at the end): the server stays under 300 MB RSS, reads the go line, and settles', { timeout: 900_000 }, async () => {
	const s = scratch();
	let server: Started | undefined;
	try {
		// Written in pieces: this test must not hold 400 MB either.
		const fd = openSync(path.join(s.ws, 'go.mod'), 'w');
		writeSync(fd, 'module example.com/huge\n\n');
		const block = `// ${'padding '.repeat(12)}\n`.repeat(8192);
		for (let written = 0; written < 400 * MB; written += block.length) writeSync(fd, block);
		writeSync(fd, 'go 1.21\n');
		closeSync(fd);
		// Go 1.21: the loop variable is shared, so capturing it is a finding (1.22 would make it none).
		const file = path.join(s.ws, 'a.go');
		writeFileSync(file, `package huge\n\nimport "sync"\n\n// nonce ${s.tag}\nfunc F(xs []int) {\n\tvar wg sync.WaitGroup\n\tfor _, x := range xs {\n\t\twg.Add(1)\n\t\tgo func() {\n\t\t\tdefer wg.Done()\n\t\t\tprintln(x)\n\t\t}()\n\t}\n\twg.Wait()\n}\n`);
		server = await startServer({ root: s.ws, env: s.env });
		const uri = await server.client.open(file);
		// The go line is read from the end of the file in the background: the finding appears once it is.
		const capture = (d: Diagnostic[]) => d.find((x) => x.code === 'loopvar-capture');
		const found = await server.client.waitForDiagnostics(uri, (d) => /1\.21/.test(String(capture(d)?.message ?? '')), 120_000);
		assert.ok(capture(found));
		await settled(server, [s.ws], 600_000);
		const { peak, now } = rss(server.client.child.pid);
		console.log(`# 400 MB go.mod: server RSS peak ${(peak / MB).toFixed(0)} MB, at rest ${(now / MB).toFixed(0)} MB`);
		assert.ok(peak < 300 * MB, `peak RSS ${(peak / MB).toFixed(0)} MB`);
		server.assertHealthy();
	} finally {
		await server?.stop();
		killTagged(s.tag);
		s.remove();
	}
});

test('60 configuration changes while 3 packages compile: under 300 MB RSS, superseded schedulers gone at once, and it settles', { timeout: 900_000 }, async () => {
	const s = scratch();
	let server: Started | undefined;
	const settings: Record<string, unknown> = { debounceMs: 0 };
	try {
		const dirs = ['a', 'b', 'c'].map((n) => path.join(s.ws, n));
		writeFileSync(path.join(s.ws, 'go.mod'), 'module example.com/storm\n\ngo 1.22\n');
		for (const d of dirs) {
			mkdirSync(d);
			// Unique text (a cold build cache) of a size that compiles for seconds.
			writeFileSync(path.join(d, 'big.go'), `${bigGoFile(300 * 1024, path.basename(d), false)}\nconst nonce = "${randomUUID()}"\n`);
		}
		// The client answers workspace/configuration with `settings` as it is at each request.
		server = await startServer({ root: s.ws, env: s.env, settings });
		const cfg = server.client;
		for (const d of dirs) await cfg.open(path.join(d, 'big.go'));
		// The storm starts once the compiles are under way.
		await waitForTagged(s.tag, 'compile');
		let peakGo = 0;
		let sampling = true;
		const sampler = (async () => {
			while (sampling) {
				peakGo = Math.max(peakGo, taggedPids(s.tag).filter((p) => p.comm === 'go').length);
				await new Promise((r) => setTimeout(r, 25));
			}
		})();
		try {
			for (let i = 0; i < 60; i++) {
				// Even: another environment (a new scheduler; the old one and its runs must go); odd: other tags (same scheduler).
				if (i % 2 === 0) settings.env = { GODEBUG: `memlensstorm=${i}` };
				else settings.buildTags = [`storm${i}`];
				await cfg.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
				await new Promise((r) => setTimeout(r, 50));
			}
			await settled(server, dirs, 600_000);
		} finally {
			sampling = false;
			await sampler;
		}
		const { peak, now } = rss(server.client.child.pid);
		const stats = await cfg.debugStats();
		console.log(`# storm: server RSS peak ${(peak / MB).toFixed(0)} MB, at rest ${(now / MB).toFixed(0)} MB; go runs ${stats.spawnCount}, at most ${peakGo} go processes at once`);
		assert.ok(peak < 300 * MB, `peak RSS ${(peak / MB).toFixed(0)} MB`);
		assert.equal(stats.liveProcesses, 0);
		// Two compile slots and a vet per package at most, plus ones being stopped: never one per change.
		assert.ok(peakGo <= 6, `${peakGo} go processes at once`);
		for (const d of dirs) {
			const st = cfg.statuses.filter((x) => x.packageUri === URI.file(d).toString()).at(-1)!;
			assert.equal(st.state, 'upToDate', JSON.stringify(st));
		}
		await assertNothingLeft(s, server.client.child.pid);
		server.assertHealthy();
	} finally {
		await server?.stop();
		killTagged(s.tag);
		s.remove();
	}
});

test('200 packages opened and closed at once: no go run starts for a package already closed', { timeout: 300_000 }, async () => {
	const s = scratch();
	let server: Started | undefined;
	try {
		writeFileSync(path.join(s.ws, 'go.mod'), 'module example.com/many\n\ngo 1.22\n');
		const files: string[] = [];
		for (let i = 0; i < 200; i++) {
			const d = path.join(s.ws, `p${i}`);
			mkdirSync(d);
			files.push(path.join(d, 'a.go'));
			writeFileSync(files[i], `package p${i}\n\nfunc F() *int { x := ${i}; return &x }\n`);
		}
		server = await startServer({ root: s.ws, env: s.env });
		// One write: the server reads every open and close before any answer of ours can reach it.
		const frame = (method: string, params: unknown) => {
			const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', method, params }));
			return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
		};
		const uris = files.map((f) => URI.file(f).toString());
		const frames = [
			...files.map((f, i) => frame('textDocument/didOpen', { textDocument: { uri: uris[i], languageId: 'go', version: 1, text: readFileSync(f, 'utf8') } })),
			...uris.map((uri) => frame('textDocument/didClose', { textDocument: { uri } })),
		];
		server.client.child.stdin!.write(Buffer.concat(frames));
		// Each closed document gets its diagnostics cleared: the last clear means every event was handled.
		await server.client.waitForDiagnostics(uris[199], (d) => d.length === 0);
		const quiet = await server.client.debugStats();
		await assertNothingLeft(s, server.client.child.pid);
		const after = await server.client.debugStats();
		console.log(`# 200 packages opened and closed: ${after.spawnCount} go runs`);
		assert.equal(quiet.spawnCount, 0, 'a go run started for a closed package');
		assert.equal(after.spawnCount, 0, 'a go run started for a closed package');
		server.assertHealthy();
	} finally {
		await server?.stop();
		killTagged(s.tag);
		s.remove();
	}
});
