/**
 * The compiler's escape analysis in the server, off the path of requests and document events:
 * - one scheduler (analysis/scheduler.ts) per go binary and environment, made once `go env
 *   GOVERSION` has answered (asked in the background with a timeout: a go that hangs gets a clear
 *   status and holds nothing up); a scheduler for settings no longer in force is disposed at once,
 *   with its runs;
 * - requests per package that the document events start but never wait for: the latest request of
 *   a package wins, and a package whose documents were all closed meanwhile is not compiled;
 * - the results per package (facts, stale state, raw output), handed to the session to publish.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { AnalysisState, RawOutputResult } from '../../../common/protocol';
import type { EscapeFact } from '../model';
import { shiftFacts } from '../util/editShift';
import type { DocumentStore } from './documents';
import * as engines from './engines';
import type { ResolvedSettings, SettingsCache } from './settingsCache';
import type { StatusReporter } from './status';
import type { TypedRuns } from './typedRuns';

/** What the last runs found for one package directory. */
interface PackageState {
	facts: EscapeFact[];
	/** True when the last build failed and `facts` are from the one before. */
	stale: boolean;
	/** The last run's command and compiler output (compressed until the raw-output view asks). */
	raw?: { command: string; output: engines.EscapeRunResult['output']; cwd: string };
	lastError?: string;
}

export interface EscapeRunsOptions {
	docs: DocumentStore;
	settings: SettingsCache;
	status: StatusReporter;
	typedRuns: TypedRuns;
	trusted: () => boolean;
	log: (msg: string) => void;
	/** New facts (or a new stale state) for `dir`: republish its open documents. */
	republish: (dir: string) => Promise<void>;
	/** Something ended: report quiescence if everything has. */
	onIdle: () => void;
}

/** Longest build error text carried in a status (a tool can print megabytes on one line). */
const MAX_ERROR_CHARS = 4000;

export class EscapeRuns {
	private engine: engines.EscapeEngine | undefined;
	private engineKey = '';
	/** The settings key of the request made last (a probe answer for older settings makes no scheduler). */
	private wantedKey = '';
	private buildSettings: engines.BuildSettings | undefined;
	private readonly packages = new Map<string, PackageState>();
	/** Per package: the request made last (an older one stops at its next step). */
	private readonly seqs = new Map<string, number>();
	private readonly debounces = new Map<string, NodeJS.Timeout>();
	/** Requests between "asked for" and "handed to the scheduler" (settings, the go probe, overlay reads). */
	private preparing = 0;
	/** Results being turned into diagnostics. */
	private handling = 0;
	private goMissingLogged = false;
	private retiredSpawns = 0;
	private disposed = false;

	constructor(private readonly o: EscapeRunsOptions) {}

	isQuiescent(): boolean {
		return this.preparing === 0 && this.handling === 0 && this.debounces.size === 0 && (this.engine?.isQuiescent() ?? true);
	}

	facts(dir: string): EscapeFact[] | undefined {
		return this.packages.get(dir)?.facts;
	}

	isStale(dir: string): boolean {
		return this.packages.get(dir)?.stale ?? false;
	}

	/** Facts of `dir` move with an edit of one of its files. */
	shift(dir: string, filePath: string, changes: TextDocumentContentChangeEvent[]): void {
		const pkg = this.packages.get(dir);
		if (pkg) pkg.facts = shiftFacts(pkg.facts, filePath, changes);
	}

	rawOutput(dir: string): RawOutputResult | null {
		const raw = this.packages.get(dir)?.raw;
		return raw ? { command: raw.command, output: raw.output.text(), cwd: raw.cwd } : null;
	}

	get spawnCount(): number {
		return this.retiredSpawns + (this.engine?.spawnCount ?? 0);
	}

	liveProcesses(): number {
		return this.engine?.liveProcesses() ?? 0;
	}

	/** go.mod / go.work changed: the facts of every package may be different now. */
	modulesChanged(): void {
		this.packages.clear();
	}

	/** Settings changed: a go that hung or was missing is asked again. */
	settingsChanged(): void {
		engines.forgetGoProbes();
	}

	/** Compiles `dir` after `ms` of quiet (typing). */
	debounce(dir: string, uri: string, ms: number): void {
		this.clearDebounce(dir);
		this.debounces.set(
			dir,
			setTimeout(() => {
				this.debounces.delete(dir);
				void this.request(dir, 'edit', uri);
			}, ms),
		);
	}

	clearDebounce(dir: string): void {
		clearTimeout(this.debounces.get(dir));
		this.debounces.delete(dir);
	}

