// Real-UI harness: packages the extension, starts code-server (VS Code 1.100 in a browser) on a
// scratch copy of a Go module with the .vsix installed, and drives Debian's chromium with
// playwright-core. Recipe and DOM hooks: /work/shared/e2e.md.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');
export const vsixPath = path.join(repoRoot, 'dist/go-memlens.vsix');
const codeServerBin = path.join(here, 'node_modules/.bin/code-server');

/** Whether the UI tier can run here (setup.sh installed code-server and chromium). */
export function uiAvailable() {
	return existsSync(codeServerBin) && existsSync('/usr/bin/chromium');
}

/** Newest modification time of the files that go into the package. */
function newestSource() {
	let newest = 0;
	const walk = (p) => {
		let st;
		try {
			st = statSync(p);
		} catch {
			return;
		}
		if (st.isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e));
		else newest = Math.max(newest, st.mtimeMs);
	};
	for (const p of ['client/src', 'server/src', 'common', 'syntaxes', 'media', 'docs', 'package.json', 'README.md', 'LICENSE', '.vscodeignore', 'esbuild.mjs']) walk(path.join(repoRoot, p));
	return newest;
}

/** Builds dist/go-memlens.vsix with `npm run package`, unless it is newer than every source. */
export function packageExtension() {
	if (existsSync(vsixPath) && statSync(vsixPath).mtimeMs > newestSource()) return;
	const r = spawnSync('npm', ['run', 'package'], { cwd: repoRoot, encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`npm run package failed:\n${r.stdout}\n${r.stderr}`);
}

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/** The Go module the UI works on: a copy of examples/, so nothing in the repository is edited. */
export function copyWorkspace(into) {
	const src = path.join(repoRoot, 'examples');
	const dst = path.join(into, 'ws');
	cpSync(src, dst, { recursive: true });
	return dst;
}

/**
 * Packages a test extension (a folder under test/e2e/fixtures with its own package.json) into
 * `into`, with the repository's vsce; returns the .vsix path.
 */
export function packageTestExtension(dir, into) {
	const out = path.join(into, `${path.basename(path.dirname(dir))}.vsix`);
	const vsce = path.join(repoRoot, 'node_modules/.bin/vsce');
	const r = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out], { cwd: dir, encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`packaging ${dir} failed:\n${r.stdout}\n${r.stderr}`);
	return out;
}

/**
 * Starts code-server with the packaged extension and opens chromium on it.
 * `extensions`: more extension folders to package and install beside ours; `files`: files to add
 * to the workspace copy (name → path of the file to copy).
 * @param {{ trusted: boolean, name: string, settings?: Record<string, unknown>, extensions?: string[], files?: Record<string, string> }} opts
 */
