/**
 * When the typed pass runs in the language server: after a package's compile result has been
 * published (the session asks), latest request per package wins (a newer one aborts the running
 * vet and kills its process group), one vet at a time (it is background work: the compiles keep
 * the cores), results cached by the same content key as the compile, so re-opening an unchanged
 * package starts no process. `cancel(dir)` stops a package's vet and resolves once its process has
 * exited: the session calls it before handing that package's next compile over, so the two never
 * run at once.
 */
import type { SchedulerSettings } from '../analysis/scheduler';
import { cacheKey, LruCache } from '../analysis/cache';
import { RunSlots } from '../util/runSlots';
import type { TypedRunRequest, TypedRunResult } from './runner';

export interface TypedRequest {
	dir: string;
	overlay?: Map<string, string>;
}

export interface TypedSchedulerOptions {
	run: (req: TypedRunRequest) => Promise<TypedRunResult>;
	settings: () => SchedulerSettings;
	goVersion: string | undefined;
	onResult: (dir: string, result: TypedRunResult, fromCache: boolean) => void;
	cacheSize?: number;
}

interface Running {
	gen: number;
	abort: AbortController;
	done: Promise<unknown>;
	/** The go process has started (a run may first wait for the package's compile to end). */
	spawned: boolean;
}

export class TypedScheduler {
	/** go vet processes started. */
	spawnCount = 0;
	private readonly cache: LruCache<TypedRunResult>;
	private readonly gens = new Map<string, number>();
	private readonly running = new Map<string, Running>();
	private readonly quiescentListeners = new Set<() => void>();
	private readonly slots: RunSlots;
	private pending = 0;
	private disposed = false;

	constructor(private readonly opts: TypedSchedulerOptions) {
		this.cache = new LruCache(opts.cacheSize ?? 64);
		this.slots = new RunSlots(() => 1);
	}

	/** Runs (or answers from cache) the typed pass of one package; undefined when superseded. Never rejects. */
	async request(req: TypedRequest): Promise<TypedRunResult | undefined> {
		if (this.disposed) return undefined;
		const gen = this.bump(req.dir);
		this.pending++;
		try {
			return await this.handle(req, gen);
		} catch {
			return undefined;
		} finally {
			this.pending--;
			if (this.pending === 0) for (const cb of [...this.quiescentListeners]) this.safe(cb);
		}
	}

	/** Stops the package's queued or running vet; resolves once its process has exited. */
	async cancel(dir: string): Promise<void> {
		const running = this.running.get(dir);
		this.bump(dir);
		await running?.done;
	}

	cancelAll(): void {
		for (const dir of new Set([...this.running.keys(), ...this.slots.waitingKeys()])) this.bump(dir);
	}

	isQuiescent(): boolean {
		return this.pending === 0;
	}

	onQuiescent(cb: () => void): { dispose(): void } {
		this.quiescentListeners.add(cb);
		return { dispose: () => this.quiescentListeners.delete(cb) };
	}

	/** vet processes started and not yet exited. */
	liveProcesses(): number {
		return this.liveDirs().length;
	}

	/** Packages whose vet process runs now. */
	liveDirs(): string[] {
		return [...this.running].filter(([, r]) => r.spawned).map(([dir]) => dir);
	}

	/** Resolves once the package's vet (if one runs) has exited; does not stop it. */
	async idle(dir: string): Promise<void> {
		await this.running.get(dir)?.done;
	}

	dispose(): void {
		this.disposed = true;
		this.cancelAll();
		this.quiescentListeners.clear();
	}

	/** A new generation for `dir`: whatever runs or waits for it is superseded. */
	private bump(dir: string): number {
		const gen = (this.gens.get(dir) ?? 0) + 1;
		this.gens.set(dir, gen);
		this.running.get(dir)?.abort.abort();
		this.slots.drop(dir);
		return gen;
	}

	private current(dir: string, gen: number): boolean {
		return !this.disposed && this.gens.get(dir) === gen;
	}

	private async handle(req: TypedRequest, gen: number): Promise<TypedRunResult | undefined> {
		const { dir } = req;
		const s = this.opts.settings();
		const key = await cacheKey({ dir, test: true, overlay: req.overlay, tags: s.tags, buildFlags: s.buildFlags, env: s.env, goBin: s.goBin, goVersion: this.opts.goVersion });
		if (!this.current(dir, gen)) return undefined;
		const hit = this.cache.get(key);
		if (hit) {
			this.opts.onResult(dir, hit, true);
			return hit;
		}
		const previous = this.running.get(dir);
		if (previous) await previous.done;
		if (!this.current(dir, gen) || !(await this.slots.acquire(dir))) return undefined;
		if (!this.current(dir, gen)) {
			this.slots.release();
			return undefined;
		}
		const abort = new AbortController();
		this.spawnCount++;
		let result: TypedRunResult;
		try {
			const entry: Running = { gen, abort, done: Promise.resolve(), spawned: false };
			const run = this.opts.run({ goBin: s.goBin, cwd: dir, patterns: ['.'], overlay: req.overlay, tags: s.tags, buildFlags: s.buildFlags, env: s.env, signal: abort.signal, timeoutMs: s.timeoutMs, onSpawn: () => (entry.spawned = true) });
			entry.done = run.catch(() => undefined);
			this.running.set(dir, entry);
			result = await run;
		} finally {
			if (this.running.get(dir)?.gen === gen) this.running.delete(dir);
			this.slots.release();
		}
		if (!this.current(dir, gen) || result.status === 'cancelled') return undefined;
		if (result.status === 'ok' || result.status === 'failed') this.cache.set(key, result);
		this.opts.onResult(dir, result, false);
		return result;
	}



	private safe(cb: () => void): void {
		try {
			cb();
		} catch {
			// listeners must not break scheduling
		}
	}
}
