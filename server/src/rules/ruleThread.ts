/**
 * Whole-file rule runs off the main thread: the language server's main loop answers requests while
 * a big or pathological file is checked (a 10,000-line function with 5,000 goroutine closures takes
 * the rules seconds). One worker thread (node:worker_threads, ./ruleThreadMain.ts) parses the text
 * with its own tree-sitter parser and runs the rules; jobs run one at a time, and a job for a file
 * replaces that file's job still waiting.
 *
 * The work is bounded: a rule that runs past `ruleBudgetMs` stops the worker (a thread cannot be
 * interrupted otherwise), is recorded as skipped for that run with the reason, and the job goes on
 * in a new worker with the rules not yet run; past `jobBudgetMs` the rules left are skipped too. A
 * worker that runs out of memory (its heap is capped) counts as the running rule's overrun.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { GoVersionInfo, Position, RuleFinding } from '../model';
import type { SeveritySetting } from '../../../common/settings';
import type { TypedView } from '../typed/facts';
import type { RuleMemo } from './scope';
import type { LocatedEscapeFact } from './types';

export type RuleSet = 'syntax' | 'escape';

/** One file to check: its text and everything the rules read besides the tree (structured-cloned to the worker). */
export interface ThreadJob {
	filePath: string;
	text: string;
	goVersion: GoVersionInfo;
	escape?: LocatedEscapeFact[];
	typed?: TypedView;
	isCgo: boolean;
	cgoPackageC?: string;
	severities: Record<string, SeveritySetting>;
	/** The rule ids to run, per set (the syntax set runs without escape or typed facts). */
	sets: Partial<Record<RuleSet, string[]>>;
	/** Texts longer than this are not parsed. */
	maxChars: number;
	parseBudgetMs: number;
}

/** Messages from the worker. */
export type FromThread =
	| { id: number; kind: 'start'; set: RuleSet; rule: string }
	| { id: number; kind: 'found'; set: RuleSet; rule: string; findings: RuleFinding[] }
	| { id: number; kind: 'set'; set: RuleSet; memo: RuleMemo; context: Position[] }
	| { id: number; kind: 'error'; rule: string; message: string }
	| { id: number; kind: 'done'; notParsed?: string };

export interface SetOutcome {
	findings: RuleFinding[];
	/** File-level data for later scoped runs; undefined when the set did not run to its end in one worker. */
	memo?: RuleMemo;
	/** Start positions of the file's non-function top-level declarations (ruleRuns.ts). */
	context?: Position[];
	/** @internal The set went on in another worker after one was stopped (no memo of the whole run then). */
	partial?: boolean;
}

export interface ThreadOutcome {
	sets: Partial<Record<RuleSet, SetOutcome>>;
	/** Rules that did not run to their end in this run, and why. */
	skipped: { rule: string; why: string }[];
	/** Why no rule ran (the file is too large to parse, the parse ran out of time). */
	notParsed?: string;
	/** Rule errors, for the log. */
	errors: string[];
}

export interface RuleThreadOptions {
	ruleBudgetMs?: number;
	jobBudgetMs?: number;
	/** Heap cap of the worker (MB). */
	maxHeapMb?: number;
}

interface Pending {
	id: number;
	key: string;
	job: ThreadJob;
	resolve: (o: ThreadOutcome | undefined) => void;
	outcome: ThreadOutcome;
	/** Rules finished (or given up) so far, per set. */
	finished: Set<string>;
	running?: { set: RuleSet; rule: string };
	started: number;
}

export class RuleThread {
	private worker: Worker | undefined;
	private readonly queue: Pending[] = [];
	private current: Pending | undefined;
	private timer: NodeJS.Timeout | undefined;
	private nextId = 1;
	private disposed = false;
	private readonly ruleBudgetMs: number;
	private readonly jobBudgetMs: number;
	private readonly maxHeapMb: number;
	/** Workers started (the first, and one after each stopped overrun). */
	workersStarted = 0;

	constructor(opts: RuleThreadOptions = {}) {
		this.ruleBudgetMs = opts.ruleBudgetMs ?? 5_000;
		this.jobBudgetMs = opts.jobBudgetMs ?? 30_000;
		this.maxHeapMb = opts.maxHeapMb ?? 512;
	}

	/** Jobs waiting or running. */
	get pending(): number {
		return this.queue.length + (this.current ? 1 : 0);
	}

	/**
	 * Checks one file. Resolves undefined when a newer job for the same `key` replaced this one
	 * before it started, or the thread was disposed. Never rejects.
	 */
	run(key: string, job: ThreadJob): Promise<ThreadOutcome | undefined> {
		if (this.disposed) return Promise.resolve(undefined);
		const i = this.queue.findIndex((p) => p.key === key);
		if (i >= 0) this.queue.splice(i, 1)[0].resolve(undefined);
		return new Promise((resolve) => {
			this.queue.push({ id: this.nextId++, key, job, resolve, outcome: { sets: {}, skipped: [], errors: [] }, finished: new Set(), started: 0 });
			this.pump();
		});
	}

	/** Drops the waiting job of `key` (its document was closed). */
	forget(key: string): void {
		const i = this.queue.findIndex((p) => p.key === key);
		if (i >= 0) this.queue.splice(i, 1)[0].resolve(undefined);
	}

	dispose(): void {
		this.disposed = true;
		clearTimeout(this.timer);
		for (const p of this.queue.splice(0)) p.resolve(undefined);
		this.current?.resolve(undefined);
		this.current = undefined;
		void this.worker?.terminate();
		this.worker = undefined;
	}

