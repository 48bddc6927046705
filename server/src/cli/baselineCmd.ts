/**
 * `memlens baseline [PATH ...] > memlens-baseline.json`: every finding `memlens check` would
 * report with the same options, fingerprinted (review/fingerprint.ts), as one JSON document on
 * stdout. Paths in it are relative to the directory it ran in: run `check --baseline` from there.
 */
import { resolveGoBinary } from '../analysis/goEnv';
import { makeBaseline } from '../review/baseline';
import { analyze } from './analyze';
import type { BaselineOptions } from './args';
import { fingerprintFindings, SourceIndex } from './fingerprints';
import { displayPath } from './format';
import { EXIT, reportProblems, type Io } from './problems';

export async function runBaseline(o: BaselineOptions, io: Io, version: string): Promise<number> {
	const goBin = o.escape.length || o.typed ? resolveGoBinary(o.go) : '';
	const r = await analyze({ paths: o.paths, cwd: io.cwd, escape: o.escape, goBin, tags: o.tags, disabledRules: o.disabledRules, typed: o.typed, typedTests: !!o.typedTests });
	if (reportProblems(r, io)) return EXIT.tool;
	const src = await SourceIndex.open();
	try {
		const printed = fingerprintFindings(r.findings, io.cwd, src);
		const entries = printed.map(({ finding: f, parts, fingerprint }) => ({
			fingerprint,
			rule: f.rule,
			file: displayPath(f.file, io.cwd),
			line: f.line,
			function: parts.function,
			// A compiler fact in the compiler's own words: shorter, and the same whatever memlens version tells it.
			message: f.compiler ?? f.message,
		}));
		io.out(JSON.stringify(makeBaseline(entries, `memlens ${version}`), null, 2) + '\n');
		io.err(`memlens baseline: ${entries.length} finding(s) recorded\n`);
		return EXIT.ok;
	} finally {
		src.dispose();
	}
}
