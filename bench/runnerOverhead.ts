/**
 * `go build -gcflags=-m=2` on GOROOT's encoding/json: fully cold (fresh GOCACHE), package-cold
 * (deps cached, the package recompiled through an overlay with a fresh comment), and warm (the
 * build cache replays the -m text), each run raw (child_process) and through runEscape.
 * Run: node --import tsx bench/runnerOverhead.ts [iterations] [--no-cold]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runEscape, type EscapeRunRequest } from '../server/src/escape/runner';
import { parseEscapeOutput } from '../server/src/escape/parser';

const goBin = '/usr/local/go/bin/go';
const dir = '/usr/local/go/src/encoding/json';
const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5);
const skipCold = process.argv.includes('--no-cold');
const env = (extra: Record<string, string> = {}) => ({ ...process.env, GOTOOLCHAIN: 'local', ...extra }) as Record<string, string>;

function raw(extra: Record<string, string> = {}, overlay?: string): number {
	const t = performance.now();
	const args = ['build', '-o', os.devNull, '-gcflags=-m=2', ...(overlay ? [`-overlay=${overlay}`] : []), '.'];
	spawnSync(goBin, args, { cwd: dir, env: env(extra), stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
	return performance.now() - t;
}

async function ours(extra: Record<string, string> = {}, overlay?: Map<string, string>, replay = true): Promise<{ ms: number; facts: number }> {
	const t = performance.now();
	const req: EscapeRunRequest = { goBin, dir, test: false, tags: [], buildFlags: [], env: extra, timeoutMs: 600_000, overlay, replay };
	const r = await runEscape(req);
	if (r.status !== 'ok') throw new Error(`${r.status}: ${r.message}`);
	return { ms: performance.now() - t, facts: r.facts.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (n=${xs.length})`;

async function main(): Promise<void> {
	// Fully cold: a fresh GOCACHE compiles encoding/json and all its dependencies.
	if (!skipCold) await cold();
	await warmish();
}

async function cold(): Promise<void> {
	const c1 = mkdtempSync(path.join(os.tmpdir(), 'memlens-bench-cache-'));
	const c2 = mkdtempSync(path.join(os.tmpdir(), 'memlens-bench-cache-'));
	const coldRaw = raw({ GOCACHE: c1 });
	const coldOurs = await ours({ GOCACHE: c2 });
	rmSync(c1, { recursive: true, force: true });
	rmSync(c2, { recursive: true, force: true });
	console.log(`fully cold (fresh GOCACHE): raw ${coldRaw.toFixed(0)} ms, runEscape ${coldOurs.ms.toFixed(0)} ms`);
}

async function warmish(): Promise<void> {
	// Package-cold: a fresh comment in one file defeats the cache for encoding/json only.
	const file = path.join(dir, 'decode.go');
	const text = readFileSync(file, 'utf8');
	const pkgRaw: number[] = [];
	const pkgOurs: number[] = [];
	for (let i = 0; i < n; i++) {
		const o = await import('../server/src/escape/overlay').then((m) => m.writeOverlay(new Map([[file, `${text}\n// raw ${Math.random()}\n`]])));
		pkgRaw.push(raw({}, o.file));
		await o.dispose();
		pkgOurs.push((await ours({}, new Map([[file, `${text}\n// ours ${Math.random()}\n`]]))).ms);
	}
	console.log(`package cold (deps cached): raw ${fmt(pkgRaw)}, runEscape ${fmt(pkgOurs)}`);

	// Warm: identical inputs, the go command replays the cached -m output. runEscape as the server
	// runs it after an edit: its captured compile step is replayed (compilePlan.ts), which always
	// compiles (~ package cold); and with replay off, as after opening a file: the go command answers.
	raw();
	const warmRaw: number[] = [];
	const warmOurs: number[] = [];
	const warmGo: number[] = [];
	let facts = 0;
	for (let i = 0; i < n; i++) {
		warmRaw.push(raw());
		const r = await ours();
		warmOurs.push(r.ms);
		warmGo.push((await ours({}, undefined, false)).ms);
		facts = r.facts;
	}
	console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
	console.log(`warm (cache replay): raw ${fmt(warmRaw)}, runEscape through the go command ${fmt(warmGo)}, runEscape replaying its compile step (compiles) ${fmt(warmOurs)}; ${facts} facts`);

	const out = spawnSync(goBin, ['build', '-o', os.devNull, '-gcflags=-m=2', '.'], { cwd: dir, env: env(), encoding: 'utf8', maxBuffer: 1 << 28 }).stderr;
	const t = performance.now();
	for (let i = 0; i < n; i++) parseEscapeOutput(out, { cwd: dir });
	console.log(`parse only: ${((performance.now() - t) / n).toFixed(1)} ms for ${out.split('\n').length} lines (${(out.length / 1024).toFixed(0)} KiB)`);
}

void main();
