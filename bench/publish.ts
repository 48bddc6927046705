/**
 * The server's own cost of a keystroke, in process: `Session.changed` for a one-character edit in
 * the 5,000-line file of keystroke.ts (417 escape diagnostics), with the publish encoded the way
 * vscode-jsonrpc's stdio writer does it, split into
 *   tree    TreeCache.applyChanges (document sync's incremental reparse)
 *   rules   RuleRuns.run (the rule engine)
 *   encode  the publishDiagnostics message framed as the server's stdio writer does (JSON, UTF-8,
 *           header), and the other notifications of the keystroke (goMemlens/heapSites)
 *   rest    everything else: document sync, moving the facts, building the diagnostics, code actions, heap sites
 * No client, no pipe: what keystroke.ts cannot separate. Escape facts come from one real compile.
 *
 *   node --import tsx bench/publish.ts [EDITS] [comment|code|newline]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection, Message } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { readClientCaps } from '../server/src/lsp/capabilities';
import { Session } from '../server/src/lsp/session';
import { RuleRuns } from '../server/src/lsp/ruleRuns';
import { TreeCache } from '../server/src/syntax/treeCache';
import { runEscape } from '../server/src/escape/runner';
import { goEnv } from '../test/hardening/session';
import { goFileOfLines, writeModule } from '../test/hardening/workspace';

/** How the server's stdio writer frames a message: lsp/wire.ts's Framer, or vscode-jsonrpc's JSON.stringify + Buffer.from before it. */
async function framer(): Promise<(msg: Message) => Buffer> {
	try {
		const wire = (await import('../server/src/lsp/wire')) as { Framer: new (reuse: boolean) => { frame(msg: Message): Buffer } };
		const f = new wire.Framer(true); // as on stdout
		return (msg) => f.frame(msg);
	} catch {
		return (msg) => {
			const body = Buffer.from(JSON.stringify(msg, undefined, 0), 'utf8');
			Buffer.from(`Content-Length: ${body.byteLength}\r\n\r\n`, 'ascii');
			return body;
		};
	}
}

const EDITS = Math.max(20, Number(process.argv[2] ?? 200));
const KIND = (process.argv[3] ?? 'comment') as 'comment' | 'code' | 'newline';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Accumulates the time spent inside `obj[name]` (sync methods) into `acc.ms`. */
function timed<T extends object>(obj: T, name: keyof T, acc: { ms: number }): void {
	const orig = obj[name] as unknown as (...a: unknown[]) => unknown;
	(obj as Record<string, unknown>)[name as string] = function (this: unknown, ...a: unknown[]) {
		const t0 = performance.now();
		try {
			return orig.apply(this, a);
		} finally {
			acc.ms += performance.now() - t0;
		}
	};
}

