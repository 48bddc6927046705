/**
 * The loaded allocation profile in the server (issue 12): loading it (a file, gzipped or not, or a
 * URL on a loopback host unless `goMemlens.profile.allowRemoteHosts`), running a benchmark for the
 * "Profile allocations" CodeLens (progress, cancel; untrusted workspace: no lens, nothing runs),
 * keeping its lines on the right lines while the user edits, and answering the hot-spot view and
 * hovers. What to show is computed by report/profileCosts.ts; this module holds state and talks.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CodeLensRefreshRequest, type CodeLens, type Connection, type TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { Commands, ProfileChangedNotification, type HotSpotsResult, type LoadProfileParams, type LoadProfileResult } from '../../../common/protocol';
import type { EscapeFact } from '../model';
import { goRoot } from '../analysis/goEnv';
import { findModuleRoots, loadProfile, type LineCost, type ProfileJoin } from '../profile/index';
import type { BenchResult } from '../profile/benchOutput';
import { runBenchProfile } from '../profile/runner';
import { costLabel, formatBytes, formatCount } from '../profile/units';
import { costHover, shareOf, type FileProfile } from '../report/profileCosts';
import type { ClientCaps, ResolvedSettings } from '../report/types';

interface Loaded {
	join: ProfileJoin;
	source: string;
	/** Workspace file → 1-based line → cost (moved with edits). */
	byFile: Map<string, Map<number, LineCost>>;
}

export interface ProfileDeps {
	connection: Connection;
	caps: ClientCaps;
	log: (msg: string) => void;
	trusted: () => boolean;
	/** Workspace folders and open documents' directories (where go.mod files are looked for). */
	roots: () => string[];
	settings: (uri: string) => Promise<ResolvedSettings>;
	goBin: (s: ResolvedSettings) => string;
	/** The compiler's facts of a package directory, when it was analysed. */
	facts: (dir: string) => readonly EscapeFact[] | undefined;
	/** Re-publish every open document (costs and severities changed). */
	republish: () => Promise<void>;
}

const BENCH = /^func\s+(Benchmark\w*)\s*\(\s*\w+\s+\*testing\.B\s*\)/;
const MAX_URL_BYTES = 256 * 1024 * 1024;

function byFileOf(join: ProfileJoin): Map<string, Map<number, LineCost>> {
	const m = new Map<string, Map<number, LineCost>>();
	for (const l of join.lines) {
		let f = m.get(l.file);
		if (!f) m.set(l.file, (f = new Map()));
		f.set(l.line, l);
	}
	return m;
}

