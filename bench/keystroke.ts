/**
 * Keystroke latency: a 5,000-line Go file open in the real server (dist/server.js); a one-character
 * incremental edit → the publishDiagnostics for that version, as a ratio over tree-sitter's
 * incremental reparse of the same edit alone (target ≤ 1.5×). Medians over ≥ 50 edits.
 *
 *   npm run build && node --import tsx bench/keystroke.ts [EDITS]
 *
 * Escape analysis runs on save only here (debounceMs 0), so the timed path is what a keystroke
 * costs: document sync, incremental reparse, the rules, merge and publish. In-process, the same
 * edits are timed beside their reparse (see inProcess).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newGoParser, type Edit } from '../server/src/syntax/goParser';
import { TreeCache } from '../server/src/syntax/treeCache';
import { RuleRuns, type RuleRunResult } from '../server/src/lsp/ruleRuns';
import { runRules } from '../server/src/rules/engine';
import { SERVER_JS, startSession } from '../test/hardening/session';
import { goFileOfLines, writeModule } from '../test/hardening/workspace';

const EDITS = Math.max(50, Number(process.argv[2] ?? 60));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Where the edits go: the doc comment above a function, or a statement inside its body. */
let KIND: 'comment' | 'code' = 'comment';

/** Edit i: insert "x" into function i's comment line or into its `n += j` statement (spread over the file). */
function editAt(lines: string[], i: number): { line: number; character: number } {
	const prefix = KIND === 'comment' ? '// F' : '\t\tn += j';
	const hits = lines.map((l, n) => (l.startsWith(prefix) ? n : -1)).filter((n) => n >= 0);
	const line = hits[(i * 37) % hits.length];
	return { line, character: KIND === 'comment' ? 3 : 2 };
}

function byteOffset(lines: string[], line: number, character: number): number {
	let off = 0;
	for (let i = 0; i < line; i++) off += Buffer.byteLength(lines[i]) + 1;
	return off + Buffer.byteLength(lines[line].slice(0, character));
}

/**
 * The same edits in-process, each timed three ways side by side (so load affects all alike): the
 * incremental reparse alone (tree.edit + parser.parse on a separate tree: the baseline), then what
 * the server does, split into the tree update (TreeCache.applyChanges: offsets, tree.edit, the
 * reparse, the rules' tree copy, changed ranges) and the rules (RuleRuns: re-checking the touched
 * declaration, moving the other findings). Between edits the event loop turns, as in the server
 * (replaced trees are deleted then).
 */
async function inProcess(text: string, edits: number, settled: boolean): Promise<{ reparse: number[]; tree: number[]; rules: number[]; modes: Record<string, number> }> {
	const parser = await newGoParser();
	let base = parser.parse(text)!;
	const trees = await TreeCache.create();
	const runs = new RuleRuns();
	const uri = 'file:///keys.go';
	trees.open(uri, text, 1);
	const input = (t: string) => ({ tree: trees.get(uri)!.mirror, text: t, filePath: '/keys.go', goVersion: { minor: 22, label: 'go1.22', source: 'go.mod' as const, mainModuleMinor: 22 }, escape: undefined, isCgo: false });
	runs.run(uri, input(text), 'k', trees.takeChanged(uri), false, (c) => runRules(c));
	let lines = text.split('\n');
	const out = { reparse: [] as number[], tree: [] as number[], rules: [] as number[], modes: {} as Record<string, number> };
	const warm = 30;
	for (let i = 0; i < edits + warm; i++) {
		await new Promise((r) => setImmediate(r));
		const at = editAt(lines, i);
		const start = byteOffset(lines, at.line, at.character);
		lines[at.line] = lines[at.line].slice(0, at.character) + 'x' + lines[at.line].slice(at.character);
		const next = lines.join('\n');
		const reparse = (): number => {
			const p0 = performance.now();
			base.edit({
				startIndex: start,
				oldEndIndex: start,
				newEndIndex: start + 1,
				startPosition: { row: at.line, column: at.character },
				oldEndPosition: { row: at.line, column: at.character },
				newEndPosition: { row: at.line, column: at.character + 1 },
			} as Edit);
			const fresh = parser.parse(next, base)!;
			const p1 = performance.now();
			base.delete();
			base = fresh;
			return p1 - p0;
		};
		const change = { range: { start: at, end: at }, text: 'x' };
		// `settled`: the last warm-up edit is followed by the server's settle run (whole file, once
		// typing pauses), which copies every declaration; else each edit is the first in its declaration.
		const whole = settled && i === warm - 1;
		const server = (): [number, number, RuleRunResult] => {
			const t0 = performance.now();
			trees.applyChanges(uri, [change], next, i + 2);
			const t1 = performance.now();
			runs.shift(uri, [change]);
			const r = runs.run(uri, input(next), 'k', trees.takeChanged(uri), whole, (c) => runRules(c));
			return [t1 - t0, performance.now() - t1, r];
		};
		// Which goes first alternates: whatever runs second finds the caches the first left (a
		// WASM parse evicts much of the rules' code and data), so each order gets half the edits.
		let p: number;
		let tree: number;
		let rules: number;
		let r: RuleRunResult;
		if (i % 2) {
			p = reparse();
			[tree, rules, r] = server();
		} else {
			[tree, rules, r] = server();
			p = reparse();
		}
		if (i >= warm) {
			out.reparse.push(p);
			out.tree.push(tree);
			out.rules.push(rules);
			out.modes[r.mode] = (out.modes[r.mode] ?? 0) + 1;
		}
	}
	base.delete();
	parser.delete();
	trees.dispose();
	return out;
}

