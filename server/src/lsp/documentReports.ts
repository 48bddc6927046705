/**
 * What each open document shows, kept up to date without ever holding up the main loop: its tree
 * (syntax/treeCache.ts), the rule runs (ruleRuns.ts), the report built from them and the package's
 * facts (report/fileReport.ts), and the publish.
 *
 * Where the rules run depends on the document's size:
 * - small files ('inline', ≤ 8K characters): on the main thread, a whole-file run in a few ms;
 * - bigger ones ('tree', ≤ 256K): keystrokes re-check the touched declaration on the main thread
 *   (a scoped run), whole-file runs (open, a compile's facts, settings, a pause in typing) go to
 *   the rule thread (rules/ruleThread.ts); the findings shown meanwhile are the last ones, moved
 *   with the text;
 * - anything bigger, and a document whose scoped run was slow ('thread'): no tree on the main
 *   thread at all; every run goes to the rule thread, once typing pauses.
 * Work on a pathological file is bounded (a rule's budget, a file's, a cap on the compiler facts
 * shown), and what was skipped is said in the package's status.
 *
 * Document events only note what is due (`schedule`); the work runs as jobs, one document at a
 * time with requests let in between, the latest mode per document merged into one job. A request
 * about a document runs that document's pending job first (`ready`), so that what it answers from
 * is its current text; trees are made when a job or a keystroke first needs one.
 */
import type { Connection, TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { HeapSitesNotification } from '../../../common/protocol';
import type { EscapeFact, Range, RuleFinding } from '../model';
import type { Tree } from '../syntax/mirror';
import type { PlacedFact } from '../report/diagnostics';
import { FactCache } from '../report/factCache';
import { fileReport, ruleInput, type FileReport, type FileSources } from '../report/fileReport';
import type { ClientCaps } from '../report/types';
import { fitsDocument } from './changeCheck';
import { messagesFirst } from './messageGate';
import type { CodeActionStore } from './codeActions';
import type { DocumentStore, OpenDoc } from './documents';
import * as engines from './engines';
import { RuleRuns, type RuleInput } from './ruleRuns';
import type { ResolvedSettings, SettingsCache } from './settingsCache';

export type RefreshMode = 'edit' | 'settle' | 'default';

/** Where a document's rules run (see the file comment). */
type Placement = 'inline' | 'tree' | 'thread';

/**
 * Texts up to this are parsed and checked on the main thread: a whole-file run is ~1 ms per KB on
 * an idle machine and 4-7 times that while the compiler has both cores (measured on net/http).
 */
export const INLINE_CHARS = 8 * 1024;
/** Texts up to this keep a tree on the main thread, for scoped runs on keystrokes. */
export const TREE_CHARS = 256 * 1024;
/** Keystroke runs on the main thread slower than this, often, send the document to the rule thread for good (see `timed`). */
const SLOW_RUN_MS = 40;
/** Quiet time after the last keystroke before the whole-file rule run. */
const SETTLE_MS = 400;
/** How many documents keep a fact cache (the ones typed in last). */
const FACT_CACHES = 2;
/** Compiler facts shown per file at most (net/http's biggest file has 5,300; a generated 20 MB file 372,000). */
export const MAX_FACTS_PER_FILE = 10_000;
/** Texts longer than this are not parsed at all (the tree cache's limit). */
const MAX_PARSE_CHARS = 5_000_000;
/** Brackets nested deeper than this: the file goes to the rule thread (real Go code stays far below). */
const MAX_NESTING = 100;
/** Which mode covers which: a whole-file run covers a scoped one. */
const STRENGTH: Record<RefreshMode, number> = { edit: 0, default: 1, settle: 2 };
/** The rule thread parses its own tree (ruleInput only carries the tree along). */
const NO_TREE = undefined as unknown as Tree;

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
	typedGen: (dir: string) => number;
	log: (msg: string) => void;
	/** What was skipped for the files of `dir` changed (the status says it). */
	onSkipped: (dir: string) => void;
	/** A rule-thread job ended. */
	onIdle: () => void;
}

