/**
 * When a captured compile step (compilePlan.ts) may be replayed instead of running the go
 * command: what the go command decided from the disk (which files, which dependencies, which
 * export data) must still hold. The snapshot records it when the step is captured; a replay is
 * allowed only if, for the same package and settings:
 * - the package's .go file names are the same, and each file's header (build constraints, up to
 *   the `package` clause) is unchanged, with no `import "C"` and no `//go:embed`;
 * - go.mod, go.sum and go.work (up to the module root) are unchanged, there is no vendor/ and no
 *   local `replace`;
 * - the .go files of every dependency inside the main module are unchanged;
 * - the compile tool is the same binary.
 * Anything else runs the go command (which captures a new step). A replay that fails (a new
 * import, a trimmed build cache) also falls back to the go command.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CompilePlan } from './compilePlan';
import { readRegular } from '../toolchain/regularFiles';
import { readHead } from '../util/boundedRead';

interface FileStamp {
	mtimeMs: number;
	size: number;
}

export interface PlanEntry {
	plan: CompilePlan;
	/** goBin, tags, build flags and env the step was captured under. */
	key: string;
	/** The package dir's .go file names (on disk or unsaved) when captured. */
	names: Set<string>;
	/** Per non-test .go file of the dir: the header its build constraints live in. */
	headers: Map<string, string>;
	/** Per non-test .go file: its disk stamp when captured, undefined if it had unsaved text (a same stamp skips re-reading it). */
	stamps: Map<string, FileStamp | undefined>;
	/** go.mod / go.sum / go.work / compile tool stamps. */
	guards: Map<string, FileStamp | undefined>;
	/** Main-module dependency dirs → their .go files' stamps. */
	deps: Map<string, Map<string, FileStamp>>;
}

const plans = new Map<string, PlanEntry>();

/** What decides whether the go command compiles a file: its build constraint lines and its package clause. */
export function header(text: string): string {
	const m = /^package\s+\S+/m.exec(text);
	const before = m ? text.slice(0, m.index) : text;
	const constraints = before.split('\n').filter((l) => /^\/\/(go:build|\s*\+build)\s/.test(l.trimEnd() + ' '));
	return `${constraints.join('\n')}\n${m ? m[0] : ''}`;
}

/** Text the go command would handle differently from a plain compile (cgo, embed). */
function needsGoCommand(text: string): boolean {
	return /^\s*import\s+(\(\s*)?"C"/m.test(text) || text.includes('//go:embed');
}

async function stamp(file: string): Promise<FileStamp | undefined> {
	const st = await stat(file).catch(() => undefined);
	return st ? { mtimeMs: st.mtimeMs, size: st.size } : undefined;
}

const same = (a: FileStamp | undefined, b: FileStamp | undefined) => a?.mtimeMs === b?.mtimeMs && a?.size === b?.size;

async function goFileNames(dir: string): Promise<string[]> {
	const names = await readdir(dir).catch(() => [] as string[]);
	return names.filter((n) => n.endsWith('.go')).sort();
}

/** The dir's .go file names, on disk or only in an editor. */
async function namesNow(dir: string, texts: ReadonlyMap<string, string>): Promise<Set<string>> {
	const names = new Set(await goFileNames(dir));
	for (const f of texts.keys()) if (path.dirname(f) === dir && f.endsWith('.go')) names.add(path.basename(f));
	return names;
}

async function dirStamps(dir: string): Promise<Map<string, FileStamp>> {
	const out = new Map<string, FileStamp>();
	for (const n of await goFileNames(dir)) {
		const s = await stamp(path.join(dir, n));
		if (s) out.set(n, s);
	}
	return out;
}

/** The module root (nearest go.mod) and its module path; undefined outside a module. */
async function moduleOf(dir: string): Promise<{ root: string; module: string; goMod: string } | undefined> {
	for (let d = dir; ; d = path.dirname(d)) {
		// Read in bounded memory; a go.mod past 1 MB is not a plain module we replay for.
		const head = await readHead(path.join(d, 'go.mod'));
		if (head !== undefined) {
			const m = /^module\s+("?)([^\s"]+)\1/m.exec(head.text);
			return m && !head.truncated ? { root: d, module: m[2], goMod: head.text } : undefined;
		}
		if (path.dirname(d) === d) return undefined;
	}
}

