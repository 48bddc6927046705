/**
 * The syntax rules of a big run on worker threads, one per CPU: the go command compiles packages in
 * parallel (`-p`), and the rules (tree-sitter parse and the 17 rules, most of the CLI's own time)
 * run in parallel too. A worker is the CLI bundle itself started as a thread (one file to ship);
 * each loads its own parser and reads the files it is given. Results are the same as in process.
 */
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { EscapeFact } from '../model';
import { CgoSourceReader } from '../analysis/cgoSources';
import { GoModReader } from '../analysis/goVersion';
import { newGoParser, type Parser } from '../syntax/goParser';
import { functionSpans, type FunctionSpan } from '../syntax/functionSpans';
import type { TypedFact } from '../typed/facts';
import { typedView } from '../typed/view';
import type { Finding } from './analyze';
import { cacheable, entryKey, readEntry, writeEntry, type CacheConfig } from './findingsCache';

/** What the rules of one file need besides its text (plain data: it crosses to a thread). */
export interface FileTask {
	file: string;
	/** The file's compiler facts, or undefined when there was no good compile. */
	facts?: EscapeFact[];
	/** The file's typed facts (go vet) and whether vet's silence counts. */
	typed?: { analyzers: string[]; facts: TypedFact[]; complete: boolean };
	disabled: string[];
	/** Also return the file's function spans (the report). */
	spans: boolean;
	/** The persistent findings cache (cli/findingsCache.ts), when on. */
	cache?: CacheConfig;
}

export interface FileResult {
	/** Set when the file could not be read. */
	unreadable?: string;
	findings: Finding[];
	warnings: string[];
	spans?: FunctionSpan[];
}

/** checkFile as analyze.ts has it, passed in to keep this module free of a cycle at load time. */
type CheckFile = typeof import('./analyze').checkFile;

const ROLE = 'memlens-rule-worker';

/** Runs the rules of one file in this thread. */
export function runFileTask(check: CheckFile, parser: Parser, mods: GoModReader, cgo: CgoSourceReader, t: FileTask): FileResult {
	let text: string;
	try {
		text = readFileSync(t.file, 'utf8');
	} catch (e) {
		return { unreadable: (e as Error).message, findings: [], warnings: [] };
	}
	let key: string | undefined;
	if (t.cache && cacheable(text)) {
		// Every input of the rules but the text and path (those are hashed as they are).
		const inputs = { go: mods.version(t.file, text), facts: t.facts ?? null, typed: t.typed ?? null, disabled: [...t.disabled].sort(), spans: t.spans };
		key = entryKey(t.cache.salt, t.file, text, inputs);
		const hit = readEntry(t.cache, key);
		if (hit) return { findings: hit.findings, warnings: [], ...(hit.spans ? { spans: hit.spans } : {}) };
	}
	const warnings: string[] = [];
	let spans: FunctionSpan[] | undefined;
	const typed = t.typed ? typedView({ analyzers: t.typed.analyzers, facts: t.typed.facts, complete: t.typed.complete, edited: new Map(), stale: false }, t.file, text) : undefined;
	const findings = check(parser, t.file, text, t.facts, mods, new Set(t.disabled), warnings, typed, t.spans ? (root) => (spans = functionSpans(root)) : undefined, cgo);
	if (key && warnings.length === 0) writeEntry(t.cache!, key, { findings, ...(spans ? { spans } : {}) });
	return { findings, warnings, ...(spans ? { spans } : {}) };
}

/** A fixed set of rule threads fed one file at a time. */
export class RulePool {
	private readonly idle: Worker[] = [];
	private readonly queue: { task: FileTask; resolve: (r: FileResult) => void; reject: (e: Error) => void }[] = [];
	private readonly busy = new Map<Worker, { resolve: (r: FileResult) => void; reject: (e: Error) => void }>();

	private constructor(private readonly workers: Worker[]) {
		for (const w of workers) {
			w.on('message', (r: FileResult) => this.settle(w, (p) => p.resolve(r)));
			w.on('error', (e) => this.settle(w, (p) => p.reject(e)));
			w.on('exit', (code) => code !== 0 && this.settle(w, (p) => p.reject(new Error(`rule worker exited with ${code}`))));
			this.idle.push(w);
		}
	}

	/** `size` threads running `entry` (the CLI's own file: dist/cli.js, or cli.ts under tsx). */
	static start(size: number, entry: string): RulePool {
		// Threads are not counted against the process's exit: unref'd, and closed by `close()`.
		const workers = Array.from({ length: size }, () => new Worker(entry, { workerData: { role: ROLE } }));
		return new RulePool(workers);
	}

	run(task: FileTask): Promise<FileResult> {
		return new Promise((resolve, reject) => {
			this.queue.push({ task, resolve, reject });
			this.pump();
		});
	}

	private settle(w: Worker, f: (p: { resolve: (r: FileResult) => void; reject: (e: Error) => void }) => void): void {
		const p = this.busy.get(w);
		if (!p) return;
		this.busy.delete(w);
		f(p);
		this.idle.push(w);
		this.pump();
	}

	private pump(): void {
		while (this.idle.length && this.queue.length) {
			const w = this.idle.pop()!;
			const job = this.queue.shift()!;
			this.busy.set(w, job);
			w.postMessage(job.task);
		}
	}

	async close(): Promise<void> {
		await Promise.all(this.workers.map((w) => w.terminate()));
	}
}

/** True in a thread started by RulePool: the CLI's entry then serves rule tasks instead of running main. */
export function isRuleWorker(): boolean {
	return !isMainThread && (workerData as { role?: string } | null)?.role === ROLE;
}

/** The worker's loop: one parser for the thread's life, one task at a time. */
export async function serveRuleTasks(check: CheckFile): Promise<void> {
	const parser = await newGoParser();
	const mods = new GoModReader();
	const cgo = new CgoSourceReader();
	parentPort!.on('message', (t: FileTask) => {
		let r: FileResult;
		try {
			r = runFileTask(check, parser, mods, cgo, t);
		} catch (e) {
			r = { findings: [], warnings: [`rules failed on ${t.file}: ${(e as Error)?.message ?? String(e)}`] };
		}
		parentPort!.postMessage(r);
	});
}
