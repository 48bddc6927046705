/**
 * The CLI's whole-unit result cache: what a module run (one `go build -gcflags=-m=2` of a unit, its
 * typed pass and its rules) answered, replayed when nothing it read has changed. The go build still
 * runs (its replayed output is the truth about the compiler); its stderr is only hashed, not parsed,
 * and when the hash is the one stored, the unit's findings come from the entry: no parse, no
 * `go vet`, no `go list`, no rules.
 *
 * Two steps. Before the build, the unit's pre-key: the cache format, the rule set (the CLI bundle and
 * grammar, findingsCache's salt), the options that change results (escape kinds, typed pass,
 * disabled rules, tags, function spans), the unit (root, packages, files, patterns), the compile's
 * arguments, the go command's environment as `go env -json` tells it (GOVERSION, GOOS/GOARCH,
 * CGO_*, GOFLAGS, GOEXPERIMENT, the go env file's settings…) and the stamps of the go binary, its
 * compile and vet tools, and of every file under the unit's package directories (not only .go:
 * C sources, headers, embedded files, testdata), go.mod/go.sum, vendor/ and the local `replace`
 * targets. A stamp is path, size, mtime, ctime and inode (ctime changes on any write, even one that
 * restores mtime). The entry under that key holds the hash of the compiler output it was made
 * from: on a match, the entry answers. The hash is per `# pkg` section, sections sorted (the go
 * command prints packages in the order they finish). The entry also names the files outside the
 * unit its findings were read from (bodies inlined from dependencies), with their stamps, checked
 * on a hit.
 *
 * Not cached (precision before speed): a unit whose build or typed pass failed or warned, a go.work
 * workspace, GOPATH mode, an overlay (hidden non-regular files), a unit whose stamps changed while
 * it ran. Headers a cgo preamble includes from outside the package directories are covered only
 * through the compiler output (docs/cli.md).
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, type BigIntStats } from 'node:fs';
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
import { OutputHasher } from './outputHash';

export { OutputHasher } from './outputHash';

/** Bumped when an entry's layout or meaning changes. */
const FORMAT = 'memlens-unit-2';

/** Directory names the go command never embeds or builds from (VCS metadata). */
const VCS_DIRS = new Set(['.git', '.hg', '.svn', '.bzr']);

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

interface Entry {
	key: string;
	outputHash: string;
	/** Files outside the unit the findings read (path → stamp). */
	external: [string, string][];
	/** The findings' files (`result.findings` names them by index here). */
	files: string[];
	result: UnitResult;
}

/** The options of a run that change what a unit answers. */
export interface UnitSettings {
	escape: readonly string[];
	typed: boolean;
	disabledRules: readonly string[];
	tags: readonly string[];
	functionSpans: boolean;
}

/** A file's stamp: size, mtime, ctime, inode (ns); '' when it cannot be read. */
export function stampOf(file: string): string {
	let st: BigIntStats;
	try {
		st = statSync(file, { bigint: true });
	} catch {
		return '';
	}
	return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
}

/** Stamps of every file under `dir` (VCS metadata and nested modules left out), into `h`. */
function stampTree(dir: string, h: Hash, walked: Set<string>, top = true): void {
	if (walked.has(dir)) return;
	walked.add(dir);
	let entries;
	try {
		entries = readdirSync(dir, { withFileTypes: true });
	} catch {
		h.update(`?${dir}\0`);
		return;
	}
	// Another module is not this unit's (the go command does not embed across a go.mod).
	if (!top && entries.some((e) => e.name === 'go.mod' && !e.isDirectory())) return;
	entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	for (const e of entries) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) {
			if (!VCS_DIRS.has(e.name)) stampTree(p, h, walked, false);
		} else h.update(`${p}\0${stampOf(p)}\0`);
	}
}

/** Local directories the unit's go.mod replaces modules with. */
export function localReplaces(goMod: string, root: string): string[] {
	const out: string[] = [];
	const re = /=>\s*(?:"([^"]+)"|(\S+))/g;
	for (let m = re.exec(goMod); m; m = re.exec(goMod)) {
		const target = m[1] ?? m[2];
		if (/^(\.\.?([/\\]|$)|\/|[A-Za-z]:[/\\])/.test(target)) out.push(path.resolve(root, target));
	}
	return out;
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

