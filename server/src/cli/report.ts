/**
 * `memlens report`: the check's facts and findings grouped per package (the edge: what analyze()
 * returned, as the summary layer's input), then printed by the summary renderers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { EscapeKind } from '../model';
import { newGoParser } from '../syntax/goParser';
import { functionSpans, spanAt, type FunctionSpan } from '../syntax/functionSpans';
import { summarize } from '../summary/assemble';
import { renderHtml } from '../summary/html';
import { renderMarkdown } from '../summary/markdown';
import { renderText } from '../summary/text';
import type { HeapFactInput, PackageInput, SummaryInput, SummaryMeta, SummaryModel } from '../summary/types';
import type { AnalyzeResult } from './analyze';
import { importPaths } from './compile';
import { moduleRoot } from './discover';
import { displayPath } from './format';

export type ReportFormat = 'html' | 'md' | 'text' | 'json';

/** The compiler facts a report counts: the two that mean a heap allocation. */
export const REPORT_KINDS: readonly EscapeKind[] = ['moved-to-heap', 'escapes-to-heap'];

/** Function name for a fact in a file whose declarations could not be read. */
export const UNREAD = '(file not readable)';

/**
 * Function spans for the files with heap facts that the rules did not read: bodies inlined from
 * packages outside the analysed ones (GOROOT, dependencies) are printed at their own files.
 */
export async function completeSpans(r: AnalyzeResult): Promise<void> {
	const spans = (r.functions ??= new Map());
	const missing = [...new Set(r.findings.filter((f) => f.fact && !spans.has(path.resolve(f.file))).map((f) => path.resolve(f.file)))];
	if (!missing.length) return;
	const parser = await newGoParser();
	try {
		for (const file of missing) {
			let text: string;
			try {
				text = readFileSync(file, 'utf8');
			} catch {
				continue;
			}
			const tree = parser.parse(text);
			if (!tree) continue;
			try {
				spans.set(file, functionSpans(tree.rootNode));
			} finally {
				tree.delete();
			}
		}
	} finally {
		parser.delete();
	}
}

/** Directories of the packages a unit's compile could not build (from the build errors' positions). */
function failedDirs(r: AnalyzeResult): Set<string> {
	const out = new Set<string>();
	for (const c of r.compiles) for (const e of c.errors) if (e.pos) out.add(path.dirname(path.resolve(e.pos.file)));
	return out;
}

/** The summary's input: the analysed packages with their heap facts and rule findings. */
export function reportInput(r: AnalyzeResult, cwd: string, meta: SummaryMeta): SummaryInput {
	const compileOf = new Map(r.compiles.map((c) => [c.cwd, c]));
	const failed = failedDirs(r);
	// A package the go command skipped (all files excluded by build constraints) or could not
	// build printed nothing: "no compiler facts" is what is known about it, not "no heap sites".
	const withFacts = new Set(r.compiles.flatMap((c) => c.factDirs ?? c.facts.map((f) => path.dirname(path.resolve(f.pos.file)))));
	const pkgs = new Map<string, PackageInput>();
	for (const u of r.units) {
		const ips = new Map<string, string>();
		if (u.hasGoMod) for (const [ip, dir] of importPaths(u)) ips.set(dir, ip);
		const c = compileOf.get(u.root);
		for (const dir of u.packages) {
			const shown = displayPath(dir, cwd) || '.';
			const compiled = !!c && (c.status === 'ok' || (c.status === 'build-failed' && !failed.has(dir))) && withFacts.has(dir);
			const files = u.files.filter((f) => path.dirname(f) === dir).length;
			pkgs.set(dir, { id: ips.get(dir) ?? shown, dir: shown, files, compiled, heap: [], findings: [] });
		}
	}
	// A fact or finding belongs to the package of its file; a body inlined from a package that was
	// not analysed (GOROOT, a dependency) is listed under its own directory.
	const pkgOf = (file: string): PackageInput => {
		const dir = path.dirname(file);
		let p = pkgs.get(dir);
		if (!p) {
			const shown = displayPath(dir, cwd) || '.';
			const root = moduleRoot(dir);
			const ip = root ? importPaths({ root, hasGoMod: true, packages: [dir], files: [], patterns: [] }).keys().next().value : undefined;
			pkgs.set(dir, (p = { id: ip ?? shown, dir: shown, files: 0, compiled: true, inlinedOnly: true, heap: [], findings: [] }));
		}
		return p;
	};
	const spans = r.functions ?? new Map<string, FunctionSpan[]>();
	for (const f of r.findings) {
		const file = displayPath(f.file, cwd);
		if (f.source === 'compiler') {
			if (!f.fact || !REPORT_KINDS.includes(f.fact.kind)) continue;
			const fileSpans = spans.get(path.resolve(f.file));
			const span = fileSpans && spanAt(fileSpans, f.line);
			const func = span ? { func: span.name, funcLine: span.startLine } : fileSpans ? {} : { func: UNREAD };
			const h: HeapFactInput = { fact: f.fact, file, ...func };
			pkgOf(f.file).heap.push(h);
		} else {
			pkgOf(f.file).findings.push({ rule: f.rule, file, line: f.line, column: f.column, severity: f.severity, message: f.message });
		}
	}
	return { meta, packages: [...pkgs.values()] };
}

/** The model printed in `format`. */
export function renderReport(model: SummaryModel, format: ReportFormat): string {
	switch (format) {
		case 'html':
			return renderHtml(model);
		case 'md':
			return renderMarkdown(model);
		case 'json':
			return JSON.stringify(model, null, 2) + '\n';
		default:
			return renderText(model);
	}
}

export { summarize };
