/**
 * A small LSP client over stdio for the hardening tests and the benchmarks. It drives any server
 * (dist/server.js or gopls), answers the server's requests (configuration, progress, registration),
 * records diagnostics and `goMemlens/status` notifications, and lets callers wait on events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
	createProtocolConnection,
	StreamMessageReader,
	StreamMessageWriter,
	type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type { Diagnostic } from 'vscode-languageserver-types';
import { URI } from 'vscode-uri';
import type { DebugStats, StatusParams } from '../../common/protocol';
import { SERVER_EXEC_ARGV } from '../../common/serverRuntime';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SERVER_JS = path.join(ROOT, 'dist', 'server.js');
export const CLI_JS = path.join(ROOT, 'dist', 'cli.js');
export const GO_BIN = '/usr/local/go/bin';

/** The environment every run gets: the local toolchain, never a download. */
export function goEnv(extra: Record<string, string> = {}): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
	return { ...env, PATH: `${GO_BIN}:${env.PATH ?? ''}`, GOTOOLCHAIN: 'local', ...extra };
}

export interface SessionOptions {
	/** Workspace folder (absolute path). */
	root: string;
	/** What `workspace/configuration` answers for the `goMemlens` section. */
	settings?: Record<string, unknown>;
	initializationOptions?: Record<string, unknown>;
	env?: Record<string, string>;
	/** Defaults to `node dist/server.js --stdio`. */
	command?: string[];
	/** Extra capabilities merged into the client's (e.g. for gopls). */
	capabilities?: Record<string, unknown>;
}

interface Waiter {
	test: () => boolean;
	resolve: () => void;
}

export class Session {
	readonly proc: ChildProcess;
	readonly conn: ProtocolConnection;
	stderr = '';
	readonly diagnostics = new Map<string, { version?: number; diagnostics: Diagnostic[]; at: number; seq: number }>();
	readonly statuses: StatusParams[] = [];
	/** Every notification method seen, with a counter (for tests that assert on traffic). */
	readonly notifications: { method: string; params: unknown; at: number }[] = [];
	exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
	private seq = 0;
	private waiters: Waiter[] = [];
	private versions = new Map<string, number>();
	private texts = new Map<string, string>();

