/**
 * Everything the server shows for one open file, computed in one pure step from its text, tree,
 * settings and the package's facts (compiler, typed pass): placed facts (for hover), rule
 * findings, merged diagnostics, fixes per diagnostic (for code actions) and heap sites (for
 * decorations). The report layer: engines below it produce facts, the LSP edge above it only
 * translates and sends what it returns. What it reads from disk (go.mod, a cgo package's C
 * sources) comes in through `sources`.
 */
import type { Diagnostic } from 'vscode-languageserver/node';
import type { CostSite, HeapSite } from '../../../common/protocol';
import type { EscapeFact, GoVersionInfo, RuleFinding } from '../model';
import type { Tree } from '../syntax/mirror';
import type { Rule } from '../rules/types';
import { explainFact, shortLabel } from '../escape/explain';
import { typedView, type TypedPackage } from '../typed/view';
import type { ClientCaps, FixableDiagnostic, ResolvedSettings, RuleInput } from './types';
import { escapeDiagnosticsInSteps, mergeDiagnostics, placeFactsInSteps, ruleDiagnostics, type PlacedFact } from './diagnostics';
import { checkRules, ESCAPE_RULES, SYNTAX_RULES } from './ruleSets';
import type { FactCache } from './factCache';
import { factsOnStack, functionSpans } from './stackLens';
import { costSeverities, costSites, type FileProfile } from './profileCosts';
import { drain, type Steps } from '../util/steps';

/** What a report reads from outside the file's text (cached readers at the edge; fixed values in tests). */
export interface FileSources {
	/** The file's effective Go version (its go.mod, or the override). */
	goVersion(filePath: string, text: string, override: string): GoVersionInfo;
	/** For cgo files: the package's C code beyond this file's preamble. */
	packageC(filePath: string, text: string): string;
}

export interface FileInput {
	uri: string;
	filePath: string;
	text: string;
	/** Undefined when the file could not be parsed (too large…): no rule findings then. */
	tree: Tree | undefined;
	/** The package's facts from the last good build; undefined while there is none. */
	facts: EscapeFact[] | undefined;
	stale: boolean;
	/** The package's typed results (go vet analyzers), when there are some. */
	typed?: TypedPackage;
	settings: ResolvedSettings;
	sources: FileSources;
	caps: ClientCaps;
	log: (msg: string) => void;
	/** Findings of the syntax-only rules for this same text and settings, when already known. */
	syntaxFindings?: RuleFinding[];
	/** Runs every rule (syntax and escape-fact ones) at once, e.g. scoped to what an edit touched (lsp/ruleRuns.ts). */
	rules?: (ctx: RuleInput) => RuleFinding[];
	/** What the facts turned into at this document's last report, for a document being typed in (factCache.ts). */
	cache?: FactCache;
	/** Functions whose `does not escape` facts the user asked to see (stackLens.ts keys). */
	stackFunctions?: ReadonlySet<string>;
	/** The loaded allocation profile's lines in this file (profileCosts.ts), when one is loaded. */
	profile?: FileProfile;
	/** Rule findings made elsewhere (the rule thread, lsp/documentReports.ts): used as they are, no rule runs here. */
	findings?: RuleFinding[];
}

export interface FileReport {
	placed: PlacedFact[];
	findings: RuleFinding[];
	/**
	 * Built again on each read from `placed` and the rule diagnostics, never stored: the server keeps
	 * each open file's last report, and for GOROOT's net/http (71 files, ~12,000 escape diagnostics
	 * with their related positions) the built diagnostics were 15-18 MB of the heap.
	 */
	readonly diagnostics: Diagnostic[];
	/** The same, built one compiler fact per step (the server lets requests in between steps). */
	diagnosticsInSteps(): Steps<Diagnostic[]>;
	fixables: FixableDiagnostic[];
	/** Worked out when first read (labels explain each heap fact), then kept. */
	readonly heapSites: HeapSite[];
	heapSitesInSteps(): Steps<HeapSite[]>;
	/** The `does not escape` facts shown because their function's stack lens is on. */
	onStack: ReadonlySet<PlacedFact>;
	/** Cost notes of the loaded allocation profile (undefined: none loaded). */
	costSites?: CostSite[];
	/** The syntax-only part of `findings` (reusable while the text and settings stay the same). */
	syntaxFindings: RuleFinding[];
}

const NONE: ReadonlySet<PlacedFact> = new Set();

const HEAP_KINDS = new Set(['moved-to-heap', 'escapes-to-heap', 'leaking-param', 'leaking-param-content']);

export function fileReport(input: FileInput): FileReport {
	return drain(fileReportInSteps(input));
}

/** fileReport, placing the facts a step per fact (the rules run in one step). */
export function* fileReportInSteps(input: FileInput): Steps<FileReport> {
	const placed = yield* placeFactsInSteps(input.facts ?? [], input.filePath, input.text, explainFact, input.cache);
	if (input.findings) return finish(input, placed, input.findings, []);
	const all = input.rules && input.tree ? ruleInput(input, input.tree, input.facts ? placed : undefined, input.cache) : undefined;
	if (all && input.rules) return finish(input, placed, guarded(input, () => input.rules!(all)), []);
	const syntaxFindings = input.syntaxFindings ?? runRules(input, undefined, SYNTAX_RULES);
	return finish(input, placed, [...syntaxFindings, ...runRules(input, input.facts ? placed : undefined, ESCAPE_RULES)], syntaxFindings);
}