/** Is `host` a loopback name or address? */
export function isLoopback(host: string): boolean {
	const h = host.replace(/^\[|\]$/g, '').toLowerCase();
	return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export class ProfileStore {
	private current: Loaded | undefined;
	private baseline: Loaded | undefined;
	private readonly memo = new Map<string, FileProfile | undefined>();
	private readonly benchResults = new Map<string, BenchResult>();
	private readonly running = new Map<string, AbortController>();

	constructor(private readonly d: ProfileDeps) {}

	get loaded(): boolean {
		return this.current !== undefined;
	}

	/** Loads a profile from a file or URL (`compare`: the one loaded now becomes the baseline). */
	async load(p: LoadProfileParams): Promise<LoadProfileResult> {
		const s = await this.d.settings(URI.file(this.d.roots()[0] ?? process.cwd()).toString());
		let bytes: Uint8Array;
		let source: string;
		try {
			if (p.url) {
				const u = new URL(p.url);
				if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, message: `${p.url}: only http and https URLs are read` };
				if (!isLoopback(u.hostname) && !s.memlens.profile.allowRemoteHosts) return { ok: false, message: `${u.hostname} is not a loopback host; set goMemlens.profile.allowRemoteHosts to load profiles from other hosts` };
				bytes = await fetchBytes(u);
				source = p.url;
			} else if (p.path) {
				bytes = await readFile(p.path);
				source = path.basename(p.path);
			} else return { ok: false, message: 'give a file or a URL' };
		} catch (e) {
			return { ok: false, message: `cannot read the profile: ${(e as Error).message}` };
		}
		return this.use(bytes, source, s, p.compare === true);
	}

	private async use(bytes: Uint8Array, source: string, s: ResolvedSettings, compare: boolean): Promise<LoadProfileResult> {
		let join: ProfileJoin;
		try {
			const goroot = this.d.trusted() ? await goRoot(this.d.goBin(s), s.env).catch(() => undefined) : undefined;
			join = loadProfile(bytes, { sampleType: s.memlens.profile.sampleType, modules: findModuleRoots(this.d.roots()), goroot, sourceOf: readSourceSync });
		} catch (e) {
			return { ok: false, message: (e as Error).message };
		}
		this.baseline = compare ? this.current : undefined;
		this.current = { join, source, byFile: byFileOf(join) };
		this.memo.clear();
		const measured = join.lines.filter((l) => l.own.value > 0).length;
		const message = `${source}: ${join.sampleType} ${join.unit === 'bytes' ? formatBytes(join.total.value) : formatCount(join.total.value)} in ${join.samples} samples; ${measured} workspace lines measured; ${join.outside.samples} samples outside the workspace${join.stale.samples ? `, ${join.stale.samples} on lines that no longer match the source` : ''}${this.baseline ? ` (compared with ${this.baseline.source})` : ''}`;
		this.d.log(`profile loaded: ${message}`);
		await this.changedProfile();
		return { ok: true, message };
	}

	async clear(): Promise<void> {
		this.current = undefined;
		this.baseline = undefined;
		this.memo.clear();
		await this.changedProfile();
	}

	private async changedProfile(): Promise<void> {
		await this.d.republish();
		if (this.d.caps.memlensExtensions) void this.d.connection.sendNotification(ProfileChangedNotification.type, { title: this.title() }).catch(() => undefined);
	}

	private title(): string {
		const j = this.current?.join;
		return j ? `${j.sampleType} of ${this.current!.source}` : '';
	}

	/** The file's measured lines for the report, or undefined when no profile is loaded. */
	fileProfile(filePath: string): FileProfile | undefined {
		if (!this.current) return undefined;
		if (this.memo.has(filePath)) return this.memo.get(filePath);
		const { join } = this.current;
		const fp: FileProfile = {
			sampleType: join.sampleType,
			unit: join.unit,
			total: join.total.value,
			lines: this.current.byFile.get(filePath) ?? new Map(),
			...(this.baseline ? { baseline: { total: this.baseline.join.total.value, lines: this.baseline.byFile.get(filePath) ?? new Map() } } : {}),
		};
		this.memo.set(filePath, fp);
		return fp;
	}

	/** Moves the file's measured lines with the edits (lines inside replaced text are dropped). */
	changed(filePath: string, changes: TextDocumentContentChangeEvent[]): void {
		for (const l of [this.current, this.baseline]) {
			const lines = l?.byFile.get(filePath);
			if (l && lines) l.byFile.set(filePath, shiftLines(lines, changes));
		}
		this.memo.delete(filePath);
	}

	hoverCost(filePath: string, line: number, markdown: boolean, hasFact: boolean): string | undefined {
		const fp = this.fileProfile(filePath);
		return fp ? costHover(fp, line, markdown, hasFact) : undefined;
	}

	/** "Profile allocations" above each benchmark of a _test.go file (none in an untrusted workspace). */
	codeLenses(uri: string, text: string): CodeLens[] {
		if (!this.d.trusted() || !uri.endsWith('_test.go')) return [];
		const out: CodeLens[] = [];
		const lines = text.split('\n');
		for (let i = 0; i < lines.length; i++) {
			const m = BENCH.exec(lines[i]);
			if (!m) continue;
			const name = m[1];
			const key = `${uri}\u0000${name}`;
			const r = this.benchResults.get(key);
			const title = this.running.has(key)
				? 'Profiling allocations…'
				: r
					? `Profile allocations · ${r.bytesPerOp ?? '?'} B/op · ${r.allocsPerOp ?? '?'} allocs/op`
					: 'Profile allocations';
			out.push({ range: { start: { line: i, character: 0 }, end: { line: i, character: 0 } }, command: { title, command: Commands.profileBenchmark, arguments: [uri, name] } });
		}
		return out;
	}

	/** Runs one benchmark with the memory profile and loads the profile. */
	async runBenchmark(uri: string, name: string): Promise<LoadProfileResult> {
		if (!this.d.trusted()) return { ok: false, message: 'Go MemLens runs benchmarks only in trusted workspaces' };
		const key = `${uri}\u0000${name}`;
		if (this.running.has(key)) return { ok: false, message: `${name} is already running` };
		const s = await this.d.settings(uri);
		const dir = path.dirname(URI.parse(uri).fsPath);
		const abort = new AbortController();
		this.running.set(key, abort);
		this.refreshLenses();
		const progress = this.d.caps.workDoneProgress ? await this.d.connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
		progress?.begin(`Profiling ${name}`, undefined, 'go test -bench -memprofile…', true);
		progress?.token.onCancellationRequested(() => abort.abort());
		try {
			const r = await runBenchProfile({
				goBin: this.d.goBin(s),
				dir,
				bench: `^${name}$`,
				benchtime: s.memlens.profile.benchtime,
				memProfileRate: s.memlens.profile.memProfileRate,
				tags: s.buildTags,
				buildFlags: s.buildFlags,
				env: s.env,
				signal: abort.signal,
				timeoutMs: Math.max(s.memlens.compileTimeoutSec * 1000, 10 * 60_000),
				onOutput: (line) => {
					if (line.startsWith('Benchmark')) progress?.report(line.trim().replace(/\s+/g, ' '));
				},
			});
			if (r.status !== 'ok' || !r.profile) return { ok: false, message: r.message ?? r.status };
			const b = r.benchmarks.find((x) => x.name === name) ?? r.benchmarks[0];
			if (b) this.benchResults.set(key, b);
			return await this.use(r.profile, `${name} (${path.basename(dir)})`, s, false);
		} finally {
			this.running.delete(key);
			progress?.done();
			this.refreshLenses();
		}
	}

	/** Cancels every benchmark run (shutdown). */
	dispose(): void {
		for (const a of this.running.values()) a.abort();
	}

	private refreshLenses(): void {
		void this.d.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
	}

	/** The top lines for the hot-spot view, with the compiler's reasons where the package was analysed. */
	hotSpots(limit = 50): HotSpotsResult {
		if (!this.current) return { title: '', spots: [], notes: [] };
		const { join } = this.current;
		const fp = { total: join.total.value } as FileProfile;
		const spots: HotSpotsResult['spots'] = [];
		for (const [file, lines] of this.current.byFile) {
			const facts = this.d.facts(path.dirname(file));
			for (const [line, c] of lines) {
				if (c.own.value <= 0) continue;
				const heap = (facts ?? []).filter((f) => f.pos.file === file && f.pos.line === line && (f.kind === 'moved-to-heap' || f.kind === 'escapes-to-heap')).map((f) => f.message);
				const callee = c.callees[0];
				const reason = heap.length
					? [...new Set(heap)].join('; ')
					: facts === undefined
						? 'no compiler facts yet: open a file of this package'
						: callee && c.flat.value < c.own.value
							? `no heap fact here: allocated in ${callee.func.slice(callee.func.lastIndexOf('/') + 1)} (${path.basename(callee.file)}:${callee.line})`
							: 'no heap fact on this line';
				spots.push({ uri: URI.file(file).toString(), line: line - 1, func: c.func, label: costLabel(c.own, shareOf(fp, c)), share: shareOf(fp, c), reason });
			}
		}
		spots.sort((a, b) => b.share - a.share);
		const total = join.total.value;
		const pct = (v: number) => (total > 0 ? `${((v / total) * 100).toFixed(1)} %` : '0 %');
		const notes = [`Outside the workspace: ${pct(join.outside.value)} (${join.outside.samples} samples)`];
		if (join.stale.samples) notes.push(`No longer matching the source: ${pct(join.stale.value)} (${join.stale.samples} samples)`);
		return { title: this.title(), spots: spots.slice(0, limit), notes };
	}
}

