/**
 * Per-resource settings, pulled with `workspace/configuration` and cached per document URI
 * (the lsp-sample / vscode-eslint pattern). Clients that do not support the request, or answer
 * null (Neovim, Helix, Zed), get the defaults.
 */
import type { Connection } from 'vscode-languageserver/node';
import { parseSettings, type Settings } from '../../../common/settings';

import type { GoToolSettings, ResolvedSettings } from '../report/types';

export type { GoToolSettings, ResolvedSettings };

function str(v: unknown): string | undefined {
	return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function strArray(v: unknown): string[] {
	return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Reads vscode-go's `go` section (`go.buildTags` is one comma-separated string). */
export function parseGoSection(raw: unknown): GoToolSettings {
	const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
	const alt = (typeof o.alternateTools === 'object' && o.alternateTools !== null ? o.alternateTools : {}) as Record<string, unknown>;
	const envRaw = (typeof o.toolsEnvVars === 'object' && o.toolsEnvVars !== null ? o.toolsEnvVars : {}) as Record<string, unknown>;
	const env: Record<string, string> = {};
	for (const [k, v] of Object.entries(envRaw)) if (typeof v === 'string') env[k] = v;
	return {
		goroot: str(o.goroot),
		alternateGo: str(alt.go),
		buildTags: (str(o.buildTags) ?? '').split(',').map((t) => t.trim()).filter(Boolean),
		buildFlags: strArray(o.buildFlags),
		env,
	};
}

/** Merges both sections into what a build uses. */
export function resolveSettings(memlensRaw: unknown, goRaw: unknown): ResolvedSettings {
	const memlens = parseSettings(memlensRaw);
	const go = parseGoSection(goRaw);
	return {
		memlens,
		go,
		buildTags: memlens.buildTags.length ? memlens.buildTags : go.buildTags,
		buildFlags: memlens.buildFlags.length ? memlens.buildFlags : go.buildFlags,
		env: { ...go.env, ...memlens.env },
	};
}

/** Pulls and caches settings per document URI. */
export class SettingsCache {
	private readonly cache = new Map<string, Promise<ResolvedSettings>>();
	private global: Promise<ResolvedSettings> | undefined;

	constructor(
		private readonly connection: Connection,
		private readonly supportsConfiguration: boolean,
		private readonly log: (msg: string) => void,
	) {}

	/** Settings for `uri` (a document or folder URI). Never rejects. */
	get(uri: string): Promise<ResolvedSettings> {
		if (!this.supportsConfiguration) {
			this.global ??= Promise.resolve(resolveSettings(null, null));
			return this.global;
		}
		let p = this.cache.get(uri);
		if (!p) {
			p = this.connection.workspace
				.getConfiguration([
					{ scopeUri: uri, section: 'goMemlens' },
					{ scopeUri: uri, section: 'go' },
				])
				.then(
					(r: unknown[]) => resolveSettings(r?.[0], r?.[1]),
					(err: unknown) => {
						this.log(`workspace/configuration failed, using defaults: ${String(err)}`);
						return resolveSettings(null, null);
					},
				);
			this.cache.set(uri, p);
		}
		return p;
	}

	/** Forgets one document's settings (on close). */
	forget(uri: string): void {
		this.cache.delete(uri);
	}

	/** Forgets everything (on didChangeConfiguration). */
	clear(): void {
		this.cache.clear();
		this.global = undefined;
	}
}
