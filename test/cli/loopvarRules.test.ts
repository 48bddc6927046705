/**
 * The loop-variable rules through `memlens check` on real modules: compiler facts deciding
 * loopvar-address's severity (go1.21 module, real `-gcflags=-m=2`), and generated files getting no
 * loopvar-redundant-copy hint. The rule table (ruleTable.test.ts) covers the other classes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, runCli, type JsonFinding } from './helpers';

const GO121 = path.join(ROOT, 'test', 'fixtures', 'loopvar', 'go121');
const TABLE = path.join(ROOT, 'test', 'fixtures', 'ruleTable');

async function findings(args: string[], cwd: string): Promise<JsonFinding[]> {
	const r = await runCli(['check', '--format', 'json', '--fail-on', 'none', ...args], { cwd });
	assert.equal(r.code, 0, r.stderr);
	return JSON.parse(r.stdout).findings;
}

test('loopvar-address with compiler facts: appended pointers are an error, a decoder call is information, an overwritten slot is silent', async () => {
	const all = await findings(['--escape', 'all', '.'], GO121);
	const addr = all.filter((f) => f.rule === 'loopvar-address');
	assert.deepEqual(
		addr.map((f) => [f.line, f.severity]),
		[
			[14, 'error'],
			[22, 'information'],
		],
	);
	assert.match(addr[0].message, /All pointers kept here point to the same variable `it`.*go1\.21.*The compiler moved `it` to the heap/);
	assert.match(addr[1].message, /wherever this pointer is kept/);
	// The compiler did move the overwritten slot's variable: the rule, not a missing fact, is silent.
	assert.ok(all.some((f) => f.rule === 'moved-to-heap' && f.line === 32));
	// Without facts only the kept shape, as a warning.
	const bare = (await findings(['--escape', 'none', '.'], GO121)).filter((f) => f.rule === 'loopvar-address');
	assert.deepEqual(bare.map((f) => [f.line, f.severity]), [[14, 'warning']]);
});

test('loopvar-redundant-copy: no hint in a generated file, the same copy in a hand-written file is hinted', async () => {
	const fs = (await findings(['--escape', 'none', 'loopvar-redundant-copy'], TABLE)).filter((f) => f.rule === 'loopvar-redundant-copy');
	assert.deepEqual(fs.map((f) => `${f.file}:${f.line}`), ['loopvar-redundant-copy/pos.go:16']);
});
