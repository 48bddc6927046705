/**
 * The refreshes due per document (documentReports.ts), run as jobs one document at a time. A job
 * asked for a document that already has one due is merged into it (a whole-file run covers a
 * scoped one). Before each job, the messages the connection has waiting go first (messageGate.ts).
 */
import { messagesFirst } from './messageGate';

/** 'edit': the declarations a keystroke touched; 'settle': the whole file; 'default': open, new facts, settings. */
export type RefreshMode = 'edit' | 'settle' | 'default';

/** Which mode covers which. */
const STRENGTH: Record<RefreshMode, number> = { edit: 0, default: 1, settle: 2 };

export class RefreshJobs {
	/** Jobs due, by document, oldest first; and who waits for each. */
	private readonly due = new Map<string, { mode: RefreshMode; waiters: (() => void)[] }>();
	/** The job running now, if any. */
	private running: { uri: string; mode: RefreshMode; done: Promise<void> } | undefined;
	private pumping = false;

	/** `run` never rejects; `onIdle` is called when the queue has run dry. */
	constructor(
		private readonly run: (uri: string, mode: RefreshMode) => Promise<void>,
		private readonly onIdle: () => void,
	) {}

	isIdle(): boolean {
		return this.due.size === 0 && !this.running;
	}

	/** Notes that `uri` needs a refresh in `mode`; resolves once it has run (or was dropped). */
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
	 * A request about `uri` is waiting: a keystroke's job due for it runs now (a scoped run, a few
	 * ms), so the answer is about the current text. Any other job (a file's first run, a compile's
	 * facts) is not waited for: the answer is what is known.
	 */
	async ready(uri: string): Promise<void> {
		if (this.running?.uri === uri && this.running.mode === 'edit') await this.running.done;
		if (this.due.get(uri)?.mode === 'edit') await this.runDue(uri);
	}

	/** The document is gone: its job is dropped (its waiters are released). */
	drop(uri: string): void {
		const job = this.due.get(uri);
		this.due.delete(uri);
		for (const w of job?.waiters ?? []) w();
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
			this.onIdle();
		}
	}

	private async runDue(uri: string): Promise<void> {
		while (this.running) await this.running.done;
		const job = this.due.get(uri);
		if (!job) return;
		this.due.delete(uri);
		const done = this.run(uri, job.mode);
		this.running = { uri, mode: job.mode, done };
		try {
			await done;
		} finally {
			this.running = undefined;
			for (const w of job.waiters) w();
		}
	}
}
