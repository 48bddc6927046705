/**
 * Save → diagnostics through the real language server, side by side with the raw compiler run.
 *
 *   npm run build && node --import tsx bench/saveToDiagnostics.ts [PKG_DIR...]
 *
 * Defaults: GOROOT's encoding/json and examples/. Per package it measures, interleaved:
 *  (a) raw `go build -o /dev/null -gcflags=-m=2 -overlay=… .` with one file's content changed
 *      (a comment appended through an overlay, so nothing is written into the package),
 *  (b) didSave → publishDiagnostics through the server with the same kind of change (cold),
 *  and the warm cases (unchanged content: build cache replay), the ratio b/a (target ≤ 1.10×),
 *  and the processes spawned when an unchanged package is re-opened (target 0).
 * The typed pass (docs/typed.md) side by side:
 *  (c) raw `go vet -json -copylocks -overlay=… .` on the same change, cold and warm,
 *  (d) didSave → the publish that carries the typed results (the one after the compile's), and
 *      whether every save published the compiler's facts first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LspClient, REPO_ROOT } from '../test/lsp/lspClient';

const GO = '/usr/local/go/bin/go';
const ENV = { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH}`, GOTOOLCHAIN: 'local' };
const REPS = Number(process.env.BENCH_REPS ?? 3);

function goroot(): string {
	return execFileSync(GO, ['env', 'GOROOT'], { env: ENV, encoding: 'utf8' }).trim();
}

function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}

/** The first non-test .go file of a package (the one we edit). */
function pickFile(dir: string): string | undefined {
	const f = readdirSync(dir).filter((n) => n.endsWith('.go') && !n.endsWith('_test.go')).sort()[0];
	return f && path.join(dir, f);
}

/** One raw compile of `dir` with `file` replaced by `content` through an overlay; wall ms. */
function rawRun(dir: string, file: string, content: string, tmp: string): number {
	const backing = path.join(tmp, `raw-${Date.now()}.go`);
	writeFileSync(backing, content);
	const overlay = path.join(tmp, 'overlay.json');
	writeFileSync(overlay, JSON.stringify({ Replace: { [file]: backing } }));
	const t0 = performance.now();
	const r = spawnSync(GO, ['build', '-o', '/dev/null', '-gcflags=-m=2', `-overlay=${overlay}`, '.'], { cwd: dir, env: ENV, encoding: 'utf8', maxBuffer: 1 << 29 });
	const ms = performance.now() - t0;
	if (r.status !== 0) throw new Error(`raw build failed in ${dir}: ${r.stderr.slice(-500)}`);
	return ms;
}

/** One raw typed pass (go vet copylocks) of `dir` with `file` replaced by `content`; wall ms. */
function rawVet(dir: string, file: string, content: string, tmp: string): number {
	const backing = path.join(tmp, `vet-${Date.now()}.go`);
	writeFileSync(backing, content);
	const overlay = path.join(tmp, 'overlay-vet.json');
	writeFileSync(overlay, JSON.stringify({ Replace: { [file]: backing } }));
	const t0 = performance.now();
	const r = spawnSync(GO, ['vet', '-json', '-copylocks', `-overlay=${overlay}`, '.'], { cwd: dir, env: ENV, encoding: 'utf8', maxBuffer: 1 << 29 });
	const ms = performance.now() - t0;
	if (r.status !== 0) throw new Error(`raw vet failed in ${dir}: ${r.stderr.slice(-500)}`);
	return ms;
}