	constructor(readonly opts: SessionOptions) {
		// The server runs as the client starts it (heap sizing: common/serverRuntime.ts).
		const [cmd, ...args] = opts.command ?? [process.execPath, ...SERVER_EXEC_ARGV, SERVER_JS, '--stdio'];
		this.proc = spawn(cmd, args, { cwd: opts.root, env: goEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
		this.proc.stderr!.on('data', (d: Buffer) => {
			this.stderr += d.toString();
		});
		this.proc.on('exit', (code, signal) => {
			this.exited = { code, signal };
			this.poke();
		});
		this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
		this.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
			p.items.map((it) => (it.section === 'goMemlens' || it.section === undefined ? (opts.settings ?? {}) : null)),
		);
		this.conn.onRequest('window/workDoneProgress/create', () => null);
		this.conn.onRequest('client/registerCapability', () => null);
		this.conn.onRequest('client/unregisterCapability', () => null);
		this.conn.onRequest('workspace/diagnostic/refresh', () => null);
		this.conn.onRequest('workspace/codeLens/refresh', () => null);
		this.conn.onRequest('workspace/inlayHint/refresh', () => null);
		this.conn.onRequest('workspace/semanticTokens/refresh', () => null);
		this.conn.onRequest('window/showMessageRequest', () => null);
		this.conn.onRequest('workspace/applyEdit', () => ({ applied: false }));
		const record = (method: string) =>
			this.conn.onNotification(method, (params: unknown) => {
				this.notifications.push({ method, params, at: performance.now() });
				if (method === 'textDocument/publishDiagnostics') {
					const p = params as { uri: string; version?: number; diagnostics: Diagnostic[] };
					this.diagnostics.set(p.uri, { version: p.version, diagnostics: p.diagnostics, at: performance.now(), seq: ++this.seq });
				} else if (method === 'goMemlens/status') {
					this.statuses.push(params as StatusParams);
				}
				this.poke();
			});
		for (const m of ['textDocument/publishDiagnostics', 'goMemlens/status', 'goMemlens/heapSites', '$/progress', 'window/logMessage', 'window/showMessage', '$/logTrace', 'telemetry/event']) record(m);
		this.conn.onError(() => undefined);
		this.conn.listen();
	}

	async initialize(): Promise<unknown> {
		const rootUri = URI.file(this.opts.root).toString();
		const result = await this.conn.sendRequest('initialize', {
			processId: process.pid,
			rootUri,
			workspaceFolders: [{ uri: rootUri, name: path.basename(this.opts.root) }],
			initializationOptions: this.opts.initializationOptions,
			capabilities: {
				workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: true } },
				window: { workDoneProgress: true },
				textDocument: {
					publishDiagnostics: { relatedInformation: true, versionSupport: true, tagSupport: { valueSet: [1, 2] } },
					synchronization: { didSave: true, dynamicRegistration: true },
					hover: { contentFormat: ['markdown', 'plaintext'] },
					codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } },
				},
				experimental: { goMemlens: true },
				...this.opts.capabilities,
			},
		});
		await this.conn.sendNotification('initialized', {});
		return result;
	}

	uri(file: string): string {
		return URI.file(path.resolve(this.opts.root, file)).toString();
	}

	/** Opens `file` (relative to the root) with its disk contents or `text`. */
	async open(file: string, text?: string): Promise<string> {
		const uri = this.uri(file);
		const content = text ?? readFileSync(path.resolve(this.opts.root, file), 'utf8');
		this.versions.set(uri, 1);
		this.texts.set(uri, content);
		await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'go', version: 1, text: content } });
		return uri;
	}

	/** Replaces the whole text (full sync) and returns the new version. */
	async change(uri: string, text: string): Promise<number> {
		const version = (this.versions.get(uri) ?? 1) + 1;
		this.versions.set(uri, version);
		this.texts.set(uri, text);
		await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
		return version;
	}

	/** An incremental edit (range replacement); `text` is the caller's resulting full text. */
	async edit(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, insert: string, fullText: string): Promise<number> {
		const version = (this.versions.get(uri) ?? 1) + 1;
		this.versions.set(uri, version);
		this.texts.set(uri, fullText);
		await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: insert }] });
		return version;
	}

	async save(uri: string): Promise<void> {
		await this.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
	}

	async close(uri: string): Promise<void> {
		await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
	}

	version(uri: string): number {
		return this.versions.get(uri) ?? 0;
	}

	async debugStats(): Promise<DebugStats> {
		return this.conn.sendRequest('goMemlens/debugStats');
	}

	async hover(uri: string, line: number, character: number): Promise<unknown> {
		return this.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } });
	}

	/** Resolves when `test()` holds, re-checked on every message; rejects after `timeoutMs` or if the server exits. */
	waitFor(test: () => boolean, timeoutMs = 60_000, what = 'condition'): Promise<void> {
		if (test()) return Promise.resolve();
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.waiters = this.waiters.filter((w) => w !== waiter);
				reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr:\n${this.stderr.slice(-2000)}`));
			}, timeoutMs);
			const waiter: Waiter = {
				test: () => {
					if (this.exited) throw new Error(`server exited (${JSON.stringify(this.exited)}) waiting for ${what}; stderr:\n${this.stderr.slice(-2000)}`);
					return test();
				},
				resolve: () => {
					clearTimeout(timer);
					resolve();
				},
			};
			const origTest = waiter.test;
			waiter.test = () => {
				try {
					return origTest();
				} catch (e) {
					clearTimeout(timer);
					reject(e);
					return true;
				}
			};
			this.waiters.push(waiter);
		});
	}

	/** Waits for a quiescent status sent after `since` (an index into `statuses`). */
	async waitQuiescent(since: number, timeoutMs = 120_000): Promise<StatusParams> {
		await this.waitFor(() => this.statuses.slice(since).some((s) => s.quiescent && s.state !== 'running'), timeoutMs, 'a quiescent status');
		return this.statuses.slice(since).reverse().find((s) => s.quiescent)!;
	}

	/** Waits for diagnostics of `uri` published after sequence mark `since` (see `mark()`). */
	async waitDiagnostics(uri: string, since: number, test: (d: Diagnostic[]) => boolean = () => true, timeoutMs = 120_000): Promise<Diagnostic[]> {
		await this.waitFor(() => {
			const d = this.diagnostics.get(uri);
			return !!d && d.seq > since && test(d.diagnostics);
		}, timeoutMs, `diagnostics for ${uri}`);
		return this.diagnostics.get(uri)!.diagnostics;
	}

	/** The current diagnostics sequence number (to wait for newer ones). */
	mark(): number {
		return this.seq;
	}

	async stop(): Promise<void> {
		if (!this.exited) {
			try {
				await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000))]);
				await this.conn.sendNotification('exit');
			} catch {
				// already gone
			}
			await Promise.race([new Promise((r) => this.proc.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
		}
		if (!this.exited) this.proc.kill('SIGKILL');
		this.conn.dispose();
	}

	private poke(): void {
		for (const w of [...this.waiters]) {
			if (w.test()) {
				this.waiters = this.waiters.filter((x) => x !== w);
				w.resolve();
			}
		}
	}
}

/** Starts and initializes a session. */
export async function startSession(opts: SessionOptions): Promise<Session> {
	const s = new Session(opts);
	await s.initialize();
	return s;
}

/** Process ids of all descendants of `pid` (from /proc). */
export function descendantPids(pid: number | undefined): number[] {
	if (!pid) return [];
	const parent = new Map<number, number>();
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
			// the command may contain spaces and parentheses: the fields start after the last ')'
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			parent.set(Number(name), Number(fields[1]));
		} catch {
			// the process ended while we looked
		}
	}
	const out: number[] = [];
	const frontier = [pid];
	while (frontier.length) {
		const p = frontier.pop()!;
		for (const [c, pp] of parent) {
			if (pp === p) {
				out.push(c);
				frontier.push(c);
			}
		}
	}
	return out;
}

/** The command names of `pids` (gone processes are skipped). */
export function commNames(pids: number[]): string[] {
	const out: string[] = [];
	for (const p of pids) {
		try {
			out.push(readFileSync(`/proc/${p}/comm`, 'utf8').trim());
		} catch {
			// ended
		}
	}
	return out;
}

/** The command lines (argv joined by spaces) of `pids` (gone processes are skipped). */
/**
 * Direct children of `pid`. The go commands the server starts are its direct children; their own
 * children include, for an instant after fork and before exec, copies with the parent's command
 * line, which must not count as a second go command.
 */
export function childPids(pid: number | undefined): number[] {
	if (!pid) return [];
	const out: number[] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
			if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
		} catch {
			// the process ended while we looked
		}
	}
	return out;
}

export function cmdLines(pids: number[]): string[] {
	const out: string[] = [];
	for (const p of pids) {
		try {
			out.push(readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' '));
		} catch {
			// ended
		}
	}
	return out;
}

/** Lines of a server's stderr that mean a crash or an unhandled rejection. */
export function stderrProblems(stderr: string): string[] {
	return stderr.split('\n').filter((l) => /Unhandled|unhandledRejection|TypeError|RangeError|ReferenceError|FATAL ERROR|^\s+at .+:\d+:\d+\)?$/.test(l));
}

/** Resident set size of `pid` in bytes (from /proc/PID/status). */
export function rssOf(pid: number | undefined): number {
	if (!pid) return 0;
	try {
		const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) * 1024 : 0;
	} catch {
		return 0;
	}
}
