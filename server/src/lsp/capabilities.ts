/** What the client can do (read once from `initialize`) and what the server offers in return. */
import {
	CodeActionKind,
	TextDocumentSyncKind,
	type ClientCapabilities,
	type InitializeParams,
	type ServerCapabilities,
} from 'vscode-languageserver/node';
import { Commands } from '../../../common/protocol';
import type { ClientCaps } from '../report/types';

/** The code action kind of "fix all safe memlens fixes in this file". */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.memlens`;

export type { ClientCaps };

/** Reads the capabilities we use from the client's `initialize` params. */
export function readClientCaps(params: InitializeParams): ClientCaps {
	const c: ClientCapabilities = params.capabilities ?? {};
	const pd = c.textDocument?.publishDiagnostics;
	const hoverFormats = c.textDocument?.hover?.contentFormat ?? [];
	const experimental = (c.experimental ?? {}) as Record<string, unknown>;
	const io: unknown = params.initializationOptions;
	const init = (typeof io === 'object' && io !== null ? io : {}) as Record<string, unknown>;
	return {
		configuration: c.workspace?.configuration === true,
		configurationDynamic: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
		watchedFilesDynamic: c.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
		workDoneProgress: c.window?.workDoneProgress === true,
		relatedInformation: pd?.relatedInformation === true,
		codeDescription: pd?.codeDescriptionSupport === true,
		tagSupport: (pd?.tagSupport?.valueSet?.length ?? 0) > 0,
		versionSupport: pd?.versionSupport === true,
		hoverMarkdown: hoverFormats.includes('markdown'),
		codeActionLiterals: c.textDocument?.codeAction?.codeActionLiteralSupport !== undefined,
		memlensExtensions: experimental.goMemlens !== undefined && experimental.goMemlens !== false,
		diagnosticsInHover: init.diagnosticsInHover === true,
		codeLensRefresh: c.workspace?.codeLens?.refreshSupport === true,
		trusted: !('trusted' in init) || init.trusted === true,
	};
}

/** The server capabilities, shaped by what the client supports. */
export function serverCapabilities(caps: ClientCaps): ServerCapabilities {
	return {
		textDocumentSync: {
			openClose: true,
			change: TextDocumentSyncKind.Incremental,
			save: { includeText: false },
		},
		hoverProvider: true,
		// Fixes are computed with the findings, so no resolve step is needed.
		codeActionProvider: caps.codeActionLiterals
			? { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] }
			: true,
		executeCommandProvider: { commands: [Commands.rerun, Commands.toggleStackFacts, Commands.profileBenchmark] },
		// "Show what stays on the stack in this function" (report/stackLens.ts), "Profile allocations" above benchmarks (lsp/profiles.ts).
		codeLensProvider: { resolveProvider: false },
	};
}
