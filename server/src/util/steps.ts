/**
 * Long pure computations written as generators that yield between units of work, so the server
 * can let waiting requests in (lsp/messageGate.ts runInSlices) while other callers run them whole.
 */
export type Steps<T> = Generator<void, T>;

/** Runs every step and returns the result. */
export function drain<T>(steps: Steps<T>): T {
	let r = steps.next();
	while (!r.done) r = steps.next();
	return r.value;
}