	private pump(): void {
		if (this.current || this.disposed) return;
		const p = this.queue.shift();
		if (!p) return;
		this.current = p;
		p.started = performance.now();
		this.post(p);
	}

	/** Sends the job's rules not finished yet to the worker (a new one when the last was stopped). */
	private post(p: Pending): void {
		const sets: ThreadJob['sets'] = {};
		for (const set of ['syntax', 'escape'] as const) {
			const left = p.job.sets[set]?.filter((r) => !p.finished.has(`${set}:${r}`));
			if (left?.length) sets[set] = left;
		}
		if (!sets.syntax && !sets.escape) return this.finish(p);
		this.arm(p, this.ruleBudgetMs + p.job.parseBudgetMs);
		const w = this.ensureWorker();
		// Held while it has work (an idle worker does not keep the process alive).
		w.ref();
		w.postMessage({ id: p.id, job: { ...p.job, sets } });
	}

	private ensureWorker(): Worker {
		if (this.worker) return this.worker;
		const w = startWorker(this.maxHeapMb);
		this.workersStarted++;
		w.on('message', (m: FromThread) => {
			if (this.worker === w) this.onMessage(m);
		});
		w.on('error', (e) => {
			if (this.worker === w) this.lost(/ERR_WORKER_OUT_OF_MEMORY|heap/i.test(`${(e as NodeJS.ErrnoException).code} ${e.message}`) ? 'ran out of memory' : `failed (${e.message})`);
		});
		w.on('exit', () => {
			if (this.worker === w) this.lost('stopped');
		});
		w.unref();
		this.worker = w;
		return w;
	}

	private onMessage(m: FromThread): void {
		const p = this.current;
		if (!p || m.id !== p.id) return;
		const o = p.outcome;
		switch (m.kind) {
			case 'start':
				p.running = { set: m.set, rule: m.rule };
				this.arm(p, this.ruleBudgetMs);
				break;
			case 'found':
				p.running = undefined;
				p.finished.add(`${m.set}:${m.rule}`);
				(o.sets[m.set] ??= { findings: [] }).findings.push(...m.findings);
				break;
			case 'set': {
				const s = (o.sets[m.set] ??= { findings: [] });
				// A set that went on in a new worker has no memo of the whole run.
				if (!s.partial) {
					s.memo = m.memo;
					s.context = m.context;
				}
				break;
			}
			case 'error':
				o.errors.push(`rule ${m.rule} failed on ${p.job.filePath}: ${m.message}`);
				break;
			case 'done':
				if (m.notParsed) o.notParsed = m.notParsed;
				this.finish(p);
		}
	}

	/** The worker must say something within `ms` (and the job end within its budget), else the running rule is over budget. */
	private arm(p: Pending, ms: number): void {
		clearTimeout(this.timer);
		const left = p.started + this.jobBudgetMs - performance.now();
		const jobEnds = left < ms;
		this.timer = setTimeout(
			() => {
				if (this.current === p) this.lost(jobEnds ? `stopped: the file's rules took longer than ${Math.round(this.jobBudgetMs / 1000)} s` : `took longer than ${Math.round(this.ruleBudgetMs / 1000)} s`);
			},
			Math.max(0, Math.min(ms, left)),
		);
		this.timer.unref();
	}

	/** The worker is gone or stopped: the running rule is skipped, the job goes on in a new worker (within its budget). */
	private lost(why: string): void {
		const p = this.current;
		const w = this.worker;
		this.worker = undefined;
		clearTimeout(this.timer);
		void w?.terminate();
		if (!p) return;
		const o = p.outcome;
		const r = p.running;
		p.running = undefined;
		if (r) {
			o.skipped.push({ rule: r.rule, why });
			p.finished.add(`${r.set}:${r.rule}`);
			(o.sets[r.set] ??= { findings: [] }).partial = true;
		} else if (!Object.keys(o.sets).length) {
			// Before any rule started: the parse itself (or loading the worker) went wrong.
			o.notParsed = `syntax parse ${why}`;
			return this.finish(p);
		}
		for (const set of ['syntax', 'escape'] as const) if (o.sets[set]) o.sets[set]!.partial = true;
		if (performance.now() - p.started >= this.jobBudgetMs) {
			for (const set of ['syntax', 'escape'] as const) {
				for (const rule of p.job.sets[set] ?? []) {
					if (p.finished.has(`${set}:${rule}`)) continue;
					o.skipped.push({ rule, why: `not run: the file's rules took longer than ${Math.round(this.jobBudgetMs / 1000)} s` });
				}
			}
			return this.finish(p);
		}
		this.post(p);
	}

	private finish(p: Pending): void {
		clearTimeout(this.timer);
		if (this.current === p) this.current = undefined;
		for (const s of Object.values(p.outcome.sets)) {
			if (s.partial) {
				s.memo = undefined;
				s.context = undefined;
			}
			delete s.partial;
		}
		p.resolve(p.outcome);
		if (!this.queue.length) this.worker?.unref();
		this.pump();
	}
}

/** The worker: the bundle's dist/ruleThread.js, or the TypeScript source under tsx (tests, benches). */
function startWorker(maxHeapMb: number): Worker {
	const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
	const bundled = path.join(__dirname, 'ruleThread.js');
	if (__filename.endsWith('.js') && existsSync(bundled)) return new Worker(bundled, { resourceLimits });
	const source = path.join(__dirname, 'ruleThreadMain.ts');
	return new Worker(`require('tsx/cjs'); require(${JSON.stringify(source)});`, { eval: true, resourceLimits });
}
