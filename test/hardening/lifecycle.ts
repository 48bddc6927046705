/**
 * Helpers for the lifecycle tests: every process the server starts is found by a tag in its
 * environment (children inherit it, and a tree re-parented to init after the server died still
 * has it), the server gets a temp directory of its own (TMPDIR) so that "no new entry" is exact,
 * and a C compiler that never returns keeps a real `go list` of a cgo package busy without
 * burning CPU.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const TAG_VAR = 'MEMLENS_LIFECYCLE_TAG';

export interface Scratch {
	tag: string;
	/** Holds the workspace (`ws/`), the server's TMPDIR (`tmp/`) and helper scripts. */
	base: string;
	ws: string;
	tmp: string;
	/** The server's extra environment: the tag and TMPDIR. */
	env: Record<string, string>;
	remove(): void;
}

export function scratch(): Scratch {
	const base = mkdtempSync(path.join(os.tmpdir(), 'memlens-life-'));
	const tag = randomUUID();
	const ws = path.join(base, 'ws');
	const tmp = path.join(base, 'tmp');
	mkdirSync(ws);
	mkdirSync(tmp);
	return { tag, base, ws, tmp, env: { [TAG_VAR]: tag, TMPDIR: tmp }, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** Live processes whose environment carries `tag` (zombies have none), except `except`. */
export function taggedPids(tag: string, except: (number | undefined)[] = []): { pid: number; comm: string }[] {
	const needle = `${TAG_VAR}=${tag}\0`;
	const out: { pid: number; comm: string }[] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name) || except.includes(Number(name))) continue;
		try {
			if (!readFileSync(`/proc/${name}/environ`, 'latin1').includes(needle)) continue;
			out.push({ pid: Number(name), comm: readFileSync(`/proc/${name}/comm`, 'utf8').trim() });
		} catch {
			// ended while we looked
		}
	}
	return out;
}

/** Waits until a tagged process named `comm` runs (polled: it is a state of /proc, not a message). */
export async function waitForTagged(tag: string, comm: string, timeoutMs = 90_000): Promise<number> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const p = taggedPids(tag).find((x) => x.comm === comm);
		if (p) return p.pid;
		if (Date.now() > end) throw new Error(`no ${comm} process started within ${timeoutMs} ms`);
		await delay(20);
	}
}

/**
 * The check: 2 s after the event, no process the server started is alive and the server
 * left nothing in its temp directory. `serverPid`: the server when it is still running.
 */
export async function assertNothingLeft(s: Scratch, serverPid?: number): Promise<void> {
	await delay(2000);
	assert.deepEqual(taggedPids(s.tag, [serverPid, process.pid]), [], 'a process the server started is still alive 2 s later');
	assert.deepEqual(readdirSync(s.tmp), [], 'the server left entries in its temp directory');
}

/** Kills whatever a failed test left (by tag), so one failure does not leak into the next test. */
export function killTagged(tag: string): void {
	for (const p of taggedPids(tag, [process.pid])) {
		try {
			process.kill(p.pid, 'SIGKILL');
		} catch {
			// gone
		}
	}
}

/** A C compiler that never returns: `exec sleep`, so the process is named sleep. */
export function hangingCc(dir: string): string {
	const p = path.join(dir, 'hang-cc.sh');
	writeFileSync(p, '#!/bin/sh\nexec sleep 3600\n');
	chmodSync(p, 0o755);
	return p;
}

/** A module whose one package uses cgo (so `go list -export` runs the C compiler). Unique text: never a build-cache answer. */
export function cgoModule(dir: string): string {
	writeFileSync(path.join(dir, 'go.mod'), 'module example.com/hang\n\ngo 1.22\n');
	const file = path.join(dir, 'hang.go');
	writeFileSync(file, `package hang\n\n// #include <stdlib.h>\nimport "C"\n\n// nonce ${randomUUID()}\nfunc F() *int {\n\tx := 1\n\treturn &x\n}\n`);
	return file;
}

/** A script that records its run in `marker` (outside the workspace) and then does `then`. */
export function markerScript(dir: string, name: string, marker: string, then = 'exit 1'): string {
	const p = path.join(dir, name);
	writeFileSync(p, `#!/bin/sh\ntouch '${marker}'\n${then}\n`);
	chmodSync(p, 0o755);
	return p;
}

/** Every entry under `dir` (`.git` included): relative path, type, size and a digest of the contents. */
export function treeListing(dir: string): string[] {
	const out: string[] = [];
	const walk = (d: string) => {
		for (const name of readdirSync(d).sort()) {
			const p = path.join(d, name);
			const st = lstatSync(p);
			const rel = path.relative(dir, p);
			if (st.isDirectory()) {
				out.push(`${rel}/`);
				walk(p);
			} else out.push(`${rel} ${st.isFile() ? 'file' : 'other'} ${st.size} ${st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16) : ''}`);
		}
	};
	walk(dir);
	return out;
}
