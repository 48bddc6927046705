/**
 * Starts the real server (dist/server.js) through the shared LSP test client, with its stderr kept
 * apart so that hardening tests can assert "no crash, no unhandled rejection".
 */
import assert from 'node:assert/strict';
import { LspClient } from '../lsp/lspClient';
import type { StatusParams } from '../../common/protocol';
import { descendantPids, stderrProblems } from './session';

export interface Started {
	client: LspClient;
	stderr: () => string;
	/** Descendants of the server process right now. */
	children: () => number[];
	/** Fails the test when the server wrote a crash or rejection to stderr, or exited. */
	assertHealthy: () => void;
	stop: () => Promise<void>;
}

export async function startServer(opts: {
	root: string;
	settings?: Record<string, unknown>;
	initializationOptions?: Record<string, unknown>;
	env?: Record<string, string>;
	nodeArgs?: string[];
	processId?: number | null;
}): Promise<Started> {
	const client = await LspClient.start({
		rootPath: opts.root,
		processId: opts.processId,
		initializationOptions: opts.initializationOptions,
		env: opts.env,
		nodeArgs: opts.nodeArgs,
		configuration: (item) => (item.section === 'goMemlens' ? (opts.settings ?? {}) : null),
	});
	let err = '';
	client.child.stderr!.on('data', (b: Buffer) => {
		err += b.toString();
	});
	return {
		client,
		stderr: () => err,
		children: () => descendantPids(client.child.pid),
		assertHealthy: () => {
			assert.equal(client.child.exitCode, null, `server exited with ${client.child.exitCode}; stderr:\n${err}`);
			assert.deepEqual(stderrProblems(err), [], `server stderr shows a crash:\n${err}`);
			// the server logs what its process-level guards caught through window/logMessage
			const caught = client.logs.filter((l) => /uncaught|unhandled rejection/i.test(l));
			assert.deepEqual(caught, [], 'the server caught an exception or rejection nobody handled');
		},
		stop: () => client.shutdown(),
	};
}

/** The last status the server sent for the package directory `dir` (file URI prefix match). */
export function lastStatusFor(client: LspClient, dirUri: string): StatusParams | undefined {
	return [...client.statuses].reverse().find((s) => s.packageUri === dirUri);
}

/**
 * Waits until the server is quiescent (no run queued or in flight anywhere) with a non-running state
 * for `dirUri`, and returns that state. Quiescence is global, so it may arrive on another package's status.
 */
export async function settledStatus(client: LspClient, dirUri: string, timeoutMs = 120_000): Promise<StatusParams> {
	const settled = () => {
		const last = client.statuses[client.statuses.length - 1];
		const mine = lastStatusFor(client, dirUri);
		return last?.quiescent && mine && mine.state !== 'running' ? mine : undefined;
	};
	const now = settled();
	if (now) return now;
	await client.waitForStatus(() => settled() !== undefined, timeoutMs);
	return settled()!;
}

/**
 * Closes `uri` and asserts its tree is freed. The close is handled in order with other messages,
 * so the tree count is asked for until it reaches 0 (bounded, no sleeps).
 */
export async function closeAndAssertTreesFreed(s: Started, uri: string): Promise<void> {
	await s.client.close(uri);
	let trees = -1;
	for (let i = 0; i < 50 && trees !== 0; i++) trees = (await s.client.debugStats()).liveTrees;
	assert.equal(trees, 0, 'closing frees the tree');
}

