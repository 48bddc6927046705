/**
 * Memory and responsiveness of the real server (dist/server.js):
 *  1. 1,000 edit cycles (insert + delete one character) on one file: server RSS after warm-up vs at
 *     the end (target: flat within ±5 %) and liveTrees back to the open-document count.
 *     RSS includes the WASM heap (tree-sitter's linear memory only grows, so a tree leak shows here).
 *  2. Every .go file of $(go env GOROOT)/src/net/http opened at once: a hover is answered while the
 *     package's escape analysis runs, and peak RSS stays ≤ 250 MB.
 *
 *   npm run build && node --import tsx bench/memory.ts [CYCLES]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVER_EXEC_ARGV } from '../common/serverRuntime';
import { goEnv, rssOf, startSession } from '../test/hardening/session';
import { SERVER_JS } from '../test/lsp/lspClient';
import type { DebugStats } from '../common/protocol';
import { removeCase, tempCase } from '../test/hardening/workspace';

const CYCLES = Number(process.argv[2] ?? 1000);
const MB = 2 ** 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function editCycles(): Promise<boolean> {
	const dir = tempCase('basic');
	// --expose-gc: debugStats then collects garbage first, so RSS is live memory, not uncollected garbage.
	const s = await startSession({ root: dir, settings: { debounceMs: 0 }, command: [process.execPath, ...SERVER_EXEC_ARGV, '--expose-gc', SERVER_JS, '--stdio'] });
	try {
		const uri = await s.open('a.go');
		await s.waitFor(() => s.statuses.some((st) => st.quiescent && st.state !== 'running'), 120_000, 'first analysis');
		const text = readFileSync(path.join(dir, 'a.go'), 'utf8');
		const lines = text.split('\n');
		const withX = [...lines];
		withX[2] = withX[2].slice(0, 3) + 'x' + withX[2].slice(3);
		const cycle = async () => {
			let v = await s.edit(uri, { start: { line: 2, character: 3 }, end: { line: 2, character: 3 } }, 'x', withX.join('\n'));
			await s.waitFor(() => (s.diagnostics.get(uri)?.version ?? 0) >= v, 60_000, 'diagnostics');
			v = await s.edit(uri, { start: { line: 2, character: 3 }, end: { line: 2, character: 4 } }, '', text);
			await s.waitFor(() => (s.diagnostics.get(uri)?.version ?? 0) >= v, 60_000, 'diagnostics');
		};
		const warmup = Math.min(200, Math.floor(CYCLES / 5));
		for (let i = 0; i < warmup; i++) await cycle();
		const samples: { at: number; rss: number }[] = [];
		for (let i = warmup; i < CYCLES; i++) {
			await cycle();
			if ((i - warmup) % 20 === 0) samples.push({ at: i, rss: (await s.conn.sendRequest<{ rssBytes: number }>('goMemlens/debugStats')).rssBytes });
		}
		const k = Math.max(3, Math.floor(samples.length / 5));
		const first = median(samples.slice(0, k).map((x) => x.rss));
		const last = median(samples.slice(-k).map((x) => x.rss));
		const stats = await s.conn.sendRequest<{ liveTrees: number; rssBytes: number }>('goMemlens/debugStats');
		const drift = (last - first) / first;
		console.log(`## ${CYCLES} edit cycles (${warmup} warm-up)`);
		console.log(`RSS after warm-up ${(first / MB).toFixed(1)} MB → end ${(last / MB).toFixed(1)} MB: ${(drift * 100).toFixed(1)} % (target ±5 %)`);
		console.log(`RSS min/max over the run: ${(Math.min(...samples.map((x) => x.rss)) / MB).toFixed(1)} / ${(Math.max(...samples.map((x) => x.rss)) / MB).toFixed(1)} MB`);
		console.log(`liveTrees with 1 open document: ${stats.liveTrees}`);
		await s.close(uri);
		let trees = -1;
		for (let i = 0; i < 50 && trees !== 0; i++) trees = (await s.conn.sendRequest<{ liveTrees: number }>('goMemlens/debugStats')).liveTrees;
		console.log(`liveTrees after close: ${trees}`);
		return Math.abs(drift) <= 0.05 && stats.liveTrees === 1 && trees === 0;
	} finally {
		await s.stop();
		removeCase(dir);
	}
}

async function openNetHttp(): Promise<boolean> {
	const goroot = execFileSync('/usr/local/go/bin/go', ['env', 'GOROOT'], { env: goEnv(), encoding: 'utf8' }).trim();
	const dir = path.join(goroot, 'src', 'net', 'http');
	const files = readdirSync(dir).filter((f) => f.endsWith('.go'));
	const s = await startSession({ root: dir, settings: {} });
	let peak = 0;
	let sampling = true;
	const sampler = (async () => {
		while (sampling) {
			peak = Math.max(peak, rssOf(s.proc.pid));
			await new Promise((r) => setTimeout(r, 50));
		}
	})();
	try {
		const t0 = performance.now();
		const uris: string[] = [];
		for (const f of files) uris.push(await s.open(f));
		const opened = performance.now() - t0;
		// wait until escape analysis is running, then ask for a hover on server.go
		await s.waitFor(() => s.statuses.some((st) => st.state === 'running'), 120_000, 'analysis running');
		const h0 = performance.now();
		const target = uris[files.indexOf('server.go')];
		await s.hover(target, 100, 5);
		const hoverMs = performance.now() - h0;
		const runningAtHover = s.statuses.at(-1)?.state === 'running' || s.statuses.at(-1)?.quiescent === false;
		await s.waitFor(() => s.statuses.at(-1)?.quiescent === true, 600_000, 'quiescent');
		const total = performance.now() - t0;
		sampling = false;
		await sampler;
		const stats = await s.conn.sendRequest<DebugStats>('goMemlens/debugStats');
		console.log(`\n## net/http: ${files.length} files opened in ${opened.toFixed(0)} ms; settled after ${(total / 1000).toFixed(1)} s`);
		console.log(`hover while analysis ran (still running: ${runningAtHover}): answered in ${hoverMs.toFixed(0)} ms`);
		console.log(`peak RSS ${(peak / MB).toFixed(1)} MB (target ≤ 250 MB); at rest ${(stats.rssBytes / MB).toFixed(1)} MB; liveTrees ${stats.liveTrees}; go runs ${stats.spawnCount}`);
		// Where the memory is at rest (no forced GC here: the JS heap figure includes garbage not yet collected).
		const mb = (n: number | undefined) => `${((n ?? 0) / MB).toFixed(1)} MB`;
		console.log(
			`at rest: JS heap used ${mb(stats.heapUsedBytes)} of ${mb(stats.heapTotalBytes)} committed; external ${mb(stats.externalBytes)} ` +
				`(tree-sitter's WASM memory + ${mb(stats.arrayBuffersBytes)} of buffers); the rest of RSS is node itself (~70 MB: code, malloc)`,
		);
		// Trees are made when first needed: files over 8K characters have none until they are typed in (docs/responsiveness.md).
		return peak <= 250 * MB && stats.liveTrees <= files.length;
	} finally {
		sampling = false;
		await s.stop();
	}
}

async function main(): Promise<void> {
	const a = await editCycles();
	const b = await openNetHttp();
	if (!a || !b) process.exitCode = 1;
}

void main().catch((e) => {
	console.error(e);
	process.exitCode = 1;
});
