/**
 * The shapes the report layer works in: what a client can show, the settings a report is built
 * under, a diagnostic with its fixes. Data only; the LSP edge (lsp/) fills them in.
 */
import type { Diagnostic } from 'vscode-languageserver-types';
import type { Fix } from '../model';
import type { Settings } from '../../../common/settings';
import type { RuleContext } from '../rules/types';

/** The client capabilities a report depends on; everything defaults to "not supported". */
export interface ClientCaps {
	configuration: boolean;
	configurationDynamic: boolean;
	watchedFilesDynamic: boolean;
	workDoneProgress: boolean;
	relatedInformation: boolean;
	codeDescription: boolean;
	tagSupport: boolean;
	versionSupport: boolean;
	hoverMarkdown: boolean;
	codeActionLiterals: boolean;
	/** `experimental.goMemlens`: only then the custom notifications are sent. */
	memlensExtensions: boolean;
	/**
	 * `initializationOptions.diagnosticsInHover === true`: the client shows a diagnostic's message,
	 * code link and related information when the mouse is over its range (VS Code does; LSP has no
	 * capability for it). Hovers then add only what the diagnostic does not say (report/hover.ts).
	 */
	diagnosticsInHover: boolean;
	/** `workspace.codeLens.refreshSupport`: the server may ask the client to re-request code lenses. */
	codeLensRefresh: boolean;
	/**
	 * Workspace trust from `initializationOptions.trusted`: only a boolean `true` trusts; any other
	 * value given (`"false"`, `0`, `null`…) fails closed. A client that sends no `trusted` key at all
	 * has no Workspace Trust of its own (Neovim, Helix…) and is treated as trusted.
	 */
	trusted: boolean;
}

/** The parts of vscode-go's `go` section we honour. */
export interface GoToolSettings {
	goroot: string | undefined;
	alternateGo: string | undefined;
	buildTags: string[];
	buildFlags: string[];
	env: Record<string, string>;
}

/** Settings for one resource: ours plus vscode-go's, merged (ours win when set). */
export interface ResolvedSettings {
	memlens: Settings;
	go: GoToolSettings;
	/** Tags, flags and env to build with. */
	buildTags: string[];
	buildFlags: string[];
	env: Record<string, string>;
}

/** A published diagnostic and the fixes that go with it. */
export interface FixableDiagnostic {
	diagnostic: Diagnostic;
	fixes: Fix[];
}

/** What a rule run gets for one file (the scoped-run fields are added by lsp/ruleRuns.ts). */
export type RuleInput = Omit<RuleContext, 'scope' | 'memo'>;
