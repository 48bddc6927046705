/**
 * RuleRuns (lsp/ruleRuns.ts): keystrokes re-check only the touched declaration, yet after every
 * edit the findings equal a whole-file run of the same text; cross-function effects (a pool
 * wrapper that stops resetting) show after the settle run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { RuleRuns, type RuleRunResult } from '../../server/src/lsp/ruleRuns';
import { runRules } from '../../server/src/rules/engine';
import { newGoParser } from '../../server/src/syntax/goParser';
import { TreeCache } from '../../server/src/syntax/treeCache';
import type { RuleFinding } from '../../server/src/model';
import { goVersion } from './ruleHarness';
import { mirrorOf } from '../../server/src/syntax/mirror';

/** A pool wrapper, its caller and a defer in a loop (the same module the LSP keystroke test edits). */
const SRC = readFileSync(path.join(__dirname, '..', 'fixtures', 'lsp', 'keystrokes', 'pool.go'), 'utf8');

const URI_ = 'file:///rr/a.go';
const show = (fs: RuleFinding[]) => fs.map((f) => `${f.range.start.line + 1}:${f.range.start.character} ${f.rule} ${JSON.stringify(f.fixes ?? [])}`);

/** A document driven like the server drives it: TreeCache edits, RuleRuns shift, then a run. */
async function session() {
	const trees = await TreeCache.create();
	const parser = await newGoParser();
	const runs = new RuleRuns();
	let text = SRC;
	trees.open(URI_, text, 1);
	let version = 1;
	const input = () => ({ tree: trees.get(URI_)!.mirror, text, filePath: '/rr/a.go', goVersion: goVersion(22), escape: undefined, isCgo: false });
	const run = (whole = false): RuleRunResult => runs.run(URI_, input(), 'k', trees.takeChanged(URI_), whole, (c) => runRules(c));
	/** The whole-file answer for the current text, from a fresh parse. */
	const expected = (): RuleFinding[] => {
		const tree = parser.parse(text)!;
		try {
			return runRules({ tree: mirrorOf(tree, text), text, filePath: '/rr/a.go', goVersion: goVersion(22), escape: undefined, isCgo: false });
		} finally {
			tree.delete();
		}
	};
	/** Replaces the first occurrence of `find` by `by` as one incremental change ('' at the end: appends). */
	const edit = (find: string, by: string): RuleRunResult => {
		const at = find === '' ? text.length : text.indexOf(find);
		assert.ok(at >= 0, `${find} not in the text`);
		const pos = (o: number) => {
			const before = text.slice(0, o).split('\n');
			return { line: before.length - 1, character: before[before.length - 1].length };
		};
		const change: TextDocumentContentChangeEvent = { range: { start: pos(at), end: pos(at + find.length) }, text: by };
		text = text.slice(0, at) + by + text.slice(at + find.length);
		trees.applyChanges(URI_, [change], text, ++version);
		runs.shift(URI_, [change]);
		return run();
	};
	return { run, edit, expected, runs, dispose: () => (trees.dispose(), parser.delete()) };
}

test('each edit re-checks only what it touched and still equals a whole-file run', async () => {
	const s = await session();
	try {
		assert.equal(s.run().mode, 'whole');
		assert.deepEqual(show(s.run().findings), show(s.expected()));
		const steps: [string, () => RuleRunResult, RuleRunResult['mode']][] = [
			['a blank line inside render moves the findings below it', () => s.edit('\tb := getBuf()\n', '\tb := getBuf()\n\n'), 'scoped'],
			['typing inside lockAll', () => s.edit('m.Lock()', 'm.Lock() // take it'), 'scoped'],
			['a suppression typed above the finding takes effect at once', () => s.edit('\t\tdefer m.Unlock()', '\t\t//memlens:ignore defer-in-loop closed by the caller\n\t\tdefer m.Unlock()'), 'scoped'],
			['removing it brings the finding back', () => s.edit('\t\t//memlens:ignore defer-in-loop closed by the caller\n', ''), 'scoped'],
			['a new function with its own finding', () => s.edit('', '\nfunc unlockLater(mus []*sync.Mutex) {\n\tfor _, m := range mus {\n\t\tdefer m.Unlock()\n\t}\n}\n'), 'scoped'],
			['a comment between declarations: no directive on its line, so nothing is re-checked', () => s.edit('// getBuf hands out', '// getBuf hands out, always'), 'shifted'],
			['a comment that becomes a directive is a file-level change', () => s.edit('// getBuf hands out, always', '//memlens:ignore pool-put-missing getBuf hands out, always'), 'whole'],
			['a directive edited into a plain comment re-checks the function below it', () => s.edit('//memlens:ignore pool-put-missing getBuf', '// getBuf'), 'scoped'],
			['a new import is a file-level change', () => s.edit('"bytes"', '"bytes"\n\t"time"'), 'whole'],
			['deleting a whole function drops its findings', () => s.edit('func lockAll(mus []*sync.Mutex) {\n\tfor _, m := range mus {\n\t\tm.Lock() // take it\n\t\tdefer m.Unlock()\n\t}\n}\n', ''), 'shifted'],
		];
		for (const [what, step, mode] of steps) {
			const r = step();
			assert.equal(r.mode, mode, what);
			assert.deepEqual(show(r.findings), show(s.expected()), what);
		}
		assert.ok(s.expected().some((f) => f.rule === 'defer-in-loop'), 'the new function keeps a finding to compare');
	} finally {
		s.dispose();
	}
});

test('an edit that changes another function\'s finding is settled by the whole-file run', async () => {
	const s = await session();
	try {
		s.run();
		assert.ok(!s.expected().some((f) => f.rule === 'pool-get-without-reset'));
		// getBuf stops resetting: render's appends now keep the previous user's bytes.
		const r = s.edit('\tb.Reset()\n', '');
		assert.equal(r.mode, 'scoped');
		assert.ok(s.runs.needsSettle(URI_));
		assert.ok(s.expected().some((f) => f.rule === 'pool-get-without-reset'), 'the whole-file run reports render');
		const settled = s.run(true);
		assert.equal(settled.mode, 'whole');
		assert.deepEqual(show(settled.findings), show(s.expected()));
		assert.ok(!s.runs.needsSettle(URI_));
	} finally {
		s.dispose();
	}
});
