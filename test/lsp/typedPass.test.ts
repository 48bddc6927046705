/**
 * The typed pass through the real server: a protobuf-shaped message from another package (its
 * state holds a `[0]sync.Mutex`, as protoimpl.MessageState does) copied by value is reported by
 * lock-copy-by-value once go vet has run, after the compile's facts were published; a shadowed
 * name is not; an edit moves and then re-runs the typed findings; nothing runs untrusted.
 * The module is test/fixtures/typed/protolike, copied to a temp dir.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient, REPO_ROOT } from './lspClient';
import { configAnswer, msg, withCode } from './helpers';

const RULE = 'lock-copy-by-value';

/** Paths, modes and contents of every file under `dir`. */
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

function tempModule(): { dir: string; cleanup: () => void } {
	const root = mkdtempSync(path.join(os.tmpdir(), 'memlens-typed-'));
	const dir = path.join(root, 'protolike');
	cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'typed', 'protolike'), dir, { recursive: true });
	return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** `line:character` (0-based) of each lock-copy-by-value diagnostic. */
function starts(diags: Diagnostic[]): string[] {
	return withCode(diags, RULE).map((d) => `${d.range.start.line}:${d.range.start.character}`);
}

// A name an if/switch init and a func literal redeclare: the outer one is an atomic (a lock type to
// vet), the inner ones point to a plain struct. The syntax rule used to take `*p` for a copy of the atomic.
const SHADOW = `package use

import "sync/atomic"

type Profile struct{ Name string }

func show(p Profile) string { return p.Name }

func Reload(p *atomic.Pointer[Profile]) string {
	if p := p.Load(); p != nil {
		return show(*p)
	}
	switch p := p.Load(); {
	case p != nil:
		return show(*p)
	}
	return func(p *Profile) string { return show(*p) }(&Profile{})
}
`;

describe('typed pass (go vet copylocks) through the server', () => {
	let client: LspClient;
	let mod: { dir: string; cleanup: () => void };
	let useFile: string;
	let hashAtStart = '';
	before(async () => {
		mod = tempModule();
		useFile = path.join(mod.dir, 'use', 'use.go');
		writeFileSync(path.join(mod.dir, 'use', 'shadow.go'), SHADOW);
		hashAtStart = treeHash(mod.dir);
		client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
	});
	after(async () => {
		await client.shutdown();
		mod.cleanup();
	});

	test('a protobuf-shaped message from another package copied by value: found by the typed pass, after the compile published', async () => {
		const uri = `file://${useFile}`;
		const compiled = client.nextDiagnostics(uri, (d) => d.some((x) => x.code === 'moved-to-heap'));
		const typed = client.nextDiagnostics(uri, (d) => d.some((x) => x.code === RULE));
		await client.open(useFile);
		const first = await compiled;
		assert.deepEqual(starts(first), [], 'the compile publishes before the typed pass, and the file alone shows no copy');
		const withTypes = await typed;
		assert.ok(withTypes.some((x) => x.code === 'moved-to-heap'), 'compiler facts still there');
		// Greet's parameter, the range var, `c := *p`, fmt.Println(*p), Snapshot's store.Cache parameter.
		assert.deepEqual(starts(withTypes), ['9:13', '13:8', '20:6', '24:36', '26:16']);
		const greet = withCode(withTypes, RULE)[0];
		assert.equal(greet.severity, 2, 'warning: the lock is in another package (it may be a no-copy marker)');
		assert.match(msg(greet), /`Greet` passes lock by value: `pb\.User` contains `impl\.MessageState` contains `sync\.Mutex`/);
		assert.match(msg(greet), /go vet copylocks/);
		await client.waitForQuiescent();
		const stats = await client.debugStats();
		assert.ok((stats.typedResults ?? 0) >= 1 && (stats.typedSpawnCount ?? 0) >= 1, JSON.stringify(stats));
		assert.equal(stats.liveProcesses, 0);
	});

	test('a name shadowed by an if/switch init or a func literal param: no finding, with or without types', async () => {
		const file = path.join(mod.dir, 'use', 'shadow.go');
		const published = client.nextDiagnostics(`file://${file}`);
		const uri = await client.open(file);
		assert.deepEqual(starts(await published), []);
		await client.waitForQuiescent();
		assert.deepEqual(starts(client.diagnostics.get(uri)?.diagnostics ?? []), []);
		assert.ok((await client.debugStats()).typedResults! >= 1);
		await client.close(uri);
	});

	test('an unsaved edit moves the typed findings; the next compile re-runs vet on the buffer', async () => {
		const uri = `file://${useFile}`;
		const text = readFileSync(useFile, 'utf8');
		// Two lines above everything: the typed findings follow the text at once (no vet yet).
		const moved = client.nextDiagnostics(uri, (d) => starts(d).includes('11:13'));
		await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// a\n// b\n' }]);
		assert.deepEqual(starts(await moved), ['11:13', '15:8', '22:6', '26:36', '28:16']);
		// Greet now takes a pointer (and the tests follow on disk): the edit drops the typed finding it
		// touched at once; after the save, vet runs on the buffer and agrees.
		const line = text.split('\n').findIndex((l) => l.startsWith('func Greet(')) + 2;
		const col = text.split('\n')[line - 2].indexOf('pb.User');
		const typedBefore = (await client.debugStats()).typedResults ?? 0;
		const dropped = client.nextDiagnostics(uri, (d) => !starts(d).some((s) => s.startsWith(`${line}:`)));
		await client.change(uri, [{ range: { start: { line, character: col }, end: { line, character: col } }, text: '*' }]);
		assert.deepEqual(starts(await dropped), ['15:8', '22:6', '26:36', '28:16']);
		const testFile = path.join(mod.dir, 'use', 'use_test.go');
		writeFileSync(testFile, readFileSync(testFile, 'utf8').replace('Greet(got)', 'Greet(&got)'));
		const extFile = path.join(mod.dir, 'use', 'ext_test.go');
		writeFileSync(extFile, readFileSync(extFile, 'utf8').replace('use.Greet(*u)', 'use.Greet(u)'));
		hashAtStart = treeHash(mod.dir);
		await client.save(uri);
		await client.waitForQuiescent();
		assert.ok(((await client.debugStats()).typedResults ?? 0) > typedBefore, 'vet ran again after the save');
		assert.deepEqual(starts(client.diagnostics.get(uri)!.diagnostics), ['15:8', '22:6', '26:36', '28:16']);
	});

	test('the package stops compiling: the last typed findings stay (stale); no file was written into the module', async () => {
		const uri = `file://${useFile}`;
		const doc = client.diagnostics.get(uri)!;
		// The buffer is the file plus the two comment lines typed above: its last line is empty.
		const last = readFileSync(useFile, 'utf8').split('\n').length + 1;
		const failed = client.waitForStatus((s) => s.state === 'stale' && s.quiescent);
		await client.change(uri, [{ range: { start: { line: last, character: 0 }, end: { line: last, character: 0 } }, text: '\nfunc Broken() int { return "x" }\n' }]);
		await client.save(uri);
		await failed;
		assert.deepEqual(starts(client.diagnostics.get(uri)!.diagnostics), ['15:8', '22:6', '26:36', '28:16']);
		assert.ok(doc.diagnostics.length > 0);
		assert.equal(treeHash(mod.dir), hashAtStart, 'nothing written into the module (only the test wrote its test files)');
	});
});

