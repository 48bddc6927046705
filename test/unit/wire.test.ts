/**
 * The stdio writer (lsp/wire.ts): a publish is framed from the kept diagnostics' bytes, the same
 * bytes JSON.stringify gives; messages written back to back, without waiting, arrive whole and in
 * order, through a stream that holds on to the chunks it was given and, with the reused buffer,
 * through an OS pipe that fills up (the buffer is written again only after the write before
 * called back); answers go before notifications still queued, which keep their order; write
 * errors reach the connection as StreamMessageWriter reports them.
 */
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { StreamMessageReader, type Diagnostic, type Message } from 'vscode-languageserver/node';
import { keepDiagnostic } from '../../server/src/report/factCache';
import { encodeMessage, Framer, StdioMessageWriter } from '../../server/src/lsp/wire';

function diagnostic(i: number, message = `\`x${i}\` is moved to the heap because its address is taken (\`&x${i}\`) at line ${i + 2}`): Diagnostic {
	return {
		range: { start: { line: i, character: 1 }, end: { line: i, character: 3 } },
		severity: 3,
		source: 'memlens',
		code: 'moved-to-heap',
		message,
		data: { source: 'escape', key: `moved-to-heap@${i}:1-${i}:3` },
		relatedInformation: [{ location: { uri: 'file:///m/a.go', range: { start: { line: i + 1, character: 8 }, end: { line: i + 1, character: 8 } } }, message: `address-of: &x${i}` }],
	};
}

