/**
 * Go MemLens client: starts the language server (`dist/server.js` over stdio) and adds what LSP
 * has no words for: heap notes, the status item, and the compiler-output view.
 */
import * as vscode from 'vscode';
import {
	LanguageClient,
	RevealOutputChannelOn,
	State,
	TransportKind,
	type ClientCapabilities,
	type FeatureState,
	type LanguageClientOptions,
	type ServerOptions,
	type StaticFeature,
} from 'vscode-languageclient/node';
import { HeapSitesNotification, SetTrustedNotification, StatusNotification } from '../../common/protocol';
import { SERVER_EXEC_ARGV } from '../../common/serverRuntime';
import { registerCommands } from './commands';
import { DuplicateFilter } from './dedupe';
import { registerProfiles } from './profiles';
import { HeapDecorations } from './decorations';
import { RawOutputDocuments } from './rawOutput';
import { StatusItem } from './status';

let client: LanguageClient | undefined;

/** Declares `experimental.goMemlens`, so the server sends its custom notifications to us. */
class MemlensFeature implements StaticFeature {
	fillClientCapabilities(capabilities: ClientCapabilities): void {
		capabilities.experimental = { ...(capabilities.experimental as object | undefined), goMemlens: true };
	}
	initialize(): void {}
	getState(): FeatureState {
		return { kind: 'static' };
	}
	clear(): void {}
}

/** Activated on the first Go file (or a Go MemLens command). */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
	const log = vscode.window.createOutputChannel('Go MemLens', { log: true });
	context.subscriptions.push(log);

	const module = context.asAbsolutePath('dist/server.js');
	const serverOptions: ServerOptions = {
		// Heap sizing measured on GOROOT's net/http: see common/serverRuntime.ts.
		run: { module, transport: TransportKind.stdio, options: { execArgv: [...SERVER_EXEC_ARGV] } },
		debug: { module, transport: TransportKind.stdio, options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6019'] } },
	};
	// Diagnostics another extension (gopls) already shows are shown once (goMemlens.dedupeWithOtherSources).
	const duplicates = new DuplicateFilter(() => client?.diagnostics);
	context.subscriptions.push(duplicates);
	const clientOptions: LanguageClientOptions = {
		documentSelector: [
			{ scheme: 'file', language: 'go' },
			{ scheme: 'untitled', language: 'go' },
		],
		outputChannel: log,
		revealOutputChannelOn: RevealOutputChannelOn.Never,
		// A function, so a restart after the user granted trust sends the new value. VS Code shows a
		// diagnostic's message, code link and related positions on hover: the server's hovers then add
		// only what the diagnostic does not say (docs/hover.md).
		initializationOptions: () => ({ trusted: vscode.workspace.isTrusted, diagnosticsInHover: true }),
		middleware: { handleDiagnostics: duplicates.handleDiagnostics, provideHover: duplicates.provideHover },
	};
	// The id matches the settings prefix, so `goMemlens.trace.server` works.
	client = new LanguageClient('goMemlens', 'Go MemLens', serverOptions, clientOptions);
	client.registerFeature(new MemlensFeature());

	const decorations = new HeapDecorations(context.extensionUri);
	const status = new StatusItem();
	const raw = new RawOutputDocuments();
	context.subscriptions.push(decorations, status, raw);

	const c = client;
	context.subscriptions.push(
		c.onNotification(HeapSitesNotification.type, (p) => decorations.update(p)),
		c.onNotification(StatusNotification.type, (p) => status.update(p)),
		c.onDidChangeState((e) => {
			// A restarted server re-sends what it knows; old notes would point at old results.
			if (e.newState === State.Starting) {
				decorations.clear();
				duplicates.clear();
			}
			if (e.newState === State.Stopped) status.serverStopped();
		}),
		vscode.workspace.onDidGrantWorkspaceTrust(() => {
			if (c.isRunning()) void c.sendNotification(SetTrustedNotification.type, { trusted: true });
		}),
	);
	registerCommands({ context, client: c, log, status, raw });
	// The allocation profile commands and the hot-spot view (client/src/profiles.ts).
	registerProfiles(context, c);

	try {
		await c.start();
	} catch (e) {
		log.error(`the language server failed to start: ${e instanceof Error ? e.message : String(e)}`);
		status.serverStopped();
	}
}

/** Stops the server (the client waits for it to exit). */
export async function deactivate(): Promise<void> {
	await client?.stop();
	client = undefined;
}