function readSourceSync(file: string): string | undefined {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
}

async function fetchBytes(u: URL): Promise<Uint8Array> {
	const res = await fetch(u, { signal: AbortSignal.timeout(60_000), redirect: 'error' });
	if (!res.ok) throw new Error(`${u.href}: HTTP ${res.status}`);
	const len = Number(res.headers.get('content-length') ?? 0);
	if (len > MAX_URL_BYTES) throw new Error(`${u.href}: ${len} bytes is more than ${MAX_URL_BYTES / 2 ** 20} MB`);
	const b = new Uint8Array(await res.arrayBuffer());
	if (b.length > MAX_URL_BYTES) throw new Error(`${u.href}: more than ${MAX_URL_BYTES / 2 ** 20} MB`);
	return b;
}

/**
 * 1-based lines moved through LSP content changes. A line's cost is anchored at the line's end: an
 * edit that starts before that end and ends on a later line replaces it (dropped); a line at or
 * after the edit's last line moves by the lines added minus removed (so text inserted at the start
 * of a line pushes its cost down with it).
 */
export function shiftLines<T>(lines: ReadonlyMap<number, T>, changes: TextDocumentContentChangeEvent[]): Map<number, T> {
	let cur = new Map(lines);
	for (const c of changes) {
		if (!('range' in c) || !c.range) return new Map(); // the whole text replaced: nothing can be placed
		const start = c.range.start.line + 1;
		const end = c.range.end.line + 1;
		const delta = c.text.split('\n').length - 1 - (end - start);
		if (delta === 0 && start === end) continue;
		const next = new Map<number, T>();
		for (const [l, v] of cur) {
			if (l < start) next.set(l, v);
			else if (l >= end) next.set(l + delta, v);
		}
		cur = next;
	}
	return cur;
}
