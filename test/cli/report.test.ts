/**
 * `memlens report` on examples/ with the real toolchain: the same facts and findings as `memlens
 * check`, grouped per package, cause, function and file; every format; usage errors. (The HTML in
 * a real browser: test/e2e/reportHtml.test.mjs.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { causeOf } from '../../server/src/escape/causes';
import type { SummaryModel } from '../../server/src/summary/types';
import { EXAMPLES, runCli, type JsonFinding } from './helpers';

const cwd = path.dirname(EXAMPLES);

async function model(args: string[] = []): Promise<SummaryModel> {
	const r = await runCli(['report', '--format', 'json', ...args, 'examples'], { cwd });
	assert.equal(r.code, 0, r.stderr);
	return JSON.parse(r.stdout) as SummaryModel;
}

test('report json: the facts and findings of `memlens check`, per package, cause, function and file', async () => {
	const [m, check] = await Promise.all([model(['--top', '100']), runCli(['check', '--format', 'json', '--fail-on', 'none', 'examples'], { cwd })]);
	assert.equal(check.code, 0, check.stderr);
	const found = (JSON.parse(check.stdout) as { findings: JsonFinding[] }).findings;
	const heap = found.filter((f) => f.source === 'compiler');
	const rules = found.filter((f) => f.source === 'syntax');

	assert.equal(m.version, 1);
	assert.equal(m.totals.heap, heap.length);
	assert.equal(m.totals.moved, heap.filter((f) => f.rule === 'moved-to-heap').length);
	assert.equal(m.totals.findings, rules.length);
	assert.deepEqual(m.packages.map((p) => p.id).sort(), ['example.com/memlens-examples', 'example.com/memlens-examples/allocs', 'example.com/memlens-examples/go122', 'example.com/memlens-examples/good']);
	assert.equal(m.totals.packages, 4);
	assert.equal(m.totals.compiled, 4);
	assert.equal(m.totals.files, 12);
	// Per package: the heap sites are the check's compiler findings in that package's directory.
	for (const p of m.packages) {
		const inDir = heap.filter((f) => path.posix.dirname(f.file) === p.dir);
		assert.equal(p.heap, inDir.length, p.id);
		assert.deepEqual(
			p.findings.map((f) => [f.file, f.line, f.column, f.rule]),
			rules.filter((f) => path.posix.dirname(f.file) === p.dir).map((f) => [f.file, f.line, f.column, f.rule]),
			p.id,
		);
	}
	// Causes add up, and are the explanations' own (whatever escape/causes.ts classifies today).
	assert.equal(m.causes.reduce((n, c) => n + c.count, 0), m.totals.heap);
	for (const c of m.causes) if (c.id !== 'unclassified') assert.ok(c.title.length > 0, c.id);
	assert.equal(causeOf({ kind: 'inlining', pos: { file: 'x.go', line: 1, column: 1 }, subject: 'f', message: 'can inline f', flows: [] }), undefined);
	// The function of a fact is the declaration it is written in, as Go names it.
	const f = m.topFunctions.find((x) => x.name === 'newConfig');
	assert.ok(f, 'returnaddr.go: moved to heap: c is in newConfig');
	assert.deepEqual([f.file, f.line, f.heap, f.moved], ['examples/returnaddr.go', 10, 1, 1]);
	const pkgLevel = m.topFunctions.find((x) => x.file === 'examples/good/correct.go' && x.name === '(package-level declarations)');
	assert.ok(pkgLevel && pkgLevel.heap > 0, "good/correct.go's pool New funcs are package-level declarations");
	assert.equal(m.topFiles[0].file, 'examples/good/correct.go');
	assert.deepEqual(m.rules.map((r) => r.rule).sort(), [...new Set(rules.map((x) => x.rule))].sort());
	assert.equal(m.rules[0].severity, 'error', 'rules by severity: loopvar-capture first');
});

test('report text and md: the sections a reader looks for', async () => {
	const text = await runCli(['report', 'examples'], { cwd });
	assert.equal(text.code, 0, text.stderr);
	for (const s of ['Heap allocation sites by cause', 'Functions with most heap allocation sites', 'Files with most heap allocation sites', 'Rule findings by rule', 'Packages'])
		assert.ok(text.stdout.includes(`\n${s}\n`), s);
	assert.match(text.stdout, /^Go MemLens report: memlens \S+ · go1\.\d+/);
	assert.match(text.stdout, /examples\/loopcapture\.go:14:10: error: .*\[loopvar-capture\]/);
	const md = await runCli(['report', '--format', 'md', '--top', '40', 'examples'], { cwd });
	assert.equal(md.code, 0, md.stderr);
	assert.match(md.stdout, /^# Go MemLens report/);
	assert.match(md.stdout, /\n## Packages\n\n\| heap sites \| moved \|/);
	assert.match(md.stdout, /`newConfig` \| examples\/returnaddr\.go:10 \|/);
});

test('report --shard: the shards hold the packages of one report between them', async () => {
	const whole = await model();
	const parts = [await model(['--shard', '1/2']), await model(['--shard', '2/2'])];
	const ids = parts.flatMap((m) => m.packages.filter((p) => !p.inlinedOnly).map((p) => p.id));
	assert.deepEqual(ids.sort(), whole.packages.map((p) => p.id).sort());
	assert.equal(parts[0].totals.heap + parts[1].totals.heap, whole.totals.heap);
	assert.equal(parts[0].meta.shard, '1/2');
});

test('report: usage errors exit 2', async () => {
	for (const args of [['--format', 'sarif'], ['--escape', 'all'], ['--fail-on', 'error'], ['--dry-run'], ['--top', '0'], ['--top', 'x']]) {
		const r = await runCli(['report', ...args, 'examples'], { cwd });
		assert.equal(r.code, 2, args.join(' '));
		assert.match(r.stderr, /Run memlens --help/);
	}
	const missing = await runCli(['report', 'no/such/dir'], { cwd });
	assert.equal(missing.code, 2);
	assert.match(missing.stderr, /no such directory/);
});
