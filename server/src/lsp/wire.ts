/**
 * How the server's messages become bytes on stdio (what VS Code starts). vscode-jsonrpc's stream
 * writer encodes each message with one JSON.stringify, a Buffer.from of the result and two writes
 * (header, body). For a file with 400 compiler facts a publishDiagnostics is ~340 KB, and that
 * took ~3 ms of every keystroke: V8 builds the JSON text as a rope that Buffer.from first
 * flattens, and a fresh 340 KB buffer is ~80 pages the kernel must fault in on first write.
 *
 * Here, diagnostics that factCache.ts keeps from one publish to the next (frozen, keepDiagnostic)
 * keep their JSON bytes too (a WeakMap: they go when the diagnostic does), and a publish that
 * carries them is assembled from those bytes; every other message is stringified as before. Each
 * message, header included, is written in one write, on stdout from a buffer that is reused once
 * the write before has completed. The bytes are JSON.stringify's (test/unit/wire.test.ts).
 */
import { inspect } from 'node:util';
import { AbstractMessageWriter, type Connection, type Message, type MessageWriter } from 'vscode-languageserver/node';
import { isKept } from '../report/factCache';

const bytesOf = new WeakMap<object, Buffer>();

/** Stands for the diagnostics array while the rest of the message is stringified. */
const MARK = '\u0000memlens:diagnostics\u0000';
const MARK_JSON = JSON.stringify(MARK);

/** A message's JSON body: its UTF-8 size, and how to copy it into a buffer. */
interface Body {
	size: number;
	copyTo(out: Buffer, at: number): void;
}

const kept = (d: unknown): d is object => typeof d === 'object' && d !== null && isKept(d);

function text(s: string): Body {
	return { size: Buffer.byteLength(s, 'utf8'), copyTo: (out, at) => void out.write(s, at, 'utf8') };
}

/** The JSON bytes of one array element: kept with a kept diagnostic (it cannot change). */
function elementBytes(d: unknown): Buffer {
	if (!kept(d)) return Buffer.from(JSON.stringify(d) ?? 'null', 'utf8');
	let b = bytesOf.get(d);
	if (!b) bytesOf.set(d, (b = Buffer.from(JSON.stringify(d), 'utf8')));
	return b;
}

/** Diagnostics encoded per turn of the event loop at most, for a big publish (see `bodyInSlices`). */
const SLICE = 128;

/** The message's JSON (what `JSON.stringify(msg)` gives); a publish with kept diagnostics from their kept bytes. */
function body(msg: Message): Body {
	const params = (msg as { params?: unknown }).params as { diagnostics?: unknown } | undefined;
	const diags = params?.diagnostics;
	const plain = () => text(JSON.stringify(msg, undefined, 0));
	if (!Array.isArray(diags) || !diags.some(kept)) return plain();
	return assembled(msg, diags.map(elementBytes)) ?? plain();
}

/**
 * body(), with a big publish's diagnostics encoded SLICE at a time, letting requests in between:
 * net/http's biggest files publish 5,000 diagnostics, ~2 MB of JSON, and one JSON.stringify of
 * that held the server's thread for up to 180 ms on a busy machine. Same bytes.
 */
async function bodyInSlices(msg: Message): Promise<Body> {
	const diags = ((msg as { params?: unknown }).params as { diagnostics?: unknown } | undefined)?.diagnostics;
	if (!Array.isArray(diags) || diags.length <= SLICE) return body(msg);
	const parts: Buffer[] = [];
	for (let i = 0; i < diags.length; i += SLICE) {
		if (i > 0) await new Promise((resolve) => setImmediate(resolve));
		for (let j = i; j < Math.min(diags.length, i + SLICE); j++) parts.push(elementBytes(diags[j]));
	}
	return assembled(msg, parts) ?? body(msg);
}

