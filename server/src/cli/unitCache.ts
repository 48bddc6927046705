/**
 * The CLI's whole-unit result cache: what a module run (one `go build -gcflags=-m=2` of a unit, its
 * typed pass and its rules) answered, replayed when nothing it read has changed.
 *
 * Three steps. Before go runs, the unit's pre-key: the cache format, the rule set (the CLI bundle and
 * grammar, findingsCache's salt), the options that change results (escape kinds, typed pass,
 * disabled rules, tags, function spans), the unit (root, packages, files, patterns), the compile's
 * arguments, the go command's environment as `go env -json` tells it (GOVERSION, GOOS/GOARCH,
 * CGO_*, GOFLAGS, GOEXPERIMENT, the go env file's settings…) and the stamps of the go binary, its
 * compile and vet tools, and of every file under the unit's package directories (not only .go:
 * files the build leaves out by their constraints and tests are read by the rules and go vet, C
 * sources, headers, embedded files, testdata), go.mod/go.sum, vendor/ and the local `replace`
 * targets. A stamp is path, size, mtime, ctime and inode (ctime changes on any write, even one that
 * restores mtime).
 *
 * Then the world (`worldOf`): the stamps of everything else the compile can read but the module
 * cache (the whole module, GOROOT/src, local replace targets). An entry made when every one of
 * those stamps was older than the run by a margin (`settled`, git's racily-clean rule) answers
 * when the world's stamps are the same: no go process at all.
 *
 * Otherwise the go command is asked, with `go list -export` and the compile's own flags, for the
 * build ID of every package of the unit: a package's action ID is the go command's own key for
 * the compile and its `-m=2` output (sources, flags, compiler, the export data of every
 * dependency), so IDs equal to the stored ones mean the compiler says what it said then. After a
 * compile that will be stored, go list runs once more for those IDs (everything is in the build
 * cache by then: nothing compiles again). The entry also names the files outside the unit its
 * findings were read from (bodies inlined from dependencies), with their stamps, checked on a hit.
 * On a hit the unit's findings come from the entry: no `-m=2` text read or parsed, no `go vet`,
 * no rules.
 *
 * Not cached (precision before speed): a unit whose build or typed pass failed or warned, a go.work
 * workspace, GOPATH mode, an overlay (hidden non-regular files), a unit whose stamps changed while
 * it ran. Headers a cgo preamble includes from outside the module and GOROOT (system headers, -I
 * directories) are not stamped; the go command does not hash them either (Go 1.26.8: after such a
 * header changes, the build ID is the same and go build replays the old output), so the cache
 * answers what go build would print.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, readFileSync, renameSync, rmSync, utimesSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FunctionSpan } from '../syntax/functionSpans';
import type { TypedRunResult } from '../typed/runner';
import type { Finding } from './analyze';
import type { CompileResult, CompileTap } from './compile';
import { spawnTool } from '../toolchain/processes';
import type { ToolRun } from '../toolchain/toolRun';
import type { ModuleUnit } from './discover';
import type { CacheConfig } from './findingsCache';
import { settled, stampMemo, stampOf, stampsOf, worldOf } from './stamps';


/** Bumped when an entry's layout or meaning changes. */
const FORMAT = 'memlens-unit-4';

/** What a unit's run answered, as the CLI's outputs need it. */
export interface UnitResult {
	findings: Finding[];
	/** The compile, without its facts (`factDirs` says where there were some). */
	compile: CompileResult;
	typedRun?: TypedRunResult;
	files: number;
	warnings: string[];
	spans: [string, FunctionSpan[]][];
}

/**
 * An entry is two JSON documents on two lines: the head (read at once: is it the entry for this
 * output, are the files outside the unit it read unchanged?) and the body (read only when the
 * findings are needed: a run whose whole output is cached, ./outputCache.ts, never reads it).
 */
interface EntryHead {
	key: string;
	buildHash: string;
	/** Files outside the unit the findings read (path → stamp). */
	external: [string, string][];
	/** `worldOf`'s digest when every stamp in it had settled (`settled`): equal stamps then answer without the build IDs. */
	world?: string;
}