test('untrusted workspace: no typed pass, the syntax answer only (and it has no finding on a shadowed name)', async () => {
	const mod = tempModule();
	writeFileSync(path.join(mod.dir, 'use', 'shadow.go'), SHADOW);
	const client = await LspClient.start({ initializationOptions: { trusted: false }, configuration: configAnswer({ debounceMs: 0 }) });
	try {
		const useFile = path.join(mod.dir, 'use', 'use.go');
		const shadowFile = path.join(mod.dir, 'use', 'shadow.go');
		const published = [client.nextDiagnostics(`file://${useFile}`), client.nextDiagnostics(`file://${shadowFile}`)];
		await client.open(useFile);
		await client.open(shadowFile);
		const [useDiags, shadowDiags] = await Promise.all(published);
		await client.waitForStatus((s) => s.state === 'untrusted' && s.quiescent);
		assert.deepEqual(starts(useDiags), []);
		assert.deepEqual(starts(shadowDiags), []);
		assert.ok(shadowDiags.length === 0, 'no other finding either');
		const stats = await client.debugStats();
		assert.equal(stats.spawnCount, 0);
		assert.equal(stats.typedSpawnCount, 0);
	} finally {
		await client.shutdown();
		mod.cleanup();
	}
});

test('a package vetted before as an import of another keeps its vet answer: its syntax finding is confirmed, not retracted', async () => {
	// store has no test files: vetting it vets plain store, whose facts-only run (as use's import)
	// the go command caches under the same key in Go 1.26.8 (typed/vetSalt.ts).
	const mod = tempModule();
	const pair = path.join(mod.dir, 'store', 'pair.go');
	writeFileSync(pair, 'package store\n\nimport "sync"\n\ntype Pair struct{ mu sync.Mutex }\n\nfunc Dup(p Pair) {}\n');
	const client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
	try {
		const useFile = path.join(mod.dir, 'use', 'use.go');
		const typed = client.nextDiagnostics(`file://${useFile}`, (d) => d.some((x) => x.code === RULE));
		await client.open(useFile);
		await typed;
		await client.waitForQuiescent();
		const before = (await client.debugStats()).typedResults ?? 0;
		const uri = await client.open(pair);
		// Each quiescent status until store's vet has answered (each waiter is set before the stats are asked).
		let next = client.waitForQuiescent();
		while (((await client.debugStats()).typedResults ?? 0) <= before) {
			await next;
			next = client.waitForQuiescent();
		}
		next.catch(() => {});
		const found = withCode(client.diagnostics.get(uri)?.diagnostics ?? [], RULE);
		assert.deepEqual(found.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.severity}`), ['6:11 1'], 'the copy vet confirms');
	} finally {
		await client.shutdown();
		mod.cleanup();
	}
});
