/**
 * The analysis session: the open documents and what happens on each document event. The work
 * itself is elsewhere and never holds up the event that starts it longer than a small file's rule
 * run: what each document shows (tree, rules, report, publish) in documentReports.ts, the
 * compiler's escape analysis per package in escapeRuns.ts, the typed pass in typedRuns.ts.
 */
import path from 'node:path';
import { CodeLensRefreshRequest, type CodeLens, type Connection, type Hover, type Position, type TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import type { DebugStats, RawOutputResult } from '../../../common/protocol';
import type { EscapeFact } from '../model';
import type { ClientCaps } from './capabilities';
import { CodeActionStore } from './codeActions';
import type { FileSources } from '../report/fileReport';
import type { FileProfile } from '../report/profileCosts';
import { DocumentStore, type OpenDoc } from './documents';
import { DocumentReports } from './documentReports';
import * as engines from './engines';
import { EscapeRuns } from './escapeRuns';
import { SettingsCache } from './settingsCache';
import { StatusReporter } from './status';
import { TypedRuns } from './typedRuns';

/** go.mod and cgo sources, read from disk through the engines' mtime-checked caches. */
const FILE_SOURCES: FileSources = { goVersion: engines.fileGoVersion, packageC: engines.packageC };

export class Session {
	readonly docs = new DocumentStore();
	readonly actions = new CodeActionStore();
	readonly settings: SettingsCache;
	readonly status: StatusReporter;
	trusted: boolean;
	private readonly reports: DocumentReports;
	private readonly escape: EscapeRuns;
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
		this.status = new StatusReporter(connection, caps, () => this.isQuiescent(), (dir) => this.escape.cancel(dir), (dir) => this.reports.skippedNotes(dir));
		this.typedRuns = new TypedRuns({
			onResult: (dir) => void this.typedResult(dir),
			onQuiescent: () => this.refreshStatesIfQuiescent(),
			currentText: (file) => this.docs.all().find((d) => d.filePath === file)?.doc.getText(),
			log,
		});
		this.escape = new EscapeRuns({
			docs: this.docs,
			settings: this.settings,
			status: this.status,
			typedRuns: this.typedRuns,
			trusted: () => this.trusted,
			log,
			// The lenses' counts follow the facts.
			republish: (dir) => this.reports.refreshDir(dir).then(() => this.refreshCodeLenses()),
			onIdle: () => this.refreshStatesIfQuiescent(),
		});
		this.reports = new DocumentReports({
			connection,
			caps,
			docs: this.docs,
			settings: this.settings,
			actions: this.actions,
			sources: FILE_SOURCES,
			facts: (dir) => this.escape.facts(dir),
			stale: (dir) => this.escape.isStale(dir),
			typed: (dir) => this.typedRuns.pkg(dir),
			typedGen: (dir) => this.typedRuns.gen(dir),
			profile: (file) => this.profileOf?.(file),
			log,
			onSkipped: (dir) => this.status.refresh(dir),
			onIdle: () => this.refreshStatesIfQuiescent(),
		});
	}

	init(): Promise<void> {
		engines.preloadTools();
		// A big go.mod was read past its head: the rules' Go versions may differ.
		engines.onGoModScanned(() => {
			for (const d of this.docs.all()) void this.reports.schedule(d.uri);
		});
		return this.reports.init();
	}

	/** Nothing queued, debounced, being prepared or running. */
	isQuiescent(): boolean {
		return this.escape.isQuiescent() && this.typedRuns.isQuiescent() && this.reports.isQuiescent();
	}

	// ---- documents ----

	opened(uri: string, languageId: string, version: number, text: string): void {
		const d = this.docs.open(uri, languageId, version, text);
		this.reports.open(d);
		this.lastDir = d.dir;
		void this.reports.schedule(uri);
		void this.escape.request(d.dir, 'open', uri);
	}

	/** Applies a change: the text, the tree, everything placed on it moved; the rules and the publish follow as a job. */
	changed(uri: string, changes: TextDocumentContentChangeEvent[], version: number): Promise<void> | void {
		const changedDoc = this.docs.change(uri, changes, version);
		if (!changedDoc) return;
		const d = changedDoc.d;
		if (changedDoc.refused) return this.refused(d, version, changedDoc.refused);
		this.reports.change(d, changes);
		this.lastDir = d.dir;
		this.escape.shift(d.dir, d.filePath, changes);
		this.typedRuns.changed(d.dir, d.filePath, changes);
		void this.reports.schedule(uri, 'edit');
		void this.settings.get(uri).then((s) => {
			if (s.memlens.debounceMs > 0 && this.docs.get(uri) === d) this.escape.debounce(d.dir, uri, s.memlens.debounceMs);
		});
	}

	/** What a request about `uri` answers from is up to date with its text (its pending refresh runs first). */
	ready(uri: string): Promise<void> {
		return this.reports.ready(uri);
	}

	/**
	 * A change that did not fit: the server's text is no longer the client's, so nothing computed
	 * from it can be placed. Results are withdrawn (one log line per document) until the client sends
	 * the full text again (a full-document change, or close and reopen).
	 */
	private async refused(d: OpenDoc, version: number, reason: string): Promise<void> {
		if (!this.reports.withdraw(d.uri)) return;
		this.log(`refused a change to ${d.uri} (version ${version}): ${reason}; its results are withdrawn until the client sends the whole text again`);
		await this.connection.sendDiagnostics({ uri: d.uri, diagnostics: [] }).catch(() => undefined);
	}

	async saved(uri: string): Promise<void> {
		const d = this.docs.get(uri);
		const filePath = URI.parse(uri).fsPath;
		if (/(^|[\\/])go\.(mod|work)$/.test(filePath)) return this.modulesChanged();
		if (!d) return;
		this.lastDir = d.dir;
		this.escape.clearDebounce(d.dir);
		void this.escape.request(d.dir, 'save', uri);
	}

	closed(uri: string): void {
		const d = this.docs.close(uri);
		this.reports.close(uri);
		this.actions.delete(uri);
		this.settings.forget(uri);
		void this.connection.sendDiagnostics({ uri, diagnostics: [] }).catch(() => undefined);
		// The package's last document: its compile and go tree stop now, and none starts for it.
		if (d && this.docs.inDir(d.dir).length === 0) this.escape.closed(d.dir);
	}

	/** go.mod / go.work changed: versions and builds may differ; re-analyse everything open. */
	async modulesChanged(): Promise<void> {
		this.escape.modulesChanged();
		this.typedRuns.clear();
		await this.reanalyseAll('go.mod changed', true);
	}

	/**
	 * Settings changed: re-read them and re-analyse. The scheduler is kept unless the binary or
	 * env changed (escapeRuns.ts), and its cache is keyed by tags/flags/env, so a severity change
	 * costs no compile. A burst of changes re-analyses once: each one stops the one before.
	 */
	async configurationChanged(): Promise<void> {
		this.settings.clear();
		this.escape.settingsChanged();
		await this.reanalyseAll('settings changed', false);
	}

	setTrusted(trusted: boolean): Promise<void> {
		if (this.trusted === trusted) return Promise.resolve();
		this.trusted = trusted;
		if (!trusted) this.escape.disposeEngine();
		return this.reanalyseAll('workspace trust changed', false);
	}

	/** Commands.rerun: re-run the package of `uri` (or the last one touched) without the cache; a go that hung is asked again. */
	async rerun(uri?: string): Promise<void> {
		const dir = uri ? (this.docs.get(uri)?.dir ?? path.dirname(URI.parse(uri).fsPath)) : this.lastDir;
		if (!dir) return;
		const any = this.docs.inDir(dir)[0];
		this.escape.settingsChanged();
		await this.escape.request(dir, 'rerun', any?.uri ?? URI.file(dir).toString(), true);
	}

	/** The user cancelled the progress of `dir`'s run. */
	cancel(dir: string): void {
		this.escape.cancel(dir);
	}

	rawOutput(uri: string): RawOutputResult | null {
		return this.escape.rawOutput(this.docs.get(uri)?.dir ?? path.dirname(URI.parse(uri).fsPath));
	}

	/** Compiler processes started/running (summed over schedulers this session had), trees, memory. */
	debugStats(): DebugStats {
		// Only tests and benchmarks start the server with --expose-gc: they measure live memory, not
		// garbage that V8 has not collected yet.
		(globalThis as { gc?: () => void }).gc?.();
		const mem = process.memoryUsage();
		return {
			spawnCount: this.escape.spawnCount + this.typedRuns.spawnCount,
			liveProcesses: this.escape.liveProcesses() + this.typedRuns.liveProcesses(),
			typedSpawnCount: this.typedRuns.spawnCount,
			typedResults: this.typedRuns.results,
			liveTrees: this.reports.liveTrees,
			syntaxUpdates: this.reports.syntaxUpdates,
			rssBytes: mem.rss,
			heapUsedBytes: mem.heapUsed,
			heapTotalBytes: mem.heapTotal,
			externalBytes: mem.external,
			arrayBuffersBytes: mem.arrayBuffers,
		};
	}

	packageFacts(dir: string): readonly EscapeFact[] | undefined {
		return this.escape.facts(dir);
	}

	/** The hover at `pos`, from the document's last report. */
	hover(uri: string, pos: Position, cost?: (hasFact: boolean) => string | undefined): Hover | null {
		return this.reports.hover(uri, pos, this.isStale(uri), cost);
	}

	/** The stack lenses of a document: one per function with `does not escape` facts. */
	codeLenses(uri: string): CodeLens[] {
		return this.reports.codeLenses(uri);
	}

	/** Shows or hides the `does not escape` facts of one function (a lens's key or a position inside it). */
	async toggleStack(uri: string, target: string | Position): Promise<boolean> {
		const toggled = await this.reports.toggleStack(uri, target);
		if (toggled) this.refreshCodeLenses();
		return toggled;
	}

	/** Asks the client to request code lenses again (their counts and titles follow the facts and toggles). */
	private refreshCodeLenses(): void {
		if (this.caps.codeLensRefresh) void this.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
	}

	isStale(uri: string): boolean {
		const d = this.docs.get(uri);
		return d ? this.escape.isStale(d.dir) : false;
	}

	dispose(): void {
		this.escape.dispose();
		this.status.dispose();
		this.reports.dispose();
	}

	/** Every open document again (their reports, their packages' compiles); a burst of these merges into one job per document. */
	private reanalyseAll(reason: string, force: boolean): Promise<void> {
		for (const dir of new Set(this.docs.all().map((d) => d.dir))) {
			const any = this.docs.inDir(dir)[0];
			if (any) void this.escape.request(dir, reason, any.uri, force);
		}
		for (const d of this.docs.all()) void this.reports.schedule(d.uri);
		return Promise.resolve();
	}

	/** New typed results for `dir`: republish its open documents. */
	private typedResult(dir: string): void {
		void this.reports.refreshDir(dir).then(() => this.refreshStatesIfQuiescent());
	}

	private refreshStatesIfQuiescent(): void {
		this.status.settleIfQuiescent();
		if (this.isQuiescent()) this.reports.trimFactCaches();
	}
}
