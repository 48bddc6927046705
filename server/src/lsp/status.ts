/**
 * Per-package analysis state: the `goMemlens/status` notification (only for clients that declared
 * `experimental.goMemlens`) and cancellable `window/workDoneProgress` for runs longer than ~0.5 s.
 */
import path from 'node:path';
import type { Connection, WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { StatusNotification, type AnalysisState, type StatusParams } from '../../../common/protocol';
import type { ClientCaps } from './capabilities';

/** Runs shorter than this show no progress UI (avoids flicker on cache replays). */
export const PROGRESS_DELAY_MS = 500;

interface Progress {
	timer?: NodeJS.Timeout;
	reporter?: WorkDoneProgressServerReporter;
	done: boolean;
}

export class StatusReporter {
	private readonly last = new Map<string, StatusParams>();
	private readonly progress = new Map<string, Progress>();
	/** A state went out with `quiescent: false`: the client is owed one saying it is quiet now. */
	private owed = false;

	constructor(
		private readonly connection: Connection,
		private readonly caps: ClientCaps,
		private readonly isQuiescent: () => boolean,
		private readonly onCancel: (dir: string) => void,
		/** Work skipped on the package's open files (a rule over its budget, a file too large…), said with every state. */
		private readonly skipped: (dir: string) => string[] = () => [],
	) {}

	/**
	 * Records and sends the state of the package in `dir`. `notes`: settings the run refused or
	 * overrode and files it left out (toolchain/toolRun.ts), said in the message and the detail.
	 */
	update(dir: string, state: AnalysisState, message: string, detail?: string, notes?: readonly string[]): void {
		const params: StatusParams = { packageUri: URI.file(dir).toString(), state, message, quiescent: this.isQuiescent() };
		if (notes?.length) {
			params.notes = [...notes];
			params.message = `${message} · ${notes.length} setting(s) overridden or file(s) left out`;
			detail = [detail, ...notes].filter(Boolean).join('\n');
		}
		if (detail) params.detail = detail;
		this.last.set(dir, params);
		this.send(dir, params);
		if (state === 'running') this.startProgress(dir);
		else this.endProgress(dir);
	}

	/** Re-sends the last state of `dir` with fresh quiescence (after results are published). */
	refresh(dir: string): void {
		const p = this.last.get(dir);
		if (p) this.send(dir, { ...p, quiescent: this.isQuiescent() });
	}

	/** The last state of every package. */
	states(): StatusParams[] {
		return [...this.last.values()];
	}

	/**
	 * Once everything is quiet: re-sends every package's last state with `quiescent: true`, if a
	 * state went out saying otherwise since the last time (work that sent no status, a keystroke's
	 * rule run say, costs the client no status).
	 */
	settleIfQuiescent(): void {
		if (!this.owed || !this.isQuiescent()) return;
		this.owed = false;
		for (const dir of this.last.keys()) this.refresh(dir);
	}

	dispose(): void {
		for (const dir of this.progress.keys()) this.endProgress(dir);
	}

	private send(dir: string, p: StatusParams): void {
		if (!this.caps.memlensExtensions) return;
		if (!p.quiescent) this.owed = true;
		const skipped = this.skipped(dir);
		if (skipped.length) {
			const files = new Set(skipped.map((x) => x.slice(0, x.indexOf(':')))).size;
			p = { ...p, message: `${p.message} · ${files} file(s) only partly analysed`, notes: [...(p.notes ?? []), ...skipped], detail: [p.detail, ...skipped].filter(Boolean).join('\n') };
		}
		void this.connection.sendNotification(StatusNotification.type, p).catch(() => undefined);
	}

	private startProgress(dir: string): void {
		if (!this.caps.workDoneProgress || this.progress.has(dir)) return;
		const pr: Progress = { done: false };
		this.progress.set(dir, pr);
		pr.timer = setTimeout(() => {
			pr.timer = undefined;
			this.connection.window.createWorkDoneProgress().then(
				(reporter) => {
					if (pr.done) return reporter.done();
					pr.reporter = reporter;
					reporter.begin('Go MemLens', undefined, `escape analysis of ${path.basename(dir)}`, true);
					reporter.token.onCancellationRequested(() => this.onCancel(dir));
				},
				() => undefined,
			);
		}, PROGRESS_DELAY_MS);
	}

	private endProgress(dir: string): void {
		const pr = this.progress.get(dir);
		if (!pr) return;
		this.progress.delete(dir);
		pr.done = true;
		if (pr.timer) clearTimeout(pr.timer);
		pr.reporter?.done();
	}
}
