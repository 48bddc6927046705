// One build script for the client, the language server and the CLI (CommonJS bundles, `vscode` external).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// web-tree-sitter's ESM build reads import.meta.url, which is empty in a CJS bundle and crashes at
// load time; its .cjs build does not.
const treeSitterCjs = {
	name: 'web-tree-sitter-cjs',
	setup(build) {
		build.onResolve({ filter: /^web-tree-sitter$/ }, () => ({
			// The package's "require" export condition is its .cjs build (the subpath itself is not exported).
			path: require.resolve('web-tree-sitter'),
		}));
	},
};

const common = {
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	sourcemap: !production,
	minify: production,
	external: ['vscode'],
	logLevel: 'warning',
	plugins: [treeSitterCjs],
};

mkdirSync('dist', { recursive: true });
for (const wasm of ['web-tree-sitter/web-tree-sitter.wasm', 'tree-sitter-go/tree-sitter-go.wasm']) {
	copyFileSync(require.resolve(wasm), path.join('dist', path.basename(wasm)));
}

// The HTML report inlines Chart.js (server/src/summary/chartLibrary.ts): its UMD build goes into the
// CLI bundle as a string, so dist/cli.js still needs only the two .wasm files beside it.
const chartUmd = readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');

const entries = [
	{ entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js' },
	{ entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' },
	// The rule thread's worker (server/src/rules/ruleThread.ts starts it from beside server.js).
	{ entryPoints: ['server/src/rules/ruleThreadMain.ts'], outfile: 'dist/ruleThread.js' },
	{ entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, define: { MEMLENS_CHART_UMD: JSON.stringify(chartUmd) } },
];

const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
if (watch) {
	await Promise.all(contexts.map((c) => c.watch()));
} else {
	await Promise.all(contexts.map((c) => c.rebuild()));
	await Promise.all(contexts.map((c) => c.dispose()));
}
