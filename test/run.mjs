// Runs every test tier with node's test runner (node 20 has no glob support for --test, so we
// collect the files here). Tiers: unit, lsp, cli, hardening, then e2e (a real VS Code UI).
// `node test/run.mjs unit lsp` runs only the named tiers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);
const tiers = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'lsp', 'cli', 'hardening', 'e2e'];

function collect(dir) {
	let out = [];
	let entries;
	try {
		entries = readdirSync(dir);
	} catch {
		return out;
	}
	for (const name of entries.sort()) {
		if (name === 'node_modules' || name === 'fixtures') continue;
		const p = path.join(dir, name);
		if (statSync(p).isDirectory()) out = out.concat(collect(p));
		else if (/\.test\.(ts|mjs)$/.test(name)) out.push(p);
	}
	return out;
}

// The CLI's findings cache (cli/findingsCache.ts) goes to a fresh directory: a test run neither
// reads what an earlier build left in ~/.cache/memlens nor fills it (tests that need their own set it).
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'memlens-test-cache-'));
process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));
const env = { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH}`, GOTOOLCHAIN: 'local', MEMLENS_CACHE: process.env.MEMLENS_CACHE ?? cacheDir };
let failed = false;
for (const tier of tiers) {
	const files = collect(path.join(root, tier));
	if (files.length === 0) continue;
	console.log(`\n## ${tier}: ${files.length} file(s)`);
	const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files];
	const r = spawnSync(process.execPath, args, { stdio: 'inherit', env });
	if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
