/**
 * Decides when the compiler runs: latest request per package wins (a running compile for the same
 * dir is aborted and its process tree killed), at most `maxConcurrent` compiles at once, results
 * cached by content so an unchanged package is never recompiled by us. Debouncing belongs to the
 * LSP layer; the only timer here is the compile timeout, enforced by the runner.
 */
import type { EscapeRunRequest, EscapeRunResult } from '../escape/runner';
import { cacheKey, LruCache } from './cache';
import { RunSlots } from '../util/runSlots';

export interface PackageRequest {
	dir: string;
	test: boolean;
	overlay?: Map<string, string>;
	reason: 'open' | 'save' | 'edit' | 'manual' | (string & {});
	/** Skip the result cache (a manual re-run). Additive. */
	force?: boolean;
	/**
	 * Internal: a background compile whose only purpose is to capture the package's compile step
	 * for later replays (see escape/compilePlan.ts). Silent: no states, no result, not cached.
	 */
	prime?: boolean;
}

/** Packages whose go command run takes longer than this are not primed (the compile dominates there). */
const PRIME_MAX_MS = 3000;

export interface SchedulerSettings {
	goBin: string;
	tags: string[];
	buildFlags: string[];
	env: Record<string, string>;
	maxConcurrent: number;
	timeoutMs: number;
}

export type PackageState = 'queued' | 'running' | 'idle';

export interface EscapeSchedulerOptions {
	run: (req: EscapeRunRequest) => Promise<EscapeRunResult>;
	settings: () => SchedulerSettings;
	/** The go version (part of the cache key); a plain string is accepted too. */
	goVersion: (() => Promise<string | undefined>) | string | undefined;
	onResult: (dir: string, result: EscapeRunResult, fromCache: boolean) => void;
	onStateChange?: (dir: string, state: PackageState) => void;
	/** LRU size (default 64). */
	cacheSize?: number;
	/** After a build-cache answer, compile once in the background to capture the compile step (default true). */
	primeCompileSteps?: boolean;
}

export interface DisposableLike {
	dispose(): void;
}

interface Running {
	gen: number;
	abort: AbortController;
	/** Settles when the compile's process has exited (also after an abort). */
	done: Promise<unknown>;
}

export class EscapeScheduler {
	/** How many compiler processes this scheduler has started (tests assert cache hits with it). */
	spawnCount = 0;
	private readonly cache: LruCache<EscapeRunResult>;
	private readonly gens = new Map<string, number>();
	private readonly pendingByDir = new Map<string, number>();
	private readonly running = new Map<string, Running>();
	private readonly quiescentListeners = new Set<() => void>();
	private readonly slots: RunSlots;
	private pending = 0;
	private disposed = false;

	constructor(private readonly opts: EscapeSchedulerOptions) {
		this.cache = new LruCache(opts.cacheSize ?? 64);
		this.slots = new RunSlots(() => opts.settings().maxConcurrent);
	}

	/** Compiles (or answers from cache) one package. Resolves undefined when superseded or disposed. Never rejects. */
	async request(req: PackageRequest): Promise<EscapeRunResult | undefined> {
		if (this.disposed) return undefined;
		const dir = req.dir;
		const gen = (this.gens.get(dir) ?? 0) + 1;
		this.gens.set(dir, gen);
		this.supersede(dir);
		this.pending++;
		// A prime is invisible to the package's states (it never makes a package "busy").
		if (!req.prime) this.pendingByDir.set(dir, (this.pendingByDir.get(dir) ?? 0) + 1);
		try {
			return await this.handle(req, gen);
		} catch {
			return undefined; // a throwing callback must not break the queue
		} finally {
			this.pending--;
			const left = (this.pendingByDir.get(dir) ?? 1) - 1;
			if (req.prime) {
				// not counted per dir
			} else if (left > 0) this.pendingByDir.set(dir, left);
			else {
				this.pendingByDir.delete(dir);
				// Idle once nothing is left for this dir, also after cancelAll (no newer request to report).
				this.state(dir, 'idle');
			}
			if (this.pending === 0) for (const cb of [...this.quiescentListeners]) this.safe(cb);
		}
	}

	/** True when nothing is queued, hashing or compiling. */
	isQuiescent(): boolean {
		return this.pending === 0;
	}

