/**
 * The one place the LSP layer meets the engines (escape runner + scheduler, explain, tree cache,
 * rules, Go version). Everything else in lsp/ talks to these narrow shapes.
 *
 * INTERIM: minimal stand-ins until the engine modules land; replaced by imports of the real ones.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { EscapeFact, GoVersionInfo, RuleFinding } from '../model';
import type { RuleContext } from '../rules/types';
import { ALL_RULES } from '../rules/index';
import type { Settings } from '../../../common/settings';
import type { Explanation } from './diagnostics';
import { parseEscapeOutput } from '../escape/parser';
import { newGoParser, type Parser, type Tree } from '../syntax/goParser';

export interface EscapeRunResult {
	status: 'ok' | 'build-failed' | 'cancelled' | 'timeout' | 'go-missing' | 'error';
	facts: EscapeFact[];
	buildErrors: string[];
	output: string;
	command: string;
	cwd: string;
	message?: string;
}

/** How a build is run (from the triggering document's settings). */
export interface BuildSettings {
	goBin: string;
	tags: string[];
	buildFlags: string[];
	env: Record<string, string>;
	maxConcurrent: number;
	timeoutMs: number;
}

export interface EscapeRequest {
	dir: string;
	test: boolean;
	overlay: Map<string, string>;
	reason: string;
	/** Skip the result cache (Commands.rerun). */
	force?: boolean;
}

export interface EscapeEngineOptions {
	settings: () => BuildSettings;
	goVersion: string;
	onResult: (dir: string, result: EscapeRunResult, fromCache: boolean) => void;
	onStateChange: (dir: string, state: string) => void;
}

function run(req: EscapeRequest, s: BuildSettings, signal: AbortSignal, onSpawn: (n: number) => void): Promise<EscapeRunResult> {
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-ovl-'));
	const replace: Record<string, string> = {};
	let i = 0;
	for (const [file, text] of req.overlay) {
		const backing = path.join(tmp, `${i++}-${path.basename(file)}`);
		writeFileSync(backing, text);
		replace[file] = backing;
	}
	const args = req.test ? ['test', '-c', '-vet=off', '-o', os.devNull] : ['build', '-o', os.devNull];
	args.push('-gcflags=-m=2');
	if (s.tags.length) args.push(`-tags=${s.tags.join(',')}`);
	args.push(...s.buildFlags);
	if (i) {
		writeFileSync(path.join(tmp, 'overlay.json'), JSON.stringify({ Replace: replace }));
		args.push(`-overlay=${path.join(tmp, 'overlay.json')}`);
	}
	args.push('.');
	const command = `${s.goBin} ${args.join(' ')}`;
	return new Promise((resolve) => {
		let out = '';
		const child = spawn(s.goBin, args, { cwd: req.dir, env: { ...process.env, ...s.env }, signal, timeout: s.timeoutMs });
		onSpawn(1);
		child.stdout.on('data', (b) => (out += b));
		child.stderr.on('data', (b) => (out += b));
		const base = { facts: [], buildErrors: [], output: out, command, cwd: req.dir };
		child.on('error', (e: NodeJS.ErrnoException) => {
			if (e.name === 'AbortError') return;
			resolve({ ...base, status: e.code === 'ENOENT' ? 'go-missing' : 'error', message: e.message });
		});
		child.on('close', (code, sig) => {
			onSpawn(-1);
			rmSync(tmp, { recursive: true, force: true });
			if (signal.aborted) return resolve({ ...base, status: 'cancelled' });
			if (sig) return resolve({ ...base, status: 'timeout' });
			const backingToReal = new Map(Object.entries(replace).map(([real, b]) => [b, real]));
			const parsed = parseEscapeOutput(out, { cwd: req.dir, backingToReal });
			resolve({ facts: parsed.facts, buildErrors: parsed.buildErrors, output: out, command, cwd: req.dir, status: code === 0 ? 'ok' : 'build-failed' });
		});
	});
}

