/**
 * Which packages' tests make `go vet` expensive. vet type-checks a package with its _test.go files;
 * when those tests import a package that imports the package under test (std: `testing` imports
 * much of std), the go command compiles every package on that path again as a test variant
 * (`q [p.test]`). Over std that is 72 packages behind 1,524 recompiled variants, several times the
 * cost of compiling std (Go 1.26, measured in bench/README.md "std check"). The CLI's typed pass
 * leaves those packages' test files out (an overlay deletes them for the go command), so vet checks
 * their other files at the cost of one compile; every other package is vetted with its tests.
 *
 * Found with `go list -e -test -deps -f '{{.ImportPath}}|{{.ForTest}}' PATTERNS`: a variant
 * `q [p.test]` with q neither p, p_test nor p.test makes p costly.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { spawnTool } from '../toolchain/processes';
import { prepareToolRun, type ToolRun } from '../toolchain/toolRun';

/** `go list` format for `costlyTestPackages`. */
export const LIST_FORMAT = '{{.ImportPath}}|{{.ForTest}}';

/** Import paths of the packages whose tests recompile other packages (pure: go list's output in). */
export function costlyTestPackages(listOutput: string): Set<string> {
	const out = new Set<string>();
	for (const line of listOutput.split('\n')) {
		const [id, forTest] = line.trim().split('|');
		if (!forTest || !id) continue;
		const q = id.split(' ')[0];
		if (q === forTest || q === `${forTest}_test` || q === `${forTest}.test`) continue;
		out.add(forTest);
	}
	return out;
}

/**
 * Runs the go list above; undefined when it could not say (then every package keeps its tests).
 * Never throws.
 */
export async function listCostlyTests(goBin: string, cwd: string, patterns: readonly string[], sourceDirs: readonly string[], tags: readonly string[]): Promise<Set<string> | undefined> {
	let run: ToolRun | undefined;
	try {
		run = await prepareToolRun({ cwd, sourceDirs });
		const args = ['list', '-e', '-test', '-deps', '-f', LIST_FORMAT, ...(tags.length ? [`-tags=${tags.join(',')}`] : []), ...run.flags];
		if (run.overlay) args.push(`-overlay=${run.overlay.file}`);
		args.push(...patterns);
		// As for vet: nothing is downloaded for it.
		const { child } = await spawnTool(goBin, args, { cwd, env: { ...run.env, GOPROXY: 'off' }, stdout: 'pipe', buffer: true, maxBuffer: 64 * 1024 * 1024 });
		const r = await child;
		if (r.exitCode !== 0 || typeof r.stdout !== 'string') return undefined;
		return costlyTestPackages(r.stdout);
	} catch {
		return undefined;
	} finally {
		await run?.dispose();
	}
}

/** The _test.go files of these package directories (what vet is not shown). */
export function testFilesOf(dirs: Iterable<string>): string[] {
	const out: string[] = [];
	for (const d of dirs) {
		try {
			for (const n of readdirSync(d)) if (n.endsWith('_test.go')) out.push(path.join(d, n));
		} catch {
			// an unreadable directory: vet will say so itself
		}
	}
	return out.sort();
}
