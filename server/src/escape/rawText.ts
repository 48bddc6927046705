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
	static writer(): CompressedTextWriter {
		return new CompressedTextWriter();
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
	private readonly finished: Promise<void>;

	constructor() {
		this.gzip.on('data', (b: Buffer) => this.parts.push(b));
		this.finished = new Promise((resolve, reject) => {
			this.gzip.once('end', resolve);
			this.gzip.once('error', reject);
		});
	}

	write(chunk: Buffer): void {
		this.bytes += chunk.length;
		this.gzip.write(chunk);
	}

	async end(): Promise<CompressedText> {
		this.gzip.end();
		await this.finished;
		return CompressedText.fromParts(Buffer.concat(this.parts), this.bytes);
	}
}

/**
 * Splits a byte stream into lines (without `\n`), decoding each line on its own. Splitting on the
 * byte 0x0A is safe in UTF-8: no multi-byte sequence contains it.
 */
export class LineSplitter {
	private rest: Buffer | undefined;

	constructor(private readonly onLine: (line: string) => void) {}

	push(chunk: Buffer): void {
		let start = 0;
		if (this.rest) {
			const nl = chunk.indexOf(10);
			if (nl < 0) {
				this.rest = Buffer.concat([this.rest, chunk]);
				return;
			}
			this.onLine(Buffer.concat([this.rest, chunk.subarray(0, nl)]).toString('utf8'));
			this.rest = undefined;
			start = nl + 1;
		}
		for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
			this.onLine(chunk.toString('utf8', start, nl));
			start = nl + 1;
		}
		if (start < chunk.length) this.rest = Buffer.from(chunk.subarray(start)); // a copy: the chunk can go
	}

	/** Emits the last line when the stream did not end with `\n`. */
	end(): void {
		if (this.rest && this.rest.length > 0) this.onLine(this.rest.toString('utf8'));
		this.rest = undefined;
	}
}
