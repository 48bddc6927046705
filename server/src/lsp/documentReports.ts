/**
 * What each open document shows, kept up to date without ever holding up the main loop: its tree
 * (syntax/treeCache.ts), the rule runs (ruleRuns.ts), the report built from them and the package's
 * facts (report/fileReport.ts), and the publish.
 *
 * Document events only note what is due; the work runs as jobs (refreshJobs.ts), one document at a
 * time, with the messages waiting let in first. Where a document's rules run depends on its size
 * and shape (placement.ts): small files on the main thread; bigger ones have keystrokes re-check
 * the touched declaration here and whole-file runs in the rule thread (threadRuns.ts), showing the
 * last findings moved with the text meanwhile; the biggest and pathological ones go to the rule
 * thread only, once typing pauses. Work on a pathological file is bounded (a rule's budget, a
 * file's, a cap on the compiler facts shown), and what was skipped is said in the package's status.
 * Trees are made when a job or a keystroke first needs one.
 */
import type { CodeLens, Connection, Hover, Position, TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { HeapSitesNotification } from '../../../common/protocol';
import type { EscapeFact, Range, RuleFinding } from '../model';
import { FactCache } from '../report/factCache';
import { fileReportInSteps, type FileReport, type FileSources } from '../report/fileReport';
import type { FileProfile } from '../report/profileCosts';
import type { ClientCaps } from '../report/types';
import { fitsDocument } from './changeCheck';
import type { CodeActionStore } from './codeActions';
import type { DocumentStore, OpenDoc } from './documents';
import * as engines from './engines';
import { runInSlices } from './messageGate';
import { drain, timed } from '../util/steps';
import { Placements } from './placement';
import { RefreshJobs, type RefreshMode } from './refreshJobs';
import { RuleRuns, type RuleInput } from './ruleRuns';
import type { ResolvedSettings, SettingsCache } from './settingsCache';
import { FileInputs } from './fileInputs';
import { StackToggles } from './stackToggles';
import { MAX_PARSE_CHARS, ThreadRuns } from './threadRuns';

export type { RefreshMode };

/** Quiet time after the last keystroke before the whole-file rule run. */
const SETTLE_MS = 400;
/** The documents typed in last, whose fact caches are never dropped for others'. */
const FACT_CACHES = 2;
/**
 * Placed facts kept in fact caches across documents at most (the least recently published go
 * first). A document is published several times with the same facts (compile, rule thread, typed
 * pass): the cache spares rebuilding and re-encoding its diagnostics each time (a 500-closure
 * file: 1.4 MB built four times in one second). net/http's 71 files have ~20,000
 * (12,000 of them: +30 MB peak RSS).
 */
const MAX_CACHED_FACTS = 6_000;

export interface DocumentReportsOptions {
	connection: Connection;
	caps: ClientCaps;
	docs: DocumentStore;
	settings: SettingsCache;
	actions: CodeActionStore;
	sources: FileSources;
	/** The package's compiler facts (undefined while there are none) and whether they are stale. */
	facts: (dir: string) => EscapeFact[] | undefined;
	stale: (dir: string) => boolean;
	typed: (dir: string) => engines.TypedPackage | undefined;
	/** Bumped per typed result applied to the package (not per keystroke). */
	typedGen: (dir: string) => number;
	/** The loaded allocation profile's lines of a file (lsp/profiles.ts), a report input. */
	profile: (filePath: string) => FileProfile | undefined;
	log: (msg: string) => void;
	/** What was skipped for the files of `dir` changed (the status says it). */
	onSkipped: (dir: string) => void;
	/** A job ended. */
	onIdle: () => void;
}

interface Memo {
	version: number;
	facts: EscapeFact[] | undefined;
	stale: boolean;
	/** What the typed pass says about this file (typedKey, and whether it is stale). */
	typed: string;
	settings: ResolvedSettings;
	/** Rule-thread results taken when it was made (a report from before one is not reused after it). */
	adopted: number;
	/** The functions whose `does not escape` facts were shown (StackToggles). */
	stack: ReadonlySet<string> | undefined;
	report: FileReport;
}

export class DocumentReports {
	private trees: engines.TreeCache | undefined;
	private readonly placements = new Placements();
	private readonly stacks = new StackToggles();
	private readonly reports = new Map<string, Memo>();
	private readonly findings = new Map<string, RuleFinding[]>();
	/** Rule findings per document, re-checked per touched declaration on keystrokes (syntax rules, escape-fact rules). */
	private readonly syntaxRuns = new RuleRuns();
	private readonly escapeRuns = new RuleRuns();
	private readonly thread: ThreadRuns;
	private readonly jobs: RefreshJobs;
	/** Whole-file rule runs due once typing pauses (after scoped runs). */
	private readonly settles = new Map<string, NodeJS.Timeout>();
	/** Documents whose next pause must run the whole file (a run was declined or its result came too late). */
	private readonly mustSettle = new Set<string>();
	/** What the facts turned into at the last publish, for the documents typed in last (factCache.ts); least recent first. */
	private readonly factCaches = new Map<string, FactCache>();
	/** The documents typed in last (their caches stay). */
	private typedIn: string[] = [];
	private readonly inputs: FileInputs;

	constructor(private readonly o: DocumentReportsOptions) {
		this.jobs = new RefreshJobs((uri, mode) => this.run(uri, mode), o.onIdle);
		this.inputs = new FileInputs({ facts: o.facts, typedGen: o.typedGen, note: (d, more) => this.thread.note(d, 'facts', more) });
		this.thread = new ThreadRuns({
			docs: o.docs,
			sources: o.sources,
			facts: o.facts,
			typed: o.typed,
			syntaxRuns: this.syntaxRuns,
			escapeRuns: this.escapeRuns,
			log: o.log,
			adopted: (d) => void this.schedule(d.uri),
			retry: (uri) => this.scheduleSettle(uri, true),
			cutShort: (uri) => this.toThread(uri),
			onSkipped: o.onSkipped,
			onIdle: o.onIdle,
		});
	}

	async init(): Promise<void> {
		this.thread.warmUp();
		this.trees = await engines.TreeCache.create({ maxChars: MAX_PARSE_CHARS });
		// A keystroke's declaration, parsed alone, disagreed with the file's deferred reparse: check the file again.
		this.trees.onResync = (uri) => {
			if (this.o.docs.get(uri)) void this.schedule(uri, 'settle');
		};
	}

	isQuiescent(): boolean {
		return this.jobs.isIdle() && this.thread.isIdle();
	}

	/** Notes that `uri` needs a refresh in `mode`; resolves once it has run. */
	schedule(uri: string, mode: RefreshMode = 'default'): Promise<void> {
		return this.jobs.schedule(uri, mode);
	}

	/** A request about `uri` is waiting: see RefreshJobs.ready (a big file's answer never waits). */
	async ready(uri: string): Promise<void> {
		if (this.placements.get(uri) !== 'thread') await this.jobs.ready(uri);
	}

	/** Republishes the open documents of `dir`; resolves once all have been. */
	async refreshDir(dir: string): Promise<void> {
		await Promise.all(this.o.docs.inDir(dir).map((d) => this.schedule(d.uri)));
	}

	get liveTrees(): number {
		return this.trees?.liveTrees ?? 0;
	}

	get syntaxUpdates(): engines.TreeCache['changedRangeStats'] | undefined {
		return this.trees ? { ...this.trees.changedRangeStats } : undefined;
	}

	/** The hover at `pos`, from the document's last report. */
	hover(uri: string, pos: Position, stale: boolean, cost?: (hasFact: boolean) => string | undefined): Hover | null {
		const memo = this.o.docs.get(uri) && this.reports.get(uri);
		return memo ? this.stacks.hover(memo.report, memo.settings, pos, { caps: this.o.caps, stale, ...(cost ? { cost } : {}) }) : null;
	}

	/** The stack lenses of a document: one per function with `does not escape` facts. */
	codeLenses(uri: string): CodeLens[] {
		const memo = this.o.docs.get(uri) && this.reports.get(uri);
		const tree = this.trees?.get(uri)?.mirror;
		return memo?.facts && tree ? this.stacks.lenses(uri, tree, memo.report.placed, memo.settings.memlens) : [];
	}

	/** Shows or hides the `does not escape` facts of one function (see StackToggles.toggle); republishes. */
	async toggleStack(uri: string, target: string | Position): Promise<boolean> {
		const d = this.o.docs.get(uri);
		if (!d) return false;
		if (!this.trees?.get(uri)) this.trees?.open(uri, d.doc.getText(), d.doc.version);
		const tree = this.trees?.get(uri)?.mirror;
		if (!tree || !this.stacks.toggle(uri, tree, target)) return false;
		await this.schedule(uri);
		return true;
	}

	/** What was skipped for the open files of `dir`, one line per file and kind (for the status). */
	skippedNotes(dir: string): string[] {
		return this.thread.skippedNotes(dir);
	}

	/** A document was opened (or replaced by a full-text change): where its rules run (its tree is made when first needed). */
	open(d: OpenDoc): void {
		this.placements.open(d.uri, d.doc.getText());
		this.trees?.close(d.uri);
	}

	/** Applies an edit to the tree (made now for a big file's first keystroke) and moves the findings with it. */
	change(d: OpenDoc, changes: TextDocumentContentChangeEvent[]): void {
		if (changes.some((c) => !('range' in c) || !c.range)) {
			this.reset(d.uri);
			this.open(d);
		} else if (this.placements.get(d.uri) !== 'thread') {
			const text = d.doc.getText();
			if (this.placements.grown(d.uri, text.length) === 'thread') this.trees?.close(d.uri);
			// applyChanges parses the whole text when there is no tree yet.
			else this.trees?.applyChanges(d.uri, changes, text, d.doc.version);
		}
		this.syntaxRuns.shift(d.uri, changes);
		this.escapeRuns.shift(d.uri, changes);
	}

	/** The document's text is no longer the client's: nothing computed from it is shown. */
	withdraw(uri: string): boolean {
		const had = this.findings.has(uri);
		this.reports.delete(uri);
		this.findings.delete(uri);
		this.o.actions.delete(uri);
		return had;
	}

	close(uri: string): void {
		this.jobs.drop(uri);
		this.trees?.close(uri);
		this.thread.forget(uri);
		this.reset(uri);
		this.placements.delete(uri);
		this.inputs.forget(uri);
		this.stacks.forget(uri);
		this.withdraw(uri);
	}

	dispose(): void {
		this.thread.dispose();
		for (const t of this.settles.values()) clearTimeout(t);
		this.settles.clear();
		this.trees?.dispose();
		this.trees = undefined;
	}

	/** Once typing pauses, re-check the whole file after scoped runs (cross-function effects), or at all ('thread'). */
	scheduleSettle(uri: string, always = false): void {
		clearTimeout(this.settles.get(uri));
		if (always) this.mustSettle.add(uri);
		if (!this.mustSettle.has(uri) && this.placements.get(uri) !== 'thread' && !this.syntaxRuns.needsSettle(uri) && !this.escapeRuns.needsSettle(uri)) return;
		const t = setTimeout(() => {
			this.settles.delete(uri);
			this.mustSettle.delete(uri);
			if (this.o.docs.get(uri)) void this.schedule(uri, 'settle');
		}, SETTLE_MS);
		t.unref?.();
		this.settles.set(uri, t);
	}

	private run(uri: string, mode: RefreshMode): Promise<void> {
		const d = this.o.docs.get(uri);
		return d ? this.refresh(d, mode).catch((e) => this.o.log(`internal error: ${e instanceof Error ? e.stack : String(e)}`)) : Promise.resolve();
	}

	/**
	 * Re-runs the rules on one document (or has the rule thread do it) and publishes diagnostics,
	 * code actions and heap sites. 'edit': only the declarations the edits touched are re-checked;
	 * 'settle': the whole file; 'default' (open, compile result, settings): whole file for the
	 * escape-fact rules, and the syntax rules only where the text changed.
	 */
	private async refresh(d: OpenDoc, mode: RefreshMode): Promise<void> {
		const settings = await this.o.settings.get(d.uri);
		if (this.o.docs.get(d.uri) !== d || this.o.docs.isDesynced(d.uri)) return; // closed meanwhile, or out of sync
		const placement = this.placements.get(d.uri);
		// A big file being typed in: its report waits for the pause (placing its facts costs per keystroke).
		if (placement === 'thread' && mode === 'edit') return this.scheduleSettle(d.uri, true);
		const version = d.doc.version;
		const facts = this.inputs.facts(d);
		const stale = this.o.stale(d.dir);
		const typed = this.o.typed(d.dir);
		// A new typed result for the package changes nothing in a file it says nothing new about.
		const typedK = this.inputs.typedKey(d, typed);
		const adopted = this.thread.adoptedCount(d.uri);
		const stack = this.stacks.of(d.uri);
		// Same text, same facts, same settings (a cache replay, a re-save): reuse the last report.
		const memo = this.reports.get(d.uri);
		const same = mode !== 'settle' && memo && memo.version === version && memo.facts === facts && memo.stale === stale && memo.typed === `${typedK}${typed?.stale ? ' stale' : ''}` && memo.settings === settings && memo.adopted === adopted && memo.stack === stack;
		const inline = placement === 'inline' || (placement === 'tree' && mode === 'edit');
		const t0 = performance.now();
		// Trees are made when first needed (opening 71 files parses none of the big ones here).
		if (inline && !this.trees?.get(d.uri)) this.trees?.open(d.uri, d.doc.getText(), version);
		// The time this report takes of the server's thread (not the time it waits between slices).
		const busy = { ms: performance.now() - t0 };
		// A big file's tree, when it has one, still places the stack lens's facts (its rules run elsewhere).
		const tree = this.trees?.get(d.uri)?.mirror;
		// Sliced only when no rule runs here: a report whose rules ran on this thread must be about the
		// text they saw (they take the tree's changed ranges), so it is made in one go (files up to 8K
		// characters, or a keystroke's scoped run).
		const made = (steps: ReturnType<typeof fileReportInSteps>) => (inline ? Promise.resolve(drain(steps)) : runInSlices(steps));
		const report = same
			? memo.report
			: await made(timed(fileReportInSteps({
					uri: d.uri,
					filePath: d.filePath,
					text: d.doc.getText(),
					tree,
					facts,
					stale,
					typed,
					settings,
					caps: this.o.caps,
					sources: this.o.sources,
					log: this.o.log,
					...(inline
						? { rules: (input: RuleInput) => this.runRules(d.uri, input, settings, mode, typedK) }
						: { findings: [...this.syntaxRuns.findingsOf(d.uri), ...this.escapeRuns.findingsOf(d.uri)] }),
					cache: this.factCache(d.uri, mode === 'edit'),
					stackFunctions: stack,
					profile: this.o.profile(d.filePath),
				}), busy));
		// Changed or closed while a slice waited: the job the change scheduled reports on the new text.
		if (!same && (this.o.docs.get(d.uri) !== d || d.doc.version !== version || this.o.docs.isDesynced(d.uri))) return;
		if (inline && placement === 'tree' && !same && this.placements.slow(d.uri, busy.ms)) this.toThread(d.uri);
		if (inline && mode === 'edit') this.scheduleSettle(d.uri);
		// A settle run that confirms what the keystrokes showed publishes nothing (clients would see a
		// spurious update, and "next publish after save" would no longer be the compile's).
		const confirmed = mode === 'settle' && inline && memo && memo.version === version && memo.facts === facts && memo.stack === stack && sameList(memo.report.findings, report.findings);
		this.reports.set(d.uri, { version, facts, stale, typed: `${typedK}${typed?.stale ? ' stale' : ''}`, settings, adopted, stack, report });
		if (!inline) {
			// The whole-file run is the rule thread's: the changes noted so far are covered by it.
			this.trees?.takeChanged(d.uri);
			this.thread.dispatch(d, settings, report.placed, mode, typedK);
		}
		if (confirmed) return;
		await this.publish(d, report, facts !== undefined);
	}

	private async publish(d: OpenDoc, report: FileReport, withFacts: boolean): Promise<void> {
		this.findings.set(d.uri, report.findings);
		this.o.actions.set(d.uri, report.fixables);
		const version = d.doc.version;
		// Never publish a range the client cannot place (a fact left past a shortened file's end…).
		const lines = lineCount(d);
		// Changed or closed while a slice waited: the job the change scheduled publishes the new text's report.
		const current = () => this.o.docs.get(d.uri) === d && d.doc.version === version && !this.o.docs.isDesynced(d.uri);
		const all = await runInSlices(report.diagnosticsInSteps());
		if (!current()) return;
		const diagnostics = all.every((x) => fitsDocument(x.range, lines)) ? all : this.dropUnfit(all, lines);
		await this.o.connection.sendDiagnostics({ uri: d.uri, version, diagnostics }).catch(() => undefined);
		if (this.o.caps.memlensExtensions && withFacts) {
			const sites = await runInSlices(report.heapSitesInSteps());
			if (!current()) return;
			void this.o.connection.sendNotification(HeapSitesNotification.type, { uri: d.uri, version, sites, ...(report.costSites ? { costs: report.costSites } : {}) }).catch(() => undefined);
		}
	}

	/** Syntax rules and escape-fact rules through their RuleRuns (scoped on edits; see ruleRuns.ts). */
	private runRules(uri: string, input: RuleInput, settings: ResolvedSettings, mode: RefreshMode, typedK: string): RuleFinding[] {
		const changed = this.trees?.takeChanged(uri) ?? 'all';
		const m = settings.memlens;
		const key = JSON.stringify([m.disabledRules, m.ruleSeverities, input.goVersion, input.isCgo]);
		const check = (rules: typeof engines.SYNTAX_RULES) => (ctx: Parameters<typeof engines.checkRules>[0]) => engines.checkRules(ctx, m, this.o.log, rules);
		// A 'tree' document's whole-file runs are the rule thread's: a keystroke that needs one waits for the pause.
		const noWhole = this.placements.get(uri) === 'tree';
		const syntax = this.syntaxRuns.run(uri, { ...input, escape: undefined }, key, changed, mode === 'settle', check(engines.SYNTAX_RULES), noWhole);
		const escape = this.escapeRuns.run(uri, input, `${key}|${input.escape ? 'facts' : 'none'}|typed ${typedK}`, changed, mode !== 'edit', check(engines.ESCAPE_RULES), noWhole);
		if (syntax.mode === 'declined' || escape.mode === 'declined') this.mustSettle.add(uri);
		return [...syntax.findings, ...escape.findings];
	}

	/** From now on the document is checked in the rule thread only (its main-thread tree is freed). */
	private toThread(uri: string): void {
		if (this.placements.toThread(uri)) this.trees?.close(uri);
	}

	private reset(uri: string): void {
		clearTimeout(this.settles.get(uri));
		this.settles.delete(uri);
		this.mustSettle.delete(uri);
		this.syntaxRuns.forget(uri);
		this.escapeRuns.forget(uri);
		this.thread.reset(uri);
		this.factCaches.get(uri)?.clear();
		this.factCaches.delete(uri);
		this.typedIn = this.typedIn.filter((u) => u !== uri);
	}

	private dropUnfit<T extends { range: Range; message: unknown }>(ds: readonly T[], lines: number): T[] {
		const bad = ds.filter((x) => !fitsDocument(x.range, lines));
		this.o.log(`dropped ${bad.length} diagnostic(s) whose range does not fit the document (${lines} lines), e.g. ${JSON.stringify(bad[0].range)} ${String(bad[0].message).slice(0, 80)}`);
		return ds.filter((x) => fitsDocument(x.range, lines));
	}

	/** All is analysed and published: only the documents typed in last keep their caches (their keystrokes use them). */
	trimFactCaches(): void {
		for (const [u, c] of this.factCaches) {
			if (this.typedIn.includes(u)) continue;
			c.clear();
			this.factCaches.delete(u);
		}
	}

	/**
	 * The fact cache of a document, made on its first publish. The caches of the documents
	 * published last, and of the FACT_CACHES typed in last, are kept (MAX_CACHED_FACTS) until
	 * everything is analysed (trimFactCaches).
	 */
	private factCache(uri: string, typing: boolean): FactCache {
		let c = this.factCaches.get(uri);
		if (c) this.factCaches.delete(uri); // to the most recent end
		else c = new FactCache();
		this.factCaches.set(uri, c);
		if (typing) this.typedIn = [uri, ...this.typedIn.filter((u) => u !== uri)].slice(0, FACT_CACHES);
		let total = 0;
		for (const k of this.factCaches.values()) total += k.size;
		for (const [u, old] of this.factCaches) {
			if (total <= MAX_CACHED_FACTS) break;
			if (u === uri || this.typedIn.includes(u)) continue;
			total -= old.size;
			old.clear();
			this.factCaches.delete(u);
		}
		return c;
	}
}

/**
 * The document's line count as the LSP counts lines. Counted with indexOf when the text has no
 * `\r`: TextDocument's own count builds every line's offset anew after each change, 0.3 s for a
 * 1 MB file on a busy machine.
 */
function lineCount(d: OpenDoc): number {
	const text = d.doc.getText();
	if (text.includes('\r')) return d.doc.lineCount;
	let n = 1;
	for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
	return n;
}

/** Same findings. */
function sameList(a: readonly RuleFinding[], b: readonly RuleFinding[]): boolean {
	return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}
