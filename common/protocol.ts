/**
 * Custom messages between the Go MemLens client and server. Each message is a namespace with its
 * `method` and a typed `type`, so both sides share one definition. Any other LSP client can ignore
 * these: the server only sends them when the client declared `experimental.goMemlens` support.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

/** Analysis state of one package (directory), for the status item. */
export type AnalysisState =
	| 'idle'
	| 'running'
	| 'upToDate'
	| 'stale' // the last build failed; the facts shown are from the last good build
	| 'goMissing'
	| 'untrusted'
	| 'disabled';

export interface StatusParams {
	/** The package directory (file URI) the state is about. */
	packageUri: string;
	state: AnalysisState;
	/** Short human text: "escape analysis up to date (3 heap facts)". */
	message: string;
	/** The build error or missing-go explanation, for `stale` and `goMissing`; also the notes. */
	detail?: string;
	/**
	 * What the last run did not take as configured: a setting refused or overridden (docs/security.md)
	 * or a source file left out (not a regular file). Additive.
	 */
	notes?: string[];
	/** True when no run is queued or in flight anywhere (lets tests wait on events, not sleeps). */
	quiescent: boolean;
}

export namespace StatusNotification {
	export const method = 'goMemlens/status';
	export const type = new NotificationType<StatusParams>(method);
}

/** One end-of-line note for the client's decorations. */
export interface HeapSite {
	/** 0-based line. */
	line: number;
	/** 0-based UTF-16 start and end of the subject on that line. */
	startCharacter: number;
	endCharacter: number;
	kind: 'moved-to-heap' | 'escapes-to-heap' | 'leaking-param' | 'leaking-param-content';
	/** Short text, e.g. "heap: buf — address passed to (*sync.Pool).Put". */
	label: string;
}

/** One end-of-line cost note from a loaded allocation profile (docs/profile.md). */
export interface CostSite {
	/** 0-based line. */
	line: number;
	/** "1.2 GB · 3.4 M allocs · 31 %" (and " · −96 % bytes" when comparing). */
	label: string;
	/** Of the profile's total, 0..1. */
	share: number;
	/** high: at or above goMemlens.profile.warnShare. */
	level: 'high' | 'medium' | 'low';
}

export interface HeapSitesParams {
	uri: string;
	/** The document version the sites belong to (null when from saved content). */
	version: number | null;
	sites: HeapSite[];
	/** Cost notes of the loaded allocation profile; additive (absent: no profile). */
	costs?: CostSite[];
}

export namespace HeapSitesNotification {
	export const method = 'goMemlens/heapSites';
	export const type = new NotificationType<HeapSitesParams>(method);
}

export interface RawOutputParams {
	/** A file URI of the package (any of its files). */
	uri: string;
}

export interface RawOutputResult {
	/** The command line that produced it. */
	command: string;
	/** The compiler's `-m=2` output as printed, with paths as printed. */
	output: string;
	/** Working directory of the run, to resolve relative positions. */
	cwd: string;
}

export namespace RawOutputRequest {
	export const method = 'goMemlens/rawOutput';
	export const type = new RequestType<RawOutputParams, RawOutputResult | null, void>(method);
}

/** Server-side commands (workspace/executeCommand). */
export const Commands = {
	rerun: 'goMemlens.server.rerun',
	/**
	 * Shows or hides the compiler's `does not escape` facts of one function. Arguments: the document
	 * URI, then the function's lens key (a string) or a position inside it (`{line, character}`).
	 */
	toggleStackFacts: 'goMemlens.server.toggleStackFacts',
	/** CodeLens "Profile allocations": arguments [uri, benchmark name]. */
	profileBenchmark: 'goMemlens.server.profileBenchmark',
} as const;

export interface LoadProfileParams {
	/** A local pprof file (gzipped or not)… */
	path?: string;
	/** …or an http(s) URL such as http://127.0.0.1:6060/debug/pprof/allocs (loopback unless allowed). */
	url?: string;
	/** compare: keep the profile loaded now as the baseline and show per-line differences. */
	compare?: boolean;
}

export interface LoadProfileResult {
	ok: boolean;
	/** What was loaded, or why not. */
	message: string;
}

export namespace LoadProfileRequest {
	export const method = 'goMemlens/loadProfile';
	export const type = new RequestType<LoadProfileParams, LoadProfileResult, void>(method);
}

export namespace ClearProfileNotification {
	export const method = 'goMemlens/clearProfile';
	export const type = new NotificationType<void>(method);
}

/** One line of the "Allocation hot spots" view. */
export interface HotSpot {
	uri: string;
	/** 0-based line. */
	line: number;
	/** Go's function name. */
	func: string;
	label: string;
	share: number;
	/** The compiler's heap facts on that line, or where a call from it allocated. */
	reason: string;
}

export interface HotSpotsResult {
	/** e.g. "alloc_space of mem.pprof (655 kB)"; empty when no profile is loaded. */
	title: string;
	spots: HotSpot[];
	/** Outside the workspace / stale, said. */
	notes: string[];
}

export namespace HotSpotsRequest {
	export const method = 'goMemlens/hotSpots';
	export const type = new RequestType0<HotSpotsResult, void>(method);
}

/** Server → client: the loaded profile changed (the hot-spot view refreshes). */
export namespace ProfileChangedNotification {
	export const method = 'goMemlens/profileChanged';
	export const type = new NotificationType<{ title: string }>(method);
}

export interface SetTrustedParams {
	trusted: boolean;
}

/** Client → server: the user granted (or revoked) workspace trust; only trusted workspaces run the Go toolchain. */
export namespace SetTrustedNotification {
	export const method = 'goMemlens/setTrusted';
	export const type = new NotificationType<SetTrustedParams>(method);
}

export interface DebugStats {
	/** Go toolchain processes started since the server started. */
	spawnCount: number;
	/** Go toolchain processes running now. */
	liveProcesses: number;
	/** tree-sitter trees held in the WASM heap. */
	liveTrees: number;
	/**
	 * How keystrokes updated the syntax trees: `local`, the file's reparse deferred (`token` of those:
	 * one token stretched, no parse; the others: a statement or declaration parsed alone);
	 * `node`/`diff`, reparsed, changes bounded by one declaration or by tree-sitter's diff;
	 * `resync`/`wrong`, deferred reparses that re-read the declarations (`wrong`: a copy differed).
	 */
	syntaxUpdates?: { node: number; local: number; token: number; diff: number; resync: number; wrong: number };
	/** go vet processes of the typed pass started (also counted in `spawnCount`); additive. */
	typedSpawnCount?: number;
	/** Typed results applied (each republishes the package's open documents); additive. */
	typedResults?: number;
	rssBytes: number;
	/** Live JS heap; measured after a full GC when the server runs with `--expose-gc`. */
	heapUsedBytes: number;
	/** V8 heap reserved (used + free pages); additive. */
	heapTotalBytes?: number;
	/** Memory outside the V8 heap that V8 knows of: tree-sitter's WASM linear memory, Buffers; additive. */
	externalBytes?: number;
	/** ArrayBuffers and Buffers (part of `externalBytes`; WASM memory is not); additive. */
	arrayBuffersBytes?: number;
}

/** Server internals for tests and benchmarks. */
export namespace DebugStatsRequest {
	export const method = 'goMemlens/debugStats';
	export const type = new RequestType0<DebugStats, void>(method);
}