async function benchPackage(dir: string): Promise<void> {
	const file = pickFile(dir);
	if (!file) return console.log(`${dir}: no Go files, skipped`);
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-bench-'));
	const original = readFileSync(file, 'utf8');
	const client = await LspClient.start({ configuration: (it) => (it.section === 'goMemlens' ? { debounceMs: 0 } : null) });
	const raw: { cold: number[]; warm: number[]; vetCold: number[]; vetWarm: number[] } = { cold: [], warm: [], vetCold: [], vetWarm: [] };
	const lsp: { cold: number[]; warmSave: number[]; warmRerun: number[]; typedCold: number[]; typedFirst: number; typedRuns: number } = { cold: [], warmSave: [], warmRerun: [], typedCold: [], typedFirst: 0, typedRuns: 0 };
	try {
		const uri = await client.open(file);
		await client.waitForQuiescent((s) => s.state === 'upToDate' || s.state === 'stale');
		for (let i = 0; i < REPS; i++) {
			const nonce = `\n// memlens bench ${process.pid} ${Date.now()} ${i}\n`;
			// (a) raw, cold then warm (same content again: the build cache replays the -m output).
			raw.cold.push(rawRun(dir, file, original + nonce.replace('bench', 'bench raw'), tmp));
			raw.warm.push(rawRun(dir, file, original + nonce.replace('bench', 'bench raw'), tmp));
			// (c) raw vet of the same change, cold (vet has not seen this text) and warm (vet's cache replays it).
			raw.vetCold.push(rawVet(dir, file, original + nonce.replace('bench', 'bench raw'), tmp));
			raw.vetWarm.push(rawVet(dir, file, original + nonce.replace('bench', 'bench raw'), tmp));
			// (b) server, cold: a different comment so the compile really runs.
			const lines = original.split('\n');
			// The edit itself republishes (rules run on every change): wait for that first.
			const afterChange = client.nextDiagnostics(uri);
			await client.change(uri, [{ range: { start: { line: lines.length - 1, character: lines[lines.length - 1].length }, end: { line: lines.length - 1, character: lines[lines.length - 1].length } }, text: nonce }]);
			await afterChange;
			let published = client.nextDiagnostics(uri);
			const typedBefore = (await client.debugStats()).typedResults ?? 0;
			let t0 = performance.now();
			await client.save(uri);
			await published;
			lsp.cold.push(performance.now() - t0);
			// (d) the next publish is the typed pass's (registered before any later message is read).
			const typedPublished = client.nextDiagnostics(uri).then(() => performance.now() - t0);
			// No typed result applied yet when the compiler's facts were out (a late answer can only undercount).
			if (((await client.debugStats()).typedResults ?? 0) === typedBefore) lsp.typedFirst++;
			await client.waitForQuiescent();
			if (((await client.debugStats()).typedResults ?? 0) > typedBefore) {
				lsp.typedCold.push(await typedPublished);
				lsp.typedRuns++;
			}
			// warm save: unchanged content (the server's own cache may answer).
			published = client.nextDiagnostics(uri);
			t0 = performance.now();
			await client.save(uri);
			await published;
			lsp.warmSave.push(performance.now() - t0);
			// forced re-run of the same text: bypasses the server's cache. After a compile replay the go
			// build cache has never seen this text, so the runner replays the compile again.
			published = client.nextDiagnostics(uri);
			t0 = performance.now();
			await client.connection.sendRequest('workspace/executeCommand', { command: 'goMemlens.server.rerun', arguments: [uri] });
			await published;
			lsp.warmRerun.push(performance.now() - t0);
			await client.waitForQuiescent();
		}
		// Re-open the unchanged package: the cache should answer without a process.
		await client.close(uri);
		const before = await client.debugStats();
		const reopened = client.nextDiagnostics(uri);
		await client.open(file);
		await reopened;
		await client.waitForQuiescent();
		const after = await client.debugStats();
		const mRawCold = median(raw.cold);
		const mRawWarm = median(raw.warm);
		const mCold = median(lsp.cold);
		console.log(`\n${dir}  (edited ${path.basename(file)}, ${REPS} reps, medians)`);
		console.log(`  (a) raw go build -gcflags=-m=2   cold ${mRawCold.toFixed(0)} ms   warm ${mRawWarm.toFixed(0)} ms`);
		console.log(`  (b) didSave→diagnostics          cold ${mCold.toFixed(0)} ms   warm(save) ${median(lsp.warmSave).toFixed(0)} ms   forced re-run ${median(lsp.warmRerun).toFixed(0)} ms`);
		console.log(`  ratio b/a cold ${(mCold / mRawCold).toFixed(2)}×   forced re-run over raw warm ${(median(lsp.warmRerun) / mRawWarm).toFixed(2)}×   (target ≤ 1.10×)`);
		console.log(`  (c) raw go vet -json -copylocks   cold ${median(raw.vetCold).toFixed(0)} ms   warm ${median(raw.vetWarm).toFixed(0)} ms`);
		const typed = lsp.typedCold.length ? `${median(lsp.typedCold).toFixed(0)} ms after the save (${(median(lsp.typedCold) - mCold).toFixed(0)} ms after the compiler's publish)` : 'no typed publish seen';
		console.log(`  (d) didSave→typed publish        cold ${typed}; ${lsp.typedRuns}/${REPS} saves ran the typed pass; compiler's facts published before any typed result in ${lsp.typedFirst}/${REPS}`);
		console.log(`  processes spawned on re-open of the unchanged package: ${after.spawnCount - before.spawnCount} (target 0; go vet ${(after.typedSpawnCount ?? 0) - (before.typedSpawnCount ?? 0)}); rss ${(after.rssBytes / 2 ** 20).toFixed(0)} MiB, live trees ${after.liveTrees}`);
		console.log(`  samples: raw cold ${raw.cold.map((x) => x.toFixed(0)).join(',')}  lsp cold ${lsp.cold.map((x) => x.toFixed(0)).join(',')}`);
	} finally {
		await client.shutdown();
		rmSync(tmp, { recursive: true, force: true });
	}
}

async function main(): Promise<void> {
	if (!existsSync(path.join(REPO_ROOT, 'dist', 'server.js'))) throw new Error('run `npm run build` first');
	const args = process.argv.slice(2);
	const dirs = args.length ? args.map((a) => path.resolve(a)) : [path.join(goroot(), 'src', 'encoding', 'json'), path.join(REPO_ROOT, 'examples')];
	for (const dir of dirs) {
		if (!existsSync(dir)) {
			console.log(`${dir}: not found, skipped`);
			continue;
		}
		await benchPackage(dir);
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
