/**
 * The real server over stdio with the real Go toolchain: compiler facts become diagnostics with
 * exact ranges, doc links and flow steps; hovers explain them; status and heap sites follow.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LspClient } from './lspClient';
import { configAnswer, FIXTURES, msg, span, withCode } from './helpers';

const POOL = path.join(FIXTURES, 'basic', 'pool.go');

describe('escape facts as diagnostics (full client)', () => {
	let client: LspClient;
	let uri: string;
	before(async () => {
		client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
		uri = await client.open(POOL);
		await client.waitForQuiescent((s) => s.state === 'upToDate');
	});
	after(() => client.shutdown());

	test('moved-to-heap facts have the subject range, code, source and doc link', async () => {
		const diags = await client.waitForDiagnostics(uri, (d) => withCode(d, 'moved-to-heap').length > 0);
		const moved = withCode(diags, 'moved-to-heap');
		assert.deepEqual(moved.map(span).sort(), ['11:5-8', '19:1-2']); // buf, p
		for (const d of moved) {
			assert.equal(d.source, 'memlens');
			assert.match(d.codeDescription?.href ?? '', /^file:\/\/.*\/docs\/escape\/moved-to-heap\.md$/);
			assert.ok(existsSync(fileURLToPath(d.codeDescription!.href)), 'the doc page exists');
			assert.equal(d.data, undefined, 'no data: compiler facts have no code actions');
		}
	});

	test('the flow chain is relatedInformation, one entry per step, at the compiler positions', async () => {
		const diags = await client.waitForDiagnostics(uri);
		const buf = withCode(diags, 'moved-to-heap').find((d) => d.range.start.line === 11);
		assert.ok(buf, 'buf fact');
		assert.match(msg(buf), /buf/);
		const rel = buf.relatedInformation ?? [];
		assert.equal(rel.length, 3);
		assert.ok(rel.every((r) => r.location.uri === uri));
		assert.deepEqual(
			rel.map((r) => `${r.location.range.start.line}:${r.location.range.start.character}`),
			['12:10', '12:10', '12:9'],
		);
	});

	test('the message says what the compiler decided and why, in plain words', async () => {
		const diags = await client.waitForDiagnostics(uri);
		const buf = withCode(diags, 'moved-to-heap').find((d) => d.range.start.line === 11)!;
		assert.match(msg(buf), /^`buf` is moved to the heap \(passed to a function that keeps it\) because its address is taken .*\(\*sync\.Pool\)\.Put/);
	});

	test('interface boxing and make with a non-constant size escape; does-not-escape is hidden by default', async () => {
		const diags = await client.waitForDiagnostics(uri);
		const escapes = withCode(diags, 'escapes-to-heap').map(span);
		assert.ok(escapes.includes('34:13-14'), 'v in fmt.Println(v)');
		// The compiler points at make's parenthesis (40:13); the range covers the whole call.
		assert.ok(escapes.includes('39:8-23'), `make([]byte, n) in ${escapes.join(' ')}`);
		assert.equal(withCode(diags, 'does-not-escape').length, 0);
		assert.equal(withCode(diags, 'inlining').length, 0);
	});

	test('hover on a heap fact: headline, why and the chain as clickable positions', async () => {
		const h = await client.hover(uri, 11, 6);
		assert.ok(h, 'hover');
		assert.equal(h.contents.kind, 'markdown');
		assert.match(h.contents.value, /heap/);
		assert.match(h.contents.value, /\[pool\.go:13:11\]\(file:\/\/[^)]*pool\.go#L13,11\)/);
		assert.match(h.contents.value, /^1\. /m);
		// The cause, its advice and its section of docs/escape/causes.md.
		assert.match(h.contents.value, /\*\*Cause:\*\* passed to a function that keeps it/);
		assert.match(h.contents.value, /\*\*To keep it on the stack:\*\* The callee's parameter leaks/);
		assert.match(h.contents.value, /\]\(file:\/\/[^)]*docs\/escape\/causes\.md#passed-to-leaking-param\)/);
	});

	test('hover on a does-not-escape subject says it stays on the stack', async () => {
		const h = await client.hover(uri, 24, 10);
		assert.ok(h, 'hover on xs');
		assert.match(h.contents.value, /stack/);
	});

	test('heap sites are sent for decorations with short labels', () => {
		const sites = client.heapSites.get(uri);
		assert.ok(sites, 'heapSites notification');
		const buf = sites.sites.find((s) => s.line === 11);
		assert.ok(buf);
		assert.equal(buf.kind, 'moved-to-heap');
		assert.equal(buf.startCharacter, 5);
		assert.ok(buf.label.length > 0);
		assert.ok(sites.sites.every((s) => s.kind === 'moved-to-heap' || s.kind === 'escapes-to-heap'));
	});

	test('rawOutput returns the compiler text of the package', async () => {
		const raw = (await client.connection.sendRequest('goMemlens/rawOutput', { uri })) as { output: string; command: string } | null;
		assert.ok(raw);
		assert.match(raw.output, /moved to heap: buf/);
		assert.match(raw.command, /-m=2/);
	});

	test('re-opening the unchanged package spawns no process', async () => {
		const before = await client.debugStats();
		assert.equal(before.liveTrees, 1);
		await client.close(uri);
		assert.equal((await client.debugStats()).liveTrees, 0, 'the tree is deleted on close');
		await client.open(POOL);
		await client.waitForQuiescent((s) => s.state === 'upToDate');
		const after = await client.debugStats();
		assert.equal(after.spawnCount, before.spawnCount);
		assert.equal(after.liveProcesses, 0);
	});
});

describe('a client without configuration, extensions or relatedInformation', () => {
	test('defaults apply and the chain is appended to the message', async () => {
		const client = await LspClient.start({ capabilities: { textDocument: { synchronization: { didSave: true } } } });
		try {
			const uri = await client.open(POOL);
			const diags = await client.waitForDiagnostics(uri, (d) => withCode(d, 'moved-to-heap').length === 2);
			const buf = withCode(diags, 'moved-to-heap').find((d) => d.range.start.line === 11)!;
			assert.equal(buf.relatedInformation, undefined);
			assert.equal(buf.codeDescription, undefined);
			assert.match(msg(buf), /\n1\. .*pool\.go:13:11/);
			assert.equal(client.statuses.length, 0, 'no custom notifications without experimental.goMemlens');
			const h = await client.hover(uri, 11, 6);
			assert.equal(h?.contents.kind, 'plaintext');
		} finally {
			await client.shutdown();
		}
	});

	test('workspace/configuration answered with null gives defaults', async () => {
		const client = await LspClient.start({ configuration: () => null });
		try {
			const uri = await client.open(POOL);
			await client.waitForQuiescent((s) => s.state === 'upToDate');
			const diags = await client.waitForDiagnostics(uri);
			assert.equal(withCode(diags, 'moved-to-heap').length, 2);
			assert.ok(client.registrations.includes('workspace/didChangeConfiguration'));
		} finally {
			await client.shutdown();
		}
	});
});

describe('test files', () => {
	test('a _test.go file is compiled with its tests', async () => {
		const client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
		try {
			const uri = await client.open(path.join(FIXTURES, 'withtest', 'lib_test.go'));
			await client.waitForQuiescent((s) => s.state === 'upToDate');
			const diags = await client.waitForDiagnostics(uri);
			assert.deepEqual(withCode(diags, 'moved-to-heap').map(span), ['9:1-2']); // v := Double(2); sink = &v
		} finally {
			await client.shutdown();
		}
	});
});
