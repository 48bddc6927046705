/**
 * Escape parity: the compiler facts memlens reports equal, as a set of (file, line, column, kind),
 * the facts read *independently* from a raw `go build -o /dev/null -gcflags=-m=2` (a few regexes
 * here, not our parser). Both of memlens's paths are checked against it: the CLI
 * (`memlens check --format json --escape all`) and the language server's runner (`go list -export
 * -gcflags=-m=2 .` in each package directory, server/src/escape/runner.ts). Prints counts and every
 * difference; exit code 1 on any.
 *
 *   node --import tsx bench/escapeParity.ts [--quick] [TARGET ...]
 *
 * TARGET is a package directory (raw `go build .` in it; the CLI is given one of its files, which
 * means that package only) or a module root followed by `/...` (raw `go build ./...` at the root,
 * the CLI run on the root, the runner in every package directory). Default: $GOROOT/src/encoding/json,
 * $GOROOT/src/net/http and /work/corpus/bbolt/... (a read-only corpus module whose packages inline
 * each other's bodies; nothing is written into it). `--quick` (CI, seconds): $GOROOT/src/container/list
 * and a generated two-package module where one package inlines a body from the other (issue 11).
 *
 * The raw build runs with its own GOCACHE per working directory (MEMLENS_PARITY_GOCACHE, default
 * $TMPDIR/memlens-parity-gocache/<hash of the dir>): a build-cache hit replays the -m text as first
 * printed, relative to wherever that build ran, and this way that is always where it runs now, so
 * a printed path is plainly relative to it. The first run of a target compiles its dependencies
 * into that cache (minutes for net/http); memlens runs with the user's cache, as a user would, so
 * it sees whatever replays that cache holds (after the CLI's run at a module root, the runner's
 * `go list` in a package directory replays text printed from the root).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runEscape } from '../server/src/escape/runner';
import { inlinedModule } from '../test/fixtures/inlinedModule';

const ROOT = path.resolve(__dirname, '..');
const GO = process.env.MEMLENS_GO ?? '/usr/local/go/bin/go';
const ENV = { ...process.env, PATH: `${path.dirname(GO)}:${process.env.PATH}`, GOTOOLCHAIN: 'local' };
const CACHES = process.env.MEMLENS_PARITY_GOCACHE ?? path.join(os.tmpdir(), 'memlens-parity-gocache');

export interface SideResult {
	facts: number;
	missing: string[];
	extra: string[];
	ms: number;
}

export interface ParityResult {
	/** The target as given (a package dir, or a module root for `/...`). */
	dir: string;
	module: boolean;
	raw: number;
	/** Raw packages (sections) and the facts of theirs printed at another package's file (inlined bodies). */
	packages: number;
	crossPackage: number;
	cli: SideResult;
	runner: SideResult;
	/** Legacy names: the CLI side. */
	ours: number;
	missing: string[];
	extra: string[];
	ms: { raw: number; ours: number; runner: number };
}

// The fact lines of -m/-m=2 output; chain headers end in ':' and never match these.
const FACTS: [RegExp, string][] = [
	[/^(.+?):(\d+):(\d+): moved to heap: \S.*$/, 'moved-to-heap'],
	[/^(.+?):(\d+):(\d+): leaking param content: \S.*$/, 'leaking-param-content'],
	[/^(.+?):(\d+):(\d+): leaking param: \S.*$/, 'leaking-param'],
	[/^(.+?):(\d+):(\d+): .+ escapes to heap$/, 'escapes-to-heap'],
	[/^(.+?):(\d+):(\d+): .+ does not escape$/, 'does-not-escape'],
];
const KINDS = new Set(FACTS.map(([, k]) => k));

const key = (file: string, line: string | number, col: string | number, kind: string) => `${file}:${line}:${col}:${kind}`;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = ENV): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const c = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		c.stdout.on('data', (b) => (stdout += b));
		c.stderr.on('data', (b) => (stderr += b));
		c.on('error', reject);
		c.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

/** The raw build's own cache for builds run in `cwd` (see the header). */
export function rawCache(cwd: string): string {
	return path.join(CACHES, createHash('sha1').update(cwd).digest('hex').slice(0, 12));
}

/** The facts of a raw `go build -gcflags=-m=2 PATTERN` in `cwd`, as absolute keys; and the sections' shapes. */
async function rawFacts(cwd: string, pattern: string, pkgDirs: (header: string) => string | undefined) {
	const gocache = rawCache(cwd);
	mkdirSync(gocache, { recursive: true });
	const t = performance.now();
	const raw = await run(GO, ['build', '-o', os.devNull, '-gcflags=-m=2', pattern], cwd, { ...ENV, GOCACHE: gocache });
	const ms = performance.now() - t;
	if (raw.code !== 0) throw new Error(`go build failed in ${cwd}: ${raw.stderr.slice(-500)}`);
	const want = new Set<string>();
	let packages = 0;
	let crossPackage = 0;
	let own: string | undefined;
	for (const line of raw.stderr.split('\n')) {
		if (line.startsWith('# ')) {
			packages++;
			own = pkgDirs(line.slice(2).split(' ')[0]);
			continue;
		}
		for (const [re, kind] of FACTS) {
			const m = re.exec(line);
			if (!m) continue;
			const file = path.resolve(cwd, m[1]);
			if (own && path.dirname(file) !== own) crossPackage++;
			want.add(key(file, m[2], m[3], kind));
			break;
		}
	}
	return { want, packages, crossPackage, ms };
}

function compare(want: Set<string>, got: Set<string>, ms: number): SideResult {
	return { facts: got.size, missing: [...want].filter((k) => !got.has(k)), extra: [...got].filter((k) => !want.has(k)), ms: Math.round(ms) };
}

