/**
 * How the heap facts of real code spread over the causes of docs/escape/causes.md, and how many
 * fall into `other` (the classification's blind spot): `memlens check --format json --escape
 * moved-to-heap,escapes-to-heap` on each target, counting the `cause` of every heap finding.
 *
 *   npm run build && node --import tsx bench/causes.ts [--max-other PERCENT] [TARGET ...]
 *
 * Default targets: examples/, $(go env GOROOT)/src/encoding/json, $(go env GOROOT)/src/net/http.
 * Exits 1 when a heap finding has no cause, or when `other` is above --max-other (default 2 %).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { CLI_JS, goEnv } from '../test/hardening/session';

const GO = '/usr/local/go/bin/go';
const ROOT = path.resolve(__dirname, '..');

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		const p = spawn(cmd, args, { env: goEnv() });
		let stdout = '';
		let stderr = '';
		p.stdout.on('data', (d: Buffer) => (stdout += d));
		p.stderr.on('data', (d: Buffer) => (stderr += d));
		p.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	let maxOther = 2;
	const i = args.indexOf('--max-other');
	if (i >= 0) maxOther = Number(args.splice(i, 2)[1]);
	const goroot = (await run(GO, ['env', 'GOROOT'])).stdout.trim();
	const targets = args.length ? args : [path.join(ROOT, 'examples'), path.join(goroot, 'src/encoding/json'), path.join(goroot, 'src/net/http')];
	const total = new Map<string, number>();
	let all = 0;
	let missing = 0;
	const columns: string[] = [];
	const perTarget: Map<string, number>[] = [];
	for (const t of targets) {
		const r = await run(process.execPath, [CLI_JS, 'check', '--format', 'json', '--escape', 'moved-to-heap,escapes-to-heap', '--typed', 'off', '--fail-on', 'none', t]);
		const findings = (JSON.parse(r.stdout) as { findings: { source: string; rule: string; cause?: string }[] }).findings.filter((f) => f.source === 'compiler');
		const counts = new Map<string, number>();
		for (const f of findings) {
			const c = f.cause ?? '(none)';
			if (!f.cause) missing++;
			counts.set(c, (counts.get(c) ?? 0) + 1);
			total.set(c, (total.get(c) ?? 0) + 1);
		}
		all += findings.length;
		columns.push(`${path.relative(path.join(goroot, 'src'), t).startsWith('..') ? path.relative(ROOT, t) || t : path.relative(path.join(goroot, 'src'), t)} (${findings.length})`);
		perTarget.push(counts);
	}
	const ids = [...total.keys()].sort((a, b) => (total.get(b) ?? 0) - (total.get(a) ?? 0));
	console.log(`| cause | ${columns.join(' | ')} | all (${all}) |`);
	console.log(`| --- | ${columns.map(() => '---:').join(' | ')} | ---: |`);
	for (const id of ids) {
		const n = total.get(id) ?? 0;
		console.log(`| \`${id}\` | ${perTarget.map((c) => c.get(id) ?? 0).join(' | ')} | ${n} (${((100 * n) / Math.max(1, all)).toFixed(1)} %) |`);
	}
	const other = total.get('other') ?? 0;
	const otherPct = (100 * other) / Math.max(1, all);
	console.log(`\nother: ${other} of ${all} heap facts (${otherPct.toFixed(2)} %), target ≤ ${maxOther} %; without a cause: ${missing}`);
	process.exit(missing > 0 || otherPct > maxOther ? 1 : 0);
}

void main();
