/**
 * A small LSP test client: spawns the real server (`node dist/server.js --stdio`), speaks JSON-RPC
 * over its stdio with vscode-languageserver-protocol, records what the server publishes, and lets
 * tests wait on events (diagnostics matching a predicate, a quiescent status) instead of sleeping.
 * Reused by the hardening tests. Always kills the server in `shutdown()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
	ConfigurationRequest,
	createProtocolConnection,
	DidChangeTextDocumentNotification,
	DidCloseTextDocumentNotification,
	DidOpenTextDocumentNotification,
	DidSaveTextDocumentNotification,
	ExitNotification,
	InitializedNotification,
	InitializeRequest,
	PublishDiagnosticsNotification,
	RegistrationRequest,
	ShutdownRequest,
	StreamMessageReader,
	StreamMessageWriter,
	WorkDoneProgressCreateRequest,
	type ClientCapabilities,
	type ConfigurationItem,
	type Diagnostic,
	type InitializeResult,
	type ProtocolConnection,
	type PublishDiagnosticsParams,
	type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { DebugStatsRequest, HeapSitesNotification, StatusNotification, type DebugStats, type HeapSitesParams, type StatusParams } from '../../common/protocol';
import { SERVER_EXEC_ARGV } from '../../common/serverRuntime';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SERVER_JS = path.join(REPO_ROOT, 'dist', 'server.js');

/** Capabilities of a full-featured client (VS Code-like, plus experimental.goMemlens). */
export const FULL_CAPABILITIES: ClientCapabilities = {
	workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, didChangeWatchedFiles: { dynamicRegistration: true } },
	window: { workDoneProgress: true },
	textDocument: {
		synchronization: { didSave: true },
		publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, tagSupport: { valueSet: [1, 2] }, versionSupport: true, dataSupport: true },
		hover: { contentFormat: ['markdown', 'plaintext'] },
		codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, isPreferredSupport: true, dataSupport: true },
	},
	experimental: { goMemlens: true },
};

/** Capabilities of a bare client (no configuration request, no extensions, plaintext hover). */
export const MINIMAL_CAPABILITIES: ClientCapabilities = { textDocument: { synchronization: { didSave: true } } };

export interface StartOptions {
	capabilities?: ClientCapabilities;
	initializationOptions?: unknown;
	/** Answers `workspace/configuration` items (default: null for every item). */
	configuration?: (item: ConfigurationItem) => unknown;
	rootPath?: string;
	env?: NodeJS.ProcessEnv;
	serverPath?: string;
	/** Extra node flags for the server process (e.g. `--expose-gc` for memory measurements). */
	nodeArgs?: string[];
	/** `initialize.processId` (default: this test process). */
	processId?: number | null;
}

type Waiter<T> = { match: (v: T) => boolean; resolve: (v: T) => void };

export class LspClient {
	readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
	/** Every publishDiagnostics received, in order. */
	readonly published: PublishDiagnosticsParams[] = [];
	readonly statuses: StatusParams[] = [];
	readonly heapSites = new Map<string, HeapSitesParams>();
	readonly logs: string[] = [];
	readonly registrations: string[] = [];
	/** `$/progress` notifications received, in order. */
	readonly progress: { token: string | number; value: { kind: string; title?: string; cancellable?: boolean } }[] = [];
	initializeResult!: InitializeResult;
	private versions = new Map<string, number>();
	private diagWaiters: Waiter<PublishDiagnosticsParams>[] = [];
	private statusWaiters: Waiter<StatusParams>[] = [];
	private progressWaiters: Waiter<LspClient['progress'][number]>[] = [];
	private exited: Promise<void>;

	private constructor(
		readonly connection: ProtocolConnection,
		readonly child: ChildProcess,
	) {
		this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
	}

