/**
 * Escape parity: the compiler facts `memlens check --format json --escape all` reports for a
 * package equal, as a set of (file, line, column, kind), the facts read *independently* from the
 * raw `go build -o /dev/null -gcflags=-m=2 .` in that package's directory (a few regexes here,
 * not our parser). Prints counts and every difference.
 *
 *   node --import tsx bench/escapeParity.ts [PKGDIR ...]   (default: $GOROOT/src/encoding/json and net/http)
 *
 * The CLI is given one file of the package (`memlens check DIR/x.go` = that package, not its
 * subdirectories), so both sides cover exactly one package.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const GO = process.env.MEMLENS_GO ?? '/usr/local/go/bin/go';
const ENV = { ...process.env, PATH: `${path.dirname(GO)}:${process.env.PATH}`, GOTOOLCHAIN: 'local' };

export interface ParityResult {
	dir: string;
	raw: number;
	ours: number;
	missing: string[];
	extra: string[];
	ms: { raw: number; ours: number };
}

// The fact lines of -m/-m=2 output; chain headers end in ':' and never match these.
const FACTS: [RegExp, string][] = [
	[/^(.+?):(\d+):(\d+): moved to heap: \S.*$/, 'moved-to-heap'],
	[/^(.+?):(\d+):(\d+): leaking param content: \S.*$/, 'leaking-param-content'],
	[/^(.+?):(\d+):(\d+): leaking param: \S.*$/, 'leaking-param'],
	[/^(.+?):(\d+):(\d+): .+ escapes to heap$/, 'escapes-to-heap'],
	[/^(.+?):(\d+):(\d+): .+ does not escape$/, 'does-not-escape'],
];

/**
 * The key of a position. Other relative paths are reduced to the file name: on a build-cache hit
 * go replays the text with paths relative to wherever the first build ran, and within one
 * package a file name is unique. Absolute paths (other packages' files) stay absolute.
 */
function key(file: string, line: string | number, col: string | number, kind: string, pkgDir: string): string {
	// The compiler runs in the package dir: `../x/y.go` (another package's file) is relative to it.
	if (file.startsWith('../')) file = path.resolve(pkgDir, file);
	const inPkg = path.isAbsolute(file) ? path.dirname(file) === pkgDir : true;
	return `${inPkg ? path.basename(file) : file}:${line}:${col}:${kind}`;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const c = spawn(cmd, args, { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		c.stdout.on('data', (b) => (stdout += b));
		c.stderr.on('data', (b) => (stderr += b));
		c.on('error', reject);
		c.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

/** Compares the two sets for one package directory. */
export async function parity(pkgDir: string): Promise<ParityResult> {
	const dir = path.resolve(pkgDir);
	let t = performance.now();
	const raw = await run(GO, ['build', '-o', '/dev/null', '-gcflags=-m=2', '.'], dir);
	const rawMs = performance.now() - t;
	if (raw.code !== 0) throw new Error(`go build failed in ${dir}: ${raw.stderr.slice(-500)}`);
	const want = new Set<string>();
	for (const line of raw.stderr.split('\n')) {
		for (const [re, kind] of FACTS) {
			const m = re.exec(line);
			if (m) {
				want.add(key(m[1], m[2], m[3], kind, dir));
				break;
			}
		}
	}
	const oneFile = readdirSync(dir).find((n) => n.endsWith('.go') && !n.endsWith('_test.go'));
	if (!oneFile) throw new Error(`no Go file in ${dir}`);
	t = performance.now();
	const ours = await run(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'check', '--format', 'json', '--escape', 'all', '--fail-on', 'none', path.join(dir, oneFile)], dir);
	const oursMs = performance.now() - t;
	if (ours.code !== 0) throw new Error(`memlens failed (${ours.code}): ${ours.stderr}`);
	const got = new Set<string>();
	for (const f of JSON.parse(ours.stdout).findings as { rule: string; file: string; line: number; column: number; source: string }[]) {
		if (f.source === 'compiler') got.add(key(path.resolve(dir, f.file), f.line, f.column, f.rule, dir));
	}
	return {
		dir,
		raw: want.size,
		ours: got.size,
		missing: [...want].filter((k) => !got.has(k)),
		extra: [...got].filter((k) => !want.has(k)),
		ms: { raw: Math.round(rawMs), ours: Math.round(oursMs) },
	};
}

async function main(): Promise<void> {
	const goroot = spawnSync(GO, ['env', 'GOROOT'], { env: ENV, encoding: 'utf8' }).stdout.trim();
	const dirs = process.argv.slice(2).length ? process.argv.slice(2) : [path.join(goroot, 'src', 'encoding', 'json'), path.join(goroot, 'src', 'net', 'http')];
	let ok = true;
	for (const d of dirs) {
		const r = await parity(d);
		const same = r.missing.length === 0 && r.extra.length === 0;
		ok &&= same;
		const pct = r.raw ? ((100 * (r.raw - r.missing.length)) / r.raw).toFixed(2) : '100.00';
		console.log(`${r.dir}: raw ${r.raw} facts, memlens ${r.ours}, matched ${r.raw - r.missing.length} (${pct} %), missing ${r.missing.length}, extra ${r.extra.length}; go build ${r.ms.raw} ms, memlens ${r.ms.ours} ms`);
		for (const k of r.missing.slice(0, 20)) console.log(`  missing ${k}`);
		for (const k of r.extra.slice(0, 20)) console.log(`  extra   ${k}`);
	}
	process.exitCode = ok ? 0 : 1;
}

if (require.main === module) void main();
