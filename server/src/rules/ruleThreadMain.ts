/**
 * The worker thread of ./ruleThread.ts: parses a file with its own tree-sitter parser and runs the
 * rules over the whole of it, one rule at a time, telling the main thread which rule starts and
 * what each found (so a rule that runs past its budget can be stopped, and what the others found
 * is kept). Jobs arrive one at a time; nothing here outlives a job but the parser.
 */
import { parentPort } from 'node:worker_threads';
import { newGoParser, type Parser } from '../syntax/goParser';
import { mirrorOf, wholeRunTree } from '../syntax/mirror';
import { ALL_RULES } from './index';
import { runRules } from './engine';
import { contextDecls, type RuleMemo } from './scope';
import type { ThreadJob, FromThread } from './ruleThread';

let parser: Parser | undefined;

function send(msg: FromThread): void {
	parentPort!.postMessage(msg);
}

async function handle(id: number, job: ThreadJob): Promise<void> {
	if (job.text.length > job.maxChars) {
		send({ id, kind: 'done', notParsed: `file too large for syntax rules (${job.text.length} characters > ${job.maxChars})` });
		return;
	}
	parser ??= await newGoParser();
	const deadline = performance.now() + job.parseBudgetMs;
	let tree;
	try {
		// Returning true cancels the parse (the .d.ts says void; the runtime honours true).
		tree = parser.parse(job.text, null, { progressCallback: (() => performance.now() > deadline) as unknown as () => void });
	} catch {
		tree = null;
	}
	if (!tree) {
		parser.reset();
		send({ id, kind: 'done', notParsed: `syntax parse stopped after ${Math.round(job.parseBudgetMs / 1000)} s` });
		return;
	}
	try {
		const mirror = mirrorOf(tree, job.text);
		const walked = wholeRunTree(mirror);
		const context = contextDecls(mirror).map((n) => ({ line: n.startPosition.row, character: n.startPosition.column }));
		for (const set of ['syntax', 'escape'] as const) {
			const ids = job.sets[set];
			if (!ids) continue;
			const memo: RuleMemo = new Map();
			const input = {
				tree: walked,
				text: job.text,
				filePath: job.filePath,
				goVersion: job.goVersion,
				escape: set === 'escape' ? job.escape : undefined,
				isCgo: job.isCgo,
				...(job.cgoPackageC !== undefined ? { cgoPackageC: () => job.cgoPackageC! } : {}),
				...(job.typed && set === 'escape' ? { typed: job.typed } : {}),
				memo,
			};
			// One engine run per set (suppressions read once), reporting each rule as it starts and ends.
			runRules(input, {
				rules: ALL_RULES.filter((r) => ids.includes(r.id)),
				severities: job.severities,
				onRule: (rule, found) => send(found ? { id, kind: 'found', set, rule, findings: [...found] } : { id, kind: 'start', set, rule }),
				onError: (e) => send({ id, kind: 'error', rule: e.rule, message: e.error instanceof Error ? e.error.message : String(e.error) }),
			});
			send({ id, kind: 'set', set, memo, context });
		}
		send({ id, kind: 'done' });
	} finally {
		tree.delete();
	}
}

// One job at a time: the next message waits until this one is done (the main thread sends one at a time too).
let chain: Promise<void> = Promise.resolve();
parentPort!.on('message', (m: { id: number; job: ThreadJob }) => {
	chain = chain.then(() =>
		handle(m.id, m.job).catch((e) => {
			send({ id: m.id, kind: 'error', rule: 'engine', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
			send({ id: m.id, kind: 'done', notParsed: 'the rule thread failed' });
		}),
	);
});
