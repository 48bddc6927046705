/**
 * The syntax rules on worker threads (cli/ruleWorkers.ts) give exactly the in-process output:
 * `memlens check` and `memlens report` on examples/ with MEMLENS_RULE_THREADS=3 and =1 (the
 * findings cache off: the second run must run its rules, not replay the first's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { EXAMPLES, goEnv, runCli } from './helpers';

const cwd = path.dirname(EXAMPLES);

async function out(args: string[], threads: string): Promise<string> {
	const r = await runCli(args, { cwd, env: goEnv({ MEMLENS_RULE_THREADS: threads, MEMLENS_CACHE: 'off' }) });
	assert.equal(r.code, 0, r.stderr);
	assert.doesNotMatch(r.stderr, /rule worker|rules failed/);
	return r.stdout;
}

test('check: the same JSON from rule threads as in process', async () => {
	const args = ['check', '--format', 'json', '--escape', 'all', '--fail-on', 'none', 'examples'];
	const one = await out(args, '1');
	assert.ok(JSON.parse(one).findings.length > 40);
	assert.equal(await out(args, '3'), one);
});

test('report: the same model (function spans included) from rule threads as in process', async () => {
	const args = ['report', '--format', 'json', '--top', '100', 'examples'];
	const strip = (s: string) => JSON.stringify({ ...JSON.parse(s), meta: undefined });
	assert.equal(strip(await out(args, '2')), strip(await out(args, '1')));
});
