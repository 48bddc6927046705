/** `memlens check --format sarif` validates against the SARIF 2.1.0 schema and carries UTF-16 columns. */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { EXAMPLES, ROOT, runCli } from './helpers';

// test/fixtures/sarif-schema-2.1.0.json: sarif-2.1.0-rtm.5.json as shipped in the npm package
// @microsoft/jest-sarif@1.0.0-beta.0 (lib/schemas/, MIT), sha256 2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8. It is a draft-04
// schema: ajv 8 reads it once `id` is `$id` and `$schema` is dropped (no draft-04-only keywords are used),
// and with non-unicode regexps (one pattern is not valid under the `u` flag).
function validator() {
	const schema = JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8'));
	schema.$id = schema.id;
	delete schema.id;
	delete schema.$schema;
	const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
	addFormats(ajv);
	return ajv.compile(schema);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let log: any;

before(async () => {
	const r = await runCli(['check', '--format', 'sarif', '--fail-on', 'none', '.'], { cwd: EXAMPLES });
	assert.equal(r.code, 0, r.stderr);
	log = JSON.parse(r.stdout);
});

test('the log validates against the SARIF 2.1.0 schema', () => {
	const validate = validator();
	assert.equal(validate(log), true, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
	// The validator is not a yes-machine: a broken log fails.
	assert.equal(validate({ ...log, version: '2.0.0' }), false);
	assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'a' }, locations: [{ physicalLocation: { region: { startLine: 0 } } }] }] }] }), false);
});

test('driver memlens with rules (descriptions, helpUri, help) and results with regions in UTF-16 columns', () => {
	const run = log.runs[0];
	assert.equal(run.tool.driver.name, 'memlens');
	assert.equal(run.columnKind, 'utf16CodeUnits');
	const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
	assert.ok(ids.includes('moved-to-heap') && ids.includes('loopvar-capture'), ids.join(','));
	for (const r of run.tool.driver.rules) {
		assert.ok(r.shortDescription?.text && r.fullDescription?.text && r.help?.text, r.id);
		assert.match(r.helpUri, /^file:.*docs\/(escape|rules)\/[\w-]+\.md$/);
	}
	const res = run.results.find((x: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => x.ruleId === 'moved-to-heap' && x.locations[0].physicalLocation.artifactLocation.uri === 'returnaddr.go');
	assert.ok(res);
	assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 11, startColumn: 2, endLine: 11, endColumn: 3 });
	assert.equal(res.properties.goByteColumn, 2);
	// The cause id and the compiler's own line; the message is told in source terms.
	assert.equal(res.properties.cause, 'returned');
	assert.equal(res.properties.compilerMessage, 'moved to heap: c');
	assert.match(res.message.text, /^`c` is moved to the heap \(returned to the caller\)/);
	// The compiler's reason chain as a code flow.
	const steps = res.codeFlows[0].threadFlows[0].locations.map((l: { location: { message: { text: string } } }) => l.location.message.text);
	assert.deepEqual(steps, ['address-of: &c', 'return: return &c']);
});