function finish(input: FileInput, placed: PlacedFact[], unsorted: RuleFinding[], syntaxFindings: RuleFinding[]): FileReport {
	const { memlens } = input.settings;
	const findings = [...unsorted].sort(
		(a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.rule.localeCompare(b.rule),
	);
	const ruleDiags = ruleDiagnostics(findings, memlens, input.caps, input.uri);
	const key = (code: unknown, r: unknown) => `${String(code)}@${JSON.stringify(r)}`;
	const byKey = new Map(findings.map((f) => [key(f.rule, f.range), f]));
	const fixables = ruleDiags.map((diagnostic) => ({ diagnostic, fixes: byKey.get(key(diagnostic.code, diagnostic.range))?.fixes ?? [] }));
	const onStack = input.stackFunctions?.size && input.tree ? factsOnStack(functionSpans(input.tree), placed, input.stackFunctions) : NONE;
	const report = withHeapSites({ placed, findings, fixables, syntaxFindings, onStack, ...(input.profile ? { costSites: costSites(input.profile, memlens) } : {}) }, input.settings, input.cache);
	return withDiagnostics(report, ruleDiags, memlens, input.caps, input.stale, input.cache, input.profile);
}

/** Adds the `diagnostics` getter (its own function, so the getter holds only what it needs, not the file's text). */
function withDiagnostics(
	report: Omit<FileReport, 'diagnostics' | 'diagnosticsInSteps'>,
	ruleDiags: Diagnostic[],
	memlens: ResolvedSettings['memlens'],
	caps: ClientCaps,
	stale: boolean,
	cache: FactCache | undefined,
	profile: FileProfile | undefined,
): FileReport {
	function* steps(): Steps<Diagnostic[]> {
		const escape = yield* escapeDiagnosticsInSteps(report.placed, memlens, caps, stale, cache, report.onStack);
		return mergeDiagnostics(profile ? costSeverities(escape, profile, memlens) : escape, ruleDiags);
	}
	Object.defineProperty(report, 'diagnosticsInSteps', { value: steps });
	return Object.defineProperty(report, 'diagnostics', {
		enumerable: true,
		get: () => drain(steps()),
	}) as FileReport;
}

/** The rule context for this file (escape facts in LSP coordinates when a compile gave some). */
export function ruleInput(input: Pick<FileInput, 'text' | 'filePath' | 'settings' | 'typed' | 'sources'>, tree: Tree, placed: PlacedFact[] | undefined, cache?: FactCache): RuleInput {
	return {
		...(input.typed ? { typed: typedView(input.typed, input.filePath, input.text) } : {}),
		tree,
		text: input.text,
		filePath: input.filePath,
		goVersion: input.sources.goVersion(input.filePath, input.text, input.settings.memlens.goVersionOverride),
		escape: placed?.map((p) => {
			const e = cache?.of(p);
			if (e) return (e.ruleFact ??= { ...p.fact, at: p.at });
			return { ...p.fact, at: p.at };
		}),
		isCgo: /^\s*import\s+(\(\s*)?"C"/m.test(input.text),
		cgoPackageC: () => input.sources.packageC(input.filePath, input.text),
	};
}

function guarded(input: FileInput, run: () => RuleFinding[]): RuleFinding[] {
	try {
		return run();
	} catch (e) {
		input.log(`rules failed on ${input.filePath}: ${String(e)}`);
		return [];
	}
}

function runRules(input: FileInput, placed: PlacedFact[] | undefined, rules: readonly Rule[]): RuleFinding[] {
	if (!input.tree) return [];
	const tree = input.tree;
	return guarded(input, () => checkRules(ruleInput(input, tree, placed), input.settings.memlens, input.log, rules));
}

/** Adds `heapSites`, worked out on first read (in steps or whole) and kept. */
function withHeapSites<R extends { placed: PlacedFact[] }>(report: R, s: ResolvedSettings, cache: FactCache | undefined): R & Pick<FileReport, 'heapSites' | 'heapSitesInSteps'> {
	let sites: HeapSite[] | undefined;
	function* steps(): Steps<HeapSite[]> {
		return (sites ??= yield* heapSitesInSteps(report.placed, s, cache));
	}
	Object.defineProperty(report, 'heapSitesInSteps', { value: steps });
	return Object.defineProperty(report, 'heapSites', { enumerable: true, get: () => sites ?? drain(steps()) }) as R & Pick<FileReport, 'heapSites' | 'heapSitesInSteps'>;
}

function* heapSitesInSteps(placed: PlacedFact[], s: ResolvedSettings, cache: FactCache | undefined): Steps<HeapSite[]> {
	const kinds = new Set<string>(s.memlens.decorations.enabled ? s.memlens.decorations.kinds : []);
	const sites: HeapSite[] = [];
	for (const p of placed) {
		if (!HEAP_KINDS.has(p.fact.kind) || !kinds.has(p.fact.kind)) continue;
		const e = cache?.of(p);
		const label = e ? (e.label ??= labelOf(p)) : labelOf(p);
		sites.push({
			line: p.range.start.line,
			startCharacter: p.range.start.character,
			endCharacter: p.range.end.character,
			kind: p.fact.kind as HeapSite['kind'],
			label,
		});
		yield;
	}
	return sites;
}

function labelOf(p: PlacedFact): string {
	try {
		return p.withSource((src) => shortLabel(p.fact, src));
	} catch {
		return p.fact.message;
	}
}
