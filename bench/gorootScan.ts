/**
 * Syntax-rule throughput over all of GOROOT/src: `memlens check --escape none --typed off --format json`
 * versus `gofmt -l` over the same files, and the number of rule exceptions (must be 0).
 *
 *   npm run build && node --import tsx bench/gorootScan.ts [DIR]
 *
 * The CLI reports a rule that throws as a `memlens: rule ID failed on FILE: …` line on stderr
 * (server/src/cli/analyze.ts, fed by runRules' onError): those lines are the exception count.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { CLI_JS, goEnv } from '../test/hardening/session';

const GO = '/usr/local/go/bin/go';

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
	return new Promise((resolve) => {
		const t0 = performance.now();
		const p = spawn(cmd, args, { env: goEnv() });
		let stdout = '';
		let stderr = '';
		p.stdout.on('data', (d: Buffer) => (stdout += d));
		p.stderr.on('data', (d: Buffer) => (stderr += d));
		p.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
	});
}

/** The .go files the CLI analyses: the same skips as server/src/cli/discover.ts. */
function goFiles(dir: string, out: string[] = []): string[] {
	for (const e of readdirSync(dir, { withFileTypes: true })) {
		if (e.isDirectory()) {
			if (['vendor', 'testdata', 'node_modules'].includes(e.name) || e.name.startsWith('.') || e.name.startsWith('_')) continue;
			goFiles(path.join(dir, e.name), out);
		} else if (e.name.endsWith('.go')) out.push(path.join(dir, e.name));
	}
	return out;
}

async function main(): Promise<void> {
	const goroot = (await run(GO, ['env', 'GOROOT'])).stdout.trim();
	const dir = process.argv[2] ?? path.join(goroot, 'src');
	const files = goFiles(dir);
	console.log(`tree: ${dir} (${files.length} .go files)`);

	// The syntax rules' own throughput: the typed pass (go vet, docs/typed.md) is not part of it.
	const ours = await run(process.execPath, [CLI_JS, 'check', '--escape', 'none', '--typed', 'off', '--format', 'json', '--fail-on', 'none', dir]);
	let findings = -1;
	try {
		findings = (JSON.parse(ours.stdout) as { findings: unknown[] }).findings.length;
	} catch {
		console.log(`memlens output is not JSON (exit ${ours.code}): ${ours.stderr.slice(0, 500)}`);
	}
	const exceptions = ours.stderr.split('\n').filter((l) => /rule \S+ failed on|suppression failed/.test(l));

	// gofmt over exactly the same files, in argument batches
	let gofmtMs = 0;
	for (let i = 0; i < files.length; i += 500) gofmtMs += (await run(path.join(goroot, 'bin', 'gofmt'), ['-l', ...files.slice(i, i + 500)])).ms;

	const oursRate = files.length / (ours.ms / 1000);
	const gofmtRate = files.length / (gofmtMs / 1000);
	console.log(`memlens check --escape none --typed off: ${(ours.ms / 1000).toFixed(1)} s, ${oursRate.toFixed(0)} files/s, ${findings} findings, exit ${ours.code}`);
	console.log(`gofmt -l (same files):       ${(gofmtMs / 1000).toFixed(1)} s, ${gofmtRate.toFixed(0)} files/s`);
	console.log(`ratio memlens/gofmt time: ${(ours.ms / gofmtMs).toFixed(2)}×`);
	console.log(`rule exceptions: ${exceptions.length}`);
	for (const e of exceptions.slice(0, 10)) console.log(`  ${e}`);
	const other = ours.stderr.split('\n').filter((l) => l && !exceptions.includes(l));
	if (other.length) console.log(`other stderr lines: ${other.length}\n  ${other.slice(0, 5).join('\n  ')}`);
	if (exceptions.length > 0 || findings < 0) process.exitCode = 1;
}

void main();
