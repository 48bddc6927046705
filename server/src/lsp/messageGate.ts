/**
 * Messages before background work. vscode-jsonrpc dispatches the messages it has read one per turn
 * of the event loop (setImmediate); a job that also took one turn at a time would make a hover
 * sent behind a burst of 71 didOpens wait for 71 jobs. Jobs wait here until a turn goes by in
 * which no message was dispatched, that is until the connection's queue is empty.
 */
import type { Message, MessageStrategy } from 'vscode-languageserver/node';
import { runSliced, type Steps } from '../util/steps';

let dispatched = 0;

/** Passed to createConnection: counts the messages dispatched. */
export const messageStrategy: MessageStrategy = {
	handleMessage(message: Message, next: (message: Message) => ReturnType<MessageStrategy['handleMessage']>) {
		dispatched++;
		return next(message);
	},
};

/** Turns to wait at most (a client that never pauses must not stop the work for good). */
const MAX_TURNS = 64;

/** Resolves on the first turn of the event loop in which the connection dispatched nothing. */
export async function messagesFirst(): Promise<void> {
	for (let i = 0; i < MAX_TURNS; i++) {
		const before = dispatched;
		await new Promise((resolve) => setImmediate(resolve));
		if (dispatched === before) return;
	}
}

/** Work done between two looks at the connection's queue (see runInSlices). */
const SLICE_MS = 8;

/**
 * Runs a generator's steps, letting the messages waiting go first every SLICE_MS: a long pure
 * computation (a big file's diagnostics) no longer holds up a hover for its whole length.
 */
export function runInSlices<T>(steps: Steps<T>): Promise<T> {
	return runSliced(steps, messagesFirst, SLICE_MS);
}