/** The message's bytes from its shell and the diagnostics' own bytes; undefined when the shell cannot be cut (never, in practice). */
function assembled(msg: Message, parts: Buffer[]): Body | undefined {
	const params = (msg as { params?: unknown }).params as object;
	const shell = JSON.stringify({ ...msg, params: { ...params, diagnostics: MARK } }, undefined, 0);
	const at = shell.indexOf(MARK_JSON);
	if (at < 0 || shell.indexOf(MARK_JSON, at + 1) >= 0) return undefined;
	const head = Buffer.from(shell.slice(0, at) + '[', 'utf8');
	const tail = Buffer.from(']' + shell.slice(at + MARK_JSON.length), 'utf8');
	let size = head.length + tail.length + Math.max(0, parts.length - 1);
	for (const p of parts) size += p.length;
	return {
		size,
		copyTo(out, start) {
			out.set(head, start);
			let o = start + head.length;
			for (let i = 0; i < parts.length; i++) {
				if (i > 0) out[o++] = 0x2c; // ,
				out.set(parts[i], o);
				o += parts[i].length;
			}
			out.set(tail, o);
		},
	};
}

/** The message as UTF-8 JSON: the same bytes as `Buffer.from(JSON.stringify(msg))`. */
export function encodeMessage(msg: Message): Buffer {
	const b = body(msg);
	const out = Buffer.allocUnsafe(b.size);
	b.copyTo(out, 0);
	return out;
}

/**
 * Messages up to this size (header included) are framed in the reused buffer, bigger ones in their
 * own: the buffer stays allocated for the server's life (net/http's big files publish ~1 MB).
 */
const REUSED_MAX = 1024 * 1024;

/** LSP base-protocol frames (header and JSON body in one buffer). */
export class Framer {
	private reused: Buffer | undefined;

	/** With `reuse`, frames share one buffer: a frame is valid until the next one is made. */
	constructor(private readonly reuse: boolean) {}

	frame(msg: Message): Buffer {
		return this.frameBody(body(msg));
	}

	/** frame(), a big publish encoded over several turns (bodyInSlices). */
	async frameInSlices(msg: Message): Promise<Buffer> {
		return this.frameBody(await bodyInSlices(msg));
	}

	/** The frame of a body already encoded (bodyInSlices). */
	frameOf(b: Body): Buffer {
		return this.frameBody(b);
	}

	private frameBody(b: Body): Buffer {
		const header = `Content-Length: ${b.size}\r\n\r\n`;
		const size = header.length + b.size;
		let buf: Buffer;
		if (!this.reuse || size > REUSED_MAX) buf = Buffer.allocUnsafe(size);
		else {
			if (!this.reused || this.reused.length < size) this.reused = Buffer.allocUnsafeSlow(Math.min(REUSED_MAX, Math.max(64 * 1024, Math.ceil(size * 1.25))));
			buf = this.reused;
		}
		buf.write(header, 0, 'ascii');
		b.copyTo(buf, header.length);
		return buf.subarray(0, size);
	}
}

/**
 * A MessageWriter for a byte stream, as vscode-jsonrpc's StreamMessageWriter (same header, same
 * error and close events, one message at a time), with the encoding above.
 *
 * `reuseBuffer`: frame every message in the same buffer, once the write before has called back.
 * Only for a stream that has handed the bytes on when it calls back, as process.stdout has (a
 * pipe, socket or TTY written through libuv, or a file written synchronously): not for streams
 * that pass the chunk itself along (a PassThrough keeps it until it is read).
 */
export class StdioMessageWriter extends AbstractMessageWriter implements MessageWriter {
	private errorCount = 0;
	private readonly framer: Framer;
	/** Requests and responses: written before notifications not yet written (see `pump`). */
	private readonly urgent: Pending[] = [];
	private readonly normal: Pending[] = [];
	private pumping = false;

	constructor(
		private readonly out: NodeJS.WritableStream,
		opts: { reuseBuffer?: boolean } = {},
	) {
		super();
		this.framer = new Framer(opts.reuseBuffer === true);
		out.on('error', (e: Error) => this.fireError(e));
		out.on('close', () => this.fireClose());
	}

