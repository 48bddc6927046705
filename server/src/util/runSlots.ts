/**
 * A counting semaphore for toolchain runs, keyed by package directory: at most `max()` runs hold a
 * slot, the others wait in arrival order, and a package's waiters can be turned away (its request
 * was superseded or cancelled) without ever holding a slot. Shared by the compile and vet schedulers.
 */
export class RunSlots {
	private readonly waiting: { key: string; start: (ok: boolean) => void }[] = [];
	private active = 0;

	/** `max` is read on every acquire and release, so a settings change applies to the next run. */
	constructor(private readonly max: () => number) {}

	/** Slots held now. */
	get held(): number {
		return this.active;
	}

	/** Keys with a waiter. */
	waitingKeys(): string[] {
		return this.waiting.map((w) => w.key);
	}

	/** Resolves true once a slot is held (release it), false when `drop(key)` turned the waiter away. */
	acquire(key: string): Promise<boolean> {
		if (this.active < this.limit()) {
			this.active++;
			return Promise.resolve(true);
		}
		return new Promise((resolve) => {
			this.waiting.push({
				key,
				start: (ok) => {
					if (ok) this.active++;
					resolve(ok);
				},
			});
		});
	}

	release(): void {
		this.active--;
		while (this.active < this.limit() && this.waiting.length > 0) this.waiting.shift()!.start(true);
	}

	/** Turns away every waiter for `key` (their acquire resolves false). */
	drop(key: string): void {
		for (let i = this.waiting.length - 1; i >= 0; i--) if (this.waiting[i].key === key) this.waiting.splice(i, 1)[0].start(false);
	}

	private limit(): number {
		return Math.max(1, this.max());
	}
}
