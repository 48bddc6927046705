/**
 * `--shard I/N`: one CI job of N analyses a deterministic part of the packages, and the N parts
 * together are one unsharded run. Packages are dealt largest first to the least loaded shard (by
 * lines of Go, ties by import path), which is the same on every job of the matrix as long as they
 * check out the same tree: no coordination between jobs, and a balanced compile time.
 *
 * A shard compiles only its packages, so the go command gets them as explicit patterns. An explicit
 * pattern fails the whole load when all of a package's files are excluded by build constraints
 * (a wildcard skips such a package), so the packages of a module are first listed by the go command
 * itself over the unsharded run's patterns (`go list -e ./...`), and only listed ones are named.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnTool } from '../toolchain/processes';
import { prepareToolRun, type ToolRun } from '../toolchain/toolRun';
import { importPaths } from './compile';
import type { ModuleUnit } from './discover';

export interface Shard {
	/** 1-based, as written on the command line. */
	index: number;
	count: number;
}

/** `I/N` with 1 ≤ I ≤ N; undefined for anything else. */
export function parseShard(s: string): Shard | undefined {
	const m = /^(\d+)\/(\d+)$/.exec(s.trim());
	if (!m) return undefined;
	const index = Number(m[1]);
	const count = Number(m[2]);
	return index >= 1 && count >= 1 && index <= count && count <= 10_000 ? { index, count } : undefined;
}

export interface ShardItem {
	/** Stable across machines: the import path, or the directory relative to where memlens runs. */
	key: string;
	/** Work estimate: lines of Go. */
	weight: number;
}

/**
 * The shard (1-based) of each item: largest weight first (ties by key), each to the shard with the
 * least weight so far (ties: the lower shard). Depends only on the items, never on their order.
 */
export function assignShards(items: readonly ShardItem[], count: number): Map<string, number> {
	const sorted = [...items].sort((a, b) => b.weight - a.weight || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
	const load = new Array<number>(count).fill(0);
	const out = new Map<string, number>();
	for (const it of sorted) {
		let best = 0;
		for (let i = 1; i < count; i++) if (load[i] < load[best]) best = i;
		load[best] += it.weight;
		out.set(it.key, best + 1);
	}
	return out;
}

function linesOf(file: string): number {
	try {
		const b = readFileSync(file);
		let n = 1;
		for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
		return n;
	} catch {
		return 1;
	}
}

/** Each package directory of the units with its shard key and weight. */
export function shardItems(units: readonly ModuleUnit[], cwd: string): Map<string, ShardItem> {
	const out = new Map<string, ShardItem>();
	for (const u of units) {
		const byDir = new Map<string, string>();
		if (u.hasGoMod) for (const [ip, dir] of importPaths(u)) byDir.set(dir, ip);
		for (const dir of u.packages) {
			const key = byDir.get(dir) ?? (path.relative(cwd, dir).split(path.sep).join('/') || '.');
			const weight = u.files.filter((f) => path.dirname(f) === dir).reduce((n, f) => n + linesOf(f), 0);
			out.set(dir, { key, weight });
		}
	}
	return out;
}

export interface ShardResult {
	units: ModuleUnit[];
	/** Said on stderr (a module whose packages the go command could not list). */
	notes: string[];
}

/** The package directories the go command matches with the unit's patterns, or undefined when it could not say. */
async function listedDirs(goBin: string, unit: ModuleUnit, tags: string[]): Promise<Set<string> | undefined> {
	let run: ToolRun | undefined;
	try {
		run = await prepareToolRun({ cwd: unit.root, sourceDirs: unit.packages });
		const args = ['list', '-e', '-f', '{{.Dir}}', ...(tags.length ? [`-tags=${tags.join(',')}`] : []), ...run.flags];
		if (run.overlay) args.push(`-overlay=${run.overlay.file}`);
		args.push(...unit.patterns);
		const { child } = await spawnTool(goBin, args, { cwd: unit.root, env: run.env, stdout: 'pipe', buffer: true, maxBuffer: 64 * 1024 * 1024 });
		const r = await child;
		if (r.exitCode !== 0 || typeof r.stdout !== 'string') return undefined;
		return new Set(r.stdout.split('\n').map((l) => l.trim()).filter(Boolean).map((d) => path.resolve(d)));
	} catch {
		return undefined;
	} finally {
		await run?.dispose();
	}
}

function slash(rel: string): string {
	return rel.split(path.sep).join('/');
}

/**
 * The units restricted to `shard`'s packages. `goBin` empty: nothing will be compiled, so the
 * patterns are left as they are (only packages and files matter).
 */
export async function shardUnits(units: readonly ModuleUnit[], shard: Shard, cwd: string, goBin: string, tags: string[]): Promise<ShardResult> {
	const items = shardItems(units, cwd);
	const owner = assignShards([...items.values()], shard.count);
	const notes: string[] = [];
	const out: ModuleUnit[] = [];
	for (const u of units) {
		const mine = new Set(u.packages.filter((d) => owner.get(items.get(d)!.key) === shard.index));
		if (mine.size === 0) continue;
		const files = u.files.filter((f) => mine.has(path.dirname(f)));
		let patterns = u.patterns;
		if (goBin && mine.size < u.packages.length) {
			if (!u.hasGoMod) {
				patterns = u.patterns; // one package: kept whole or not at all
			} else {
				const listed = await listedDirs(goBin, u, tags);
				if (!listed) notes.push(`${u.root}: the go command could not list the module's packages; this shard names its packages with files that are not tests`);
				const named = [...mine].filter((d) => (listed ? listed.has(d) : files.some((f) => path.dirname(f) === d && !f.endsWith('_test.go'))));
				patterns = named.sort().map((d) => (d === u.root ? '.' : `./${slash(path.relative(u.root, d))}`));
			}
		}
		out.push({ ...u, packages: [...mine].sort(), files, patterns });
	}
	return { units: out, notes };
}
