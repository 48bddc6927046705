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

/** One turn of the event loop (I/O callbacks, a request read from stdin, run meanwhile). */
export function nextTurn(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

/** Runs the steps `sliceMs` at a time, awaiting `pause` between slices. */
export async function runSliced<T>(steps: Steps<T>, pause: () => Promise<void> = nextTurn, sliceMs = 8): Promise<T> {
	let until = performance.now() + sliceMs;
	for (let r = steps.next(); ; r = steps.next()) {
		if (r.done) return r.value;
		if (performance.now() >= until) {
			await pause();
			until = performance.now() + sliceMs;
		}
	}
}

/** The same steps, adding the time spent in each to `busy` (not the time waited between them). */
export function* timed<T>(steps: Steps<T>, busy: { ms: number }): Steps<T> {
	for (;;) {
		const t = performance.now();
		const r = steps.next();
		busy.ms += performance.now() - t;
		if (r.done) return r.value;
		yield;
	}
}
