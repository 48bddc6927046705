/**
 * Wires the LSP connection to the session: capability negotiation, document sync, hover, code
 * actions, commands and the custom goMemlens/* messages. Every handler is guarded: a failure is
 * logged and answered with an empty result, never a crash.
 */
import {
	DidChangeConfigurationNotification,
	DidChangeWatchedFilesNotification,
	type Connection,
	type InitializeResult,
} from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { ClearProfileNotification, Commands, DebugStatsRequest, HotSpotsRequest, LoadProfileRequest, RawOutputRequest, SetTrustedNotification } from '../../../common/protocol';
import { findGo } from './engines';
import { ProfileStore } from './profiles';
import { readClientCaps, serverCapabilities, type ClientCaps } from './capabilities';
import { isGoDocument } from './documents';
import { watchClientProcess } from './lifecycle';
import { Session } from './session';

/** Starts serving on `connection`; returns when the handlers are registered. */
export function startServer(connection: Connection): void {
	let caps: ClientCaps | undefined;
	let session: Session | undefined;
	let profiles: ProfileStore | undefined;
	let ready: Promise<void> = Promise.resolve();
	const log = (msg: string) => connection.console.log(`[memlens] ${msg}`);

	const guard = async <T>(what: string, fallback: T, fn: () => T | Promise<T>): Promise<T> => {
		try {
			return await fn();
		} catch (e) {
			log(`${what} failed: ${e instanceof Error ? e.stack : String(e)}`);
			return fallback;
		}
	};

	connection.onInitialize((params): InitializeResult => {
		caps = readClientCaps(params);
		session = new Session(connection, caps, log);
		// The editor died without shutdown: exit (the exit hook stops the toolchain and removes the temp dir).
		watchClientProcess(params.processId, () => {
			// stderr: written before exit (a message to the gone client may never be flushed).
			process.stderr.write(`[memlens] the client process ${params.processId} is gone: exiting\n`);
			session?.dispose();
			process.exit(1);
		});
		ready = session.init().catch((e) => log(`syntax engine failed to load: ${String(e)}`));
		const folders = (params.workspaceFolders ?? []).map((f) => URI.parse(f.uri).fsPath);
		if (!folders.length && params.rootUri) folders.push(URI.parse(params.rootUri).fsPath);
		const s = session;
		profiles = new ProfileStore({
			connection,
			caps,
			log,
			trusted: () => s.trusted,
			roots: () => [...new Set([...folders, ...s.docs.all().map((d) => d.dir)])],
			settings: (uri) => s.settings.get(uri),
			goBin: (r) => findGo(r.memlens.goPath, r.go.goroot, r.go.alternateGo),
			facts: (dir) => s.packageFacts(dir),
			republish: () => s.configurationChanged(),
		});
		session.profileOf = (file) => profiles?.fileProfile(file);
		return { capabilities: serverCapabilities(caps), serverInfo: { name: 'Go MemLens', version: '0.1.0' } };
	});

	connection.onInitialized(() => {
		if (!caps) return;
		if (caps.configurationDynamic) {
			void connection.client.register(DidChangeConfigurationNotification.type, { section: ['goMemlens', 'go'] }).catch(() => undefined);
		}
		if (caps.watchedFilesDynamic) {
			void connection.client
				.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/go.{mod,work}' }] })
				.catch(() => undefined);
		}
	});

	connection.onDidChangeConfiguration(() => guard('didChangeConfiguration', undefined, () => session?.configurationChanged()));
	connection.onDidChangeWatchedFiles((p) =>
		guard('didChangeWatchedFiles', undefined, async () => {
			// Created, changed or deleted: any go.mod/go.work event can change versions and builds.
			if (p.changes.some((c) => /\/go\.(mod|work)$/.test(c.uri))) await session?.modulesChanged();
		}),
	);

	// Document events are applied in order: each waits for the previous one, and each is cheap (the
	// text, the tree, positions moved; the rules, reports and compiles they cause run as jobs, see
	// documentReports.ts and escapeRuns.ts). A hover or code action waits for the events of its own
	// document, then has that document's pending job run first: it never waits for other documents'
	// work, a compile, the rule thread or the toolchain.
	let queue: Promise<unknown> = Promise.resolve();
	const lastEvent = new Map<string, Promise<unknown>>();
	const inOrder = (what: string, fn: (s: Session) => Promise<void> | void, uri?: string) => {
		const done = queue.then(() => ready).then(() => guard(what, undefined, () => (session ? fn(session) : undefined)));
		queue = done;
		if (uri) {
			lastEvent.set(uri, done);
			void done.then(() => {
				if (lastEvent.get(uri) === done) lastEvent.delete(uri);
			});
		}
	};
	const settled = (uri: string) => (lastEvent.get(uri) ?? Promise.resolve()).then(() => ready);

	connection.onDidOpenTextDocument((p) => {
		const { uri, languageId, version, text } = p.textDocument;
		if (isGoDocument(uri, languageId)) inOrder('didOpen', (s) => s.opened(uri, languageId, version, text), uri);
	});
	connection.onDidChangeTextDocument((p) => {
		const { uri, version } = p.textDocument;
		inOrder(
			'didChange',
			(s) => {
				profiles?.changed(URI.parse(uri).fsPath, p.contentChanges);
				return s.changed(uri, p.contentChanges, version);
			},
			uri,
		);
	});
	connection.onDidSaveTextDocument((p) => inOrder('didSave', (s) => s.saved(p.textDocument.uri), p.textDocument.uri));
	connection.onDidCloseTextDocument((p) => inOrder('didClose', (s) => s.closed(p.textDocument.uri), p.textDocument.uri));

	connection.onHover((p) =>
		guard('hover', null, async () => {
			await settled(p.textDocument.uri);
			await session?.ready(p.textDocument.uri);
			if (!session) return null;
			const file = URI.parse(p.textDocument.uri).fsPath;
			const cost = profiles ? (hasFact: boolean) => profiles!.hoverCost(file, p.position.line, session!.caps.hoverMarkdown, hasFact) : undefined;
			return session.hover(p.textDocument.uri, p.position, cost) ?? null;
		}),
	);

	connection.onCodeLens((p) =>
		guard('codeLens', [], async () => {
			await settled(p.textDocument.uri);
			await session?.ready(p.textDocument.uri);
			const d = session?.docs.get(p.textDocument.uri);
			// The stack lenses (report/stackLens.ts) and "Profile allocations" above benchmarks (lsp/profiles.ts).
			const stack = session?.codeLenses(p.textDocument.uri) ?? [];
			return d && profiles ? [...stack, ...profiles.codeLenses(p.textDocument.uri, d.doc.getText())] : stack;
		}),
	);

	connection.onCodeAction((p) =>
		guard('codeAction', [], async () => {
			await settled(p.textDocument.uri);
			await session?.ready(p.textDocument.uri);
			return session?.actions.actions(p) ?? [];
		}),
	);

	connection.onRequest(LoadProfileRequest.type, (p) => guard('loadProfile', { ok: false, message: 'internal error' }, () => profiles?.load(p) ?? { ok: false, message: 'not initialized' }));
	connection.onRequest(HotSpotsRequest.type, () => guard('hotSpots', { title: '', spots: [], notes: [] }, () => profiles?.hotSpots() ?? { title: '', spots: [], notes: [] }));
	connection.onNotification(ClearProfileNotification.type, () => inOrder('clearProfile', () => profiles?.clear()));

	connection.onExecuteCommand((p) =>
		guard('executeCommand', null, async () => {
			if (p.command === Commands.profileBenchmark) {
				const [uri, name] = p.arguments ?? [];
				if (typeof uri !== 'string' || typeof name !== 'string' || !profiles) return null;
				const r = await profiles.runBenchmark(uri, name);
				if (!r.ok) void connection.window.showWarningMessage(`Profile allocations: ${r.message}`);
				return r;
			}
			if (p.command === Commands.rerun) {
				const arg = p.arguments?.[0];
				await session?.rerun(typeof arg === 'string' ? arg : undefined);
			} else if (p.command === Commands.toggleStackFacts) {
				const [uri, target] = p.arguments ?? [];
				const where = stackTarget(target);
				// In order with the document's edits: the function is looked up in the text the client sees.
				if (typeof uri === 'string' && where !== undefined) {
					let toggled = false;
					inOrder('toggleStackFacts', async (s) => void (toggled = await s.toggleStack(uri, where)), uri);
					await settled(uri);
					return toggled;
				}
				return false;
			}
			return null;
		}),
	);

	connection.onRequest(RawOutputRequest.type, (p) => guard('rawOutput', null, () => session?.rawOutput(p.uri) ?? null));
	connection.onRequest(DebugStatsRequest.type, () =>
		guard('debugStats', undefined, () => session?.debugStats()).then(
			(s) => s ?? { spawnCount: 0, liveProcesses: 0, liveTrees: 0, rssBytes: process.memoryUsage().rss, heapUsedBytes: process.memoryUsage().heapUsed },
		),
	);
	connection.onNotification(SetTrustedNotification.type, (p) => inOrder('setTrusted', (s) => s.setTrusted(p.trusted === true)));

	connection.onShutdown(() => {
		profiles?.dispose();
		session?.dispose();
		session = undefined;
	});
	// Exit without shutdown (the client died): still stop compiles and free trees.
	connection.onExit(() => session?.dispose());

	connection.listen();
}

/** A toggleStackFacts target: a lens's function key or an LSP position. */
function stackTarget(v: unknown): string | { line: number; character: number } | undefined {
	if (typeof v === 'string') return v;
	if (typeof v !== 'object' || v === null) return undefined;
	const { line, character } = v as Record<string, unknown>;
	return Number.isInteger(line) && Number.isInteger(character) ? { line: line as number, character: character as number } : undefined;
}
