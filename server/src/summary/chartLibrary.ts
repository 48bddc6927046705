/**
 * The source of Chart.js (its UMD build, MIT) for the HTML report, which inlines it so that the
 * report draws its charts without any network. esbuild.mjs puts the file's text into the CLI
 * bundle (`MEMLENS_CHART_UMD`), so dist/cli.js needs nothing beside it; from source (tests, benches
 * under tsx) it is read from node_modules.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

declare const MEMLENS_CHART_UMD: string | undefined;

/** The UMD build as the package ships it (resolved like esbuild.mjs does). */
export function chartUmdPath(): string {
	// The package exports only its module builds; the UMD file sits beside them in dist/. (A name in
	// a variable: the bundle has the text and never resolves it, so esbuild need not look.)
	const pkg = 'chart.js';
	return path.join(path.dirname(require.resolve(pkg)), 'chart.umd.min.js');
}

let source: string | undefined;

/** Chart.js's UMD source, without its source-map comment (a devtools fetch is still a fetch). */
export function chartLibrary(): string {
	source ??= (typeof MEMLENS_CHART_UMD === 'string' ? MEMLENS_CHART_UMD : readFileSync(chartUmdPath(), 'utf8')).replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n');
	return source;
}