	/** Spawns the server and completes initialize/initialized. */
	static async start(opts: StartOptions = {}): Promise<LspClient> {
		// The server runs as the client starts it (heap sizing: common/serverRuntime.ts), plus any extra node args.
		const child = spawn(process.execPath, [...SERVER_EXEC_ARGV, ...(opts.nodeArgs ?? []), opts.serverPath ?? SERVER_JS, '--stdio'], {
			stdio: ['pipe', 'pipe', 'pipe'],
			env: { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH}`, GOTOOLCHAIN: 'local', ...opts.env },
		});
		const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
		const client = new LspClient(connection, child);
		child.stderr!.on('data', (b: Buffer) => client.logs.push(b.toString()));
		connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
			client.diagnostics.set(p.uri, p);
			client.published.push(p);
			client.fire(client.diagWaiters, p);
		});
		connection.onNotification(StatusNotification.type, (p) => {
			client.statuses.push(p);
			client.fire(client.statusWaiters, p);
		});
		connection.onNotification(HeapSitesNotification.type, (p) => {
			client.heapSites.set(p.uri, p);
		});
		connection.onNotification('window/logMessage', (p: { message: string }) => {
			client.logs.push(p.message);
		});
		connection.onRequest(ConfigurationRequest.type, (p) => p.items.map((it) => (opts.configuration ? opts.configuration(it) : null)));
		connection.onRequest(RegistrationRequest.type, (p) => {
			for (const r of p.registrations) client.registrations.push(r.method);
		});
		connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
		connection.onNotification('$/progress', (p: LspClient['progress'][number]) => {
			client.progress.push(p);
			client.fire(client.progressWaiters, p);
		});
		connection.listen();
		const root = opts.rootPath ?? REPO_ROOT;
		client.initializeResult = await connection.sendRequest(InitializeRequest.type, {
			processId: opts.processId === undefined ? process.pid : opts.processId,
			rootUri: URI.file(root).toString(),
			workspaceFolders: [{ uri: URI.file(root).toString(), name: path.basename(root) }],
			capabilities: opts.capabilities ?? FULL_CAPABILITIES,
			initializationOptions: opts.initializationOptions,
		});
		await connection.sendNotification(InitializedNotification.type, {});
		return client;
	}

	private fire<T>(waiters: Waiter<T>[], v: T): void {
		for (const w of [...waiters]) {
			if (w.match(v)) {
				waiters.splice(waiters.indexOf(w), 1);
				w.resolve(v);
			}
		}
	}

	/** Opens a file (its disk text unless `text` is given); returns its URI. */
	async open(filePath: string, text?: string): Promise<string> {
		const uri = URI.file(filePath).toString();
		this.versions.set(uri, 1);
		await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
			textDocument: { uri, languageId: /go\.(mod|work)$/.test(filePath) ? path.basename(filePath) : 'go', version: 1, text: text ?? readFileSync(filePath, 'utf8') },
		});
		return uri;
	}

	async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
		const version = (this.versions.get(uri) ?? 1) + 1;
		this.versions.set(uri, version);
		await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
		return version;
	}

	async save(uri: string): Promise<void> {
		await this.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
	}

	async close(uri: string): Promise<void> {
		await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
	}

	/** The next (or already received latest) diagnostics for `uri` matching `pred`. */
	waitForDiagnostics(uri: string, pred: (d: Diagnostic[], p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 90_000): Promise<Diagnostic[]> {
		const latest = this.diagnostics.get(uri);
		if (latest && pred(latest.diagnostics, latest)) return Promise.resolve(latest.diagnostics);
		return this.wait(this.diagWaiters, (p) => p.uri === uri && pred(p.diagnostics, p), timeoutMs, `diagnostics for ${uri}`).then((p) => p.diagnostics);
	}

	/** The next diagnostics published for `uri` from now on. */
	nextDiagnostics(uri: string, pred: (d: Diagnostic[]) => boolean = () => true, timeoutMs = 90_000): Promise<Diagnostic[]> {
		return this.wait(this.diagWaiters, (p) => p.uri === uri && pred(p.diagnostics), timeoutMs, `next diagnostics for ${uri}`).then((p) => p.diagnostics);
	}

	/** The next status notification with `quiescent: true` (optionally also matching `pred`). */
	waitForQuiescent(pred: (s: StatusParams) => boolean = () => true, timeoutMs = 90_000): Promise<StatusParams> {
		return this.wait(this.statusWaiters, (s) => s.quiescent && pred(s), timeoutMs, 'a quiescent status');
	}

	/** The next `$/progress` report of `kind` ('begin' | 'report' | 'end'). */
	waitForProgress(kind: string, timeoutMs = 90_000) {
		return this.wait(this.progressWaiters, (p) => p.value?.kind === kind, timeoutMs, `progress ${kind}`);
	}

	/** The next status matching `pred`. */
	waitForStatus(pred: (s: StatusParams) => boolean, timeoutMs = 90_000): Promise<StatusParams> {
		return this.wait(this.statusWaiters, pred, timeoutMs, 'a matching status');
	}

	// The timeout is a safety net that turns a hang into a readable failure, not a timing assertion.
	private wait<T>(waiters: Waiter<T>[], match: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			const timer = setTimeout(() => {
				waiters.splice(waiters.indexOf(w), 1);
				reject(new Error(`timed out waiting for ${what}; server log:\n${this.logs.slice(-20).join('\n')}`));
			}, timeoutMs);
			// The server's pipes keep the process alive while a test waits; a waiter left behind does not.
			timer.unref();
			const w: Waiter<T> = {
				match,
				resolve: (v) => {
					clearTimeout(timer);
					resolve(v);
				},
			};
			waiters.push(w);
		});
	}

	hover(uri: string, line: number, character: number) {
		return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } }) as Promise<{
			contents: { kind: string; value: string };
			range?: unknown;
		} | null>;
	}

	codeActions(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, diagnostics: Diagnostic[] = [], only?: string[]) {
		return this.connection.sendRequest('textDocument/codeAction', {
			textDocument: { uri },
			range,
			context: only ? { diagnostics, only } : { diagnostics },
		}) as Promise<{ title: string; kind?: string; isPreferred?: boolean; edit?: { changes?: Record<string, { range: unknown; newText: string }[]> } }[]>;
	}

	debugStats(): Promise<DebugStats> {
		return this.connection.sendRequest(DebugStatsRequest.type);
	}

	/** shutdown + exit, then makes sure the process is gone. */
	async shutdown(): Promise<void> {
		try {
			if (this.child.exitCode === null) {
				await Promise.race([this.connection.sendRequest(ShutdownRequest.type), this.exited]);
				await this.connection.sendNotification(ExitNotification.type);
			}
		} catch {
			// the server is gone already; the kill below makes sure
		}
		const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
		await this.exited;
		clearTimeout(killer);
		this.connection.dispose();
	}
}
