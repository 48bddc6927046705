import { readdirSync, readFileSync } from 'node:fs';

/**
 * Test helper: is any live process of the process group `pgid` still there? Zombies do not count:
 * a killed go's children are re-parented to init, and a container's init may reap them late (they
 * hold no resources, and `kill(-pgid, 0)` still finds them). Linux reads /proc; elsewhere, signal 0.
 */
export function groupAlive(pgid: number): boolean {
	let entries: string[];
	try {
		entries = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
	} catch {
		return probe(pgid);
	}
	for (const pid of entries) {
		try {
			const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
			// pid (comm) state ppid pgrp …: comm may hold spaces and parentheses.
			const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
		} catch {
			// ended while we looked
		}
	}
	return false;
}

function probe(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}
