/** The hash of a compile's `-m=2` output that the unit cache (./unitCache.ts) compares, made as it streams. */
import { createHash, type Hash } from 'node:crypto';

const NL_HASH = Buffer.from('\n#');

/**
 * Hashes the compiler's output as it streams: one hash per `# pkg` section (a section is printed
 * whole), sorted at the end, so the order in which the go command finished packages does not count.
 */
export class OutputHasher {
	private readonly sections: string[] = [];
	private current: Hash = createHash('sha1');
	/** The previous chunk ended a line (a `# ` at the start of the next one opens a section). */
	private atLineStart = true;
	/** The previous chunk ended with `#` at a line start: whether it opened a section depends on the next byte. */
	private pendingHash = false;
	private bytes = 0;

	push(chunk: Buffer): void {
		if (chunk.length === 0) return;
		this.bytes += chunk.length;
		// Bytes from `from` on are not hashed yet.
		let from = 0;
		if (this.pendingHash) {
			this.pendingHash = false;
			if (chunk[0] === 0x20) this.open();
			this.current.update('#');
		} else if (this.atLineStart && chunk[0] === 0x23) {
			if (chunk.length === 1) {
				this.pendingHash = true;
				this.atLineStart = false;
				return;
			}
			if (chunk[1] === 0x20) this.open();
		}
		for (let nl = chunk.indexOf(NL_HASH); nl >= 0; nl = chunk.indexOf(NL_HASH, nl + 1)) {
			const at = nl + 1;
			if (at + 1 === chunk.length) {
				// `#` is the chunk's last byte: the next chunk says whether it opens a section.
				this.current.update(chunk.subarray(from, at));
				from = chunk.length;
				this.pendingHash = true;
				break;
			}
			if (chunk[at + 1] === 0x20) {
				this.current.update(chunk.subarray(from, at));
				this.open();
				from = at;
			}
		}
		if (from < chunk.length) this.current.update(chunk.subarray(from));
		this.atLineStart = chunk[chunk.length - 1] === 0x0a;
	}

	private open(): void {
		this.sections.push(this.current.digest('hex'));
		this.current = createHash('sha1');
	}

	/** The output's hash (with the exit code). */
	digest(exitCode: number | undefined): string {
		if (this.pendingHash) this.current.update('#');
		this.sections.push(this.current.digest('hex'));
		return createHash('sha256').update(`${exitCode}\0${this.bytes}\0`).update(this.sections.sort().join('\n')).digest('hex');
	}
}