export async function startUi(opts) {
	const root = mkdtempSync(path.join(os.tmpdir(), `memlens-e2e-${opts.name}-`));
	const dirs = Object.fromEntries(['config', 'data', 'cache', 'state', 'user', 'ext', 'home', 'shots'].map((d) => [d, path.join(root, d)]));
	for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
	const workspace = copyWorkspace(root);
	for (const [name, from] of Object.entries(opts.files ?? {})) cpSync(from, path.join(workspace, name));
	if (opts.settings) {
		// Also as workspace settings: code-server sometimes answers the first configuration request
		// before it has read the user settings file (seen as a real go being used despite goPath).
		mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
		writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(opts.settings));
	}
	mkdirSync(path.join(dirs.user, 'User'), { recursive: true });
	const settingsFile = path.join(dirs.user, 'User/settings.json');
	const settings = {
		'workbench.startupEditor': 'none',
		'workbench.reduceMotion': 'on',
		'workbench.tips.enabled': false,
		'editor.hover.delay': 200,
		'editor.minimap.enabled': false,
		'telemetry.telemetryLevel': 'off',
		'update.mode': 'none',
		'extensions.autoCheckUpdates': false,
		// Untrusted runs open in Restricted Mode without the modal prompt.
		'security.workspace.trust.startupPrompt': 'never',
		'goMemlens.goPath': '/usr/local/go/bin/go',
		'goMemlens.debounceMs': 300,
		...opts.settings,
	};
	writeFileSync(settingsFile, JSON.stringify(settings));
	const env = {
		...process.env,
		EXTENSIONS_GALLERY: '{}',
		XDG_CONFIG_HOME: dirs.config,
		XDG_DATA_HOME: dirs.data,
		XDG_CACHE_HOME: dirs.cache,
		XDG_STATE_HOME: dirs.state,
		HOME: dirs.home,
		PATH: `/usr/local/go/bin:${process.env.PATH}`,
		GOTOOLCHAIN: 'local',
		GOCACHE: path.join(os.tmpdir(), 'memlens-e2e-gocache'),
	};
	const configFile = path.join(root, 'config.yaml');
	writeFileSync(configFile, 'auth: none\ncert: false\n');
	const common = ['--config', configFile, '--user-data-dir', dirs.user, '--extensions-dir', dirs.ext];
	for (const vsix of [vsixPath, ...(opts.extensions ?? []).map((dir) => packageTestExtension(dir, root))]) {
		const inst = spawnSync(codeServerBin, [...common, '--install-extension', vsix, '--force'], { env, encoding: 'utf8' });
		if (inst.status !== 0) throw new Error(`installing ${path.basename(vsix)} failed:\n${inst.stdout}\n${inst.stderr}`);
	}

	const port = await freePort();
	const args = [...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check'];
	if (opts.trusted) args.push('--disable-workspace-trust');
	args.push(workspace);
	const server = spawn(codeServerBin, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	let serverLog = '';
	server.stdout.on('data', (b) => (serverLog += b));
	server.stderr.on('data', (b) => (serverLog += b));
	const exited = new Promise((resolve) => server.once('exit', resolve));

	const stopServer = async () => {
		try {
			process.kill(-server.pid, 'SIGTERM');
		} catch {
			return;
		}
		const timer = setTimeout(() => {
			try {
				process.kill(-server.pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}, 5000);
		await exited;
		clearTimeout(timer);
	};

	let browser;
	try {
		await waitHealthy(port, exited, () => serverLog);
		browser = await chromium.launch({
			executablePath: '/usr/bin/chromium',
			args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
			env: { ...process.env, HOME: dirs.home },
		});
		const context = await browser.newContext({ reducedMotion: 'reduce', viewport: { width: 1400, height: 900 } });
		const page = await context.newPage();
		// The default 30 s is too short on a loaded machine (seen at load 24 on 2 cores).
		await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: 120_000 });
		await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
		let shot = 0;
		return {
			page,
			workspace,
			root,
			log: () => serverLog,
			/** Saves a screenshot (of the page, or of one element) into the run's temp dir and returns its path. */
			async screenshot(name, locator) {
				const file = path.join(dirs.shots, `${String(++shot).padStart(2, '0')}-${name}.png`);
				await (locator ?? page).screenshot({ path: file });
				return file;
			},
			async stop() {
				await browser?.close().catch(() => undefined);
				await stopServer();
				if (!process.env.MEMLENS_E2E_KEEP) rmSync(root, { recursive: true, force: true });
			},
		};
	} catch (e) {
		await browser?.close().catch(() => undefined);
		await stopServer();
		throw e;
	}
}

async function waitHealthy(port, exited, log) {
	let done = false;
	exited.then(() => (done = true));
	for (;;) {
		if (done) throw new Error(`code-server exited:\n${log()}`);
		try {
			const r = await fetch(`http://127.0.0.1:${port}/healthz`);
			if (r.ok) return;
		} catch {
			// not listening yet
		}
		// Polling the port: there is no event to wait on from another process's listen().
		await new Promise((r) => setTimeout(r, 200));
	}
}
