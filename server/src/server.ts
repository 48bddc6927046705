/**
 * Entry point of the Go MemLens language server (`dist/server.js --stdio`, or `--node-ipc`).
 * The transport is chosen by vscode-languageserver from the command line.
 */
import { setFlagsFromString } from 'node:v8';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { SERVER_V8_FLAGS } from '../../common/serverRuntime';
import { startServer } from './lsp/connection';

// Heap sizing (see common/serverRuntime.ts). Only GC heuristics: a V8 that lacks a flag ignores it.
for (const flag of SERVER_V8_FLAGS) {
	try {
		setFlagsFromString(flag);
	} catch {
		// not fatal: the defaults apply
	}
}

const connection = createConnection(ProposedFeatures.all);

// The server must outlive any bug in a handler or an engine: log and carry on.
process.on('uncaughtException', (e) => {
	try {
		connection.console.error(`[memlens] uncaught: ${e instanceof Error ? e.stack : String(e)}`);
	} catch {
		// the connection itself is gone; nothing left to report to
	}
});
process.on('unhandledRejection', (e) => {
	try {
		connection.console.error(`[memlens] unhandled rejection: ${e instanceof Error ? e.stack : String(e)}`);
	} catch {
		// as above
	}
});

startServer(connection);