	write(msg: Message): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			(isUrgent(msg) ? this.urgent : this.normal).push({ msg, resolve, reject });
			void this.pump();
		});
	}

	end(): void {
		this.out.end();
	}

	/**
	 * One message at a time, whole. A hover's answer does not wait behind the publishes queued
	 * before it: net/http's publishes are up to 2 MB each, encoded over many turns and written
	 * through a pipe the client drains as it parses, and answers waited for all of them (p95 150 ms
	 * while 71 files were analysed). Notifications keep their order, and so do requests and answers.
	 */
	private async pump(): Promise<void> {
		if (this.pumping) return;
		this.pumping = true;
		try {
			for (;;) {
				const u = this.urgent.shift();
				if (u) {
					await this.deliver(u, () => this.framer.frame(u.msg));
					continue;
				}
				const n = this.normal.shift();
				if (!n) return;
				let b: Body;
				try {
					b = await bodyInSlices(n.msg);
				} catch (e) {
					this.failed(n, e);
					continue;
				}
				// What came while it was encoded goes first.
				for (let v = this.urgent.shift(); v; v = this.urgent.shift()) {
					const w = v;
					await this.deliver(w, () => this.framer.frame(w.msg));
				}
				await this.deliver(n, () => this.framer.frameOf(b));
			}
		} finally {
			this.pumping = false;
		}
	}

	/** Frames and writes one message; with a reused buffer, the write before it has called back (see reuseBuffer). */
	private async deliver(p: Pending, frameIt: () => Buffer): Promise<void> {
		let frame: Buffer;
		try {
			frame = frameIt();
		} catch (e) {
			return this.failed(p, e);
		}
		try {
			await new Promise<void>((resolve, reject) => {
				this.out.write(frame, (e?: Error | null) => (e ? reject(e) : resolve()));
			});
			p.resolve();
		} catch (e) {
			this.errorCount++;
			this.fireError(e, p.msg, this.errorCount);
			p.reject(e);
		}
	}

	/** The encoder failed: reported as StreamMessageWriter does. */
	private failed(p: Pending, e: unknown): void {
		this.fireError(e);
		p.reject(e);
	}
}

interface Pending {
	msg: Message;
	resolve: () => void;
	reject: (e: unknown) => void;
}

/** Requests and responses carry an id; notifications do not. */
function isUrgent(msg: Message): boolean {
	return 'id' in msg;
}

/**
 * console.* to the client's log, as vscode-languageserver does for `--stdio` when it opens the
 * streams itself (its patchConsole): stdout carries the protocol, so a stray console.log must
 * not reach it.
 */
export function consoleToClient(c: Connection['console']): void {
	const text = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ');
	const counters = new Map<string, number>();
	console.assert = (assertion?: unknown, ...args: unknown[]) => {
		if (assertion) return;
		if (args.length === 0) c.error('Assertion failed');
		else c.error(`Assertion failed: ${String(args[0])} ${text(args.slice(1))}`);
	};
	console.count = (label = 'default') => {
		const n = (counters.get(String(label)) ?? 0) + 1;
		counters.set(String(label), n);
		c.log(`${String(label)}: ${n}`);
	};
	console.countReset = (label?: string) => (label === undefined ? counters.clear() : void counters.delete(String(label)));
	console.debug = (...args: unknown[]) => c.log(text(args));
	console.dir = (arg: unknown, options?: object) => c.log(inspect(arg, options));
	console.log = (...args: unknown[]) => c.log(text(args));
	console.error = (...args: unknown[]) => c.error(text(args));
	console.trace = (...args: unknown[]) => {
		const stack = (new Error().stack ?? '').replace(/(.+\n){2}/, '');
		c.log(`${args.length ? `Trace: ${text(args)}` : 'Trace'}\n${stack}`);
	};
	console.warn = (...args: unknown[]) => c.warn(text(args));
	console.info = (...args: unknown[]) => c.info(text(args));
}
