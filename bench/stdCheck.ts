/**
 * `memlens check` with escape analysis over all of std beside the raw compile it is built on,
 * in one run, cold and warm:
 *   raw:     go build -o /dev/null -gcflags=-m=2 ./...     (in $(go env GOROOT)/src: std without
 *            its vendor/ packages and without the cmd module, the package set memlens analyses)
 *   memlens: memlens check --format json --fail-on none PATH…  (every top-level directory of
 *            GOROOT/src but cmd; default options: heap facts, syntax rules, typed pass)
 * Cold: each side with a fresh GOCACHE in a temp dir; warm: each side again on the cache its cold
 * run filled. Wall time, CPU time (user+sys of the process tree) and peak RSS (the largest single
 * process of the tree, ru_maxrss) from /usr/bin/time; ratio memlens/raw, target ≤ 1.15×.
 *
 *   npm run build && node --import tsx bench/stdCheck.ts [--quick] [--no-cold] [--breakdown] [--args=A,B] [PKGDIR …]
 *
 * --quick: container/ and encoding/csv only (bench/smoke.mjs). --breakdown: more warm runs of
 * memlens, to show where the time goes: the unit cache off (MEMLENS_UNIT_CACHE=off), the findings cache off (MEMLENS_CACHE=off), rules in process
 * instead of one thread per CPU (cache off), --typed off, --escape none --typed off (the syntax
 * rules alone, cache off), --escape none. memlens's findings cache is a fresh temp dir
 * (MEMLENS_CACHE) beside its fresh GOCACHE. --args=A,B: more arguments for
 * every memlens run of the table (e.g. --args=--typed,off: cold and warm without the typed pass). PKGDIR:
 * directories under GOROOT/src instead of all of std. The full run compiles std twice cold (over
 * 300 packages each): minutes on a small machine.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_JS, goEnv } from '../test/hardening/session';

const GO = '/usr/local/go/bin/go';
const TIME = '/usr/bin/time';
const TARGET_RATIO = 1.15;
/** MEMLENS_BENCH_CLI: another build of the CLI (a copy of dist/, so a rebuild meanwhile does not change the run). */
const CLI = process.env.MEMLENS_BENCH_CLI || CLI_JS;

