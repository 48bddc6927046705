/** Test helper: runs one rule (or all) over a Go snippet, with an optional Go version and escape facts. */
import { newGoParser } from '../../server/src/syntax/goParser';
import type { GoVersionInfo, RuleFinding } from '../../server/src/model';
import type { LocatedEscapeFact, Rule } from '../../server/src/rules/types';
import { mirrorOf } from '../../server/src/syntax/mirror';
import type { TypedView } from '../../server/src/typed/facts';

export function goVersion(minor: number | undefined, mainModuleMinor = minor): GoVersionInfo {
	return {
		minor,
		label: minor === undefined ? 'unknown' : `go1.${minor}`,
		source: minor === undefined ? 'no module' : 'go.mod',
		mainModuleMinor,
	};
}

export async function runRule(
	rule: Rule,
	src: string,
	opts: { minor?: number; escape?: LocatedEscapeFact[]; filePath?: string; cgoPackageC?: string; typed?: TypedView } = {},
): Promise<RuleFinding[]> {
	const parser = await newGoParser();
	const tree = parser.parse(src);
	if (!tree) throw new Error('parse failed');
	try {
		return rule.check({
			tree: mirrorOf(tree, src),
			text: src,
			filePath: opts.filePath ?? '/tmp/memlens-test/a.go',
			goVersion: goVersion('minor' in opts ? opts.minor : 21),
			escape: opts.escape,
			isCgo: /import\s+"C"/.test(src),
			cgoPackageC: opts.cgoPackageC === undefined ? undefined : () => opts.cgoPackageC!,
			...(opts.typed ? { typed: opts.typed } : {}),
		});
	} finally {
		tree.delete();
		parser.delete();
	}
}

/** 1-based line numbers of findings, for compact assertions. */
export function lines(findings: RuleFinding[]): number[] {
	return findings.map((f) => f.range.start.line + 1);
}

/**
 * Runs `rule` on random cuts and splices of `src` (half-typed code): the property is that it
 * never throws.
 */
export async function assertTotalOnSplices(rule: Rule, src: string, opts: { minor?: number; numRuns?: number } = {}): Promise<void> {
	const fc = (await import('fast-check')).default;
	await fc.assert(
		fc.asyncProperty(fc.nat(src.length), fc.nat(60), fc.nat(src.length), async (at, len, from) => {
			const spliced = src.slice(0, at) + src.slice(from, from + len) + src.slice(at + len);
			await runRule(rule, spliced, { minor: opts.minor ?? 21 });
		}),
		{ numRuns: opts.numRuns ?? 150 },
	);
}
