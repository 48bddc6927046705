/**
 * Rule precision on real Go code nobody here wrote: runs `memlens check` over each module of the
 * corpus (bench/precision/corpus.json, pinned by commit) and over $(go env GOROOT)/src, and scores
 * every rule finding against the hand judgments in bench/precision/labels/<rule>.json.
 *
 *   npm run build && node --import tsx bench/precision.ts [--escape none|all] [--quick] [--list] [NAME ...]
 *
 * Corpus layout: each module's source tree at $MEMLENS_CORPUS/<name> (default: `corpus/` beside
 * this checkout), e.g. `git clone <repo> $MEMLENS_CORPUS/<name> && git -C … checkout <commit>`,
 * then `go mod download` in it (so the typed pass can load dependencies). cgo modules need their
 * C headers for the typed pass (Debian: libgtk-3-dev, librocksdb-dev, libpcap-dev); without them
 * their packages are judged on the syntax answer. Nothing of the corpus is committed but the labels.
 *
 * Labels: {repo, file, line, rule, verdict: "tp"|"fp", reason, text}; `file` relative to the
 * module root (GOROOT: to $GOROOT/src), `text` the trimmed source line (a mismatch means the tree
 * is not at the pinned commit: reported as a stale label). Findings without a label are listed and
 * fail the run: every finding is judged by reading the code.
 *
 * Targets (exit 1 when missed): overall precision ≥ 95 %, every rule with ≥ 5 findings ≥ 90 %,
 * no unjudged finding. `--quick` scores GOROOT subtrees only (CI), `--list` prints every finding
 * with its verdict.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CLI_JS, ROOT, goEnv } from '../test/hardening/session';
import { ALL_RULES } from '../server/src/rules/index';
import { goFiles, loadLabels, score, type Label, type Scored } from './precision/score';

const GO = '/usr/local/go/bin/go';
/** GOROOT subtrees for `--quick`: small, and each holds judged findings of several rules. */
const QUICK_DIRS = ['syscall', 'internal/poll', 'runtime/pprof', 'net/http/httputil', 'sync', 'cmd/go/internal/modget', 'runtime/mcleanup_test.go', 'os/os_windows_test.go'];

interface CorpusEntry {
	name: string;
	repo: string;
	commit: string;
	module: string;
	go: string;
	why: string;
}

interface Finding {
	rule: string;
	file: string;
	line: number;
	severity: string;
	message: string;
	source: string;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
	return new Promise((resolve) => {
		const t0 = performance.now();
		const p = spawn(cmd, args, { cwd, env: goEnv() });
		const out: Buffer[] = [];
		let stderr = '';
		p.stdout.on('data', (d: Buffer) => out.push(d));
		p.stderr.on('data', (d: Buffer) => (stderr += d));
		p.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr, ms: performance.now() - t0 }));
	});
}

function parseArgs(argv: string[]): { escape: string; quick: boolean; list: boolean; names: string[] } {
	const o = { escape: 'none', quick: false, list: false, names: [] as string[] };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--escape') o.escape = argv[++i];
		else if (a === '--quick') o.quick = true;
		else if (a === '--list') o.list = true;
		else o.names.push(a);
	}
	return o;
}

async function main(): Promise<void> {
	const opts = parseArgs(process.argv.slice(2));
	const corpusDir = process.env.MEMLENS_CORPUS ?? path.join(ROOT, '..', 'corpus');
	const manifest = JSON.parse(readFileSync(path.join(ROOT, 'bench', 'precision', 'corpus.json'), 'utf8')) as { modules: CorpusEntry[] };
	const goroot = (await run(GO, ['env', 'GOROOT'], ROOT)).stdout.trim();
	const goVersion = (await run(GO, ['env', 'GOVERSION'], ROOT)).stdout.trim();

	const targets: { name: string; dir: string; paths: string[] }[] = [];
	const absent: string[] = [];
	if (!opts.quick) {
		for (const m of manifest.modules) {
			if (opts.names.length && !opts.names.includes(m.name)) continue;
			const dir = path.join(corpusDir, m.name);
			if (existsSync(path.join(dir, 'go.mod'))) targets.push({ name: m.name, dir, paths: ['.'] });
			else absent.push(`${m.name} (${m.repo} @ ${m.commit.slice(0, 12)})`);
		}
	}
	if (!opts.names.length || opts.names.includes('goroot')) {
		targets.push({ name: 'goroot', dir: path.join(goroot, 'src'), paths: opts.quick ? QUICK_DIRS : ['.'] });
	}
	console.log(`precision bench: ${targets.length} tree(s), --escape ${opts.escape}, ${goVersion}; corpus ${corpusDir}`);
	if (absent.length) console.log(`absent (not scored): ${absent.join(', ')}`);

	const labels = loadLabels(path.join(ROOT, 'bench', 'precision', 'labels'));
	const scoredAll: Scored[] = [];
	let lines = 0;
	for (const t of targets) {
		const r = await run(process.execPath, [CLI_JS, 'check', '--escape', opts.escape, '--format', 'json', '--fail-on', 'none', ...t.paths], t.dir);
		let findings: Finding[];
		try {
			findings = (JSON.parse(r.stdout) as { findings: Finding[] }).findings.filter((f) => f.source === 'syntax');
		} catch {
			console.log(`${t.name}: memlens output is not JSON (exit ${r.code}): ${r.stderr.slice(0, 400)}`);
			process.exitCode = 1;
			continue;
		}
		const exceptions = r.stderr.split('\n').filter((l) => /rule \S+ failed on|suppression failed/.test(l));
		const files = t.paths.flatMap((p) => goFiles(path.join(t.dir, p)));
		const n = files.reduce((acc, f) => acc + readFileSync(f, 'utf8').split('\n').length, 0);
		lines += n;
		const scored = score(t.name, t.dir, findings, labels);
		scoredAll.push(...scored);
		const tp = scored.filter((s) => s.verdict === 'tp').length;
		console.log(`${t.name.padEnd(20)} ${String(n).padStart(8)} lines  ${String(findings.length).padStart(4)} findings  ${tp} tp  ${(r.ms / 1000).toFixed(1)} s${exceptions.length ? `  ${exceptions.length} RULE EXCEPTIONS` : ''}`);
		if (exceptions.length) process.exitCode = 1;
	}
	report(scoredAll, lines, opts.list);
}

