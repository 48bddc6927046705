/**
 * The one place the LSP layer meets the engines (escape runner + scheduler, explain, tree cache,
 * rules, Go version). Everything else in lsp/ talks to these narrow shapes.
 */
import type { EscapeFact, GoVersionInfo } from '../model';
import type { Explanation } from '../report/diagnostics';
import { runEscape, type EscapeRunRequest, type EscapeRunResult } from '../escape/runner';
import { EscapeScheduler, type PackageRequest, type PackageState, type SchedulerSettings } from '../analysis/scheduler';
import { explainFact, shortLabel, type SourceLookup } from '../escape/explain';
import { forgetGoProbes, probeGo, resolveGoBinary, type GoProbe } from '../analysis/goEnv';
import { GoModReader } from '../analysis/goVersion';
import { CgoSourceReader } from '../analysis/cgoSources';
import { TreeCache } from '../syntax/treeCache';
import { runTyped, type TypedRunResult } from '../typed/runner';
import { TypedScheduler } from '../typed/scheduler';
import { shiftTyped, typedView, type TypedPackage } from '../typed/view';
import { messagesFirst } from './messageGate';

export type { EscapeRunResult, GoProbe, PackageRequest as EscapeRequest, PackageState, SchedulerSettings as BuildSettings, TypedPackage, TypedRunResult };
export { EscapeScheduler as EscapeEngine, TreeCache, TypedScheduler as TypedEngine, shiftTyped, typedView };

export interface EscapeEngineOptions {
	/** Wraps each compile process (the typed pass of the same package stands aside: lsp/typedRuns.ts). */
	aroundRun?: (req: EscapeRunRequest, run: () => Promise<EscapeRunResult>) => Promise<EscapeRunResult>;
	settings: () => SchedulerSettings;
	goVersion: string;
	onResult: (dir: string, result: EscapeRunResult, fromCache: boolean) => void;
	onStateChange: (dir: string, state: PackageState) => void;
}

/** The escape scheduler over the real runner. */
export function createEscapeEngine({ aroundRun, ...opts }: EscapeEngineOptions): EscapeScheduler {
	// Between slices of parsing, the messages waiting go first.
	const run = (req: EscapeRunRequest) => runEscape({ ...req, pause: messagesFirst });
	return new EscapeScheduler({ run: aroundRun ? (req) => aroundRun(req, () => run(req)) : run, ...opts });
}

/** The typed pass (go vet analyzers) over the real runner, same settings as the compiles. */
export function createTypedEngine({
	beforeRun,
	...opts
}: {
	/** Awaited before each vet process starts (the package's compiles finish first). */
	beforeRun: (dir: string) => Promise<void>;
	settings: () => SchedulerSettings;
	goVersion: string;
	onResult: (dir: string, result: TypedRunResult, fromCache: boolean) => void;
}): TypedScheduler {
	const run = async (req: Parameters<typeof runTyped>[0]) => {
		await beforeRun(req.cwd);
		return runTyped(req);
	};
	return new TypedScheduler({ run, ...opts });
}

/** The Go binary to use (an explicit setting is returned even when missing: the run reports it). */
export function findGo(settingPath: string, goroot: string | undefined, alternateGo: string | undefined): string {
	return resolveGoBinary(settingPath, { goroot, alternateGo });
}

/** `go env GOVERSION` of the binary, with a timeout (asked once per binary and env; a go that hangs is remembered). */
export { probeGo, forgetGoProbes };

/** The rule thread (whole-file rule runs off the main thread). */
export { RuleThread, type ThreadJob, type ThreadOutcome } from '../rules/ruleThread';
export { preloadTools } from '../toolchain/processes';

export function explain(fact: EscapeFact, src?: SourceLookup): Explanation {
	return explainFact(fact, src);
}

export function label(fact: EscapeFact, src?: SourceLookup): string {
	return shortLabel(fact, src);
}

const goMods = new GoModReader();

/** Called when a big go.mod's background scan is done (the versions read from its head may change). */
export function onGoModScanned(cb: () => void): void {
	goMods.onScanned = cb;
}

/** The file's effective Go version (go.mod read from disk, cached by mtime so edits are seen). */
export function fileGoVersion(filePath: string, text: string, override: string): GoVersionInfo {
	return goMods.version(filePath, text, override || undefined);
}

const cgoSources = new CgoSourceReader();

/** C code of the cgo package around the file beyond its own preamble (headers, other preambles, .c files; cached by mtime). */
export function packageC(filePath: string, text: string): string {
	return cgoSources.packageC(filePath, text);
}

export { ESCAPE_RULES, SYNTAX_RULES, checkRules } from '../report/ruleSets';