/** The CLI's compiler facts from `memlens check ... ARG` run in `cwd`. */
async function cliFacts(cwd: string, arg: string): Promise<{ got: Set<string>; ms: number }> {
	const t = performance.now();
	const ours = await run(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'check', '--format', 'json', '--escape', 'all', '--fail-on', 'none', arg], cwd);
	const ms = performance.now() - t;
	if (ours.code !== 0) throw new Error(`memlens failed (${ours.code}): ${ours.stderr}`);
	const got = new Set<string>();
	for (const f of JSON.parse(ours.stdout).findings as { rule: string; file: string; line: number; column: number; source: string }[]) {
		if (f.source === 'compiler') got.add(key(path.resolve(cwd, f.file), f.line, f.column, f.rule));
	}
	return { got, ms };
}

/** The language server runner's facts, one `go list -export` per package directory (the go command, never a replayed compile step). */
async function runnerFacts(dirs: string[]): Promise<{ got: Set<string>; ms: number }> {
	const got = new Set<string>();
	const t = performance.now();
	for (const dir of dirs) {
		const r = await runEscape({ goBin: GO, dir, test: false, tags: [], buildFlags: [], env: { PATH: ENV.PATH ?? '' }, timeoutMs: 600_000, replay: false });
		if (r.status !== 'ok') throw new Error(`runner ${r.status} in ${dir}: ${r.message ?? ''}`);
		for (const f of r.facts) if (KINDS.has(f.kind)) got.add(key(f.pos.file, f.pos.line, f.pos.column, f.kind));
	}
	return { got, ms: performance.now() - t };
}

/** Import path → directory of each package a module root holds (`go list ./...`). */
function modulePackages(root: string): Map<string, string> {
	const r = spawnSync(GO, ['list', '-f', '{{.ImportPath}}\t{{.Dir}}', './...'], { cwd: root, env: ENV, encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`go list failed in ${root}: ${r.stderr}`);
	return new Map(r.stdout.trim().split('\n').map((l) => l.split('\t') as [string, string]));
}

/** Compares the three sets for one target: a package dir, or `ROOT/...` for a whole module. */
export async function parity(target: string): Promise<ParityResult> {
	const module = target.endsWith('/...');
	const dir = path.resolve(module ? target.slice(0, -4) : target);
	let raw: Awaited<ReturnType<typeof rawFacts>>;
	let cli: Awaited<ReturnType<typeof cliFacts>>;
	let dirs: string[];
	if (module) {
		const pkgs = modulePackages(dir);
		dirs = [...new Set(pkgs.values())];
		raw = await rawFacts(dir, './...', (ip) => pkgs.get(ip));
		cli = await cliFacts(dir, '.');
	} else {
		dirs = [dir];
		raw = await rawFacts(dir, '.', () => dir);
		const oneFile = readdirSync(dir).find((n) => n.endsWith('.go') && !n.endsWith('_test.go'));
		if (!oneFile) throw new Error(`no Go file in ${dir}`);
		cli = await cliFacts(dir, path.join(dir, oneFile));
	}
	const runner = await runnerFacts(dirs);
	const c = compare(raw.want, cli.got, cli.ms);
	return {
		dir,
		module,
		raw: raw.want.size,
		packages: raw.packages,
		crossPackage: raw.crossPackage,
		cli: c,
		runner: compare(raw.want, runner.got, runner.ms),
		ours: c.facts,
		missing: c.missing,
		extra: c.extra,
		ms: { raw: Math.round(raw.ms), ours: c.ms, runner: Math.round(runner.ms) },
	};
}

function pct(r: ParityResult, s: SideResult): string {
	return r.raw ? ((100 * (r.raw - s.missing.length)) / r.raw).toFixed(2) : '100.00';
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const quick = args.includes('--quick');
	const named = args.filter((a) => a !== '--quick');
	const goroot = spawnSync(GO, ['env', 'GOROOT'], { env: ENV, encoding: 'utf8' }).stdout.trim();
	const temp: string[] = [];
	let targets = named;
	if (!targets.length && quick) {
		const mod = inlinedModule().root;
		temp.push(mod, rawCache(mod));
		targets = [path.join(goroot, 'src', 'container', 'list'), `${mod}/...`];
	} else if (!targets.length) {
		targets = [path.join(goroot, 'src', 'encoding', 'json'), path.join(goroot, 'src', 'net', 'http'), '/work/corpus/bbolt/...'];
	}
	let ok = true;
	try {
		for (const t of targets) {
			const r = await parity(t);
			const show = (k: string) => {
				const rel = path.relative(r.dir, k);
				return rel.startsWith('..') ? k : rel;
			};
			console.log(`${r.dir}${r.module ? '/...' : ''}: raw ${r.raw} facts in ${r.packages} package(s), ${r.crossPackage} fact lines printed at another package's file; go build ${r.ms.raw} ms`);
			for (const [name, s] of [['cli', r.cli], ['runner', r.runner]] as const) {
				ok &&= s.missing.length === 0 && s.extra.length === 0;
				console.log(`  ${name.padEnd(6)} ${s.facts} facts, matched ${r.raw - s.missing.length} (${pct(r, s)} %), missing ${s.missing.length}, extra ${s.extra.length}; ${s.ms} ms`);
				for (const k of s.missing.slice(0, 20)) console.log(`    missing ${show(k)}`);
				for (const k of s.extra.slice(0, 20)) console.log(`    extra   ${show(k)}`);
			}
		}
	} finally {
		for (const d of temp) rmSync(d, { recursive: true, force: true });
	}
	process.exitCode = ok ? 0 : 1;
}

if (require.main === module) void main();