function pct(tp: number, judged: number): string {
	return judged ? `${((100 * tp) / judged).toFixed(1)} %` : '—';
}

function report(scored: Scored[], lines: number, list: boolean): void {
	const byRule = new Map<string, Scored[]>();
	for (const s of scored) byRule.set(s.finding.rule, [...(byRule.get(s.finding.rule) ?? []), s]);
	console.log('\nrule                       findings   tp   fp  unjudged  precision  (by severity: tp/judged)');
	let failed = false;
	for (const rule of [...byRule.keys()].sort()) {
		const ss = byRule.get(rule)!;
		const tp = ss.filter((s) => s.verdict === 'tp').length;
		const fp = ss.filter((s) => s.verdict === 'fp').length;
		const un = ss.length - tp - fp;
		const sev = ['error', 'warning', 'information', 'hint']
			.map((v) => [v, ss.filter((s) => s.finding.severity === v)] as const)
			.filter(([, x]) => x.length)
			.map(([v, x]) => `${v} ${x.filter((s) => s.verdict === 'tp').length}/${x.filter((s) => s.verdict).length}`)
			.join(', ');
		const miss = tp + fp >= 5 && tp / (tp + fp) < 0.9;
		if (miss) failed = true;
		console.log(`${rule.padEnd(26)} ${String(ss.length).padStart(8)} ${String(tp).padStart(4)} ${String(fp).padStart(4)} ${String(un).padStart(9)}  ${pct(tp, tp + fp).padStart(9)}  ${sev}${miss ? '  ✘ < 90 %' : ''}`);
	}
	const tp = scored.filter((s) => s.verdict === 'tp').length;
	const fp = scored.filter((s) => s.verdict === 'fp').length;
	const unjudged = scored.filter((s) => !s.verdict);
	const stale = scored.filter((s) => s.stale);
	console.log(`\noverall: ${scored.length} findings, ${tp} tp, ${fp} fp, ${unjudged.length} unjudged: precision ${pct(tp, tp + fp)} (target ≥ 95 %)`);
	console.log(`findings per 1,000 lines: ${((1000 * scored.length) / Math.max(1, lines)).toFixed(3)} (${lines.toLocaleString('en')} lines of Go)`);
	const never = ALL_RULES.map((r) => r.id).filter((id) => !byRule.has(id));
	console.log(`rules that never fired (precision unmeasured): ${never.length ? never.join(', ') : 'none'}`);
	if (stale.length) console.log(`stale labels (source line differs from the label's text: tree not at the pinned commit?): ${stale.length}`);
	if (tp + fp && tp / (tp + fp) < 0.95) failed = true;
	if (unjudged.length) {
		failed = true;
		console.log(`\nunjudged findings (judge each by reading the code, then add a label):`);
		for (const s of unjudged) console.log(`  ${s.repo} ${s.file}:${s.finding.line} [${s.finding.rule}] ${s.finding.severity}: ${s.finding.message.split('\n')[0].slice(0, 160)}`);
	}
	if (list) {
		console.log('\nall findings:');
		for (const s of scored) console.log(`  ${s.verdict ?? '??'} ${s.repo} ${s.file}:${s.finding.line} [${s.finding.rule}] ${s.label?.reason ?? ''}`);
	}
	if (failed) process.exitCode = 1;
}

export type { Label };
void main();
