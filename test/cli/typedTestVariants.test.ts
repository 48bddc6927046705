/**
 * The CLI's typed pass leaves out the tests of a package whose tests make the go command compile
 * its importers again (p's external test imports q, which imports p: `q [p.test]`). Those test
 * files get the syntax answer, so a copy only types show (a lock in a type from another package)
 * is not reported there; a test file with a syntax finding brings its package's full `go vet`
 * back (tests included), and then every file of that package has its typed answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, tempCopy, type JsonFinding } from './helpers';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'typed', 'testvariants');

async function lockFindings(cwd: string): Promise<string[]> {
	const r = await runCli(['check', '--escape', 'none', '--format', 'json', '--fail-on', 'none', '.'], { cwd });
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stderr, '');
	return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.filter((f) => f.rule === 'lock-copy-by-value').map((f) => `${f.file}:${f.line}:${f.column} ${f.severity}`);
}

test('costly tests are left out of vet: no typed-only finding there; a syntax finding in them brings the full vet back', async () => {
	const dir = tempCopy(FIXTURE);
	try {
		assert.deepEqual(await lockFindings(dir), [], 'p/ext_test.go was not shown to vet');
		writeFileSync(path.join(dir, 'p', 'z_test.go'), 'package p_test\n\nimport "sync"\n\ntype local struct{ mu sync.Mutex }\n\nfunc dup(l local) {}\n');
		assert.deepEqual(await lockFindings(dir), ['p/ext_test.go:12:7 information', 'p/z_test.go:7:12 error'], 'vet of p with its tests confirms z_test.go and adds ext_test.go');
	} finally {
		rmSync(path.dirname(dir), { recursive: true, force: true });
	}
});
