/**
 * `memlens fix` over the real corpus (bench/precision/corpus.json + GOROOT): every edit it applies
 * must still compile, and every one is judged by hand in bench/precision/fixes.json.
 *
 *   npm run build && node --import tsx bench/fixCorpus.ts [--quick] [NAME ...]
 *
 * Each tree is copied to a temp directory (the corpus is never written), `memlens fix .` runs in
 * the copy, and every package it touched is compiled with its tests (`go test -c`) before and
 * after the fix (cgo packages whose C headers are missing fail both times and are reported apart).
 * GOROOT is copied whole and built with GOROOT pointing at the copy. `--quick`: GOROOT's
 * subtrees of the precision bench's quick run only, compiled in place of the whole std copy when no
 * fix applies.
 *
 * Judgments: {repo, file, line, rule, title, verdict: "tp"|"fp", reason}; exit 1 when an applied
 * fix breaks a build that worked before, or a fix has no judgment or a "fp" one.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_JS, ROOT, goEnv } from '../test/hardening/session';

const GO = '/usr/local/go/bin/go';
const QUICK_DIRS = ['syscall', 'internal/poll', 'runtime/pprof', 'net/http/httputil', 'sync'];

interface FixJudgment {
	repo: string;
	file: string;
	line: number;
	rule: string;
	title: string;
	verdict: 'tp' | 'fp';
	reason: string;
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = goEnv()): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		const p = spawn(cmd, args, { cwd, env });
		let stdout = '';
		let stderr = '';
		p.stdout.on('data', (d: Buffer) => (stdout += d));
		p.stderr.on('data', (d: Buffer) => (stderr += d));
		p.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

/** `file:line: title [rule]` lines printed by `memlens fix`. */
function parseApplied(stdout: string): { file: string; line: number; title: string; rule: string }[] {
	const out = [];
	for (const l of stdout.split('\n')) {
		const m = /^(.+?):(\d+): (.*) \[([a-z-]+)\]$/.exec(l);
		if (m) out.push({ file: m[1], line: Number(m[2]), title: m[3], rule: m[4] });
	}
	return out;
}

/** Compiles the packages (and their tests) in `dirs`, relative to `cwd`: the failing ones. */
async function compileFailures(cwd: string, dirs: string[], env: Record<string, string>): Promise<Map<string, string>> {
	const failed = new Map<string, string>();
	const out = mkdtempSync(path.join(os.tmpdir(), 'memlens-fixbench-bin-'));
	for (const d of dirs) {
		const pkg = d === '.' ? '.' : `./${d}`;
		const b = await run(GO, ['build', '-o', os.devNull, pkg], cwd, env);
		const t = b.code === 0 ? await run(GO, ['test', '-c', '-o', path.join(out, 'x.test'), pkg], cwd, env) : b;
		if (t.code !== 0) failed.set(d, (b.code !== 0 ? b.stderr : t.stderr).trim().split('\n').slice(0, 4).join('\n    '));
	}
	rmSync(out, { recursive: true, force: true });
	return failed;
}

async function main(): Promise<void> {
	const argv = process.argv.slice(2);
	const quick = argv.includes('--quick');
	const names = argv.filter((a) => !a.startsWith('--'));
	const corpusDir = process.env.MEMLENS_CORPUS ?? path.join(ROOT, '..', 'corpus');
	const manifest = JSON.parse(readFileSync(path.join(ROOT, 'bench', 'precision', 'corpus.json'), 'utf8')) as { modules: { name: string }[] };
	const judgments = JSON.parse(readFileSync(path.join(ROOT, 'bench', 'precision', 'fixes.json'), 'utf8')) as FixJudgment[];
	const judged = new Map(judgments.map((j) => [`${j.repo}|${j.file}|${j.line}|${j.rule}`, j]));
	const goroot = (await run(GO, ['env', 'GOROOT'], ROOT)).stdout.trim();

	const trees: { name: string; src: string; paths: string[] }[] = [];
	if (!quick) for (const m of manifest.modules) if ((!names.length || names.includes(m.name)) && existsSync(path.join(corpusDir, m.name, 'go.mod'))) trees.push({ name: m.name, src: path.join(corpusDir, m.name), paths: ['.'] });
	if (!names.length || names.includes('goroot')) trees.push({ name: 'goroot', src: goroot, paths: quick ? QUICK_DIRS.map((d) => `src/${d}`) : ['src'] });

	let applied = 0;
	let broken = 0;
	let unjudged = 0;
	let wrong = 0;
	for (const t of trees) {
		const tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-fixbench-'));
		const copy = path.join(tmp, t.name);
		try {
			cpSync(t.src, copy, { recursive: true, verbatimSymlinks: true });
			// GOROOT's packages are built from the copy: the go command finds std under $GOROOT.
			const env = t.name === 'goroot' ? goEnv({ GOROOT: copy }) : goEnv();
			const cwd = t.name === 'goroot' ? path.join(copy, 'src') : copy;
			const r = await run(process.execPath, [CLI_JS, 'fix', ...t.paths.map((p) => (t.name === 'goroot' ? p.replace(/^src\/?/, '') || '.' : p))], cwd);
			const fixes = parseApplied(r.stdout);
			applied += fixes.length;
			const dirs = [...new Set(fixes.map((f) => path.dirname(f.file)))].sort();
			// Before: the pristine tree; after: the fixed copy.
			const before = dirs.length ? await compileFailures(t.name === 'goroot' ? path.join(goroot, 'src') : t.src, dirs, goEnv()) : new Map();
			const after = dirs.length ? await compileFailures(cwd, dirs, env) : new Map();
			console.log(`${t.name}: ${fixes.length} fix(es) applied in ${dirs.length} package(s)`);
			for (const f of fixes) {
				const j = judged.get(`${t.name}|${f.file}|${f.line}|${f.rule}`);
				if (!j) unjudged++;
				else if (j.verdict !== 'tp') wrong++;
				console.log(`  ${j ? j.verdict : '??'} ${f.file}:${f.line} ${f.title} [${f.rule}]${j ? ` — ${j.reason}` : ''}`);
			}
			for (const [d, err] of after) {
				if (before.has(d)) console.log(`  (${d} did not compile before the fix either: ${before.get(d)!.split('\n')[0]})`);
				else {
					broken++;
					console.log(`  BROKEN by the fix: ${d}\n    ${err}`);
				}
			}
		} finally {
			rmSync(tmp, { recursive: true, force: true });
		}
	}
	console.log(`\n${applied} fix(es) applied; ${broken} package(s) broken by a fix; ${unjudged} unjudged; ${wrong} judged wrong`);
	if (broken || unjudged || wrong) process.exitCode = 1;
}

void main();