interface Memo {
	version: number;
	facts: EscapeFact[] | undefined;
	stale: boolean;
	typed: engines.TypedPackage | undefined;
	settings: ResolvedSettings;
	/** Bumped each time the rule thread's findings are taken (a report from before is not reused then). */
	adopted: number;
	report: FileReport;
}

export class DocumentReports {
	private trees: engines.TreeCache | undefined;
	private readonly thread = new engines.RuleThread();
	private readonly placement = new Map<string, Placement>();
	private readonly reports = new Map<string, Memo>();
	private readonly placed = new Map<string, PlacedFact[]>();
	private readonly findings = new Map<string, RuleFinding[]>();
	/** Rule findings per document, re-checked per touched declaration on keystrokes (syntax rules, escape-fact rules). */
	private readonly syntaxRuns = new RuleRuns();
	private readonly escapeRuns = new RuleRuns();
	/** `${version}|${key}` of each set's last whole-file run in the rule thread. */
	private readonly wholeAt = new Map<string, { syntax?: string; escape?: string; adopted: number }>();
	/** Whole-file rule runs due once typing pauses (after scoped runs). */
	private readonly settles = new Map<string, NodeJS.Timeout>();
	/** Documents whose next pause must run the whole file (a run was declined or its result came too late). */
	private readonly mustSettle = new Set<string>();
	/** What the facts turned into at the last publish, for the documents typed in last (factCache.ts); least recent first. */
	private readonly factCaches = new Map<string, FactCache>();
	/** Per document: rules that ran past their budget (not run again until it is reopened) and other work skipped. */
	private readonly skipped = new Map<string, { rules: Map<string, string>; other: string[] }>();
	/** Per-file fact lists, by package fact list. */
	private readonly byFile = new WeakMap<EscapeFact[], Map<string, EscapeFact[]>>();
	/** The last keystroke runs' times on the main thread, per 'tree' document. */
	private readonly runTimes = new Map<string, number[]>();
	/** Rule-thread jobs being waited for. */
	private jobs = 0;
	/** Refreshes due, by document, oldest first; and who waits for each. */
	private readonly due = new Map<string, { mode: RefreshMode; waiters: (() => void)[] }>();
	/** The refresh running now (its document), if any. */
	private running: { uri: string; mode: RefreshMode; done: Promise<void> } | undefined;
	private pumping = false;

	constructor(private readonly o: DocumentReportsOptions) {}

	async init(): Promise<void> {
		// The rule thread loads its parser now, not when the first big file is opened.
		void this.thread.run('\0warm-up', { filePath: 'warm-up.go', text: 'package p\n', goVersion: { minor: undefined, label: 'unknown', source: 'no module', mainModuleMinor: undefined }, isCgo: false, severities: {}, sets: { syntax: ['defer-in-loop'] }, maxChars: MAX_PARSE_CHARS, parseBudgetMs: 10_000 });
		this.trees = await engines.TreeCache.create({ maxChars: MAX_PARSE_CHARS });
		// A keystroke's declaration, parsed alone, disagreed with the file's deferred reparse: check the file again.
		this.trees.onResync = (uri) => {
			if (this.o.docs.get(uri)) void this.schedule(uri, 'settle');
		};
	}

	isQuiescent(): boolean {
		return this.due.size === 0 && !this.running && this.jobs === 0;
	}

	/**
	 * Notes that `uri` needs a refresh in `mode` (merged with one already due: a whole-file run
	 * covers a scoped one); resolves once it has run, or the document is gone.
	 */
	schedule(uri: string, mode: RefreshMode = 'default'): Promise<void> {
		const d = this.due.get(uri);
		const p = new Promise<void>((resolve) => {
			if (d) {
				d.mode = STRENGTH[mode] > STRENGTH[d.mode] ? mode : d.mode;
				d.waiters.push(resolve);
			} else this.due.set(uri, { mode, waiters: [resolve] });
		});
		if (!this.pumping) {
			this.pumping = true;
			setImmediate(() => void this.pump());
		}
		return p;
	}