	/** The package's last document closed: its queued and running compiles stop now, and no new one starts. */
	closed(dir: string): void {
		this.clearDebounce(dir);
		this.next(dir);
		this.engine?.cancel(dir);
	}

	/** The user cancelled the progress of `dir`'s run (the scheduler cancels everything in flight). */
	cancel(dir: string): void {
		this.engine?.cancelAll();
		this.o.typedRuns.cancelAll();
		this.o.status.update(dir, this.isStale(dir) ? 'stale' : 'upToDate', 'escape analysis cancelled');
	}

	disposeEngine(): void {
		this.retiredSpawns += this.engine?.spawnCount ?? 0;
		this.engine?.dispose();
		this.engine = undefined;
		this.engineKey = '';
		this.o.typedRuns.detach();
	}

	dispose(): void {
		this.disposed = true;
		for (const t of this.debounces.values()) clearTimeout(t);
		this.debounces.clear();
		this.disposeEngine();
	}

	/**
	 * Compiles the package in `dir` (or answers from the cache). Never throws, and the caller need
	 * not wait: everything it waits for (settings, the go probe, reading buffers) is checked against
	 * newer requests of the same package and against the package being closed.
	 */
	async request(dir: string, reason: string, uri: string, force = false): Promise<void> {
		const seq = this.next(dir);
		if (!this.o.trusted()) {
			this.o.status.update(dir, 'untrusted', 'escape analysis off: the workspace is not trusted', 'Go MemLens runs the Go toolchain only in trusted workspaces; syntax checks still run.');
			return;
		}
		this.preparing++;
		try {
			const s = await this.o.settings.get(uri);
			if (!this.current(dir, seq)) return;
			if (!s.memlens.escapeEnabled) {
				this.o.status.update(dir, 'disabled', 'escape analysis off (goMemlens.escapeEnabled)');
				return;
			}
			const engine = await this.ensureEngine(s, dir);
			if (!engine || !this.current(dir, seq)) return;
			const overlay = await this.o.docs.overlay(dir);
			if (!this.current(dir, seq)) return;
			const open = this.o.docs.inDir(dir);
			const req: engines.EscapeRequest = { dir, test: open.some((d) => d.filePath.endsWith('_test.go')), overlay, reason };
			if (force) req.force = true;
			// The typed pass runs again on the same buffers once the compile's facts are published.
			this.o.typedRuns.beforeCompile(dir, overlay, new Map(open.map((d) => [d.filePath, d.doc.getText()])));
			void engine.request(req);
		} catch (e) {
			this.o.log(`escape request failed: ${e instanceof Error ? e.stack : String(e)}`);
		} finally {
			this.preparing--;
			// The scheduler reports its own states; this covers requests that ended here.
			this.o.status.refresh(dir);
			this.o.onIdle();
		}
	}

	private next(dir: string): number {
		const seq = (this.seqs.get(dir) ?? 0) + 1;
		this.seqs.set(dir, seq);
		return seq;
	}

	/** Still the package's latest request, the package still open, the session still running. */
	private current(dir: string, seq: number): boolean {
		return !this.disposed && this.seqs.get(dir) === seq && this.o.docs.inDir(dir).length > 0;
	}

	/** The scheduler for these settings, or undefined (the status says why). */
	private async ensureEngine(s: ResolvedSettings, dir: string): Promise<engines.EscapeEngine | undefined> {
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
		this.wantedKey = key;
		if (this.engine && this.engineKey === key) return this.engine;
		// Another binary or environment: the scheduler for the old one goes now, with its runs.
		if (this.engine) this.disposeEngine();
		const asking = setTimeout(() => this.o.status.update(dir, 'running', `asking ${goBin} for its version…`), 500);
		const probe = await engines.probeGo(goBin, s.env);
		clearTimeout(asking);
		if (this.engine && this.engineKey === key) return this.engine;
		if (this.wantedKey !== key || this.disposed) return undefined; // newer settings took over meanwhile
		if (probe.version === undefined) {
			this.goMissing(dir, probe);
			return undefined;
		}
		this.goMissingLogged = false;
		this.engineKey = key;
		this.engine = engines.createEscapeEngine({
			// One go process per package: its vet stands aside for the compile (typedRuns.ts).
			aroundRun: (req, run) => this.o.typedRuns.aroundCompile(req.dir, !!req.prime, run),
			settings: () => this.buildSettings!,
			goVersion: probe.version,
			onResult: (d, result, fromCache) => void this.onResult(d, result, fromCache),
			onStateChange: (d, state) => {
				if (state === 'running' || state === 'queued') this.o.status.update(d, 'running', 'escape analysis running…');
			},
		});
		// Whichever ends last (the scheduler going idle, or our handling of its result) reports quiescence.
		this.engine.onQuiescent(() => this.o.onIdle());
		this.o.typedRuns.attach(() => this.buildSettings!, probe.version);
		return this.engine;
	}

