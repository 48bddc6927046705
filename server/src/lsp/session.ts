/**
 * The analysis session: joins open documents, the syntax tree cache and rules (every keystroke),
 * the escape scheduler (on open, save and after a quiet debounce), and publishes the merged result.
 */
import path from 'node:path';
import { CodeLensRefreshRequest, type CodeLens, type Connection, type Hover, type Position, type TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { Commands, HeapSitesNotification, type AnalysisState, type DebugStats, type RawOutputResult } from '../../../common/protocol';
import type { EscapeFact, Range, RuleFinding } from '../model';
import { fitsDocument } from './changeCheck';
import type { ClientCaps } from './capabilities';
import { CodeActionStore } from './codeActions';
import { factSeverity } from '../report/diagnostics';
import { hoverAt } from '../report/hover';
import { functionSpans, spanAt, stackLenses, stackLensTitle } from '../report/stackLens';
import { FactCache } from '../report/factCache';
import { shiftFacts } from '../util/editShift';
import { fileReport, type FileReport, type FileSources } from '../report/fileReport';
import type { FileProfile } from '../report/profileCosts';
import { RuleRuns, type RuleInput } from './ruleRuns';
import { DocumentStore, type OpenDoc } from './documents';
import * as engines from './engines';
import { SettingsCache, type ResolvedSettings } from './settingsCache';
import { StatusReporter } from './status';
import { TypedRuns } from './typedRuns';

/** What the last runs found for one package directory. */
interface PackageState {
	facts: EscapeFact[];
	/** True when the last build failed and `facts` are from the one before. */
	stale: boolean;
	/** The last run's command and compiler output (compressed until the raw-output view asks). */
	raw?: { command: string; output: engines.EscapeRunResult['output']; cwd: string };
	lastError?: string;
}

export class Session {
	readonly docs = new DocumentStore();
	readonly actions = new CodeActionStore();
	readonly settings: SettingsCache;
	readonly status: StatusReporter;
	trusted: boolean;
	private trees: engines.TreeCache | undefined;
	private engine: engines.EscapeEngine | undefined;
	private engineKey = '';
	private buildSettings: engines.BuildSettings | undefined;
	private readonly packages = new Map<string, PackageState>();
	private readonly findings = new Map<string, RuleFinding[]>();
	private readonly reports = new Map<
		string,
		{ version: number; facts: EscapeFact[] | undefined; stale: boolean; typed: engines.TypedPackage | undefined; settings: ResolvedSettings; stack: ReadonlySet<string> | undefined; report: FileReport }
	>();
	/** Per document: the functions whose `does not escape` facts are shown (the stack lens; replaced, never mutated). */
	private readonly stackKeys = new Map<string, ReadonlySet<string>>();
	private readonly debounces = new Map<string, NodeJS.Timeout>();
	/** Rule findings per document, re-checked per touched declaration on keystrokes (syntax rules, escape-fact rules). */
	private readonly syntaxRuns = new RuleRuns();
	private readonly escapeRuns = new RuleRuns();
	/** Whole-file rule runs due once typing pauses (after scoped runs). */
	private readonly settles = new Map<string, NodeJS.Timeout>();
	private readonly queuedChanges = new Map<string, number>();
	/** What the facts turned into at the last publish, for the documents typed in last (factCache.ts); least recent first. */
	private readonly factCaches = new Map<string, FactCache>();
	/** Requests between "asked for" and "handed to the scheduler" (settings, overlay reads). */
	private preparing = 0;
	/** Results being turned into diagnostics. */
	private handling = 0;
	private goMissingLogged = false;
	/** The typed pass (go vet analyzers), after each package's compile (typedRuns.ts). */
	private readonly typedRuns: TypedRuns;
	/** The package of the document touched last (for Commands.rerun without arguments). */
	lastDir: string | undefined;
	/** The loaded allocation profile's lines of a file (lsp/profiles.ts), a report input. */
	profileOf?: (filePath: string) => FileProfile | undefined;

	constructor(
		private readonly connection: Connection,
		readonly caps: ClientCaps,
		private readonly log: (msg: string) => void,
	) {
		this.trusted = caps.trusted;
		this.settings = new SettingsCache(connection, caps.configuration, log);
		this.status = new StatusReporter(connection, caps, () => this.isQuiescent(), (dir) => this.cancel(dir));
		this.typedRuns = new TypedRuns({
			onResult: (dir) => this.guard(() => this.typedResult(dir)),
			onQuiescent: () => this.refreshStatesIfQuiescent(),
			currentText: (file) => this.docs.all().find((d) => d.filePath === file)?.doc.getText(),
			log,
		});
	}

	async init(): Promise<void> {
		this.trees = await engines.TreeCache.create();
		// A keystroke's declaration, parsed alone, disagreed with the file's deferred reparse: check the file again.
		this.trees.onResync = (uri) => {
			const d = this.docs.get(uri);
			if (d) this.guard(() => this.refresh(d, 'settle'));
		};
	}

	/** Nothing queued, debounced, being prepared or running. */
	isQuiescent(): boolean {
		return this.preparing === 0 && this.handling === 0 && this.debounces.size === 0 && (this.engine?.isQuiescent() ?? true) && this.typedRuns.isQuiescent();
	}

	// ---- documents ----

	async opened(uri: string, languageId: string, version: number, text: string): Promise<void> {
		const d = this.docs.open(uri, languageId, version, text);
		this.trees?.open(uri, text, version);
		this.lastDir = d.dir;
		await this.refresh(d);
		await this.requestEscape(d.dir, 'open', uri);
	}

	/** A change for `uri` arrived and is queued (lets a burst of keystrokes publish once). */
	changeQueued(uri: string): void {
		this.queuedChanges.set(uri, (this.queuedChanges.get(uri) ?? 0) + 1);
	}

	async changed(uri: string, changes: TextDocumentContentChangeEvent[], version: number): Promise<void> {
		const left = (this.queuedChanges.get(uri) ?? 1) - 1;
		if (left > 0) this.queuedChanges.set(uri, left);
		else this.queuedChanges.delete(uri);
		const changedDoc = this.docs.change(uri, changes, version);
		if (!changedDoc) return;
		const d = changedDoc.d;
		if (changedDoc.refused) return this.refused(d, version, changedDoc.refused);
		this.trees?.applyChanges(uri, changes, d.doc.getText(), version);
		this.syntaxRuns.shift(uri, changes);
		this.escapeRuns.shift(uri, changes);
		this.lastDir = d.dir;
		const pkg = this.packages.get(d.dir);
		if (pkg) pkg.facts = shiftFacts(pkg.facts, d.filePath, changes);
		this.typedRuns.changed(d.dir, d.filePath, changes);
		// More changes of this document are queued: only the last one runs the rules and publishes.
		if (left > 0) return;
		await this.refresh(d, 'edit');
		this.scheduleSettle(uri);
		const s = await this.settings.get(uri);
		if (s.memlens.debounceMs > 0) this.debounce(d.dir, uri, s.memlens.debounceMs);
	}

	/**
	 * A change that did not fit: the server's text is no longer the client's, so nothing computed
	 * from it can be placed. Results are withdrawn (one log line per document) until the client sends
	 * the full text again (a full-document change, or close and reopen).
	 */
	private async refused(d: OpenDoc, version: number, reason: string): Promise<void> {
		const first = this.findings.has(d.uri);
		this.reports.delete(d.uri);
		this.findings.delete(d.uri);
		this.actions.delete(d.uri);
		if (!first) return;
		this.log(`refused a change to ${d.uri} (version ${version}): ${reason}; its results are withdrawn until the client sends the whole text again`);
		await this.connection.sendDiagnostics({ uri: d.uri, diagnostics: [] }).catch(() => undefined);
	}

	async saved(uri: string): Promise<void> {
		const d = this.docs.get(uri);
		const filePath = URI.parse(uri).fsPath;
		if (/(^|[\\/])go\.(mod|work)$/.test(filePath)) return this.modulesChanged();
		if (!d) return;
		this.lastDir = d.dir;
		this.clearDebounce(d.dir);
		await this.requestEscape(d.dir, 'save', uri);
	}

	closed(uri: string): void {
		const d = this.docs.close(uri);
		this.trees?.close(uri);
		this.syntaxRuns.forget(uri);
		this.escapeRuns.forget(uri);
		clearTimeout(this.settles.get(uri));
		this.settles.delete(uri);
		this.findings.delete(uri);
		this.reports.delete(uri);
		this.stackKeys.delete(uri);
		this.factCaches.get(uri)?.clear();
		this.factCaches.delete(uri);
		this.queuedChanges.delete(uri);
		this.actions.delete(uri);
		this.settings.forget(uri);
		void this.connection.sendDiagnostics({ uri, diagnostics: [] }).catch(() => undefined);
		if (d && this.docs.inDir(d.dir).length === 0) {
			this.clearDebounce(d.dir);
			this.engine?.cancel(d.dir); // the package's last document: its compile and go tree stop now
		}
	}

	/** go.mod / go.work changed: versions and builds may differ; re-analyse everything open. */
	async modulesChanged(): Promise<void> {
		this.packages.clear();
		this.typedRuns.clear();
		await this.reanalyseAll('go.mod changed', true);
	}

	/**
	 * Settings changed: re-read them and re-analyse. The scheduler is kept unless the binary or
	 * env changed (ensureEngine), and its cache is keyed by tags/flags/env, so a severity change
	 * costs no compile.
	 */
	async configurationChanged(): Promise<void> {
		this.settings.clear();
		await this.reanalyseAll('settings changed', false);
	}

	setTrusted(trusted: boolean): Promise<void> {
		if (this.trusted === trusted) return Promise.resolve();
		this.trusted = trusted;
		if (!trusted) this.disposeEngine();
		return this.reanalyseAll('workspace trust changed', false);
	}

	/** Commands.rerun: re-run the package of `uri` (or the last one touched) without the cache. */
	async rerun(uri?: string): Promise<void> {
		const dir = uri ? this.docs.get(uri)?.dir ?? path.dirname(URI.parse(uri).fsPath) : this.lastDir;
		if (!dir) return;
		const any = this.docs.inDir(dir)[0];
		await this.requestEscape(dir, 'rerun', any?.uri ?? URI.file(dir).toString(), true);
	}

	/** The user cancelled the progress of `dir`'s run (the scheduler cancels everything in flight). */
	cancel(dir: string): void {
		this.engine?.cancelAll();
		this.typedRuns.cancelAll();
		this.status.update(dir, this.packages.get(dir)?.stale ? 'stale' : 'upToDate', 'escape analysis cancelled');
	}

	rawOutput(uri: string): RawOutputResult | null {
		const dir = this.docs.get(uri)?.dir ?? path.dirname(URI.parse(uri).fsPath);
		const raw = this.packages.get(dir)?.raw;
		return raw ? { command: raw.command, output: raw.output.text(), cwd: raw.cwd } : null;
	}

	/** Compiler processes started/running (summed over schedulers this session had), trees, memory. */
	debugStats(): DebugStats {
		// Only tests and benchmarks start the server with --expose-gc: they measure live memory, not
		// garbage that V8 has not collected yet.
		(globalThis as { gc?: () => void }).gc?.();
		const mem = process.memoryUsage();
		return {
			spawnCount: this.retiredSpawns + (this.engine?.spawnCount ?? 0) + this.typedRuns.spawnCount,
			liveProcesses: (this.engine?.liveProcesses() ?? 0) + this.typedRuns.liveProcesses(),
			typedSpawnCount: this.typedRuns.spawnCount,
			typedResults: this.typedRuns.results,
			liveTrees: this.trees?.liveTrees ?? 0,
			syntaxUpdates: this.trees ? { ...this.trees.changedRangeStats } : undefined,
			rssBytes: mem.rss,
			heapUsedBytes: mem.heapUsed,
			heapTotalBytes: mem.heapTotal,
			externalBytes: mem.external,
			arrayBuffersBytes: mem.arrayBuffers,
		};
	}

	packageFacts(dir: string): readonly EscapeFact[] | undefined {
		return this.packages.get(dir)?.facts;
	}

	isStale(uri: string): boolean {
		const d = this.docs.get(uri);
		return d ? (this.packages.get(d.dir)?.stale ?? false) : false;
	}

	/** The hover at `pos`, from the document's last report. */
	hover(uri: string, pos: Position, cost?: (hasFact: boolean) => string | undefined): Hover | null {
		const memo = this.docs.get(uri) && this.reports.get(uri);
		if (!memo) return null;
		const { report, settings } = memo;
		return hoverAt(pos, report.placed, report.findings, {
			caps: this.caps,
			stale: this.isStale(uri),
			published: (pf) => factSeverity(pf.fact.kind, settings.memlens, report.onStack.has(pf)) !== undefined,
			...(cost ? { cost } : {}),
		});
	}

	/** The stack lenses of a document: one per function with `does not escape` facts. */
	codeLenses(uri: string): CodeLens[] {
		const memo = this.docs.get(uri) && this.reports.get(uri);
		const tree = this.trees?.get(uri)?.mirror;
		if (!memo || !tree || !memo.facts) return [];
		const lenses = stackLenses(functionSpans(tree), memo.report.placed, this.stackKeys.get(uri) ?? new Set(), memo.settings.memlens);
		return lenses.map((l) => ({ range: l.range, command: { title: stackLensTitle(l), command: Commands.toggleStackFacts, arguments: [uri, l.key] } }));
	}

	/**
	 * Shows or hides the `does not escape` facts of one function: `target` is a lens's function key
	 * or a position inside the function. False when there is no such function.
	 */
	async toggleStack(uri: string, target: string | Position): Promise<boolean> {
		const d = this.docs.get(uri);
		const tree = this.trees?.get(uri)?.mirror;
		if (!d || !tree) return false;
		const spans = functionSpans(tree);
		const key = typeof target === 'string' ? spans.find((s) => s.key === target)?.key : spanAt(spans, target)?.key;
		if (!key) return false;
		const next = new Set(this.stackKeys.get(uri));
		if (!next.delete(key)) next.add(key);
		if (next.size) this.stackKeys.set(uri, next);
		else this.stackKeys.delete(uri);
		await this.refresh(d);
		this.refreshCodeLenses();
		return true;
	}

	/** Asks the client to request code lenses again (their counts and titles follow the facts and toggles). */
	private refreshCodeLenses(): void {
		if (this.caps.codeLensRefresh) void this.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
	}

	dispose(): void {
		for (const t of this.debounces.values()) clearTimeout(t);
		this.debounces.clear();
		this.disposeEngine();
		this.status.dispose();
		this.trees?.dispose();
		this.trees = undefined;
	}

	// ---- analysis ----

	private async reanalyseAll(reason: string, force: boolean): Promise<void> {
		const dirs = new Set(this.docs.all().map((d) => d.dir));
		for (const d of this.docs.all()) await this.refresh(d);
		for (const dir of dirs) {
			const any = this.docs.inDir(dir)[0];
			if (any) await this.requestEscape(dir, reason, any.uri, force);
		}
	}

	private debounce(dir: string, uri: string, ms: number): void {
		this.clearDebounce(dir);
		this.debounces.set(
			dir,
			setTimeout(() => {
				this.debounces.delete(dir);
				void this.requestEscape(dir, 'edit', uri).catch((e) => this.log(`escape request failed: ${String(e)}`));
			}, ms),
		);
	}

	private clearDebounce(dir: string): void {
		const t = this.debounces.get(dir);
		if (t) clearTimeout(t);
		this.debounces.delete(dir);
	}

	private retiredSpawns = 0;

	/** Creates the scheduler for these settings, or reports why there is none. */
	private async ensureEngine(s: ResolvedSettings): Promise<engines.EscapeEngine | undefined> {
		const goBin = engines.findGo(s.memlens.goPath, s.go.goroot, s.go.alternateGo);
		this.buildSettings = {
			goBin,
			tags: s.buildTags,
			buildFlags: s.buildFlags,
			env: s.env,
			maxConcurrent: s.memlens.maxConcurrentCompiles,
			timeoutMs: s.memlens.compileTimeoutSec * 1000,
		};
		const key = JSON.stringify([goBin, s.env]);
		if (this.engine && this.engineKey === key) return this.engine;
		this.disposeEngine();
		const version = await engines.goVersionOf(goBin, s.env);
		if (!version) return undefined;
		this.engineKey = key;
		this.engine = engines.createEscapeEngine({
			// One go process per package: its vet stands aside for the compile (typedRuns.ts).
			aroundRun: (req, run) => this.typedRuns.aroundCompile(req.dir, !!req.prime, run),
			settings: () => this.buildSettings!,
			goVersion: version,
			onResult: (dir, result, fromCache) => this.guard(() => this.onResult(dir, result, fromCache)),
			onStateChange: (dir, state) => this.guard(() => this.onStateChange(dir, state)),
		});
		// Whichever ends last (the scheduler going idle, or our handling of its result) reports quiescence.
		this.engine.onQuiescent(() => this.refreshStatesIfQuiescent());
		this.typedRuns.attach(() => this.buildSettings!, version);
		return this.engine;
	}

	private disposeEngine(): void {
		this.retiredSpawns += this.engine?.spawnCount ?? 0;
		this.engine?.dispose();
		this.engine = undefined;
		this.engineKey = '';
		this.typedRuns.detach();
	}

	private async requestEscape(dir: string, reason: string, uri: string, force = false): Promise<void> {
		if (!this.trusted) {
			this.status.update(dir, 'untrusted', 'escape analysis off: the workspace is not trusted', 'Go MemLens runs the Go toolchain only in trusted workspaces; syntax checks still run.');
			return;
		}
		this.preparing++;
		try {
			const s = await this.settings.get(uri);
			if (!s.memlens.escapeEnabled) {
				this.status.update(dir, 'disabled', 'escape analysis off (goMemlens.escapeEnabled)');
				return;
			}
			const engine = await this.ensureEngine(s);
			if (!engine) {
				const detail = 'No working `go` binary found. Set goMemlens.goPath to your Go binary, or put go on PATH.';
				if (!this.goMissingLogged) this.log(detail);
				this.goMissingLogged = true;
				this.status.update(dir, 'goMissing', 'Go not found: set goMemlens.goPath', detail);
				return;
			}
			this.goMissingLogged = false;
			const overlay = await this.docs.overlay(dir);
			const open = this.docs.inDir(dir);
			const test = open.some((d) => d.filePath.endsWith('_test.go'));
			const req: engines.EscapeRequest = { dir, test, overlay, reason };
			if (force) req.force = true;
			// The typed pass runs again on the same buffers once the compile's facts are published.
			this.typedRuns.beforeCompile(dir, overlay, new Map(open.map((d) => [d.filePath, d.doc.getText()])));
			void engine.request(req);
		} finally {
			this.preparing--;
			// The scheduler reports its own states; this covers requests that ended here.
			this.status.refresh(dir);
		}
	}

	private onStateChange(dir: string, state: engines.PackageState): void {
		if (state === 'running' || state === 'queued') this.status.update(dir, 'running', 'escape analysis running…');
	}

	private async onResult(dir: string, result: engines.EscapeRunResult, fromCache: boolean): Promise<void> {
		this.handling++;
		let report: [AnalysisState, string, string | undefined] | undefined;
		try {
			report = await this.applyResult(dir, result, fromCache);
		} finally {
			this.handling--;
		}
		if (report) this.status.update(dir, ...report, result.notes);
	}

	/** Stores a result, republishes the package's open files; returns the state to report. */
	private async applyResult(dir: string, result: engines.EscapeRunResult, fromCache: boolean): Promise<[AnalysisState, string, string | undefined] | undefined> {
		const pkg = this.packages.get(dir) ?? { facts: [], stale: false };
		this.packages.set(dir, pkg);
		let state: AnalysisState;
		let message: string;
		let detail: string | undefined;
		switch (result.status) {
			case 'ok':
				// Unchanged facts keep their identity, so each file's last report is reused as is.
				if (!sameList(pkg.facts, result.facts)) pkg.facts = result.facts;
				pkg.stale = false;
				pkg.lastError = undefined;
				pkg.raw = { command: result.command, output: result.output, cwd: result.cwd };
				state = 'upToDate';
				message = `escape analysis up to date (${result.facts.filter((f: EscapeFact) => f.kind === 'moved-to-heap' || f.kind === 'escapes-to-heap').length} heap facts${fromCache ? ', cached' : ''})`;
				break;
			case 'build-failed': {
				pkg.stale = true;
				this.typedRuns.markStale(dir);
				pkg.raw = { command: result.command, output: result.output, cwd: result.cwd };
				detail = buildErrorText(result) || 'the build failed';
				if (pkg.lastError !== detail) this.log(`build failed in ${dir}: ${detail}`);
				pkg.lastError = detail;
				state = 'stale';
				message = 'build failed: showing the last good escape facts';
				break;
			}
			case 'go-missing': {
				state = 'goMissing';
				message = 'Go not found: set goMemlens.goPath';
				const why: string = result.message ?? 'The go binary could not be started. Set goMemlens.goPath.';
				detail = why;
				if (!this.goMissingLogged) this.log(why);
				this.goMissingLogged = true;
				break;
			}
			case 'cancelled':
				// A newer run is coming (or the user cancelled): keep what is shown.
				return [pkg.stale ? 'stale' : 'upToDate', 'escape analysis cancelled', undefined];
			default:
				pkg.stale = pkg.facts.length > 0;
				state = 'stale';
				message = result.status === 'timeout' ? 'escape analysis timed out (goMemlens.compileTimeoutSec)' : 'escape analysis failed';
				detail = result.message ?? undefined;
				this.log(`escape analysis ${result.status} in ${dir}: ${result.message ?? ''}`);
		}
		for (const d of this.docs.inDir(dir)) await this.refresh(d);
		this.refreshCodeLenses();
		// The compile's facts are out: the typed pass follows.
		this.typedRuns.afterCompile(dir, result.status);
		return [state, message, detail];
	}

	/** Once typing pauses, re-check the whole file after scoped runs (cross-function effects). */
	private scheduleSettle(uri: string): void {
		clearTimeout(this.settles.get(uri));
		if (!this.syntaxRuns.needsSettle(uri) && !this.escapeRuns.needsSettle(uri)) return;
		const t = setTimeout(() => {
			this.settles.delete(uri);
			const d = this.docs.get(uri);
			if (d) this.guard(() => this.refresh(d, 'settle'));
		}, SETTLE_MS);
		t.unref?.();
		this.settles.set(uri, t);
	}

	/**
	 * Re-runs the rules on one document and publishes diagnostics, code actions and heap sites.
	 * 'edit': only the declarations the edits touched are re-checked; 'settle': the whole file;
	 * 'default' (open, compile result, settings): whole file for the escape-fact rules, and the
	 * syntax rules only where the text changed.
	 */
	private async refresh(d: OpenDoc, mode: 'edit' | 'settle' | 'default' = 'default'): Promise<void> {
		const settings = await this.settings.get(d.uri);
		const current = this.docs.get(d.uri);
		if (!current) return; // closed meanwhile
		if (this.docs.isDesynced(d.uri)) return; // its text is not the client's: see refused()
		const pkg = this.packages.get(d.dir);
		const version = current.doc.version;
		const facts = pkg?.facts;
		const stale = pkg?.stale ?? false;
		const typed = this.typedRuns.pkg(d.dir);
		const stack = this.stackKeys.get(d.uri);
		// Same text, same facts, same settings (a cache replay, a re-save): reuse the last report.
		const memo = this.reports.get(d.uri);
		const same =
			mode !== 'settle' && memo && memo.version === version && memo.facts === facts && memo.stale === stale && memo.typed === typed && memo.settings === settings && memo.stack === stack;
		const report = same ? memo.report : fileReport({
			uri: d.uri,
			filePath: d.filePath,
			text: current.doc.getText(),
			tree: this.trees?.get(d.uri)?.mirror,
			facts,
			stale,
			typed,
			settings,
			caps: this.caps,
			sources: FILE_SOURCES,
			log: this.log,
			rules: (input) => this.runRules(d.uri, input, settings, mode, this.typedRuns.gen(d.dir)),
			cache: this.factCache(d.uri, mode === 'edit'),
			stackFunctions: stack,
			profile: this.profileOf?.(d.filePath),
		});
		// A settle run that confirms what the keystrokes showed publishes nothing (clients would see a
		// spurious update, and "next publish after save" would no longer be the compile's).
		const confirmed = mode === 'settle' && memo && memo.version === version && memo.facts === facts && memo.stack === stack && sameList(memo.report.findings, report.findings);
		this.reports.set(d.uri, { version, facts, stale, typed, settings, stack, report });
		if (confirmed) return;
		this.findings.set(d.uri, report.findings);
		this.actions.set(d.uri, report.fixables);
		// Never publish a range the client cannot place (a fact left past a shortened file's end…).
		const lines = current.doc.lineCount;
		const diagnostics = report.diagnostics.every((x) => fitsDocument(x.range, lines)) ? report.diagnostics : this.dropUnfit(report.diagnostics, lines);
		await this.connection.sendDiagnostics({ uri: d.uri, version, diagnostics }).catch(() => undefined);
		if (this.caps.memlensExtensions && pkg) {
			void this.connection.sendNotification(HeapSitesNotification.type, { uri: d.uri, version, sites: report.heapSites, ...(report.costSites ? { costs: report.costSites } : {}) }).catch(() => undefined);
		}
	}

	private dropUnfit<T extends { range: Range; message: unknown }>(ds: readonly T[], lines: number): T[] {
		const bad = ds.filter((x) => !fitsDocument(x.range, lines));
		this.log(`dropped ${bad.length} diagnostic(s) whose range does not fit the document (${lines} lines), e.g. ${JSON.stringify(bad[0].range)} ${String(bad[0].message).slice(0, 80)}`);
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

	/** Syntax rules and escape-fact rules through their RuleRuns (scoped on edits; see ruleRuns.ts). */
	private runRules(uri: string, input: RuleInput, settings: ResolvedSettings, mode: 'edit' | 'settle' | 'default', typedGen: number): RuleFinding[] {
		const changed = this.trees?.takeChanged(uri) ?? 'all';
		const m = settings.memlens;
		const key = JSON.stringify([m.disabledRules, m.ruleSeverities, input.goVersion, input.isCgo]);
		const check = (rules: typeof engines.SYNTAX_RULES) => (ctx: Parameters<typeof engines.checkRules>[0]) => engines.checkRules(ctx, m, this.log, rules);
		const syntax = this.syntaxRuns.run(uri, { ...input, escape: undefined }, key, changed, mode === 'settle', check(engines.SYNTAX_RULES));
		const escape = this.escapeRuns.run(uri, input, `${key}|${input.escape ? 'facts' : 'none'}|typed ${input.typed ? typedGen : 'none'}`, changed, mode !== 'edit', check(engines.ESCAPE_RULES));
		return [...syntax.findings, ...escape.findings];
	}

	/** New typed results for `dir`: republish its open documents. */
	private async typedResult(dir: string): Promise<void> {
		this.handling++;
		try {
			for (const d of this.docs.inDir(dir)) await this.refresh(d);
		} finally {
			this.handling--;
		}
		this.refreshStatesIfQuiescent();
	}

	private refreshStatesIfQuiescent(): void {
		if (this.isQuiescent()) for (const st of this.status.states()) this.status.refresh(URI.parse(st.packageUri).fsPath);
	}

	private guard(fn: () => void | Promise<void>): void {
		try {
			const r = fn();
			if (r) r.catch((e) => this.log(`internal error: ${e instanceof Error ? e.stack : String(e)}`));
		} catch (e) {
			this.log(`internal error: ${e instanceof Error ? e.stack : String(e)}`);
		}
	}
}

/** Quiet time after the last keystroke before the whole-file rule run. */
const SETTLE_MS = 400;

/** How many documents keep a fact cache (the ones typed in last). */
const FACT_CACHES = 2;

/** go.mod and cgo sources, read from disk through the engines' mtime-checked caches. */
const FILE_SOURCES: FileSources = { goVersion: engines.fileGoVersion, packageC: engines.packageC };

function buildErrorText(result: engines.EscapeRunResult): string {
	return result.buildErrors.join('\n');
}

/** Same findings, or same facts. */
function sameList(a: readonly (RuleFinding | EscapeFact)[], b: readonly (RuleFinding | EscapeFact)[]): boolean {
	return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}
