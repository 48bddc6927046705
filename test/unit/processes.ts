/** Test helper: is any process of the process group `pgid` still alive? (signal 0 only probes) */
export function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}
