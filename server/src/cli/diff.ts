/**
 * `memlens diff BASE [HEAD] [-- PATH ...]`: compiles BASE (and HEAD, or else the working tree)
 * and reports the compiler facts that are new, gone or of another kind. Each revision is checked
 * out with `git worktree add --detach` under the temp root (git/worktree.ts) and removed on every
 * exit path; the user's checkout, index and stash are only read.
 */
import { sourceLookup } from '../escape/sourceTerms';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { resolveGoBinary } from '../analysis/goEnv';
import { repoRoot, requireNoConflicts, resolveCommit } from '../git/git';
import { addWorktree, type Worktree } from '../git/worktree';
import { diffFacts, failingChanges, reportedChanges, sourceOrder, type ChangeRanking, type FactChange } from '../review/factDiff';
import { factFinding, TextCache } from './analyze';
import type { DiffOptions } from './args';
import { formatDiffJson, formatDiffMarkdown, formatDiffText, type DiffEntry, type DiffReport } from './diffFormat';
import { formatDiffSarif } from './diffSarif';
import { SourceIndex } from './fingerprints';
import { EXIT, type Io } from './problems';
import { revisionFacts, type RevisionFacts } from './revisionFacts';

/** How the new facts are ordered. `--profile` (issue 12) is to pass a ranking by measured cost here. */
export interface DiffHooks {
	rank?: ChangeRanking;
}

function entry(c: FactChange, texts: TextCache): DiffEntry {
	// Source terms from the lines alone (the revision's other facts are not at hand here).
	const src = sourceLookup([], (file, n) => texts.lines(file)?.[n - 1]);
	return {
		change: c.change,
		pkg: c.pkg,
		function: c.function,
		subject: c.subject,
		...(c.head ? { head: { ...factFinding(c.head.fact, texts, src), compiler: c.head.fact.message } } : {}),
		...(c.base ? { base: { ...factFinding(c.base.fact, texts, src), compiler: c.base.fact.message } } : {}),
	};
}

/** Tool problems of one revision's compile: printed; true when nothing could be compiled. */
function reportCompiles(side: string, r: RevisionFacts, io: Io): boolean {
	let fatal = false;
	for (const c of r.compiles) {
		for (const n of c.notes ?? []) io.err(`memlens: note: ${n}\n`);
		if (c.status === 'go-missing') {
			io.err(`memlens: ${c.message}\n`);
			fatal = true;
		} else if (c.status === 'build-failed') {
			io.err(`memlens: ${side}: the compiler reported build errors:\n`);
			for (const e of c.buildErrors.slice(0, 20)) io.err(`  ${e.split('\n').join('\n  ')}\n`);
		} else if (c.status === 'error') io.err(`memlens: ${side}: ${c.message}\n`);
	}
	return fatal;
}

export async function runDiff(o: DiffOptions, io: Io, version: string, hooks: DiffHooks = {}): Promise<number> {
	const started = performance.now();
	const root = await repoRoot(io.cwd);
	const baseCommit = await resolveCommit(root, o.base);
	const headCommit = o.head !== undefined ? await resolveCommit(root, o.head) : undefined;
	// The working tree is compiled as it is: a half-done merge is neither side.
	if (headCommit === undefined) await requireNoConflicts(root);
	const cwdReal = realpathSync(io.cwd);
	const rel = path.relative(root, cwdReal);
	const goBin = resolveGoBinary(o.go);
	const trees: Worktree[] = [];
	const src = await SourceIndex.open();
	try {
		const base = await addWorktree(root, baseCommit, 'base');
		trees.push(base);
		let headCheckout = root;
		if (headCommit !== undefined) {
			const head = await addWorktree(root, headCommit, 'head');
			trees.push(head);
			headCheckout = head.dir;
		}
		const headRoot = path.join(headCheckout, rel);
		const baseRoot = path.join(base.dir, rel);
		const baseLabel = `${o.base} (${baseCommit.slice(0, 12)})`;
		const headLabel = o.head !== undefined ? `${o.head} (${headCommit!.slice(0, 12)})` : 'the working tree';
		const b = await revisionFacts(base.dir, baseRoot, o.paths, goBin, o.tags, src);
		if (reportCompiles(`BASE ${baseLabel}`, b, io)) return EXIT.tool;
		const h = await revisionFacts(headCheckout, headRoot, o.paths, goBin, o.tags, src);
		if (reportCompiles(`HEAD ${headLabel}`, h, io)) return EXIT.tool;
		if (h.missing.length && b.missing.length) {
			for (const m of h.missing) io.err(`memlens: ${m}: no such directory or .go file in either revision\n`);
			return EXIT.tool;
		}
		const notCompared = [...new Set([...b.notCompiled, ...h.notCompiled])].sort();
		const skip = new Set(notCompared);
		for (const p of notCompared) {
			const where = [b.notCompiled.has(p) ? 'BASE' : '', h.notCompiled.has(p) ? 'HEAD' : ''].filter(Boolean).join(' and ');
			io.err(`memlens: note: ${p || '.'}: not compiled at ${where} (a build error there or in a package it imports): its facts are not compared\n`);
		}
		const keep = (r: RevisionFacts) => r.facts.filter((f) => !skip.has(f.pkg));
		const changes = (hooks.rank ?? sourceOrder)(reportedChanges(diffFacts(keep(b), keep(h)), new Set(o.escape)));
		const texts = new TextCache();
		// Everything shown is read now: the checkouts go away before the output is written.
		const report: DiffReport = {
			base: { rev: o.base, commit: baseCommit, root: baseRoot },
			head: { ...(o.head !== undefined ? { rev: o.head, commit: headCommit } : {}), root: headRoot },
			kinds: o.escape,
			entries: changes.map((c) => entry(c, texts)),
			notCompared,
			compared: { base: keep(b).length, head: keep(h).length, packages: new Set([...b.packages, ...h.packages].filter((p) => !skip.has(p))).size },
			durationMs: 0,
		};
		const failing = failingChanges(changes, new Set(o.failOnNew));
		report.durationMs = Math.round(performance.now() - started);
		const display = { cwd: io.cwd, version };
		if (o.format === 'json') io.out(formatDiffJson(report, display));
		else if (o.format === 'sarif') io.out(formatDiffSarif(report, display));
		else if (o.format === 'md') io.out(formatDiffMarkdown(report, display));
		else io.out(formatDiffText(report, display));
		return failing.length ? EXIT.findings : EXIT.ok;
	} finally {
		src.dispose();
		for (const t of trees.reverse()) await t.dispose();
	}
}