	/**
	 * A request about `uri` is waiting: a keystroke's refresh due for it runs now (a scoped run, a
	 * few ms), so the answer is about the current text. Anything longer (a file's first run, a
	 * compile's facts) is not waited for: the answer is what is known.
	 */
	async ready(uri: string): Promise<void> {
		if (this.placement.get(uri) === 'thread') return;
		if (this.running?.uri === uri && this.running.mode === 'edit') await this.running.done;
		if (this.due.get(uri)?.mode === 'edit') await this.runDue(uri);
	}

	/** Republishes the open documents of `dir`; resolves once all have been. */
	async refreshDir(dir: string): Promise<void> {
		await Promise.all(this.o.docs.inDir(dir).map((d) => this.schedule(d.uri)));
	}

	private async pump(): Promise<void> {
		try {
			// Requests and notifications waiting go first (a burst of didOpens, then the hover behind them).
			await messagesFirst();
			for (let next = this.due.keys().next(); !next.done; next = this.due.keys().next()) {
				await this.runDue(next.value);
				await messagesFirst();
			}
		} finally {
			this.pumping = false;
			this.o.onIdle();
		}
	}

	private async runDue(uri: string): Promise<void> {
		while (this.running) await this.running.done;
		const job = this.due.get(uri);
		if (!job) return;
		this.due.delete(uri);
		const d = this.o.docs.get(uri);
		const done = d ? this.refresh(d, job.mode).catch((e) => this.o.log(`internal error: ${e instanceof Error ? e.stack : String(e)}`)) : Promise.resolve();
		this.running = { uri, mode: job.mode, done };
		try {
			await done;
		} finally {
			this.running = undefined;
			for (const w of job.waiters) w();
		}
	}

	get liveTrees(): number {
		return this.trees?.liveTrees ?? 0;
	}

	get syntaxUpdates(): engines.TreeCache['changedRangeStats'] | undefined {
		return this.trees ? { ...this.trees.changedRangeStats } : undefined;
	}

	placedFacts(uri: string): PlacedFact[] {
		return this.placed.get(uri) ?? [];
	}

	ruleFindings(uri: string): RuleFinding[] {
		return this.findings.get(uri) ?? [];
	}

	/** What was skipped for the open files of `dir`, one line per file (for the status). */
	skippedNotes(dir: string): string[] {
		const out: string[] = [];
		for (const d of this.o.docs.inDir(dir)) {
			const s = this.skipped.get(d.uri);
			if (!s) continue;
			const name = d.filePath.slice(dir.length + 1) || d.filePath;
			for (const why of s.other) out.push(`${name}: ${why.replace(/^\[\w+\]/, '')}`);
			if (s.rules.size) out.push(`${name}: rule${s.rules.size > 1 ? 's' : ''} skipped: ${[...s.rules].map(([r, why]) => `${r} (${why})`).join(', ')}`);
		}
		return out;
	}

	/** A document was opened (or replaced by a full-text change): where its rules run (its tree is made when first needed). */
	open(d: OpenDoc): void {
		const text = d.doc.getText();
		// Deep nesting is a pathological shape for tree walks: such a file goes to the rule thread whatever its size.
		const p: Placement = text.length > TREE_CHARS || nestingOver(text, MAX_NESTING) ? 'thread' : text.length <= INLINE_CHARS ? 'inline' : 'tree';
		this.placement.set(d.uri, p);
		this.trees?.close(d.uri);
	}

	/** Applies an edit to the tree (made now for a big file's first keystroke) and moves the findings with it. */
	change(d: OpenDoc, changes: TextDocumentContentChangeEvent[]): void {
		if (changes.some((c) => !('range' in c) || !c.range)) {
			this.reset(d.uri);
			this.open(d);
		} else if (this.placement.get(d.uri) !== 'thread') {
			const text = d.doc.getText();
			if (text.length > TREE_CHARS) this.toThread(d.uri);
			else {
				if (text.length > INLINE_CHARS) this.placement.set(d.uri, 'tree');
				// applyChanges parses the whole text when there is no tree yet.
				this.trees?.applyChanges(d.uri, changes, text, d.doc.version);
			}
		}
		this.syntaxRuns.shift(d.uri, changes);
		this.escapeRuns.shift(d.uri, changes);
	}

