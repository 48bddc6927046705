/**
 * The typed pass in the language server (server/src/typed/): per package, after the compile's
 * facts are published. The session tells it when a compile is handed over (`beforeCompile`: the
 * buffers the compile sees are remembered), when the compile's result is published
 * (`afterCompile`: ok starts vet with those same buffers, a failed build marks the typed results
 * stale), and about every edit (`changed`: facts move with the text, edited ranges are recorded).
 * One go process per package at a time: each compile process goes through `aroundCompile` (a
 * package's vet is stopped, and waited for, before its compile starts; the background capture
 * compile waits for vet to finish instead), and a vet process starts only once the package's
 * compiles have exited. Never started in an untrusted workspace: the session only attaches an
 * engine when it may run the toolchain.
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
	/** The buffers of the compile handed over last, per package. */
	private readonly snapshots = new Map<string, Snapshot>();
	/** The buffers of the typed run requested last, per package (what its result is about). */
	private readonly requested = new Map<string, Snapshot>();
	/** Compile processes running per package, and who waits for them to end. */
	private readonly compiling = new Map<string, { count: number; waiters: (() => void)[] }>();
	/** Packages whose compile waits for their vet to end (that compile is already counted as the package's process). */
	private readonly yielding = new Set<string>();
	/** The result each package's typed results were last made from (a cache replay of it changes nothing). */
	private readonly applied = new Map<string, engines.TypedRunResult>();
	private retiredSpawns = 0;
	/** Typed results applied (debug stats). */
	results = 0;

	constructor(private readonly opts: TypedRunsOptions) {}

	attach(settings: () => engines.BuildSettings, goVersion: string): void {
		this.detach();
		this.engine = engines.createTypedEngine({ settings, goVersion, beforeRun: (dir) => this.compilesDone(dir), onResult: (dir, result) => this.apply(dir, result) });
		this.engine.onQuiescent(() => this.opts.onQuiescent());
	}

	detach(): void {
		this.retiredSpawns += this.engine?.spawnCount ?? 0;
		this.engine?.dispose();
		this.engine = undefined;
	}

	/** A compile of `dir` is being handed over with these buffers (the typed run after it uses the same). */
	beforeCompile(dir: string, overlay: Map<string, string>, texts: Map<string, string>): void {
		this.snapshots.set(dir, { overlay, texts });
	}

	/**
	 * Runs one compile process of `dir`: its vet stops first and the compile waits for it to exit
	 * (a capture compile, `prime`, waits for vet to finish instead: it brings no result that would
	 * start vet again); no vet starts until the compile has exited.
	 */
	async aroundCompile<T>(dir: string, prime: boolean, run: () => Promise<T>): Promise<T> {
		this.yielding.add(dir);
		try {
			if (prime) await this.engine?.idle(dir);
			else await this.engine?.cancel(dir);
		} finally {
			this.yielding.delete(dir);
		}
		const c = this.compiling.get(dir) ?? { count: 0, waiters: [] };
		c.count++;
		this.compiling.set(dir, c);
		try {
			return await run();
		} finally {
			if (--c.count === 0) {
				this.compiling.delete(dir);
				for (const w of c.waiters) w();
			}
		}
	}

	/** Resolves once no compile process of `dir` runs. */
	private compilesDone(dir: string): Promise<void> {
		const c = this.compiling.get(dir);
		return c ? new Promise((resolve) => c.waiters.push(resolve)) : Promise.resolve();
	}

	/** The compile's result for `dir` has been published. */
	afterCompile(dir: string, status: engines.EscapeRunResult['status']): void {
		if (status === 'build-failed') return this.markStale(dir);
		const snap = this.snapshots.get(dir);
		if (status !== 'ok' || !snap || !this.engine) return;
		this.requested.set(dir, snap);
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
		this.requested.clear();
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

	/** vet processes, not counting one its package's compile is waiting for (the compile's slot already counts it). */
	liveProcesses(): number {
		return (this.engine?.liveDirs() ?? []).filter((d) => !this.yielding.has(d)).length;
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
		for (const [file, then] of this.requested.get(dir)?.texts ?? []) {
			const now = this.opts.currentText(file);
			if (now !== undefined && now !== then) pkg = engines.shiftTyped(pkg, file, [diffChange(then, now)]);
		}
		this.requested.delete(dir);
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