/** The escape scheduler, as the LSP layer uses it: latest wins per dir, results cached by content. */
export function createEscapeEngine(opts: EscapeEngineOptions) {
	const cache = new Map<string, EscapeRunResult>();
	const running = new Map<string, AbortController>();
	let live = 0;
	const engine = {
		spawnCount: 0,
		liveProcesses: () => live,
		isQuiescent: () => running.size === 0,
		request(req: EscapeRequest) {
			const s = opts.settings();
			const h = createHash('sha256').update(JSON.stringify([s, opts.goVersion, req.test]));
			for (const f of readdirSync(req.dir).filter((n) => n.endsWith('.go')).sort()) {
				const p = path.join(req.dir, f);
				h.update(p).update(req.overlay.get(p) ?? readFileSync(p, 'utf8'));
			}
			const key = `${req.dir}|${h.digest('hex')}`;
			running.get(req.dir)?.abort();
			running.delete(req.dir);
			const hit = cache.get(key);
			if (hit && !req.force) return queueMicrotask(() => opts.onResult(req.dir, hit, true));
			const ac = new AbortController();
			running.set(req.dir, ac);
			engine.spawnCount++;
			opts.onStateChange(req.dir, 'running');
			void run(req, s, ac.signal, (n) => (live += n)).then((r) => {
				if (running.get(req.dir) === ac) running.delete(req.dir);
				if (r.status === 'ok' || r.status === 'build-failed') cache.set(key, r);
				opts.onResult(req.dir, r, false);
			});
		},
		cancel(dir: string) {
			running.get(dir)?.abort();
		},
		cancelAll() {
			for (const a of running.values()) a.abort();
		},
		dispose() {
			engine.cancelAll();
		},
	};
	return engine;
}

export type EscapeEngine = ReturnType<typeof createEscapeEngine>;

/** The Go binary to use, or undefined when none is found. */
export async function findGo(settingPath: string, goroot: string | undefined, alternateGo: string | undefined): Promise<string | undefined> {
	if (settingPath) return existsSync(settingPath) ? settingPath : undefined;
	if (alternateGo) return alternateGo;
	if (goroot && existsSync(path.join(goroot, 'bin', 'go'))) return path.join(goroot, 'bin', 'go');
	for (const d of (process.env.PATH ?? '').split(path.delimiter)) if (d && existsSync(path.join(d, 'go'))) return path.join(d, 'go');
	return undefined;
}

/** `go version` of the binary, or undefined when it does not run. */
export async function goVersionOf(goBin: string, env: Record<string, string>): Promise<string | undefined> {
	return new Promise((resolve) => {
		let out = '';
		const c = spawn(goBin, ['env', 'GOVERSION'], { env: { ...process.env, ...env } });
		c.stdout.on('data', (b) => (out += b));
		c.on('error', () => resolve(undefined));
		c.on('close', (code) => resolve(code === 0 ? out.trim() : undefined));
	});
}

export function explain(fact: EscapeFact): Explanation {
	const steps = fact.flows.flatMap((f) => f.steps.map((s) => ({ text: `${s.expr} (${s.reason})`, pos: s.pos })));
	const why = fact.kind === 'does-not-escape' ? `\`${fact.subject}\` stays on the stack.` : '';
	return { headline: fact.message, why, steps };
}

export function label(fact: EscapeFact): string {
	return fact.message;
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

/** The rules on one file, with the user's disabled rules and severities. */
export function checkRules(ctx: RuleContext, settings: Settings): RuleFinding[] {
	const out: RuleFinding[] = [];
	for (const r of ALL_RULES) {
		if (settings.disabledRules.includes(r.id)) continue;
		try {
			out.push(...r.check(ctx));
		} catch {
			// one broken rule must not hide the others
		}
	}
	return out;
}

export function fileGoVersion(_filePath: string, _text: string, _override: string): GoVersionInfo {
	return { minor: undefined, label: 'unknown', source: 'no module', mainModuleMinor: undefined };
}