	/** The document's text is no longer the client's: nothing computed from it is shown. */
	withdraw(uri: string): boolean {
		const had = this.findings.has(uri);
		this.reports.delete(uri);
		this.placed.delete(uri);
		this.findings.delete(uri);
		this.o.actions.delete(uri);
		return had;
	}

	close(uri: string): void {
		const job = this.due.get(uri);
		this.due.delete(uri);
		for (const w of job?.waiters ?? []) w();
		this.trees?.close(uri);
		this.thread.forget(uri);
		this.reset(uri);
		this.placement.delete(uri);
		this.runTimes.delete(uri);
		this.skipped.delete(uri);
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
		if (!this.mustSettle.has(uri) && this.placement.get(uri) !== 'thread' && !this.syntaxRuns.needsSettle(uri) && !this.escapeRuns.needsSettle(uri)) return;
		const t = setTimeout(() => {
			this.settles.delete(uri);
			this.mustSettle.delete(uri);
			if (this.o.docs.get(uri)) void this.schedule(uri, 'settle');
		}, SETTLE_MS);
		t.unref?.();
		this.settles.set(uri, t);
	}

	/**
	 * Re-runs the rules on one document (or has the rule thread do it) and publishes diagnostics,
	 * code actions and heap sites. 'edit': only the declarations the edits touched are re-checked;
	 * 'settle': the whole file; 'default' (open, compile result, settings): whole file for the
	 * escape-fact rules, and the syntax rules only where the text changed.
	 */
	private async refresh(d: OpenDoc, mode: RefreshMode): Promise<void> {
		const settings = await this.o.settings.get(d.uri);
		const current = this.o.docs.get(d.uri);
		if (current !== d || this.o.docs.isDesynced(d.uri)) return; // closed meanwhile, or out of sync
		const placement = this.placement.get(d.uri) ?? 'inline';
		// A big file being typed in: its report waits for the pause (placing its facts costs per keystroke).
		if (placement === 'thread' && mode === 'edit') return this.scheduleSettle(d.uri, true);
		const version = d.doc.version;
		const facts = this.fileFacts(d);
		const stale = this.o.stale(d.dir);
		const typed = this.o.typed(d.dir);
		const adopted = this.wholeAt.get(d.uri)?.adopted ?? 0;
		// Same text, same facts, same settings (a cache replay, a re-save): reuse the last report.
		const memo = this.reports.get(d.uri);
		const same = mode !== 'settle' && memo && memo.version === version && memo.facts === facts && memo.stale === stale && memo.typed === typed && memo.settings === settings && memo.adopted === adopted;
		const inline = placement === 'inline' || (placement === 'tree' && mode === 'edit');
		const t0 = performance.now();
		// Trees are made when first needed (opening 71 files parses none of the big ones here).
		if (inline && !this.trees?.get(d.uri)) this.trees?.open(d.uri, d.doc.getText(), version);
		const report = same
			? memo.report
			: fileReport({
					uri: d.uri,
					filePath: d.filePath,
					text: d.doc.getText(),
					tree: inline ? this.trees?.get(d.uri)?.mirror : undefined,
					facts,
					stale,
					typed,
					settings,
					caps: this.o.caps,
					sources: this.o.sources,
					log: this.o.log,
					...(inline
						? { rules: (input: RuleInput) => this.runRules(d.uri, input, settings, mode, this.o.typedGen(d.dir)) }
						: { findings: [...this.syntaxRuns.findingsOf(d.uri), ...this.escapeRuns.findingsOf(d.uri)] }),
					cache: this.factCache(d.uri, mode === 'edit'),
				});
		if (inline && placement === 'tree' && !same) this.timed(d.uri, performance.now() - t0);
		if (inline && mode === 'edit') this.scheduleSettle(d.uri);
		// A settle run that confirms what the keystrokes showed publishes nothing (clients would see a
		// spurious update, and "next publish after save" would no longer be the compile's).
		const confirmed = mode === 'settle' && inline && memo && memo.version === version && memo.facts === facts && sameList(memo.report.findings, report.findings);
		this.reports.set(d.uri, { version, facts, stale, typed, settings, adopted, report });
		if (!inline) this.dispatch(d, settings, report.placed, mode);
		if (confirmed) return;
		await this.publish(d, report, facts !== undefined);
	}

