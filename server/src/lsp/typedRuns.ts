/**
 * The typed pass in the language server (server/src/typed/): per package, after the compile's
 * facts are published. The session tells it when a compile is handed over (`beforeCompile`: the
 * package's running vet is stopped, and the buffers the compile sees are remembered), when the
 * compile's result is published (`afterCompile`: ok starts vet with those same buffers, a failed
 * build marks the typed results stale), and about every edit (`changed`: facts move with the
 * text, edited ranges are recorded). Never started in an untrusted workspace: the session only
 * attaches an engine when it may run the toolchain.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import * as engines from './engines';

interface Snapshot {
	overlay: Map<string, string>;
	/** The open documents' texts the compile saw (absolute path → text). */
	texts: Map<string, string>;
}

export interface TypedRunsOptions {
	/** Typed results of `dir` changed: republish its open documents. */
	onResult: (dir: string) => void;
	/** The typed engine went idle. */
	onQuiescent: () => void;
	/** The current text of an open document (undefined when closed). */
	currentText: (filePath: string) => string | undefined;
	log: (msg: string) => void;
}

export class TypedRuns {
	private engine: engines.TypedEngine | undefined;
	private readonly pkgs = new Map<string, engines.TypedPackage>();
	/** Incremented per applied result: part of the rule runs' key (a shift on each keystroke is not). */
	private readonly gens = new Map<string, number>();
	private readonly snapshots = new Map<string, Snapshot>();
	/** The result each package's typed results were last made from (a cache replay of it changes nothing). */
	private readonly applied = new Map<string, engines.TypedRunResult>();
	private retiredSpawns = 0;
	/** Typed results applied (debug stats). */
	results = 0;

	constructor(private readonly opts: TypedRunsOptions) {}

	attach(settings: () => engines.BuildSettings, goVersion: string): void {
		this.detach();
		this.engine = engines.createTypedEngine({ settings, goVersion, onResult: (dir, result) => this.apply(dir, result) });
		this.engine.onQuiescent(() => this.opts.onQuiescent());
	}

	detach(): void {
		this.retiredSpawns += this.engine?.spawnCount ?? 0;
		this.engine?.dispose();
		this.engine = undefined;
	}

	/** A compile of `dir` is about to be handed over with these buffers: stop its vet (waits for the process to exit). */
	async beforeCompile(dir: string, overlay: Map<string, string>, texts: Map<string, string>): Promise<void> {
		this.snapshots.set(dir, { overlay, texts });
		await this.engine?.cancel(dir);
	}

	/** The compile's result for `dir` has been published. */
	afterCompile(dir: string, status: engines.EscapeRunResult['status']): void {
		if (status === 'build-failed') return this.markStale(dir);
		const snap = this.snapshots.get(dir);
		if (status !== 'ok' || !snap || !this.engine) return;
		void this.engine.request({ dir, overlay: snap.overlay });
	}

	/** The package stopped compiling: keep the last good results, marked stale. */
	markStale(dir: string): void {
		const p = this.pkgs.get(dir);
		if (p && !p.stale) this.pkgs.set(dir, { ...p, stale: true });
	}

	changed(dir: string, filePath: string, changes: TextDocumentContentChangeEvent[]): void {
		const p = this.pkgs.get(dir);
		if (p) this.pkgs.set(dir, engines.shiftTyped(p, filePath, changes));
	}

	pkg(dir: string): engines.TypedPackage | undefined {
		return this.pkgs.get(dir);
	}

	gen(dir: string): number {
		return this.gens.get(dir) ?? 0;
	}

	clear(): void {
		this.pkgs.clear();
		this.snapshots.clear();
		this.applied.clear();
	}

	cancelAll(): void {
		this.engine?.cancelAll();
	}

	isQuiescent(): boolean {
		return this.engine?.isQuiescent() ?? true;
	}

	get spawnCount(): number {
		return this.retiredSpawns + (this.engine?.spawnCount ?? 0);
	}

	liveProcesses(): number {
		return this.engine?.liveProcesses() ?? 0;
	}

	private apply(dir: string, result: engines.TypedRunResult): void {
		const previous = this.pkgs.get(dir);
		const unedited = [...(previous?.edited.values() ?? [])].every((r) => r.length === 0);
		if (previous && !previous.stale && unedited && this.applied.get(dir) === result) return;
		if (result.status !== 'ok' && result.status !== 'failed') {
			this.opts.log(`typed pass ${result.status} in ${dir}: ${result.message ?? ''}`);
			return this.markStale(dir);
		}
		// A package vet could not check (a test file that does not compile, cgo vet cannot follow):
		// keep the last complete results, stale, rather than a partial answer.
		if (result.status === 'failed') {
			this.opts.log(`typed pass: ${result.message ?? 'go vet failed'} (${dir})`);
			if (previous) return this.markStale(dir);
		}
		let pkg: engines.TypedPackage = { analyzers: result.analyzers, facts: result.facts, complete: result.status === 'ok', edited: new Map(), stale: false };
		// Buffers edited since the compile's snapshot: one change from the snapshot's text to the current one.
		for (const [file, then] of this.snapshots.get(dir)?.texts ?? []) {
			const now = this.opts.currentText(file);
			if (now !== undefined && now !== then) pkg = engines.shiftTyped(pkg, file, [diffChange(then, now)]);
		}
		this.snapshots.delete(dir);
		this.pkgs.set(dir, pkg);
		this.applied.set(dir, result);
		this.gens.set(dir, this.gen(dir) + 1);
		this.results++;
		this.opts.onResult(dir);
	}
}

/** The one LSP change that turns `a` into `b` (common prefix and suffix kept). */
export function diffChange(a: string, b: string): TextDocumentContentChangeEvent {
	let p = 0;
	while (p < a.length && p < b.length && a.charCodeAt(p) === b.charCodeAt(p)) p++;
	let s = 0;
	while (s < a.length - p && s < b.length - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
	const pos = (offset: number) => {
		const before = a.slice(0, offset);
		const line = before.split('\n').length - 1;
		return { line, character: offset - (before.lastIndexOf('\n') + 1) };
	};
	return { range: { start: pos(p), end: pos(a.length - s) }, text: b.slice(p, b.length - s) };
}