const publish = (diagnostics: unknown[], extra: Record<string, unknown> = {}): Message =>
	({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///m/a.go', version: 7, diagnostics, ...extra } }) as Message;

const same = (msg: Message) => assert.ok(encodeMessage(msg).equals(Buffer.from(JSON.stringify(msg))), JSON.stringify(msg).slice(0, 200));

test('framed bytes are JSON.stringify’s: kept, not kept, mixed, empty, non-ASCII, other messages', () => {
	const kept = Array.from({ length: 50 }, (_, i) => keepDiagnostic(diagnostic(i)));
	const loose = Array.from({ length: 5 }, (_, i) => diagnostic(100 + i, `größe 🚀 ${i} "quoted" \\ \n\t\u0000 \ud800`));
	same(publish(kept));
	same(publish(loose));
	same(publish([loose[0], ...kept.slice(0, 10), loose[1], kept[20]]));
	same(publish([]));
	same(publish(kept, { after: { a: [1, 'two'] }, version: undefined }));
	same(publish([keepDiagnostic(diagnostic(1, 'ünïcödé 🚀 \ud800 lone surrogate'))]));
	same({ jsonrpc: '2.0', id: 3, result: { diagnostics: kept } } as Message);
	same({ jsonrpc: '2.0', method: 'goMemlens/heapSites', params: { uri: 'file:///m/a.go', sites: [{ line: 1, label: 'heap: x — passed to (*sync.Pool).Put' }] } } as Message);
});

test('a big publish is encoded over several turns of the event loop, to the same bytes', async () => {
	const msg = publish(Array.from({ length: 1000 }, (_, i) => (i % 3 ? diagnostic(i) : keepDiagnostic(diagnostic(i)))));
	let turns = 0;
	const tick = () => {
		turns++;
		if (turns < 1000) setImmediate(tick);
	};
	setImmediate(tick);
	const framed = await new Framer(false).frameInSlices(msg);
	const during = turns;
	turns = 1000;
	assert.ok(framed.subarray(framed.indexOf('\r\n\r\n') + 4).equals(Buffer.from(JSON.stringify(msg))));
	assert.ok(during >= 3, `other work ran ${during} times while it was encoded (8 slices)`);
});

test('a kept diagnostic cannot change; one that is not kept is encoded as it is now', () => {
	const d = keepDiagnostic(diagnostic(1));
	assert.throws(() => {
		(d as { message: string }).message = 'changed';
	}, TypeError);
	assert.throws(() => {
		(d.range.start as { line: number }).line = 9;
	}, TypeError);
	const loose = diagnostic(2);
	const before = encodeMessage(publish([d, loose]));
	loose.message = 'changed';
	const after = encodeMessage(publish([d, loose]));
	assert.notDeepEqual(after, before);
	assert.ok(after.equals(Buffer.from(JSON.stringify(publish([d, loose])))));
});

/** Writes `messages` through a writer on `out`, reads them back from `back`. */
async function roundTrip(messages: Message[], out: NodeJS.WritableStream, back: NodeJS.ReadableStream, reuseBuffer: boolean): Promise<unknown[]> {
	const writer = new StdioMessageWriter(out, { reuseBuffer });
	const reader = new StreamMessageReader(back);
	const got: unknown[] = [];
	const all = new Promise<void>((resolve, reject) => {
		// a message cut or overwritten shows as a parse error of the reader
		reader.onError((e) => reject(new Error(`after ${got.length} whole messages: ${e.message}`)));
		reader.listen((m) => {
			got.push(m);
			if (got.length === messages.length) resolve();
		});
	});
	// all at once, nothing awaited: the writer serialises them
	const writes = messages.map((m) => writer.write(m));
	await Promise.all([all, ...writes]);
	reader.dispose();
	return got;
}

/** What must arrive in order: the notifications among themselves, the requests and answers among themselves. */
const inOrder = (ms: unknown[]) => [ms.filter((m) => !('id' in (m as object))), ms.filter((m) => 'id' in (m as object))];

function messages(): Message[] {
	const kept = Array.from({ length: 400 }, (_, i) => keepDiagnostic(diagnostic(i)));
	const huge = Array.from({ length: 6000 }, (_, i) => keepDiagnostic(diagnostic(i))); // ~2 MB
	// small first, so the reused buffer grows; one past its cap (1 MB), framed in its own
	return [
		publish(kept.slice(0, 3)),
		publish(kept),
		{ jsonrpc: '2.0', method: 'goMemlens/heapSites', params: { n: 1 } } as Message,
		publish(kept.slice(100).reverse()),
		publish(huge),
		publish(kept),
		publish([diagnostic(1, 'größe 🚀')]),
		{ jsonrpc: '2.0', id: 1, result: null } as Message,
	];
}

test('messages written back to back arrive whole and in order, small and large, through a stream that keeps the chunks until read', { timeout: 60_000 }, async () => {
	const ms = messages();
	const expected = JSON.parse(JSON.stringify(ms));
	for (const highWaterMark of [1024, 16 * 1024 * 1024]) {
		const pipe = new PassThrough({ highWaterMark });
		assert.deepEqual(inOrder(await roundTrip(ms, pipe, pipe, false)), inOrder(expected));
	}
});

test('with the reused buffer (as on stdout), through an OS pipe that fills up: every message whole and in order', { timeout: 60_000 }, async () => {
	// A child that echoes its stdin: our writes go into a 64 KB pipe and wait for it to drain.
	const child = spawn(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { stdio: ['pipe', 'pipe', 'inherit'] });
	try {
		const ms = [...messages(), ...messages()];
		assert.deepEqual(inOrder(await roundTrip(ms, child.stdin!, child.stdout!, true)), inOrder(JSON.parse(JSON.stringify(ms))));
	} finally {
		child.kill();
	}
});

test('an answer written behind big publishes goes before the ones not yet written; the publishes keep their order', { timeout: 60_000 }, async () => {
	const huge = (n: number) => publish(Array.from({ length: 3000 }, (_, i) => keepDiagnostic(diagnostic(i))), { n });
	const answers = [1, 2, 3].map((id) => ({ jsonrpc: '2.0', id, result: { contents: `hover ${id}` } }) as Message);
	const ms = [huge(1), huge(2), answers[0], huge(3), answers[1], answers[2], huge(4)];
	const pipe = new PassThrough({ highWaterMark: 1024 });
	const got = (await roundTrip(ms, pipe, pipe, false)) as { id?: number; params?: { n: number } }[];
	const order = got.map((m) => (m.id !== undefined ? `answer ${m.id}` : `publish ${m.params!.n}`));
	// The first publish was being encoded when the answers came: they go before it is written.
	assert.deepEqual(order, ['answer 1', 'answer 2', 'answer 3', 'publish 1', 'publish 2', 'publish 3', 'publish 4']);
});

test('a failed write rejects and is reported with the message and a count', async () => {
	const out = new Writable({
		write(_chunk: Buffer, _enc, cb) {
			cb(new Error('EPIPE'));
		},
	});
	out.on('error', () => undefined); // Writable emits it too; the writer forwards it
	const writer = new StdioMessageWriter(out);
	const errors: [Error, Message | undefined, number | undefined][] = [];
	writer.onError((e) => errors.push(e));
	const first = publish([keepDiagnostic(diagnostic(1))]);
	await assert.rejects(writer.write(first), /EPIPE/);
	assert.ok(errors.some(([e, m, n]) => /EPIPE/.test(e.message) && m === first && n === 1));
});
