/**
 * `memlens check --new-from-rev REF` and `--baseline FILE`: which findings are new. Both are
 * checked before anything is compiled (an unknown REF or an unusable baseline fails at once,
 * exit 2), then applied to the findings of the run.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { applyBaseline, BaselineError, parseBaseline, type BaselineEntry } from '../review/baseline';
import { isChanged } from '../git/diffLines';
import { changedSince, repoRoot, requireNoConflicts, resolveCommit, type ChangedSince } from '../git/git';
import { RULES_BY_ID } from '../rules/index';
import type { Finding } from './analyze';
import type { CheckOptions } from './args';
import { fingerprintFindings, SourceIndex } from './fingerprints';

export interface Selected {
	findings: Finding[];
	/** `--new-from-rev`: the revision and the commit it named; how many findings were on unchanged lines. */
	newFromRev?: { rev: string; commit: string; unchanged: number };
	/** `--baseline`: how many findings it hid and its entries no longer found (in this run's scope). */
	baseline?: { file: string; hidden: number; stale: BaselineEntry[] };
}

/** Resolves `p` with symlinks resolved as far as it exists (git prints real paths). */
function realish(p: string): string {
	try {
		return path.join(realpathSync(path.dirname(p)), path.basename(p));
	} catch {
		return p;
	}
}

/** Is a baseline entry about what this run looked at (its paths, its rules and kinds)? */
function scopeOf(o: CheckOptions, cwd: string): (e: BaselineEntry) => boolean {
	const roots = o.paths.map((p) => {
		const abs = path.resolve(cwd, p);
		return abs.endsWith('.go') ? { dir: path.dirname(abs), deep: false } : { dir: abs, deep: true };
	});
	const kinds = new Set<string>(o.escape);
	const disabled = new Set(o.disabledRules);
	return (e) => {
		const file = path.resolve(cwd, e.file);
		const dir = path.dirname(file);
		const inPaths = roots.some((r) => (r.deep ? dir === r.dir || dir.startsWith(r.dir + path.sep) : dir === r.dir));
		const reported = kinds.has(e.rule) || (RULES_BY_ID.has(e.rule) && !disabled.has(e.rule));
		return inPaths && reported;
	};
}

/** Checks the options' inputs now; returns how to pick the new findings once the run is done. Throws GitError / BaselineError. */
export async function prepareSelection(o: CheckOptions, cwd: string): Promise<(findings: Finding[]) => Selected> {
	let rev: { root: string; commit: string; changed: ChangedSince } | undefined;
	if (o.newFromRev !== undefined) {
		const root = await repoRoot(cwd);
		const commit = await resolveCommit(root, o.newFromRev);
		await requireNoConflicts(root);
		rev = { root, commit, changed: await changedSince(root, commit) };
	}
	let baseline: ReturnType<typeof parseBaseline> | undefined;
	if (o.baseline !== undefined) {
		let text: string;
		try {
			text = readFileSync(path.resolve(cwd, o.baseline), 'utf8');
		} catch (e) {
			throw new BaselineError(`cannot read the baseline ${o.baseline}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
		}
		baseline = parseBaseline(text, o.baseline);
	}
	const src = baseline ? await SourceIndex.open() : undefined;
	return (all) => {
		let findings = all;
		const out: Selected = { findings };
		if (rev) {
			const { root, changed } = rev;
			findings = findings.filter((f) => {
				const rel = path.relative(root, realish(f.file)).split(path.sep).join('/');
				return !rel.startsWith('..') && isChanged(changed.lines, changed.untracked, rel, f.line);
			});
			out.newFromRev = { rev: o.newFromRev!, commit: rev.commit, unchanged: all.length - findings.length };
		}
		if (baseline && src) {
			try {
				// Fingerprints are numbered over the whole run, as when the baseline was made.
				const printed = fingerprintFindings(all, cwd, src);
				const m = applyBaseline(printed, printed.map((p) => p.fingerprint), baseline, scopeOf(o, cwd));
				const fresh = new Set(m.fresh.map((p) => p.finding));
				findings = findings.filter((f) => fresh.has(f));
				out.baseline = { file: o.baseline!, hidden: m.hidden, stale: m.stale };
			} finally {
				src.dispose();
			}
		}
		out.findings = findings;
		return out;
	};
}
