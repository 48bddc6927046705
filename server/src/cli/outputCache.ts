/**
 * The CLI's whole-output cache: what `memlens check` printed (stdout, stderr, exit code) for a run
 * whose every unit was answered by the unit cache (./unitCache.ts). Its key is the units' answers
 * (each unit's pre-key and compiler-output hash, so everything the unit cache checks) and every
 * option that shapes the output (format, --fail-on, the working directory the paths are shown
 * against, the paths themselves). On a hit no unit entry is read, no finding is built: std's warm
 * check writes the stored 10 MB of JSON instead of reading 39 MB of entries and building it again.
 *
 * Runs that read anything else are not cached: --baseline (a file), --new-from-rev (git), --profile.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CacheConfig } from './findingsCache';
import { touch, writeWhole } from './unitCache';

const FORMAT = 'memlens-output-1';

export interface CachedOutput {
	code: number;
	/** As bytes: std's 31 MB of JSON is written as read, never decoded. */
	stdout: Buffer;
	stderr: string;
}

interface Head {
	key: string;
	code: number;
	/** Bytes of stderr after the head line; stdout is the rest. */
	stderrBytes: number;
}

/** The key of a run's output: its units' answers, in order, and the options that shape what is printed. */
export function outputKey(cfg: CacheConfig, units: readonly string[], options: unknown): string {
	return createHash('sha256').update(FORMAT).update('\0').update(cfg.salt).update('\0').update(JSON.stringify(options)).update('\0').update(units.join('\n')).digest('hex');
}

function outputPath(cfg: CacheConfig, key: string): string {
	// Beside the unit entries: trimmed with them (findingsCache's trimCache).
	return path.join(cfg.dir, 'outputs', `${key}.out`);
}

/** The output stored under `key`, or undefined (a torn or foreign file is a miss). */
export function readOutput(cfg: CacheConfig, key: string): CachedOutput | undefined {
	const p = outputPath(cfg, key);
	let raw: Buffer;
	try {
		raw = readFileSync(p);
	} catch {
		return undefined;
	}
	const nl = raw.indexOf(0x0a);
	let head: Head;
	try {
		head = JSON.parse(raw.toString('utf8', 0, nl)) as Head;
	} catch {
		return undefined;
	}
	if (nl < 0 || head.key !== key || !Number.isInteger(head.code) || !Number.isInteger(head.stderrBytes) || nl + 1 + head.stderrBytes > raw.length) return undefined;
	touch(p);
	const at = nl + 1 + head.stderrBytes;
	return { code: head.code, stderr: raw.toString('utf8', nl + 1, at), stdout: raw.subarray(at) };
}

/** Stores a run's output under `key`. Never throws. */
export function writeOutput(cfg: CacheConfig, key: string, out: CachedOutput): void {
	const stderr = Buffer.from(out.stderr, 'utf8');
	const head: Head = { key, code: out.code, stderrBytes: stderr.length };
	writeWhole(outputPath(cfg, key), [JSON.stringify(head), '\n', stderr, out.stdout]);
}
