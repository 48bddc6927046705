/**
 * The compiler facts of one revision's checkout for `memlens diff`: the same discovery and one
 * `go build -gcflags=-m=2` per module as `memlens check`, every kind kept (a change of kind needs
 * both sides), each fact keyed by package directory and function (review/factDiff.ts).
 */
import path from 'node:path';
import type { KeyedFact } from '../review/factDiff';
import { compileUnit, type CompileResult } from './compile';
import { discover } from './discover';
import type { SourceIndex } from './fingerprints';

export interface RevisionFacts {
	facts: KeyedFact[];
	compiles: CompileResult[];
	/** Package dirs (checkout-relative) that were not compiled: a build error there or in a dependency. */
	notCompiled: Set<string>;
	/** Package dirs (checkout-relative) found. */
	packages: Set<string>;
	/** Command-line paths that do not exist in this checkout. */
	missing: string[];
}

function slash(p: string): string {
	return p.split(path.sep).join('/');
}

/** Compiles `paths` (relative to `analysisRoot`, a directory inside `checkout`). Never throws for bad Go input. */
export async function revisionFacts(checkout: string, analysisRoot: string, paths: string[], goBin: string, tags: string[], src: SourceIndex): Promise<RevisionFacts> {
	const { units, missing } = discover(paths, analysisRoot);
	const rel = (dir: string) => slash(path.relative(checkout, dir));
	const out: RevisionFacts = { facts: [], compiles: [], notCompiled: new Set(), packages: new Set(), missing };
	const seen = new Set<string>();
	for (const unit of units) {
		for (const d of unit.packages) out.packages.add(rel(d));
		const r = await compileUnit(goBin, unit, tags);
		out.compiles.push(r);
		if (r.status === 'go-missing') break;
		if (r.status !== 'ok') {
			// A package whose compile failed prints errors instead of facts, and the ones that import
			// it print nothing: neither side of such a package can be compared.
			const whole = r.status === 'error' || r.errors.some((e) => !e.pos);
			const printed = new Set(r.printed ?? []);
			for (const d of unit.packages) if (whole || !printed.has(d)) out.notCompiled.add(rel(d));
			for (const e of r.errors) if (e.pos) out.notCompiled.add(rel(path.dirname(path.resolve(e.pos.file))));
		}
		for (const f of r.facts) {
			const file = path.resolve(f.pos.file);
			const pkg = rel(path.dirname(file));
			// Bodies inlined from outside the checkout (GOROOT, the module cache) are not this revision's code.
			if (pkg.startsWith('..') || path.isAbsolute(pkg)) continue;
			const k = `${f.kind}|${file}|${f.pos.line}|${f.pos.column}|${f.message}`;
			if (seen.has(k)) continue;
			seen.add(k);
			out.facts.push({ fact: { ...f, pos: { ...f.pos, file } }, pkg, function: src.functionAt(file, f.pos.line) });
		}
	}
	return out;
}