/** Files whose change means the go command must decide again, from the package dir up to the root. */
function guardFiles(dir: string, root: string, tool: string): string[] {
	const out = [tool];
	// The go command looks for go.work in every parent directory, past the module root.
	for (let d = dir; ; d = path.dirname(d)) {
		out.push(path.join(d, 'go.work'));
		if (path.dirname(d) === d) break;
	}
	out.push(path.join(root, 'go.mod'), path.join(root, 'go.sum'));
	return out;
}

/**
 * Records a captured step for `dir`. `texts` holds the unsaved text of files that had some. False
 * (nothing kept) when the package is outside the plain-module case (no module, go.work, vendor/,
 * local replace, cgo or embed).
 */
export async function rememberPlan(dir: string, key: string, plan: CompilePlan, texts: ReadonlyMap<string, string>): Promise<boolean> {
	plans.delete(dir);
	const mod = await moduleOf(dir);
	if (!mod || /^replace\s.*=>\s*\.{0,2}\//m.test(mod.goMod) || /^\s+[^\s/]\S*\s+=>\s*\.{0,2}\//m.test(mod.goMod)) return false;
	// A vendor/ dir is part of the source the go command reads (GOROOT's std and cmd vendor immutable code).
	if (mod.module !== 'std' && mod.module !== 'cmd' && (await stat(path.join(mod.root, 'vendor')).then(() => true, () => false))) return false;
	const guards = new Map<string, FileStamp | undefined>();
	for (const f of guardFiles(dir, mod.root, plan.argv[0])) guards.set(f, await stamp(f));
	if ([...guards].some(([f, s]) => s && path.basename(f) === 'go.work') || (process.env.GOWORK && process.env.GOWORK !== 'off') || /"GOWORK":"(?!off")/.test(key)) return false;
	const names = await namesNow(dir, texts);
	const headers = new Map<string, string>();
	const stamps = new Map<string, FileStamp | undefined>();
	for (const n of names) {
		if (n.endsWith('_test.go')) continue;
		const f = path.join(dir, n);
		const text = texts.get(f) ?? (await readRegular(f));
		if (text === undefined) return false;
		if (plan.files.includes(f) && needsGoCommand(text)) return false;
		headers.set(f, header(text));
		stamps.set(f, texts.has(f) ? undefined : await stamp(f));
	}
	const deps = new Map<string, Map<string, FileStamp>>();
	for (const line of plan.importcfg.split('\n')) {
		const m = /^packagefile (\S+)=/.exec(line);
		if (!m) continue;
		const imp = m[1];
		if (imp !== mod.module && !imp.startsWith(`${mod.module}/`)) continue; // std or a versioned module: immutable
		const depDir = path.join(mod.root, imp.slice(mod.module.length));
		deps.set(depDir, await dirStamps(depDir));
	}
	plans.set(dir, { plan, key, names, headers, stamps, guards, deps });
	return true;
}

/** The step to replay for `dir` now, or undefined when the go command must run (see the file comment). */
export async function replayablePlan(dir: string, key: string, texts: ReadonlyMap<string, string>): Promise<CompilePlan | undefined> {
	const e = plans.get(dir);
	if (!e || e.key !== key) return undefined;
	const names = await namesNow(dir, texts);
	if (names.size !== e.names.size || [...names].some((n) => !e.names.has(n))) return undefined;
	for (const [f, captured] of e.headers) {
		let text = texts.get(f);
		if (text === undefined) {
			const s = await stamp(f);
			if (s && same(s, e.stamps.get(f))) continue;
			text = await readRegular(f);
			if (text === undefined) return undefined;
		}
		if (header(text) !== captured || (e.plan.files.includes(f) && needsGoCommand(text))) return undefined;
	}
	for (const [f, s] of e.guards) if (!same(s, await stamp(f))) return undefined;
	for (const [depDir, files] of e.deps) {
		const now = await dirStamps(depDir);
		if (now.size !== files.size) return undefined;
		for (const [n, s] of files) if (!same(s, now.get(n))) return undefined;
	}
	return e.plan;
}

/** Is a step kept for `dir` under these settings (valid or not: checked when replaying)? */
export function hasPlan(dir: string, key: string): boolean {
	return plans.get(dir)?.key === key;
}

/** Drops the step for `dir` (a replay failed). */
export function forgetPlan(dir: string): void {
	plans.delete(dir);
}