	private async publish(d: OpenDoc, report: FileReport, withFacts: boolean): Promise<void> {
		this.placed.set(d.uri, report.placed);
		this.findings.set(d.uri, report.findings);
		this.o.actions.set(d.uri, report.fixables);
		const version = d.doc.version;
		// Never publish a range the client cannot place (a fact left past a shortened file's end…).
		const lines = lineCount(d);
		const all = report.diagnostics;
		const diagnostics = all.every((x) => fitsDocument(x.range, lines)) ? all : this.dropUnfit(all, lines);
		await this.o.connection.sendDiagnostics({ uri: d.uri, version, diagnostics }).catch(() => undefined);
		if (this.o.caps.memlensExtensions && withFacts) {
			void this.o.connection.sendNotification(HeapSitesNotification.type, { uri: d.uri, version, sites: report.heapSites }).catch(() => undefined);
		}
	}

	/** The package's facts in this file, at most MAX_FACTS_PER_FILE of them (the rest is said in the status). */
	private fileFacts(d: OpenDoc): EscapeFact[] | undefined {
		const all = this.o.facts(d.dir);
		if (!all) return undefined;
		let m = this.byFile.get(all);
		if (!m) this.byFile.set(all, (m = new Map()));
		let mine = m.get(d.filePath);
		if (!mine) {
			mine = [];
			let more = 0;
			for (const f of all) {
				if (f.pos.file !== d.filePath) continue;
				if (mine.length < MAX_FACTS_PER_FILE) mine.push(f);
				else more++;
			}
			m.set(d.filePath, mine);
			this.note(d, 'facts', more ? `${more} of ${more + mine.length} compiler facts not shown (at most ${MAX_FACTS_PER_FILE} per file)` : undefined);
		}
		return mine;
	}