async function main(): Promise<void> {
	const text = goFileOfLines(5000);
	const base = mkdtempSync(path.join(os.tmpdir(), 'memlens-keys-'));
	const dir = path.join(base, 'ws');
	writeModule(dir, 'example.com/keys', { 'keys.go': text });
	// MEMLENS_CPU_PROF=DIR: write a V8 CPU profile of the server (open it in Chrome DevTools).
	const prof = process.env.MEMLENS_CPU_PROF;
	const server = process.env.MEMLENS_SERVER_JS ?? SERVER_JS;
	const command = [process.execPath, ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), server, '--stdio'];
	const s = await startSession({ root: dir, settings: { debounceMs: 0 }, command });
	try {
		const uri = await s.open('keys.go');
		await s.waitFor(() => s.statuses.some((st) => st.quiescent && st.state !== 'running') && (s.diagnostics.get(uri)?.version ?? 0) >= 1, 300_000, 'initial analysis');
		console.log(`file: ${text.split('\n').length} lines, ${(Buffer.byteLength(text) / 1024).toFixed(0)} KB; ${EDITS} one-character edits of each kind`);
		let lines = text.split('\n');
		for (const kind of ['comment', 'code'] as const) {
			KIND = kind;
			const start = lines.join('\n');
			const times: number[] = [];
			for (let i = 0; i < EDITS + 5; i++) {
				const at = editAt(lines, i);
				lines[at.line] = lines[at.line].slice(0, at.character) + 'x' + lines[at.line].slice(at.character);
				const t0 = performance.now();
				const v = await s.edit(uri, { start: at, end: at }, 'x', lines.join('\n'));
				await s.waitFor(() => (s.diagnostics.get(uri)?.version ?? 0) >= v, 60_000, `diagnostics for version ${v}`);
				if (i >= 5) times.push(performance.now() - t0); // the first few warm the JIT
			}
			const cold = await inProcess(start, Math.max(300, EDITS * 5), false);
			const split = await inProcess(start, Math.max(300, EDITS * 5), true);
			const m = median(times);
			const r = median(split.reparse);
			const [tu, ru] = [median(split.tree), median(split.rules)];
			const perEdit = split.reparse.map((p, k) => (split.tree[k] + split.rules[k]) / p);
			console.log(`\n${kind} edits (${kind === 'comment' ? "a function's doc comment" : 'a statement in a function body'}):`);
			console.log(`  server edit → publishDiagnostics: median ${m.toFixed(2)} ms (p90 ${[...times].sort((a, b) => a - b)[Math.floor(times.length * 0.9)].toFixed(2)} ms)`);
			console.log(`  tree-sitter incremental reparse:   median ${r.toFixed(3)} ms`);
			console.log(`  ratio end to end: ${(m / r).toFixed(1)}× (target ≤ 1.5×)`);
			console.log(
				`  in the server (${split.reparse.length} edits, each timed beside its reparse): tree update ${tu.toFixed(3)} ms + rules ${ru.toFixed(3)} ms (${JSON.stringify(split.modes)}) = ${((tu + ru) / r).toFixed(2)}× the reparse; median of the per-edit ratios ${median(perEdit).toFixed(2)}× (target ≤ 1.5×)`,
			);
			const coldRatio = median(cold.reparse.map((p, k) => (cold.tree[k] + cold.rules[k]) / p));
			console.log(
				`  the same before any settle run (each edit the first in its declaration since the file was opened, read from tree-sitter then): tree update ${median(cold.tree).toFixed(3)} ms + rules ${median(cold.rules).toFixed(3)} ms; median of the per-edit ratios ${coldRatio.toFixed(2)}×`,
			);
		}
		const last = s.diagnostics.get(uri)!;
		console.log(`\neach publish: ${last.diagnostics.length} diagnostics, ${(Buffer.byteLength(JSON.stringify(last.diagnostics)) / 1024).toFixed(0)} KB of JSON (LSP republishes a file's full set)`);
		const stats = await s.conn.sendRequest('goMemlens/debugStats');
		console.log(`debugStats after: ${JSON.stringify(stats)}`);
	} finally {
		await s.stop();
		rmSync(base, { recursive: true, force: true });
	}
}

void main().catch((e) => {
	console.error(e);
	process.exitCode = 1;
});
