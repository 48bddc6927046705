import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RuleThread, type ThreadJob } from '../../server/src/rules/ruleThread';
import { ALL_RULES } from '../../server/src/rules/index';
import { runRules } from '../../server/src/rules/engine';
import { newGoParser } from '../../server/src/syntax/goParser';
import { mirrorOf, wholeRunTree } from '../../server/src/syntax/mirror';
import { goVersion } from './ruleHarness';
import { closureFunction } from '../hardening/pathological';

const ROOT = path.resolve(__dirname, '..', '..');
const SYNTAX = ALL_RULES.filter((r) => !r.doc.usesEscape && !r.doc.usesTyped).map((r) => r.id);
const ESCAPE = ALL_RULES.filter((r) => r.doc.usesEscape || r.doc.usesTyped).map((r) => r.id);

function job(text: string, over: Partial<ThreadJob> = {}): ThreadJob {
	return { filePath: '/tmp/rt/a.go', text, goVersion: goVersion(21), isCgo: false, severities: {}, sets: { syntax: SYNTAX, escape: ESCAPE }, maxChars: 5_000_000, parseBudgetMs: 5_000, ...over };
}

async function inProcess(text: string): Promise<string[]> {
	const parser = await newGoParser();
	const tree = parser.parse(text)!;
	try {
		const findings = runRules({ tree: wholeRunTree(mirrorOf(tree, text)), text, filePath: '/tmp/rt/a.go', goVersion: goVersion(21), escape: undefined, isCgo: false });
		return findings.map((f) => `${f.rule}@${f.range.start.line}:${f.range.start.character}`).sort();
	} finally {
		tree.delete();
		parser.delete();
	}
}

test('the rule thread finds what an in-process run finds, with the memo and context for scoped runs after it', async () => {
	const text = readFileSync(path.join(ROOT, 'examples', 'loopcapture.go'), 'utf8');
	const t = new RuleThread();
	try {
		const o = await t.run('a', job(text));
		assert.ok(o, 'ran');
		assert.deepEqual(o.skipped, []);
		const got = [...(o.sets.syntax?.findings ?? []), ...(o.sets.escape?.findings ?? [])].map((f) => `${f.rule}@${f.range.start.line}:${f.range.start.character}`).sort();
		const want = await inProcess(text);
		assert.ok(want.length > 0, 'the example has findings');
		assert.deepEqual(got, want);
		assert.ok(o.sets.syntax?.memo instanceof Map, 'the memo came back as a Map');
		assert.ok((o.sets.syntax?.context?.length ?? 0) > 0, 'context declarations (imports) came back');
	} finally {
		t.dispose();
	}
});

test('a waiting job is replaced by a newer one for the same file', async () => {
	const t = new RuleThread();
	try {
		const text = 'package p\n';
		const first = t.run('busy', job(closureFunction(200)));
		const a = t.run('x', job(text));
		const b = t.run('x', job(text + '\n'));
		assert.equal(await a, undefined, 'superseded before it started');
		assert.ok(await b);
		assert.ok(await first);
	} finally {
		t.dispose();
	}
});

test('a rule past its budget is stopped and named; the other rules still report', async () => {
	// 2,000 closures: loopvar-capture needs far more than 1 ms here.
	const t = new RuleThread({ ruleBudgetMs: 1, jobBudgetMs: 60_000 });
	try {
		const o = await t.run('big', job(closureFunction(2000), { sets: { syntax: ['loopvar-capture', 'defer-in-loop'] } }));
		assert.ok(o);
		assert.ok(o.skipped.some((s) => s.rule === 'loopvar-capture' && /longer than/.test(s.why)), JSON.stringify(o.skipped));
		assert.ok(t.workersStarted >= 2, 'a new worker went on after the stopped one');
		assert.equal(o.sets.syntax?.memo, undefined, 'no memo from a run split over workers');
	} finally {
		t.dispose();
	}
});

test('a text over maxChars is not parsed, and says so', async () => {
	const t = new RuleThread();
	try {
		const o = await t.run('huge', job('package p\n'.repeat(10), { maxChars: 20 }));
		assert.match(o?.notParsed ?? '', /too large/);
	} finally {
		t.dispose();
	}
});