	private goMissing(dir: string, probe: Exclude<engines.GoProbe, { version: string }>): void {
		const [message, detail] =
			probe.problem === 'hangs'
				? ['Go does not answer: go env GOVERSION hung', `${probe.detail}. Check goMemlens.goPath (or the go on PATH); Go MemLens asks again when the settings change or on Re-run Analysis.`]
				: probe.problem === 'missing'
					? ['Go not found: set goMemlens.goPath', `No working \`go\` binary found (${probe.detail}). Set goMemlens.goPath to your Go binary, or put go on PATH.`]
					: ['Go does not run: set goMemlens.goPath', `${probe.detail}. Set goMemlens.goPath to a working Go binary.`];
		if (!this.goMissingLogged) this.o.log(detail);
		this.goMissingLogged = true;
		this.o.status.update(dir, 'goMissing', message, detail);
	}

	private async onResult(dir: string, result: engines.EscapeRunResult, fromCache: boolean): Promise<void> {
		this.handling++;
		let report: [AnalysisState, string, string | undefined] | undefined;
		try {
			report = await this.applyResult(dir, result, fromCache);
		} catch (e) {
			this.o.log(`internal error: ${e instanceof Error ? e.stack : String(e)}`);
		} finally {
			this.handling--;
		}
		if (report) this.o.status.update(dir, ...report, result.notes);
		this.o.onIdle();
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
				if (!sameFacts(pkg.facts, result.facts)) pkg.facts = result.facts;
				pkg.stale = false;
				pkg.lastError = undefined;
				pkg.raw = { command: result.command, output: result.output, cwd: result.cwd };
				state = 'upToDate';
				message = `escape analysis up to date (${result.facts.filter((f: EscapeFact) => f.kind === 'moved-to-heap' || f.kind === 'escapes-to-heap').length} heap facts${fromCache ? ', cached' : ''})`;
				break;
			case 'build-failed': {
				pkg.stale = true;
				this.o.typedRuns.markStale(dir);
				pkg.raw = { command: result.command, output: result.output, cwd: result.cwd };
				detail = buildErrorText(result) || 'the build failed';
				if (pkg.lastError !== detail) this.o.log(`build failed in ${dir}: ${detail}`);
				pkg.lastError = detail;
				state = 'stale';
				message = 'build failed: showing the last good escape facts';
				break;
			}
			case 'go-missing': {
				state = 'goMissing';
				message = 'Go not found: set goMemlens.goPath';
				detail = result.message ?? 'The go binary could not be started. Set goMemlens.goPath.';
				if (!this.goMissingLogged) this.o.log(detail);
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
				detail = result.message ? clip(result.message) : undefined;
				this.o.log(`escape analysis ${result.status} in ${dir}: ${detail ?? ''}`);
		}
		if (this.o.docs.inDir(dir).length) await this.o.republish(dir);
		// The compile's facts are out: the typed pass follows.
		this.o.typedRuns.afterCompile(dir, result.status);
		return [state, message, detail];
	}

}

function clip(s: string): string {
	return s.length > MAX_ERROR_CHARS ? `${s.slice(0, MAX_ERROR_CHARS)}… (${s.length - MAX_ERROR_CHARS} more characters)` : s;
}

function buildErrorText(result: engines.EscapeRunResult): string {
	return clip(result.buildErrors.map((e) => (e.length > 500 ? `${e.slice(0, 500)}…` : e)).join('\n'));
}

/**
 * Same facts: same kinds, positions, messages and reason-chain lengths, in the same order. Field by
 * field, not through JSON: a big package has hundreds of thousands (a 20 MB file: 372,000).
 */
function sameFacts(a: readonly EscapeFact[], b: readonly EscapeFact[]): boolean {
	if (a === b) return true;
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) {
		const x = a[i];
		const y = b[i];
		if (x.kind !== y.kind || x.message !== y.message || x.subject !== y.subject || x.detail !== y.detail || x.flows.length !== y.flows.length) return false;
		if (x.pos.file !== y.pos.file || x.pos.line !== y.pos.line || x.pos.column !== y.pos.column) return false;
	}
	return true;
}