interface EntryBody {
	/** The findings' files (`result.findings` names them by index here). */
	files: string[];
	result: UnitResult;
}

/** The options of a run that change what a unit answers. */
export interface UnitSettings {
	escape: readonly string[];
	typed: boolean;
	typedTests: boolean;
	disabledRules: readonly string[];
	tags: readonly string[];
	functionSpans: boolean;
}

/** The go command's view of the environment, as hashed: `go env -json` without what names the per-run temp dir. */
export function goEnvForKey(json: string): { text: string; env: Record<string, string> } | undefined {
	let env: Record<string, string>;
	try {
		env = JSON.parse(json) as Record<string, string>;
	} catch {
		return undefined;
	}
	// GOGCCFLAGS names the go command's temp dir (the rest of it follows CC, CGO_CFLAGS, GOARCH, hashed as themselves).
	const { GOTMPDIR: _tmp, GOGCCFLAGS: _gcc, ...rest } = env;
	return { text: JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1))), env };
}

/** Why a unit is not cached in this environment, or undefined. */
export function uncacheable(env: Record<string, string>, runDir: string): string | undefined {
	if (env.GOWORK && env.GOWORK !== 'off') return 'a go.work workspace';
	if (env.GO111MODULE === 'off') return 'GOPATH mode';
	if ((env.GOFLAGS ?? '').includes(runDir)) return 'a module file copied for the run';
	return undefined;
}

/** The pre-key of a unit (see the file comment); `goEnv` is `go env -json` run as the build will be. */
export function unitPreKey(cfg: CacheConfig, unit: ModuleUnit, settings: UnitSettings, compileArgs: readonly string[], goBin: string, goEnv: { text: string; env: Record<string, string> }, stamps: string = stampsOf(unit), notes: readonly string[] = []): string {
	const h = createHash('sha256').update(FORMAT).update('\0').update(cfg.salt).update('\0');
	const opts = { ...settings, escape: [...settings.escape].sort(), disabledRules: [...settings.disabledRules].sort() };
	h.update(JSON.stringify({ opts, root: unit.root, hasGoMod: unit.hasGoMod, packages: unit.packages, files: unit.files, patterns: unit.patterns, compileArgs, goBin, notes }));
	h.update('\0').update(goEnv.text).update('\0');
	const goroot = goEnv.env.GOROOT ?? '';
	const tools = path.join(goroot, 'pkg', 'tool', `${goEnv.env.GOOS}_${goEnv.env.GOARCH}`);
	const exe = process.platform === 'win32' ? '.exe' : '';
	for (const f of [goBin, path.join(tools, `compile${exe}`), path.join(tools, `vet${exe}`), path.join(goroot, 'VERSION')]) h.update(`${f}\0${stampOf(f)}\0`);
	h.update(stamps);
	return h.digest('hex');
}

/**
 * Findings as stored: every file path (finding, flow, fact and its steps) an index into one table.
 * std's entry shrinks from 48 MB to about half, and reading it makes one string per file.
 */
type FileOf = (file: string) => string | number;

function mapFiles(findings: Finding[], fileOf: (f: string | number) => string | number): void {
	for (const f of findings) {
		f.file = fileOf(f.file) as string;
		for (const s of f.flow) s.file = fileOf(s.file) as string;
		if (f.fact) {
			f.fact.pos.file = fileOf(f.fact.pos.file) as string;
			for (const fl of f.fact.flows ?? []) for (const st of fl.steps ?? []) if (st.pos) st.pos.file = fileOf(st.pos.file) as string;
		}
	}
}

/** A deep copy of the findings with their files as indexes, and the table. */
export function packFindings(findings: Finding[]): { files: string[]; findings: Finding[] } {
	const files: string[] = [];
	const index = new Map<string, number>();
	const copy = JSON.parse(JSON.stringify(findings)) as Finding[];
	const fileOf: FileOf = (f) => {
		let i = index.get(f);
		if (i === undefined) index.set(f, (i = files.push(f) - 1));
		return i;
	};
	mapFiles(copy, (f) => fileOf(f as string));
	return { files, findings: copy };
}

