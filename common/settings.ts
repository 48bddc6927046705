/**
 * The `goMemlens.*` settings: the single source of truth. package.json's
 * `contributes.configuration` is checked against this schema by test/unit/settings.test.ts.
 * Every field has a default so that a client answering `workspace/configuration` with null
 * (Neovim, Helix, Zed) still gets a working server.
 */
import { z } from 'zod';

export const severitySetting = z.enum(['error', 'warning', 'information', 'hint', 'off']);
export type SeveritySetting = z.infer<typeof severitySetting>;

export const escapeSeveritiesSchema = z
	.object({
		'moved-to-heap': severitySetting.default('information'),
		'escapes-to-heap': severitySetting.default('information'),
		'leaking-param': severitySetting.default('hint'),
		'leaking-param-content': severitySetting.default('hint'),
		'does-not-escape': severitySetting.default('off'),
		inlining: severitySetting.default('off'),
	})
	.prefault({});

export const settingsSchema = z.object({
	/** Path to the `go` binary; empty means: vscode-go's settings, then PATH. */
	goPath: z.string().default(''),
	/** Escape analysis on/off (syntax rules keep running). */
	escapeEnabled: z.boolean().default(true),
	escapeSeverities: escapeSeveritiesSchema,
	/** Build tags passed as `-tags`. */
	buildTags: z.array(z.string()).default([]),
	/** Extra `go build` flags (e.g. `-race`); `-gcflags` and `-o` are ours. */
	buildFlags: z.array(z.string()).default([]),
	/** Extra environment for the toolchain (GOOS, GOARCH, CGO_ENABLED…). */
	env: z.record(z.string(), z.string()).default({}),
	/** Milliseconds to wait after an edit before compiling the unsaved buffer (0: only on save). */
	debounceMs: z.number().int().min(0).default(500),
	maxConcurrentCompiles: z.number().int().min(1).max(16).default(2),
	/** Seconds before a compile is cancelled. */
	compileTimeoutSec: z.number().int().min(5).default(120),
	/** Override the computed Go language version, e.g. `1.21`; empty: from go.mod. */
	goVersionOverride: z.string().default(''),
	/** Rule ids to switch off. */
	disabledRules: z.array(z.string()).default([]),
	/** Per-rule severity override. */
	ruleSeverities: z.record(z.string(), severitySetting).default({}),
	decorations: z
		.object({
			enabled: z.boolean().default(true),
			kinds: z.array(z.enum(['moved-to-heap', 'escapes-to-heap', 'leaking-param', 'leaking-param-content'])).default(['moved-to-heap', 'escapes-to-heap']),
			gutter: z.boolean().default(true),
		})
		.prefault({}),
	/**
	 * VS Code client only: where another extension (gopls: copylocks, loopclosure, staticcheck,
	 * compiler optimization details) already shows the same problem at the same place, hide ours
	 * (client/src/duplicates.ts has the table); the hover still carries our explanation.
	 */
	dedupeWithOtherSources: z.boolean().default(true),
	/** Allocation profiles joined with the compiler's facts (docs/profile.md). */
	profile: z
		.object({
			sampleType: z.enum(['alloc_space', 'alloc_objects', 'inuse_space', 'inuse_objects']).default('alloc_space'),
			/** Escape facts on lines with at least this percentage of the profile become warnings (0: never). */
			warnShare: z.number().min(0).max(100).default(10),
			/** Show escape facts on lines the profile saw no allocation on as hints only. */
			focus: z.boolean().default(false),
			/** `-memprofilerate` for "Profile allocations" (1: every allocation, exact counts). */
			memProfileRate: z.number().int().min(1).default(1),
			/** `-benchtime` for "Profile allocations" (`1s`, `100x`). */
			benchtime: z.string().default('1s'),
			/** Load profiles from URLs on other hosts than loopback. */
			allowRemoteHosts: z.boolean().default(false),
		})
		.prefault({}),
	trace: z.object({ server: z.enum(['off', 'messages', 'verbose']).default('off') }).prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Parses whatever the client sent (null, partial, or wrong types) into full settings; bad fields fall back to defaults. */
export function parseSettings(raw: unknown): Settings {
	const r = settingsSchema.safeParse(raw ?? {});
	if (r.success) return r.data;
	// Drop each invalid top-level field rather than the whole object.
	const obj = typeof raw === 'object' && raw !== null ? { ...(raw as Record<string, unknown>) } : {};
	for (const issue of r.error.issues) delete obj[String(issue.path[0])];
	const again = settingsSchema.safeParse(obj);
	return again.success ? again.data : settingsSchema.parse({});
}

export const defaultSettings: Settings = settingsSchema.parse({});