	/** Called each time the scheduler becomes quiescent. */
	onQuiescent(cb: () => void): DisposableLike {
		this.quiescentListeners.add(cb);
		return { dispose: () => this.quiescentListeners.delete(cb) };
	}

	/** Compiler processes currently running. */
	liveProcesses(): number {
		return this.slots.held;
	}

	/** Drops cached results (of one package dir, or all). Call when files outside the package change. */
	invalidate(dir?: string): void {
		this.cache.clear(dir === undefined ? undefined : `${dir}\0`);
	}

	/** Aborts every queued and running compile; their requests resolve undefined. */
	cancelAll(): void {
		for (const dir of new Set([...this.running.keys(), ...this.slots.waitingKeys(), ...this.gens.keys()])) this.cancel(dir);
	}

	/** Aborts the queued and running compiles of one package (its last document was closed). */
	cancel(dir: string): void {
		this.gens.set(dir, (this.gens.get(dir) ?? 0) + 1);
		this.supersede(dir);
	}

	dispose(): void {
		this.disposed = true;
		this.cancelAll();
		this.quiescentListeners.clear();
	}

	private current(dir: string, gen: number): boolean {
		return !this.disposed && this.gens.get(dir) === gen;
	}

	private supersede(dir: string): void {
		this.running.get(dir)?.abort.abort();
		this.slots.drop(dir);
	}

	private async handle(req: PackageRequest, gen: number): Promise<EscapeRunResult | undefined> {
		const dir = req.dir;
		if (!req.prime) this.state(dir, 'queued');
		const s = this.opts.settings();
		const goVersion = typeof this.opts.goVersion === 'function' ? await this.opts.goVersion() : this.opts.goVersion;
		const key = await cacheKey({ ...req, tags: s.tags, buildFlags: s.buildFlags, env: s.env, goBin: s.goBin, goVersion });
		if (!this.current(dir, gen)) return undefined;
		if (!req.force && !req.prime) {
			const hit = this.cache.get(key);
			if (hit) {
				this.opts.onResult(dir, hit, true);
				return hit;
			}
		}
		// An aborted compile of this package may still be exiting: never have two go processes
		// writing the same package's build at once (seen under 200 rapid saves).
		const previous = this.running.get(dir);
		if (previous) await previous.done;
		if (!this.current(dir, gen)) return undefined;
		if (!(await this.slots.acquire(dir))) return undefined;
		if (!this.current(dir, gen)) {
			this.slots.release();
			return undefined;
		}
		const abort = new AbortController();
		if (!req.prime) this.state(dir, 'running');
		this.spawnCount++;
		let result: EscapeRunResult;
		try {
			const run = this.opts.run({
				goBin: s.goBin,
				dir,
				test: req.test,
				overlay: req.overlay,
				tags: s.tags,
				buildFlags: s.buildFlags,
				env: s.env,
				signal: abort.signal,
				timeoutMs: s.timeoutMs,
				prime: req.prime,
				// A forced re-run: the runner lets the go build cache answer when it can (see `rerun`).
				...(req.force && !req.prime ? { rerun: true } : {}),
			});
			this.running.set(dir, { gen, abort, done: run.catch(() => undefined) });
			result = await run;
		} finally {
			if (this.running.get(dir)?.gen === gen) this.running.delete(dir);
			this.slots.release();
		}
		if (!this.current(dir, gen) || result.status === 'cancelled' || req.prime) return undefined;
		// Only answers that depend on the inputs alone are cached (not timeouts or a missing go).
		if (result.status === 'ok' || result.status === 'build-failed') this.cache.set(key, result);
		this.opts.onResult(dir, result, false);
		// The go command replayed its build cache, so no compile step was seen: compile once more in
		// the background to capture it, so that the first save after opening is replayed too.
		if (this.opts.primeCompileSteps !== false && result.status === 'ok' && result.via === 'go' && result.captured === false && !req.test && result.durationMs < PRIME_MAX_MS) {
			// Started now, so the scheduler does not look quiescent in between (tests count processes after quiescence).
			void this.request({ ...req, prime: true });
		}
		return result;
	}



	private state(dir: string, state: PackageState): void {
		this.safe(() => this.opts.onStateChange?.(dir, state));
	}

	private safe(cb: () => void): void {
		try {
			cb();
		} catch {
			// listeners must not break scheduling
		}
	}
}
