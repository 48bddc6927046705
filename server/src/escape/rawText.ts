/**
 * The compiler's raw `-m=2` text, kept for the "Show Compiler Output" view without holding it as a
 * JS string. For GOROOT's net/http with its tests that text is 14 MB, and its `←` arrows make V8
 * store it as a two-byte string: 28 MB per result, times every cached result. Here it is read from
 * the compiler's stderr in chunks, split into lines for the streaming parser (each line its own
 * small string, so no fact retains the whole text through a sliced string), and gzip-compressed in
 * memory as it arrives (1.4–1.8 MB for that text); `text()` inflates it when the view asks.
 */
import { createGzip, gunzipSync, gzipSync, type Gzip } from 'node:zlib';

/** A text held gzip-compressed. Immutable. */
export class CompressedText {
	static readonly empty = new CompressedText(gzipSync(Buffer.alloc(0)), 0);

	private constructor(
		private readonly gz: Buffer,
		/** Size of the text in UTF-8 bytes. */
		readonly byteLength: number,
	) {}

	static of(text: string): CompressedText {
		const bytes = Buffer.from(text, 'utf8');
		return bytes.length === 0 ? CompressedText.empty : new CompressedText(gzipSync(bytes, { level: 3 }), bytes.length);
	}

	/** Size held in memory. */
	get compressedBytes(): number {
		return this.gz.length;
	}

	/** The text (decompressed on each call; not cached). */
	text(): string {
		return this.byteLength === 0 ? '' : gunzipSync(this.gz).toString('utf8');
	}

	/** Compresses a byte stream as it is written; `end()` gives the result. */
	static writer(maxBytes?: number): CompressedTextWriter {
		return new CompressedTextWriter(maxBytes);
	}

	/** @internal */
	static fromParts(gz: Buffer, byteLength: number): CompressedText {
		return byteLength === 0 ? CompressedText.empty : new CompressedText(gz, byteLength);
	}
}

export class CompressedTextWriter {
	private readonly gzip: Gzip = createGzip({ level: 3 });
	private readonly parts: Buffer[] = [];
	private bytes = 0;
	private dropped = 0;
	private readonly finished: Promise<void>;

	/** `maxBytes`: what is written past this is counted, not kept (a note at the end says how much). */
	constructor(private readonly maxBytes = Infinity) {
		this.gzip.on('data', (b: Buffer) => this.parts.push(b));
		this.finished = new Promise((resolve, reject) => {
			this.gzip.once('end', resolve);
			this.gzip.once('error', reject);
		});
	}

	/**
	 * Compresses `chunk` (or counts it, past `maxBytes`). False when the compressor's buffer is full:
	 * the caller should wait for `drained()` before writing more (zlib works on another thread, and a
	 * fast writer would otherwise queue everything it writes in memory).
	 */
	write(chunk: Buffer): boolean {
		const room = this.maxBytes - this.bytes;
		if (room <= 0) {
			this.dropped += chunk.length;
			return true;
		}
		const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
		this.dropped += chunk.length - kept.length;
		this.bytes += kept.length;
		return this.gzip.write(kept);
	}

	/** Resolves once the compressor can take more. */
	drained(): Promise<void> {
		// Asked after the 'drain' already came (the write that filled the buffer happened in an earlier
		// turn, while a chunk was parsed in slices): waiting for another would hold the tool's output
		// paused for good, and the tool blocked on its full pipe (a replayed compile hung this way).
		if (!this.gzip.writableNeedDrain) return Promise.resolve();
		return new Promise((resolve) => this.gzip.once('drain', resolve));
	}

	async end(): Promise<CompressedText> {
		if (this.dropped > 0) {
			const note = Buffer.from(`\n[Go MemLens: ${this.dropped} more bytes of output were not kept]\n`);
			this.bytes += note.length;
			this.gzip.write(note);
		}
		this.gzip.end();
		await this.finished;
		return CompressedText.fromParts(Buffer.concat(this.parts), this.bytes);
	}
}

/**
 * Splits a byte stream into lines (without `\n`), decoding each line on its own. Splitting on the
 * byte 0x0A is safe in UTF-8: no multi-byte sequence contains it. A line longer than `maxLine`
 * bytes is cut there (the rest of it is counted in `truncatedLines`, not kept): a tool printing
 * 100 MB without a newline must not make one 100 MB buffer, nor copy it again on every chunk.
 */
export class LineSplitter {
	/** The start of the current line, in the pieces it arrived in. */
	private rest: Buffer[] = [];
	private restBytes = 0;
	private cut = false;
	/** Lines that were longer than `maxLine` bytes. */
	truncatedLines = 0;

	constructor(
		private readonly onLine: (line: string) => void,
		private readonly maxLine = MAX_LINE_BYTES,
	) {}

	push(chunk: Buffer): void {
		let start = 0;
		for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
			if (this.restBytes === 0 && !this.cut) this.emit(chunk.toString('utf8', start, Math.min(nl, start + this.maxLine)), nl - start > this.maxLine);
			else {
				this.keep(chunk.subarray(start, nl));
				this.flush();
			}
			start = nl + 1;
		}
		if (start < chunk.length) this.keep(chunk.subarray(start));
	}

	/** Emits the last line when the stream did not end with `\n`. */
	end(): void {
		if (this.restBytes > 0 || this.cut) this.flush();
	}

	/** Keeps the part of `piece` that fits in the line (a copy: the chunk can go). */
	private keep(piece: Buffer): void {
		const room = this.maxLine - this.restBytes;
		if (piece.length > room) this.cut = true;
		if (room <= 0 || piece.length === 0) return;
		const kept = piece.length > room ? piece.subarray(0, room) : piece;
		this.rest.push(Buffer.from(kept));
		this.restBytes += kept.length;
	}

	private flush(): void {
		const line = this.rest.length === 1 ? this.rest[0].toString('utf8') : Buffer.concat(this.rest, this.restBytes).toString('utf8');
		const cut = this.cut;
		this.rest = [];
		this.restBytes = 0;
		this.cut = false;
		this.emit(line, cut);
	}

	private emit(line: string, cut: boolean): void {
		if (cut) this.truncatedLines++;
		this.onLine(line);
	}
}

/** Longest line kept whole (the compiler's longest -m=2 lines, inlining decisions with a body, are a few KB). */
export const MAX_LINE_BYTES = 1024 * 1024;