	/** Sends a whole-file run to the rule thread, if one is due; its findings are published when they come. */
	private dispatch(d: OpenDoc, settings: ResolvedSettings, placed: PlacedFact[], mode: RefreshMode): void {
		const text = d.doc.getText();
		const version = d.doc.version;
		const typedGen = this.o.typedGen(d.dir);
		const input = ruleInput({ text, filePath: d.filePath, settings, sources: this.o.sources, typed: this.o.typed(d.dir) }, NO_TREE, this.o.facts(d.dir) ? placed : undefined);
		const m = settings.memlens;
		const key = JSON.stringify([m.disabledRules, m.ruleSeverities, input.goVersion, input.isCgo]);
		const escKey = `${key}|${input.escape ? 'facts' : 'none'}|typed ${input.typed ? typedGen : 'none'}`;
		const at = this.wholeAt.get(d.uri) ?? { adopted: 0 };
		const due = (set: 'syntax' | 'escape', k: string) => mode === 'settle' || at[set] !== `${version}|${k}`;
		const skip = this.skipped.get(d.uri)?.rules;
		const ids = (rules: readonly { id: string }[]) => rules.map((r) => r.id).filter((id) => !m.disabledRules.includes(id) && m.ruleSeverities[id] !== 'off' && !skip?.has(id));
		const sets: engines.ThreadJob['sets'] = {};
		if (due('syntax', key)) sets.syntax = ids(engines.SYNTAX_RULES);
		if (due('escape', escKey)) sets.escape = ids(engines.ESCAPE_RULES);
		if (!sets.syntax && !sets.escape) return;
		this.trees?.takeChanged(d.uri);
		const job: engines.ThreadJob = {
			filePath: d.filePath,
			text,
			goVersion: input.goVersion,
			escape: input.escape,
			typed: input.typed,
			isCgo: input.isCgo,
			...(input.isCgo && input.cgoPackageC ? { cgoPackageC: input.cgoPackageC() } : {}),
			severities: m.ruleSeverities,
			sets,
			maxChars: MAX_PARSE_CHARS,
			parseBudgetMs: 10_000,
		};
		this.jobs++;
		void this.thread
			.run(d.uri, job)
			.then(async (o) => {
				if (!o || this.o.docs.get(d.uri) !== d) return;
				for (const e of o.errors) this.o.log(e);
				this.note(d, 'parse', o.notParsed ? `not checked by the syntax rules: ${o.notParsed}` : undefined);
				if (o.skipped.length) {
					const s = this.skipsOf(d.uri);
					for (const x of o.skipped) s.rules.set(x.rule, x.why);
					// Scoped runs here would need what the stopped run did not finish: everything goes to the thread.
					this.toThread(d.uri);
					this.o.onSkipped(d.dir);
				}
				// Typed on meanwhile: these findings are for a text that is gone; the pause in typing runs again.
				if (d.doc.version !== version) return this.scheduleSettle(d.uri, true);
				const now = this.wholeAt.get(d.uri) ?? { adopted: 0 };
				if (o.sets.syntax) this.syntaxRuns.adopt(d.uri, key, o.sets.syntax.findings, o.sets.syntax.memo, o.sets.syntax.context);
				if (o.sets.escape) this.escapeRuns.adopt(d.uri, escKey, o.sets.escape.findings, o.sets.escape.memo, o.sets.escape.context);
				this.wholeAt.set(d.uri, {
					syntax: o.sets.syntax || sets.syntax ? `${version}|${key}` : now.syntax,
					escape: o.sets.escape || sets.escape ? `${version}|${escKey}` : now.escape,
					adopted: now.adopted + 1,
				});
				await this.schedule(d.uri);
			})
			.catch((e) => this.o.log(`internal error: ${e instanceof Error ? e.stack : String(e)}`))
			.finally(() => {
				this.jobs--;
				this.o.onIdle();
			});
	}

	/** Syntax rules and escape-fact rules through their RuleRuns (scoped on edits; see ruleRuns.ts). */
	private runRules(uri: string, input: RuleInput, settings: ResolvedSettings, mode: RefreshMode, typedGen: number): RuleFinding[] {
		const changed = this.trees?.takeChanged(uri) ?? 'all';
		const m = settings.memlens;
		const key = JSON.stringify([m.disabledRules, m.ruleSeverities, input.goVersion, input.isCgo]);
		const check = (rules: typeof engines.SYNTAX_RULES) => (ctx: Parameters<typeof engines.checkRules>[0]) => engines.checkRules(ctx, m, this.o.log, rules);
		// A 'tree' document's whole-file runs are the rule thread's: a keystroke that needs one waits for the pause.
		const noWhole = this.placement.get(uri) === 'tree';
		const syntax = this.syntaxRuns.run(uri, { ...input, escape: undefined }, key, changed, mode === 'settle', check(engines.SYNTAX_RULES), noWhole);
		const escape = this.escapeRuns.run(uri, input, `${key}|${input.escape ? 'facts' : 'none'}|typed ${input.typed ? typedGen : 'none'}`, changed, mode !== 'edit', check(engines.ESCAPE_RULES), noWhole);
		if (syntax.mode === 'declined' || escape.mode === 'declined') this.mustSettle.add(uri);
		return [...syntax.findings, ...escape.findings];
	}

	/**
	 * Notes how long a keystroke's run on the main thread took: a document whose runs are slow
	 * (one over 10× SLOW_RUN_MS, or 3 of its last 5 over it) is checked in the rule thread from now on.
	 * One slow run alone does not count: a busy machine or a garbage collection makes those.
	 */
	private timed(uri: string, ms: number): void {
		const w = [...(this.runTimes.get(uri) ?? []), ms].slice(-5);
		this.runTimes.set(uri, w);
		if (ms > 10 * SLOW_RUN_MS || w.filter((x) => x > SLOW_RUN_MS).length >= 3) this.toThread(uri);
	}

