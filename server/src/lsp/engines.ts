/**
 * The one place the LSP layer meets the engines (escape runner + scheduler, explain, tree cache,
 * rules, Go version). Everything else in lsp/ talks to these narrow shapes.
 *
 * INTERIM: TreeCache below is a stand-in until syntax/treeCache.ts lands.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { EscapeFact, GoVersionInfo, RuleFinding } from '../model';
import type { RuleContext } from '../rules/types';
import { optionsFromSettings, runRules } from '../rules/engine';
import type { Settings } from '../../../common/settings';
import type { Explanation } from './diagnostics';
import { runEscape, type EscapeRunResult } from '../escape/runner';
import { EscapeScheduler, type PackageRequest, type PackageState, type SchedulerSettings } from '../analysis/scheduler';
import { explainFact, shortLabel } from '../escape/explain';
import { goVersion, resolveGoBinary } from '../analysis/goEnv';
import { GoModReader } from '../analysis/goVersion';
import { newGoParser, type Parser, type Tree } from '../syntax/goParser';

export type { EscapeRunResult, PackageRequest as EscapeRequest, PackageState, SchedulerSettings as BuildSettings };
export { EscapeScheduler as EscapeEngine };

export interface EscapeEngineOptions {
	settings: () => SchedulerSettings;
	goVersion: string;
	onResult: (dir: string, result: EscapeRunResult, fromCache: boolean) => void;
	onStateChange: (dir: string, state: PackageState) => void;
}

/** The escape scheduler over the real runner. */
export function createEscapeEngine(opts: EscapeEngineOptions): EscapeScheduler {
	return new EscapeScheduler({ run: runEscape, ...opts });
}

/** The Go binary to use (an explicit setting is returned even when missing: the run reports it). */
export function findGo(settingPath: string, goroot: string | undefined, alternateGo: string | undefined): string {
	return resolveGoBinary(settingPath, { goroot, alternateGo });
}

/** `go env GOVERSION` of the binary (cached per binary), or undefined when it does not run. */
export function goVersionOf(goBin: string, env: Record<string, string>): Promise<string | undefined> {
	return goVersion(goBin, env);
}

export function explain(fact: EscapeFact): Explanation {
	return explainFact(fact);
}

export function label(fact: EscapeFact): string {
	return shortLabel(fact);
}

const goMods = new GoModReader();

/** The file's effective Go version (go.mod read from disk, cached by mtime so edits are seen). */
export function fileGoVersion(filePath: string, text: string, override: string): GoVersionInfo {
	return goMods.version(filePath, text, override || undefined);
}

/** Parses each open document; trees are replaced on change and deleted on close. */
export class TreeCache {
	private readonly trees = new Map<string, Tree>();
	private constructor(private readonly parser: Parser) {}
	static async create(): Promise<TreeCache> {
		return new TreeCache(await newGoParser());
	}
	get liveTrees(): number {
		return this.trees.size;
	}
	open(uri: string, text: string, _version: number): void {
		this.set(uri, text);
	}
	applyChanges(uri: string, _changes: TextDocumentContentChangeEvent[], newText: string, _version: number): void {
		this.set(uri, newText);
	}
	get(uri: string): Tree | undefined {
		return this.trees.get(uri);
	}
	close(uri: string): void {
		this.trees.get(uri)?.delete();
		this.trees.delete(uri);
	}
	dispose(): void {
		for (const t of this.trees.values()) t.delete();
		this.trees.clear();
		this.parser.delete();
	}
	private set(uri: string, text: string): void {
		const tree = this.parser.parse(text);
		this.trees.get(uri)?.delete();
		if (tree) this.trees.set(uri, tree);
		else this.trees.delete(uri);
	}
}

/** The rules on one file, with the user's disabled rules and severities; rule errors are logged. */
export function checkRules(ctx: RuleContext, settings: Settings, log: (msg: string) => void): RuleFinding[] {
	return runRules(ctx, {
		...optionsFromSettings(settings),
		onError: (e) => log(`rule ${e.rule} failed on ${ctx.filePath}: ${e.error instanceof Error ? e.error.message : String(e.error)}`),
	});
}
