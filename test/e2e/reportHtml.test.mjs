// The HTML report in a real browser (Debian's chromium through playwright-core, as the UI tests):
// `memlens report --format html` on examples/ and on GOROOT's encoding/json, run from a copy of the
// bundle alone (dist/cli.js and its two .wasm files, as CI carries it), opened from disk with every
// network request refused. The charts must be drawn by the inlined Chart.js (asserted on the DOM
// and the canvas pixels); screenshots are kept in test-output/report/ (not committed).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(repoRoot, 'test-output', 'report');
const GOROOT_SRC = '/usr/local/go/src';

let chromium;
try {
	({ chromium } = await import('playwright-core'));
} catch {
	chromium = undefined;
}
const canRun = !!chromium && existsSync('/usr/bin/chromium');

let tools;
let browser;
before(async () => {
	if (!canRun) return;
	if (!existsSync(path.join(repoRoot, 'dist/cli.js'))) {
		const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
		assert.equal(b.status, 0, 'build');
	}
	// The bundle alone: if the report needed chart.js from node_modules, it would fail here.
	tools = mkdtempSync(path.join(os.tmpdir(), 'memlens-report-tools-'));
	for (const f of ['cli.js', 'web-tree-sitter.wasm', 'tree-sitter-go.wasm']) copyFileSync(path.join(repoRoot, 'dist', f), path.join(tools, f));
	mkdirSync(outDir, { recursive: true });
	browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
});

after(async () => {
	await browser?.close();
	if (tools) rmSync(tools, { recursive: true, force: true });
});

function report(target, cwd) {
	return new Promise((resolve, reject) => {
		const env = { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH}`, GOTOOLCHAIN: 'local' };
		const p = spawn(process.execPath, [path.join(tools, 'cli.js'), 'report', '--format', 'html', target], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		p.stdout.on('data', (d) => (out += d));
		p.stderr.on('data', (d) => (err += d));
		p.on('error', reject);
		p.on('close', (code) => resolve({ code, out, err }));
	});
}

/** Opens the report offline and checks what a reader sees; returns the page's figures. */
async function openReport(name, html) {
	const file = path.join(outDir, `${name}.html`);
	writeFileSync(file, html);
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
	const requests = [];
	const problems = [];
	await context.route('**/*', (route) => {
		const url = route.request().url();
		requests.push(url);
		return url.startsWith('file:') ? route.continue() : route.abort();
	});
	const page = await context.newPage();
	page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
	page.on('pageerror', (e) => problems.push(e.message));
	try {
		await page.goto(pathToFileURL(file).href);
		const canvases = await page.locator('canvas').count();
		assert.ok(canvases >= 2, `${name}: charts of causes and packages (${canvases} canvases)`);
		// Chart.js marks each canvas once it has rendered it (the report's own plugin).
		await page.waitForFunction((n) => document.querySelectorAll('canvas[data-drawn="true"]').length === n, canvases, { timeout: 30_000 });
		const charts = await page.evaluate(() =>
			[...document.querySelectorAll('canvas')].map((c) => {
				const chart = window.Chart.getChart(c);
				// Painted pixels: a chart that drew nothing leaves the canvas transparent.
				const ctx = c.getContext('2d');
				const px = ctx.getImageData(0, 0, c.width, c.height).data;
				let painted = 0;
				for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
				return {
					id: c.id,
					bars: chart ? chart.getDatasetMeta(0).data.length : 0,
					sum: chart ? chart.data.datasets.reduce((n, d) => n + d.data.reduce((a, b) => a + b, 0), 0) : 0,
					painted,
					width: c.width,
				};
			}),
		);
		for (const c of charts) {
			assert.ok(c.bars > 0, `${name}/${c.id}: bars`);
			assert.ok(c.painted > 500, `${name}/${c.id}: ${c.painted} painted pixels`);
		}
		const totals = await page.locator('body > p').first().textContent();
		const heap = Number(/(\d+) heap allocation sites?/.exec(totals)?.[1]);
		const causes = charts.find((c) => c.id === 'chart-causes');
		assert.equal(causes.sum, heap, `${name}: the cause chart adds up to the ${heap} heap sites of the totals line`);
		const rows = await page.locator('table.packages tbody tr').count();
		assert.ok(rows >= 1, `${name}: package rows`);
		assert.deepEqual(problems, [], `${name}: no script error and no blocked resource`);
		assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], `${name}: no network request`);
		await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
		return { heap, charts, rows };
	} finally {
		await context.close();
	}
}

test('HTML report of examples/ draws its charts offline', { skip: !canRun && 'needs playwright-core (bash test/e2e/setup.sh) and /usr/bin/chromium' }, async () => {
	const r = await report('examples', repoRoot);
	assert.equal(r.code, 0, r.err);
	const seen = await openReport('examples', r.out);
	assert.ok(seen.heap > 0);
	assert.ok(seen.charts.some((c) => c.id === 'chart-rules'), 'examples/ has rule findings: their chart is there');
	assert.equal(seen.rows, 4, "four packages (examples, allocs, go122, good)");
});

test('HTML report of GOROOT encoding/json draws its charts offline', { skip: (!canRun && 'needs playwright-core and chromium') || (!existsSync(path.join(GOROOT_SRC, 'encoding/json')) && 'no GOROOT at /usr/local/go') }, async () => {
	const r = await report('encoding/json', GOROOT_SRC);
	assert.equal(r.code, 0, r.err);
	const seen = await openReport('encoding-json', r.out);
	assert.ok(seen.heap > 100, `${seen.heap} heap sites in encoding/json`);
});