/** The findings back with their paths (in place); false when an index is not in the table. */
export function unpackFindings(files: string[], findings: Finding[]): boolean {
	let ok = true;
	mapFiles(findings, (i) => {
		const f = typeof i === 'number' ? files[i] : undefined;
		if (f === undefined) ok = false;
		return f ?? '';
	});
	return ok;
}

function entryPath(cfg: CacheConfig, key: string): string {
	// Beside the findings cache's entries (same bound, trimmed together by trimCache).
	return path.join(cfg.dir, 'units', `${key}.json`);
}

/** The first line of an entry, as bytes, and where the body starts; undefined when it cannot be read. */
function headOf(p: string): { head: string; bodyAt: number } | undefined {
	let fd: number | undefined;
	try {
		fd = openSync(p, 'r');
		const parts: Buffer[] = [];
		let at = 0;
		for (;;) {
			const buf = Buffer.alloc(parts.length ? 1 << 20 : 64 << 10);
			const n = readSync(fd, buf, 0, buf.length, at);
			if (n === 0) return undefined;
			const nl = buf.subarray(0, n).indexOf(0x0a);
			parts.push(buf.subarray(0, nl >= 0 ? nl : n));
			if (nl >= 0) return { head: Buffer.concat(parts).toString('utf8'), bodyAt: at + nl + 1 };
			at += n;
		}
	} catch {
		return undefined;
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

/** A stored entry: its head at once, its findings on `load` (read once, whoever asks first). */
export interface StoredUnit {
	buildHash: string;
	/** The settled world the entry was made in (see EntryHead). */
	world: string | undefined;
	/** Are the files outside the unit its findings read unchanged? */
	externalUnchanged(): boolean;
	/** The unit's result; undefined when the body is torn or foreign. */
	load(): Promise<UnitResult | undefined>;
}

/** The entry stored under a pre-key, or undefined (a torn or foreign head is a miss). */
export function readUnitEntry(cfg: CacheConfig, key: string): StoredUnit | undefined {
	const p = entryPath(cfg, key);
	const read = headOf(p);
	let head: EntryHead;
	try {
		head = JSON.parse(read?.head ?? '') as EntryHead;
	} catch {
		return undefined;
	}
	if (head.key !== key || !/^[0-9a-f]{64}$/.test(head.buildHash ?? '') || !Array.isArray(head.external)) return undefined;
	const world = typeof head.world === 'string' && /^[0-9a-f]{64}$/.test(head.world) ? head.world : undefined;
	let body: Promise<UnitResult | undefined> | undefined;
	const loadBody = async (): Promise<UnitResult | undefined> => {
		try {
			const raw = await readFile(p);
			if (raw.toString('utf8', 0, read!.bodyAt - 1) !== read!.head) return undefined; // replaced meanwhile
			const e = JSON.parse(raw.toString('utf8', read!.bodyAt)) as EntryBody;
			if (!Array.isArray(e.result?.findings) || !Array.isArray(e.files)) return undefined;
			return unpackFindings(e.files, e.result.findings) ? e.result : undefined;
		} catch {
			return undefined;
		}
	};
	return {
		buildHash: head.buildHash,
		world,
		externalUnchanged: () => head.external.every(([f, st]) => stampOf(f) === st),
		load: () => (body ??= loadBody()),
	};
}

/** Gives a stored entry the world it now holds in: its head rewritten, its body's bytes as they are. Never throws. */
function addWorld(p: string, world: string): void {
	const read = headOf(p);
	if (!read) return;
	try {
		const head = JSON.parse(read.head) as EntryHead;
		const raw = readFileSync(p);
		if (raw.toString('utf8', 0, read.bodyAt - 1) !== read.head) return; // replaced meanwhile
		writeWhole(p, [JSON.stringify({ ...head, world }), '\n', raw.subarray(read.bodyAt)]);
	} catch {
		// a cache that cannot be rewritten still answers through the build IDs
	}
}

/** Marks an entry (or an output, ./outputCache.ts) as used now: the cache's trim removes the least recently used. */
export function touch(p: string): void {
	try {
		const now = new Date();
		utimesSync(p, now, now);
	} catch {
		// a read-only cache is still read
	}
}

/** Stores a unit's result (temp name, then renamed). Never throws. */
export function writeUnitEntry(cfg: CacheConfig, key: string, buildHash: string, unit: ModuleUnit, result: UnitResult, world?: string): void {
	const inUnit = (f: string) => f === unit.root || f.startsWith(unit.root + path.sep);
	const outside = new Set<string>();
	for (const f of result.findings) {
		for (const file of [f.file, ...f.flow.map((s) => s.file), ...(f.fact ? [f.fact.pos.file] : [])]) if (!inUnit(file)) outside.add(path.resolve(file));
	}
	const packed = packFindings(result.findings);
	const head: EntryHead = { key, buildHash, external: [...outside].sort().map((f) => [f, stampOf(f)]), ...(world ? { world } : {}) };
	const body: EntryBody = { files: packed.files, result: { ...result, findings: packed.findings } };
	writeWhole(entryPath(cfg, key), [JSON.stringify(head), '\n', JSON.stringify(body)]);
}

/** Writes a cache file under a temp name, then renames it (readers see all of it or none). Never throws. */
export function writeWhole(p: string, parts: (string | Buffer)[]): void {
	const tmp = `${p}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
	let fd: number | undefined;
	try {
		mkdirSync(path.dirname(p), { recursive: true });
		fd = openSync(tmp, 'w');
		for (const part of parts) {
			const b = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
			for (let at = 0; at < b.length; ) at += writeSync(fd, b, at, b.length - at);
		}
		closeSync(fd);
		fd = undefined;
		renameSync(tmp, p);
	} catch {
		if (fd !== undefined) closeSync(fd);
		rmSync(tmp, { force: true });
	}
}

/** The hash of a unit's build IDs (cli/compile.ts `buildIds`): what an entry's answer was made from. */
export function buildHashOf(ids: string): string {
	return createHash('sha256').update(ids).digest('hex');
}

/**
 * One unit's use of the cache in a run: the pre-key before go starts; with an entry under it, the
 * build IDs of the unit's packages, and a match when they hash to the stored ones (the findings are
 * read only when asked for: `load`); else, after the run, the store.
 */
export class UnitCacheTap implements CompileTap {
	private preKey: string | undefined;
	private stamps: string | undefined;
	private candidate: StoredUnit | undefined;
	private buildHash: string | undefined;
	/** The world's stamps when the run began (see `worldOf`), and whether they had settled. */
	private world: { digest: string; settled: boolean } | undefined;
	private goroot = '';
	/** The stored entry is not to be used (its body could not be read): go runs again and the unit is stored anew. */
	private refused = false;
	private stored = false;
	/** Why this unit is not cached in this run. */
	off: string | undefined;
	/** After the compile: the stored entry answers for this unit (its findings: `load`). */
	matched = false;

	constructor(
		private readonly cfg: CacheConfig,
		private readonly goBin: string,
		private readonly unit: ModuleUnit,
		private readonly settings: UnitSettings,
		/** Called when the unit will be compiled (no entry answers): start the miss's other work. */
		private readonly onParse: () => void,
		/** Read a likely hit's findings while go runs (off when the run's whole output may be cached). */
		private readonly prefetch = true,
	) {}

	async begin(run: ToolRun, args: readonly string[]): Promise<'answered' | 'likely' | undefined> {
		this.off = run.overlay ? 'an overlay' : undefined;
		this.candidate = undefined;
		this.world = undefined;
		if (!this.off) {
			// go env runs beside the stamps (they take a while on a big unit).
			const envRun = await spawnTool(this.goBin, ['env', '-json'], { cwd: this.unit.root, env: run.env, stdout: 'pipe', stderr: 'pipe', buffer: true, maxBuffer: 1 << 20 });
			const takenAtNs = BigInt(Date.now()) * 1_000_000n;
			const memo = stampMemo();
			this.stamps = stampsOf(this.unit, memo);
			const r = await envRun.child;
			const goEnv = r.exitCode === 0 ? goEnvForKey(String(r.stdout)) : undefined;
			this.off = goEnv ? uncacheable(goEnv.env, run.dir) : 'go env failed';
			if (goEnv && !this.off) {
				// The run's notes (settings refused or overridden) are printed from the entry: they are part of the key.
				this.preKey = unitPreKey(this.cfg, this.unit, this.settings, args, this.goBin, goEnv, this.stamps, run.notes);
				this.candidate = this.refused ? undefined : readUnitEntry(this.cfg, this.preKey);
				this.goroot = goEnv.env.GOROOT ?? '';
				// A go.mod or overlay named in GOFLAGS is read from where no stamp looks: the build IDs decide.
				const world = /(^|\s)-?-(modfile|overlay)\b/.test(goEnv.env.GOFLAGS ?? '') ? undefined : worldOf(this.unit, this.goroot, memo);
				this.world = world && { digest: world.digest, settled: settled(world.newestNs, takenAtNs, this.cfg.settleMs ?? 2000) };
				if (this.world && this.candidate?.world === this.world.digest) {
					// Nothing the compile can read has changed since a settled run: its answer holds without asking go.
					if (this.candidate.externalUnchanged()) {
						this.buildHash = this.candidate.buildHash;
						this.matched = true;
						touch(entryPath(this.cfg, this.preKey));
						return 'answered';
					}
					this.candidate = undefined;
				}
				if (this.prefetch) void this.candidate?.load();
			}
		}
		if (!this.candidate) this.onParse();
		return this.candidate ? 'likely' : undefined;
	}

	verify(ids: string | undefined): boolean {
		this.buildHash = ids === undefined ? undefined : buildHashOf(ids);
		// Files outside the unit the findings read: unchanged, or the entry does not answer.
		this.matched = !!this.buildHash && this.candidate?.buildHash === this.buildHash && this.candidate.externalUnchanged();
		if (this.matched) {
			// Made in an unsettled world (files written just before), the entry can now vouch by stamps.
			if (this.world?.settled && this.candidate!.world !== this.world.digest) addWorld(entryPath(this.cfg, this.preKey!), this.world.digest);
			touch(entryPath(this.cfg, this.preKey!));
		} else {
			this.candidate = undefined;
			this.onParse();
		}
		return this.matched;
	}

	wantsIds(): boolean {
		return !this.off && !!this.preKey;
	}

	built(ids: string | undefined): void {
		this.buildHash = ids === undefined ? undefined : buildHashOf(ids);
	}

	/** The matched entry's result; undefined when its body cannot be read (then `refuse` and run the unit again). */
	load(): Promise<UnitResult | undefined> {
		return this.matched && this.candidate ? this.candidate.load() : Promise.resolve(undefined);
	}

	/** The matched entry could not be read: the next run of this unit compiles and stores it anew. */
	refuse(): void {
		this.refused = true;
		this.matched = false;
		this.candidate = undefined;
		this.buildHash = undefined;
	}

	/**
	 * What the unit answered, as one string (pre-key and build hash) when it is in the cache (matched
	 * or just stored), else undefined: a run's whole output is cached under these (./outputCache.ts).
	 */
	identity(): string | undefined {
		return (this.matched || this.stored) && this.preKey && this.buildHash ? `${this.preKey}:${this.buildHash}` : undefined;
	}

	/** Stores a miss's result, when it is one to keep (see the file comment). */
	store(result: UnitResult): void {
		if (this.off || !this.preKey || !this.buildHash || this.matched) return;
		if (result.compile.status !== 'ok' || result.warnings.length) return;
		if (result.typedRun && result.typedRun.status !== 'ok') return;
		// A file changed while the unit ran: what was read may be neither version.
		const memo = stampMemo();
		if (stampsOf(this.unit, memo) !== this.stamps) return;
		const world = this.world?.settled && worldOf(this.unit, this.goroot, memo)?.digest === this.world.digest ? this.world.digest : undefined;
		writeUnitEntry(this.cfg, this.preKey, this.buildHash, this.unit, result, world);
		this.stored = true;
	}
}
