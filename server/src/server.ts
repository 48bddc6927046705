/**
 * Entry point of the Go MemLens language server (`dist/server.js --stdio`, or `--node-ipc`).
 * The transport is chosen by vscode-languageserver from the command line.
 */
import { setFlagsFromString } from 'node:v8';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { SERVER_V8_FLAGS } from '../../common/serverRuntime';
import { startServer } from './lsp/connection';
import { messageStrategy } from './lsp/messageGate';
import { consoleToClient, StdioMessageWriter } from './lsp/wire';
import { installExitCleanup } from './toolchain/exitCleanup';

// Heap sizing (see common/serverRuntime.ts). Only GC heuristics: a V8 that lacks a flag ignores it.
for (const flag of SERVER_V8_FLAGS) {
	try {
		setFlagsFromString(flag);
	} catch {
		// not fatal: the defaults apply
	}
}

// stdio (what VS Code starts): our writer (lsp/wire.ts), with stdin given as a stream so the library
// still ends the process when the client goes; other transports as the library sets them up.
const stdio = process.argv.slice(2).find((a) => /^--(stdio|node-ipc|socket|pipe)(=|$)/.test(a)) === '--stdio';
// messageStrategy: background jobs let the messages waiting go first (lsp/messageGate.ts).
const connection = stdio
	? createConnection(ProposedFeatures.all, process.stdin, new StdioMessageWriter(process.stdout, { reuseBuffer: true }) as unknown as NodeJS.WritableStream, { messageStrategy })
	: createConnection(ProposedFeatures.all, { messageStrategy });
if (stdio) consoleToClient(connection.console);

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

// Every exit path (exit notification, stdin closing, the client gone, SIGTERM/SIGINT/SIGHUP) kills
// the toolchain trees this server started and removes its temp directory.
installExitCleanup();
startServer(connection);