interface Measure {
	wallS: number;
	cpuS: number;
	/** Peak RSS of the largest process in the tree, MB; NaN without /usr/bin/time. */
	rssMB: number;
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs a command under /usr/bin/time (when there is one) and reads its figures from a file of their own. */
function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, keepStdout: boolean): Promise<Measure> {
	const withTime = existsSync(TIME);
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-stdcheck-time-'));
	const timeFile = path.join(tmp, 'time');
	const [bin, argv] = withTime ? [TIME, ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args]] : [cmd, args];
	return new Promise((resolve) => {
		const t0 = performance.now();
		// Raw compile output (150 MB for std) goes nowhere, as in `2>/dev/null`: the baseline is the compile.
		const p = spawn(bin, argv, { cwd, env, stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', keepStdout ? 'pipe' : 'ignore'] });
		const out: Buffer[] = [];
		let stderr = '';
		p.stdout?.on('data', (d: Buffer) => out.push(d));
		p.stderr?.on('data', (d: Buffer) => (stderr += d));
		p.on('close', (code) => {
			const wall = (performance.now() - t0) / 1000;
			let m: Measure = { wallS: wall, cpuS: NaN, rssMB: NaN, code, stdout: Buffer.concat(out).toString('utf8'), stderr };
			if (withTime) {
				const [e, u, s, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
				m = { ...m, wallS: e, cpuS: u + s, rssMB: kb / 1024 };
			}
			rmSync(tmp, { recursive: true, force: true });
			resolve(m);
		});
	});
}

function fmt(m: Measure): string {
	const rss = Number.isNaN(m.rssMB) ? 'n/a' : `${m.rssMB.toFixed(0)} MB`;
	const cpu = Number.isNaN(m.cpuS) ? 'n/a' : `${m.cpuS.toFixed(1)} s`;
	return `wall ${m.wallS.toFixed(1)} s, cpu ${cpu}, peak RSS ${rss}, exit ${m.code}`;
}

function ratio(a: number, b: number): string {
	return Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a';
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const quick = args.includes('--quick');
	const cold = !args.includes('--no-cold');
	const breakdown = args.includes('--breakdown');
	const named = args.filter((a) => !a.startsWith('--'));
	const extraArgs = (args.find((a) => a.startsWith('--args='))?.slice('--args='.length) ?? '').split(',').filter(Boolean);
	const src = path.join((await timed(GO, ['env', 'GOROOT'], os.tmpdir(), goEnv(), true)).stdout.trim(), 'src');
	// std: every top-level directory but cmd (a module of its own) and what cmd/go never builds.
	const dirs = named.length ? named : quick ? ['container', 'encoding/csv'] : readdirSync(src, { withFileTypes: true }).filter((e) => e.isDirectory() && !['cmd', 'testdata', 'vendor'].includes(e.name)).map((e) => e.name).sort();
	const rawPatterns = named.length || quick ? dirs.map((d) => `./${d}/...`) : ['./...'];
	const cpus = os.availableParallelism?.() ?? os.cpus().length;
	if (extraArgs.length) console.log(`memlens runs with ${extraArgs.join(' ')}`);
	console.log(`std check: ${quick ? 'quick: ' : ''}${named.length || quick ? dirs.join(' ') : `all of std (${dirs.length} top-level directories of ${src})`}; ${cpus} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

	// memlens's own findings cache (server/src/cli/findingsCache.ts) is fresh beside its GOCACHE: cold is cold.
	const caches = { raw: mkdtempSync(path.join(os.tmpdir(), 'memlens-stdcheck-raw-')), memlens: mkdtempSync(path.join(os.tmpdir(), 'memlens-stdcheck-ml-')), findings: mkdtempSync(path.join(os.tmpdir(), 'memlens-stdcheck-findings-')) };
	const raw = () => timed(GO, ['build', '-o', os.devNull, '-gcflags=-m=2', ...rawPatterns], src, goEnv({ GOCACHE: caches.raw }), false);
	const memlens = (extra: string[] = [], env: Record<string, string> = {}) =>
		timed(process.execPath, [CLI, 'check', '--format', 'json', '--fail-on', 'none', ...extraArgs, ...extra, ...dirs], src, goEnv({ GOCACHE: caches.memlens, MEMLENS_CACHE: caches.findings, ...env }), true);
	const findings = (m: Measure) => {
		try {
			return (JSON.parse(m.stdout) as { findings: unknown[] }).findings.length;
		} catch {
			return -1;
		}
	};
	let failed = false;
	let missed = false;
	let first: string | undefined;
	const report = (label: string, r: Measure, ml: Measure) => {
		const n = findings(ml);
		// Cold and warm must say the same (the warm run replays the findings cache).
		const said = n < 0 ? '' : JSON.stringify((JSON.parse(ml.stdout) as { findings: unknown[] }).findings);
		if (first === undefined) {
			first = said;
			// What was found, per rule (compare runs of different builds by it).
			const by = new Map<string, number>();
			if (n >= 0) for (const f of JSON.parse(said) as { rule: string }[]) by.set(f.rule, (by.get(f.rule) ?? 0) + 1);
			console.log(`  ${label} findings by rule: ${[...by].sort((a, b) => b[1] - a[1]).map(([r, c]) => `${r} ${c}`).join(', ')}`);
		}
		else if (said !== first) {
			failed = true;
			console.log(`  ${label}: the findings differ from the first run's`);
		}
		if (r.code !== 0 || ml.code !== 0 || n < 0) {
			failed = true;
			console.log(`  ${label}: a run failed (raw exit ${r.code}, memlens exit ${ml.code})\n${ml.stderr.split('\n').slice(-8).join('\n')}`);
		}
		console.log(`  ${label} raw:     ${fmt(r)}`);
		console.log(`  ${label} memlens: ${fmt(ml)}, ${n} findings`);
		const ok = ml.wallS / r.wallS <= TARGET_RATIO;
		if (!ok) missed = true;
		console.log(`  ${label} ratio memlens/raw: wall ${ratio(ml.wallS, r.wallS)} ${ok ? '✔' : '✘'} (target ≤ ${TARGET_RATIO}×), cpu ${ratio(ml.cpuS, r.cpuS)}, peak RSS ${ratio(ml.rssMB, r.rssMB)}`);
	};
	try {
		if (cold) report('cold', await raw(), await memlens());
		else {
			// Warm caches of their own first (not timed).
			await raw();
			await memlens();
		}
		report('warm', await raw(), await memlens());
		if (breakdown) {
			console.log(`  warm memlens, unit cache off (MEMLENS_UNIT_CACHE=off; the findings cache on): ${fmt(await memlens([], { MEMLENS_UNIT_CACHE: 'off' }))}`);
			console.log(`  warm memlens, findings cache off (MEMLENS_CACHE=off): ${fmt(await memlens([], { MEMLENS_CACHE: 'off' }))}`);
			console.log(`  warm memlens, syntax rules in process, findings cache off (MEMLENS_RULE_THREADS=1): ${fmt(await memlens([], { MEMLENS_RULE_THREADS: '1', MEMLENS_CACHE: 'off' }))}`);
			console.log(`  warm memlens --typed off: ${fmt(await memlens(['--typed', 'off']))}`);
			console.log(`  warm memlens --escape none --typed off (syntax rules only, findings cache off): ${fmt(await memlens(['--escape', 'none', '--typed', 'off'], { MEMLENS_CACHE: 'off' }))}`);
			console.log(`  warm memlens --escape none (rules + typed pass, no compile): ${fmt(await memlens(['--escape', 'none']))}`);
		}
	} finally {
		for (const c of Object.values(caches)) rmSync(c, { recursive: true, force: true });
	}
	// A timing bench: a missed target is exit 1 (bench/smoke.mjs accepts it); a failed run is exit 2.
	if (failed) process.exitCode = 2;
	else if (missed) process.exitCode = 1;
}

void main();