async function main(): Promise<void> {
	const text = goFileOfLines(5000);
	const base = mkdtempSync(path.join(os.tmpdir(), 'memlens-publish-'));
	const dir = path.join(base, 'ws');
	writeModule(dir, 'example.com/keys', { 'keys.go': text });
	const filePath = path.join(dir, 'keys.go');
	const env = goEnv();
	const result = await runEscape({ goBin: '/usr/local/go/bin/go', dir, test: false, tags: [], buildFlags: [], env: { PATH: env.PATH, GOTOOLCHAIN: 'local' }, timeoutMs: 300_000, replay: false });
	if (result.status !== 'ok') throw new Error(`compile: ${result.status} ${result.message ?? ''}`);

	const encode = { ms: 0, other: 0 };
	// A keystroke's publish can come after ready() (a job's slices, or the rule thread for a file that
	// moved there): each edit waits for the publish of its version, at most 3 s.
	let publishedVersion: number | undefined;
	const versionWaiters: (() => void)[] = [];
	const publishOf = async (v: number): Promise<boolean> => {
		const until = Date.now() + 3000;
		while (publishedVersion !== v && Date.now() < until) {
			await Promise.race([new Promise<void>((r) => versionWaiters.push(r)), new Promise((r) => setTimeout(r, until - Date.now()))]);
		}
		return publishedVersion === v;
	};
	let missed = 0;
	const last = { publish: undefined as unknown, others: [] as unknown[] };
	const frame = await framer();
	const send = async (method: string, params: unknown) => {
		const msg = { jsonrpc: '2.0', method, params } as Message;
		const t0 = performance.now();
		frame(msg);
		const ms = performance.now() - t0;
		if (method === 'textDocument/publishDiagnostics') {
			encode.ms += ms;
			last.publish = msg;
			publishedVersion = (params as { version?: number }).version;
			for (const w of versionWaiters.splice(0)) w();
		} else {
			encode.other += ms;
			last.others.push(msg);
		}
	};
	const connection = {
		workspace: { getConfiguration: async () => [{ debounceMs: 0 }, null] },
		sendDiagnostics: (p: unknown) => send('textDocument/publishDiagnostics', p),
		sendNotification: (t: { method: string } | string, p: unknown) => send(typeof t === 'string' ? t : t.method, p),
		console: { log: () => undefined },
	} as unknown as Connection;
	const caps = readClientCaps({
		processId: null,
		rootUri: null,
		capabilities: {
			workspace: { configuration: true },
			textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true, tagSupport: { valueSet: [1, 2] }, codeDescriptionSupport: true }, hover: { contentFormat: ['markdown'] } },
			experimental: { goMemlens: true },
		},
	});
	const s = new Session(connection, caps, (m) => process.env.MEMLENS_DEBUG && console.error(m));
	await s.init();
	s.trusted = false; // no compiles: the facts are injected below
	(s as unknown as { escape: { packages: Map<string, unknown> } }).escape.packages.set(dir, { facts: result.facts, stale: false });
	const uri = URI.file(filePath).toString();
	s.opened(uri, 'go', 1, text);
	await s.ready(uri);

	const tree = { ms: 0 };
	const rules = { ms: 0 };
	timed(TreeCache.prototype, 'applyChanges', tree);
	timed(RuleRuns.prototype, 'run', rules);

	let lines = text.split('\n');
	const prefix = KIND === 'code' ? '\t\tn += j' : '// F';
	const hits = lines.map((l, n) => (l.startsWith(prefix) ? n : -1)).filter((n) => n >= 0);
	const rows = { total: [] as number[], tree: [] as number[], rules: [] as number[], encode: [] as number[], other: [] as number[], rest: [] as number[] };
	for (let i = 0; i < EDITS + 20; i++) {
		let line = hits[(i * 37) % hits.length];
		// newline: a line break at the end of a doc comment (every fact below moves a line down), then its removal
		const at = KIND === 'newline' ? { line, character: lines[line].length } : { line, character: KIND === 'code' ? 2 : 3 };
		let change: { range: { start: typeof at; end: typeof at }; text: string };
		if (KIND === 'newline' && i % 2 === 1) {
			line = hits[((i - 1) * 37) % hits.length];
			const start = { line, character: lines[line].length };
			change = { range: { start, end: { line: line + 1, character: 0 } }, text: '' };
			lines.splice(line, 2, lines[line] + lines[line + 1]);
		} else if (KIND === 'newline') {
			change = { range: { start: at, end: at }, text: '\n' };
			lines.splice(line, 1, lines[line], '');
		} else {
			change = { range: { start: at, end: at }, text: 'x' };
			lines[line] = lines[line].slice(0, at.character) + 'x' + lines[line].slice(at.character);
		}
		tree.ms = rules.ms = encode.ms = encode.other = 0;
		last.others = [];
		const t0 = performance.now();
		await s.changed(uri, [change], i + 2);
		await s.ready(uri);
		if (!(await publishOf(i + 2))) missed++;
		const total = performance.now() - t0;
		if (i < 20) continue; // JIT warm-up
		rows.total.push(total);
		rows.tree.push(tree.ms);
		rows.rules.push(rules.ms);
		rows.encode.push(encode.ms);
		rows.other.push(encode.other);
		rows.rest.push(total - tree.ms - rules.ms - encode.ms - encode.other);
	}
	const f = (xs: number[]) => median(xs).toFixed(2).padStart(6);
	if (missed) console.log(`${missed} of ${EDITS + 20} edits were not published within 3 s (the file moved to the rule thread: it publishes once typing pauses)`);
	if (!last.publish) {
		console.log('no publish at all: nothing to measure');
		process.exitCode = 1;
		s.dispose();
		return;
	}
	const bytes = (m: unknown) => Buffer.byteLength(JSON.stringify(m));
	console.log(`${KIND} edits ×${EDITS}, ${bytes(last.publish)} bytes per publishDiagnostics (+${last.others.map(bytes).reduce((a, b) => a + b, 0)} in other notifications); medians in ms:`);
	console.log(
		`  total ${f(rows.total)} = tree ${f(rows.tree)} + rules ${f(rows.rules)} + encode publish ${f(rows.encode)} + encode others ${f(rows.other)} + rest ${f(rows.rest)}` +
			`   | outside tree+rules: ${f(rows.total.map((t, i) => t - rows.tree[i] - rows.rules[i]))}`,
	);
	s.dispose();
	rmSync(base, { recursive: true, force: true });
}

void main().catch((e) => {
	console.error(e);
	process.exitCode = 1;
});
