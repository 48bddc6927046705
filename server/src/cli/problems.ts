/** What the CLI commands share: the exit codes, the output streams, and how tool problems are told. */
import type { AnalyzeResult } from './analyze';
import { displayPath } from './format';

/** Exit codes (docs/cli.md). */
export const EXIT = { ok: 0, findings: 1, usage: 2, tool: 2 } as const;

export interface Io {
	cwd: string;
	/** Bytes are written as they are (a cached output, cli/outputCache.ts). */
	out: (s: string | Uint8Array) => void;
	err: (s: string) => void;
}

/** Tool problems (go missing, paths missing, nothing analysable): printed, and true when fatal. */
export function reportProblems(r: AnalyzeResult, io: Io): boolean {
	let fatal = false;
	for (const m of r.missing) {
		io.err(`memlens: ${m}: no such directory or .go file\n`);
		fatal = true;
	}
	for (const w of r.warnings) io.err(`memlens: ${w}\n`);
	for (const c of r.compiles) {
		for (const n of c.notes ?? []) io.err(`memlens: note: ${n}\n`);
		if (c.status === 'go-missing') {
			io.err(`memlens: ${c.message}\n`);
			fatal = true;
		} else if (c.status === 'build-failed') {
			io.err(`memlens: ${displayPath(c.cwd, io.cwd) || '.'}: the compiler reported build errors, so no escape analysis for the failing package(s); syntax rules still ran:\n`);
			// Positioned errors are shown relative to the cwd; the others as go printed them.
			const aligned = c.errors.length === c.buildErrors.length;
			const lines = aligned
				? c.errors.map((e, i) => (e.pos ? `${displayPath(e.pos.file, io.cwd)}:${e.pos.line}${e.pos.column ? `:${e.pos.column}` : ''}: ${e.message}` : c.buildErrors[i]))
				: c.buildErrors;
			for (const e of lines) io.err(`  ${e.split('\n').join('\n  ')}\n`);
		} else if (c.status === 'error') {
			io.err(`memlens: ${displayPath(c.cwd, io.cwd) || '.'}: ${c.message}\n`);
		}
	}
	// The typed pass is an addition: without it the rules give their syntax answer, said on stderr.
	for (const t of r.typedRuns) {
		const where = displayPath(t.cwd, io.cwd) || '.';
		if (t.status === 'go-missing') io.err(`memlens: ${t.message}: no types from the Go toolchain, lock-copy-by-value gives its syntax answer only (pass --go PATH, or --typed off)\n`);
		else if (t.status === 'failed' && t.failedPackages.length) io.err(`memlens: ${where}: go vet could not check ${t.failedPackages.join(', ')}; the syntax answer stands there\n`);
		else if (t.status === 'failed') io.err(`memlens: ${where}: go vet checked nothing (${t.errors[t.errors.length - 1] ?? 'no error printed'}); the syntax answer stands\n`);
		else if (t.status === 'error' || t.status === 'timeout') io.err(`memlens: ${where}: typed pass: ${t.message}\n`);
	}
	if (r.files === 0 && r.missing.length === 0) {
		// More shards than packages: this job of the matrix has nothing to do, which is not an error.
		if (r.allPackages) io.err(`memlens: note: this shard holds none of the ${r.allPackages} package(s)\n`);
		else {
			io.err('memlens: no Go files found\n');
			fatal = true;
		}
	}
	return fatal;
}
