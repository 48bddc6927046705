/**
 * Rule recall on real bugs nobody here wrote: each case under bench/recall/cases/<name>/ holds the
 * buggy code of a public project (the commit before its fix, copied verbatim, with small stubs so
 * it compiles without the network) in `buggy/`, and the same code after the fix in `fixed/`.
 * `memlens check` (default options: escape facts, rules, typed pass) runs on both; a case is
 * caught when the expected rule reports in the buggy version at the expected level or above, and
 * the fixed version must not get that rule's finding.
 *
 *   npm run build && node --import tsx bench/recall.ts [--quick] [NAME ...]
 *
 * bench/recall/cases.json records, per case, where the code comes from, the rule, and what memlens
 * is known to do (`expect`: "caught", or "missed" with the reason): the run fails (exit 1) when a
 * case does other than recorded, either way, so a change that loses a real bug, or starts
 * catching one, is seen and the record is updated by hand. `--quick`: the cases marked `quick` (CI).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_JS, ROOT, goEnv } from '../test/hardening/session';

interface Case {
	name: string;
	rule: string;
	/** The lowest level that counts as catching the bug. */
	level: 'error' | 'warning' | 'information' | 'hint';
	source: string;
	bug: string;
	expect: 'caught' | 'missed';
	why?: string;
	quick?: boolean;
}

interface Finding {
	rule: string;
	severity: string;
	file: string;
	line: number;
}

const RANK: Record<string, number> = { hint: 0, information: 1, warning: 2, error: 3 };
const DIR = path.join(ROOT, 'bench', 'recall');

/** `memlens check` on a copy of the directory (the cases stay as committed). */
function check(dir: string): Promise<Finding[] | string> {
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-recall-'));
	cpSync(dir, tmp, { recursive: true });
	return new Promise((resolve) => {
		const p = spawn(process.execPath, [CLI_JS, 'check', '--format', 'json', '--fail-on', 'none', '.'], { cwd: tmp, env: goEnv({ MEMLENS_CACHE: 'off' }), stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		p.stdout.on('data', (d) => (out += d));
		p.stderr.on('data', (d) => (err += d));
		p.on('close', (code) => {
			rmSync(tmp, { recursive: true, force: true });
			try {
				resolve((JSON.parse(out) as { findings: Finding[] }).findings);
			} catch {
				resolve(`exit ${code}: ${err.trim().split('\n').slice(-2).join(' ')}`);
			}
		});
	});
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const quick = args.includes('--quick');
	const named = args.filter((a) => !a.startsWith('--'));
	const all = (JSON.parse(readFileSync(path.join(DIR, 'cases.json'), 'utf8')) as { cases: Case[] }).cases;
	const cases = all.filter((c) => (named.length ? named.includes(c.name) : !quick || c.quick));
	console.log(`recall bench: ${cases.length} real bugs (buggy and fixed code), ${os.availableParallelism?.() ?? os.cpus().length} CPUs`);
	let caught = 0;
	let surprises = 0;
	let noisyFixes = 0;
	const byRule = new Map<string, { cases: number; caught: number }>();
	for (const c of cases) {
		const [buggy, fixed] = [await check(path.join(DIR, 'cases', c.name, 'buggy')), await check(path.join(DIR, 'cases', c.name, 'fixed'))];
		if (typeof buggy === 'string' || typeof fixed === 'string') {
			console.log(`  ${c.name.padEnd(26)} FAILED to run: ${typeof buggy === 'string' ? buggy : fixed}`);
			surprises++;
			continue;
		}
		const hits = buggy.filter((f) => f.rule === c.rule);
		const best = hits.reduce((m, f) => Math.max(m, RANK[f.severity] ?? -1), -1);
		const got = best >= RANK[c.level] ? 'caught' : 'missed';
		const onFix = fixed.filter((f) => f.rule === c.rule);
		if (got === 'caught') caught++;
		if (onFix.length) noisyFixes++;
		const r = byRule.get(c.rule) ?? { cases: 0, caught: 0 };
		r.cases++;
		if (got === 'caught') r.caught++;
		byRule.set(c.rule, r);
		const surprise = got !== c.expect || onFix.length > 0;
		if (surprise) surprises++;
		const seen = hits.length ? `${hits.length}× ${hits.map((f) => f.severity).join('/')}` : 'nothing';
		console.log(`  ${c.name.padEnd(26)} ${c.rule.padEnd(26)} ${got.padEnd(7)} (${seen}; fixed: ${onFix.length ? `${onFix.length} finding(s)` : 'silent'})${surprise ? `  ✘ recorded: ${c.expect}${onFix.length ? ', fixed silent' : ''}` : ''}${got === 'missed' && c.why ? `\n      why: ${c.why}` : ''}`);
	}
	console.log('\nrule                       caught / cases');
	for (const [rule, r] of [...byRule].sort()) console.log(`${rule.padEnd(26)} ${String(r.caught).padStart(6)} / ${r.cases}`);
	console.log(`\noverall: ${caught} of ${cases.length} real bugs caught at their level (${((100 * caught) / Math.max(1, cases.length)).toFixed(0)} %); fixed versions with the rule's finding: ${noisyFixes}; cases other than recorded: ${surprises}`);
	process.exit(surprises ? 1 : 0);
}

void main();