	/** From now on the document is checked in the rule thread only (its main-thread tree is freed). */
	private toThread(uri: string): void {
		if (this.placement.get(uri) === 'thread') return;
		this.placement.set(uri, 'thread');
		this.trees?.close(uri);
	}

	private reset(uri: string): void {
		clearTimeout(this.settles.get(uri));
		this.settles.delete(uri);
		this.mustSettle.delete(uri);
		this.syntaxRuns.forget(uri);
		this.escapeRuns.forget(uri);
		this.wholeAt.delete(uri);
		this.factCaches.get(uri)?.clear();
		this.factCaches.delete(uri);
	}

	private skipsOf(uri: string): { rules: Map<string, string>; other: string[] } {
		let s = this.skipped.get(uri);
		if (!s) this.skipped.set(uri, (s = { rules: new Map(), other: [] }));
		return s;
	}

	/** Records (or clears) a note of work skipped on `d`, tagged `tag`; the status hears of a change. */
	private note(d: OpenDoc, tag: string, why: string | undefined): void {
		const s = this.skipsOf(d.uri);
		const other = s.other.filter((x) => !x.startsWith(`[${tag}]`));
		if (why) other.push(`[${tag}]${why}`);
		if (other.length === s.other.length && other.every((x, i) => x === s.other[i])) return;
		s.other = other;
		this.o.onSkipped(d.dir);
	}

	private dropUnfit<T extends { range: Range; message: unknown }>(ds: readonly T[], lines: number): T[] {
		const bad = ds.filter((x) => !fitsDocument(x.range, lines));
		this.o.log(`dropped ${bad.length} diagnostic(s) whose range does not fit the document (${lines} lines), e.g. ${JSON.stringify(bad[0].range)} ${String(bad[0].message).slice(0, 80)}`);
		return ds.filter((x) => fitsDocument(x.range, lines));
	}

	/**
	 * The fact cache of a document: made on its first keystroke, used by all its publishes after
	 * that; only the FACT_CACHES documents typed in last keep one.
	 */
	private factCache(uri: string, typing: boolean): FactCache | undefined {
		let c = this.factCaches.get(uri);
		if (!typing) return c;
		if (c) this.factCaches.delete(uri); // to the most recent end
		else c = new FactCache();
		this.factCaches.set(uri, c);
		for (const [u, old] of this.factCaches) {
			if (this.factCaches.size <= FACT_CACHES) break;
			old.clear();
			this.factCaches.delete(u);
		}
		return c;
	}
}

/** Do brackets nest deeper than `max` anywhere outside strings, runes and comments? A cheap scan, before any parse. */
export function nestingOver(text: string, max: number): boolean {
	let depth = 0;
	const n = text.length;
	for (let i = 0; i < n; i++) {
		const c = text.charCodeAt(i);
		if (c === 123 || c === 40 || c === 91) {
			if (++depth > max) return true;
		} else if (c === 125 || c === 41 || c === 93) {
			if (depth > 0) depth--;
		} else if (c === 34 || c === 39) {
			// "…" or '…': to the closing quote (backslash escapes) or the end of the line
			for (i++; i < n; i++) {
				const q = text.charCodeAt(i);
				if (q === 92) i++;
				else if (q === c || q === 10) break;
			}
		} else if (c === 96) {
			const end = text.indexOf('`', i + 1);
			i = end < 0 ? n : end;
		} else if (c === 47 && text.charCodeAt(i + 1) === 47) {
			const end = text.indexOf('\n', i);
			i = end < 0 ? n : end;
		} else if (c === 47 && text.charCodeAt(i + 1) === 42) {
			const end = text.indexOf('*/', i + 2);
			i = end < 0 ? n : end + 1;
		}
	}
	return false;
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