/** The stamps of everything a unit's result reads from its own tree (a digest). */
export function stampsOf(unit: ModuleUnit): string {
	const h = createHash('sha256');
	const walked = new Set<string>();
	for (const f of ['go.mod', 'go.sum', 'go.work', 'go.work.sum']) h.update(`${f}\0${stampOf(path.join(unit.root, f))}\0`);
	for (const d of unit.packages) stampTree(d, h, walked, d === unit.root);
	// vendor/ (module mode vendors dependencies there) and local replace targets are read by the build and vet.
	stampTree(path.join(unit.root, 'vendor'), h, walked, false);
	let goMod = '';
	try {
		goMod = readFileSync(path.join(unit.root, 'go.mod'), 'utf8');
	} catch {
		// module-less unit
	}
	for (const d of localReplaces(goMod, unit.root)) stampTree(d, h, walked, true);
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

/** The first bytes of an entry ('' when it cannot be read). */
function headOf(p: string): string {
	let fd: number | undefined;
	try {
		fd = openSync(p, 'r');
		const buf = Buffer.alloc(256);
		return buf.toString('utf8', 0, readSync(fd, buf, 0, buf.length, 0));
	} catch {
		return '';
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

/**
 * The entry stored under a pre-key, or undefined (a torn or foreign file is a miss). Only its head is
 * read at once; the whole entry is read and parsed in the background (go is still running then),
 * and `load` answers once that is done.
 */
export function readUnitEntry(cfg: CacheConfig, key: string): { outputHash: string; load: () => Promise<UnitResult | undefined> } | undefined {
	const p = entryPath(cfg, key);
	// The output hash is near the start.
	const m = /^\{"key":"([0-9a-f]{64})","outputHash":"([0-9a-f]{64})"/.exec(headOf(p));
	if (!m || m[1] !== key) return undefined;
	const parsed = readFile(p, 'utf8').then(
		(raw) => {
			try {
				const e = JSON.parse(raw) as Entry;
				return e.key === key && Array.isArray(e.result?.findings) && Array.isArray(e.external) && Array.isArray(e.files) ? e : undefined;
			} catch {
				return undefined;
			}
		},
		() => undefined,
	);
	return {
		outputHash: m[2],
		load: async () => {
			const e = await parsed;
			// Files outside the unit the findings read: unchanged, or the entry does not answer.
			if (!e || e.external.some(([f, st]) => stampOf(f) !== st)) return undefined;
			try {
				const now = new Date();
				utimesSync(p, now, now);
			} catch {
				// a read-only cache is still read
			}
			return unpackFindings(e.files, e.result.findings) ? e.result : undefined;
		},
	};
}

/** Stores a unit's result (temp name, then renamed). Never throws. */
export function writeUnitEntry(cfg: CacheConfig, key: string, outputHash: string, unit: ModuleUnit, result: UnitResult): void {
	const inUnit = (f: string) => f === unit.root || f.startsWith(unit.root + path.sep);
	const outside = new Set<string>();
	for (const f of result.findings) {
		for (const file of [f.file, ...f.flow.map((s) => s.file), ...(f.fact ? [f.fact.pos.file] : [])]) if (!inUnit(file)) outside.add(path.resolve(file));
	}
	const packed = packFindings(result.findings);
	const entry: Entry = { key, outputHash, external: [...outside].sort().map((f) => [f, stampOf(f)]), files: packed.files, result: { ...result, findings: packed.findings } };
	const p = entryPath(cfg, key);
	const tmp = `${p}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
	try {
		mkdirSync(path.dirname(p), { recursive: true });
		writeFileSync(tmp, JSON.stringify(entry));
		renameSync(tmp, p);
	} catch {
		rmSync(tmp, { force: true });
	}
}

/**
 * One unit's use of the cache in a run: the pre-key before go starts, the output hashed as it
 * streams, the entry's answer when the hash is the stored one; else, after the run, the store.
 */
export class UnitCacheTap implements CompileTap {
	private hasher = new OutputHasher();
	private preKey: string | undefined;
	private stamps: string | undefined;
	private candidate: ReturnType<typeof readUnitEntry>;
	private outputHash: string | undefined;
	/** Why this unit is not cached in this run. */
	off: string | undefined;
	/** The unit's result from the cache, after `end` said so. */
	hit: UnitResult | undefined;

	constructor(
		private readonly cfg: CacheConfig,
		private readonly goBin: string,
		private readonly unit: ModuleUnit,
		private readonly settings: UnitSettings,
		/** Called when the output will be parsed as it streams (no entry under the pre-key): start the miss's other work. */
		private readonly onParse: () => void,
	) {}

	async begin(run: ToolRun, args: readonly string[]): Promise<boolean> {
		if (this.candidate) {
			// The stored output hash differed: go runs again and this output is parsed (and stored).
			this.candidate = undefined;
			this.hasher = new OutputHasher();
			this.onParse();
			return true;
		}
		this.off = run.overlay ? 'an overlay' : undefined;
		if (!this.off) {
			const envRun = spawnTool(this.goBin, ['env', '-json'], { cwd: this.unit.root, env: run.env, stdout: 'pipe', stderr: 'pipe', buffer: true, maxBuffer: 1 << 20 });
			this.stamps = stampsOf(this.unit);
			const r = await (await envRun).child;
			const goEnv = r.exitCode === 0 ? goEnvForKey(String(r.stdout)) : undefined;
			this.off = goEnv ? uncacheable(goEnv.env, run.dir) : 'go env failed';
			if (goEnv && !this.off) {
				// The run's notes (settings refused or overridden) are printed from the entry: they are part of the key.
				this.preKey = unitPreKey(this.cfg, this.unit, this.settings, args, this.goBin, goEnv, this.stamps, run.notes);
				this.candidate = readUnitEntry(this.cfg, this.preKey);
			}
		}
		if (!this.candidate) this.onParse();
		return !this.candidate;
	}

	chunk(b: Buffer): void {
		if (!this.off) this.hasher.push(b);
	}

	async end(exitCode: number | undefined): Promise<boolean> {
		if (this.off) return false;
		this.outputHash = this.hasher.digest(exitCode);
		if (exitCode !== 0 || this.candidate?.outputHash !== this.outputHash) return false;
		this.hit = await this.candidate.load();
		return this.hit !== undefined;
	}

	/** Stores a miss's result, when it is one to keep (see the file comment). */
	store(result: UnitResult): void {
		if (this.off || !this.preKey || !this.outputHash || this.hit) return;
		if (result.compile.status !== 'ok' || result.warnings.length) return;
		if (result.typedRun && result.typedRun.status !== 'ok') return;
		// A file changed while the unit ran: what was read may be neither version.
		if (stampsOf(this.unit) !== this.stamps) return;
		writeUnitEntry(this.cfg, this.preKey, this.outputHash, this.unit, result);
	}
}
