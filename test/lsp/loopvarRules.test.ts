/**
 * The loop-variable rules through the real server: compiler facts deciding loopvar-address's
 * severity in a go1.21 module, and generated files getting no loopvar-redundant-copy hint (the
 * rule table, ruleTable.test.ts, covers the other classes).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { LspClient, REPO_ROOT } from './lspClient';
import { configAnswer, msg, withCode } from './helpers';

const GO121 = path.join(REPO_ROOT, 'test', 'fixtures', 'loopvar', 'go121', 'kept.go');
const GENERATED = path.join(REPO_ROOT, 'test', 'fixtures', 'ruleTable', 'loopvar-redundant-copy', 'gen_neg.go');

describe('loopvar-address with compiler facts (go1.21 module)', () => {
	let client: LspClient;
	before(async () => {
		client = await LspClient.start({ rootPath: path.dirname(GO121), configuration: configAnswer({ debounceMs: 0 }) });
	});
	after(() => client?.shutdown());

	test('appended pointers are an error, a decoder call is information, an overwritten slot is silent', async () => {
		const uri = await client.open(GO121);
		const diags = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'moved-to-heap'));
		const addr = withCode(diags, 'loopvar-address');
		// LSP severities: 1 error, 3 information.
		assert.deepEqual(
			addr.map((d) => [d.range.start.line, d.severity]),
			[
				[13, 1],
				[21, 3],
			],
		);
		assert.match(msg(addr[0]), /The compiler moved `it` to the heap/);
		assert.ok(withCode(diags, 'moved-to-heap').some((d) => d.range.start.line === 31), 'the slot variable was moved too');
	});
});

describe('loopvar-redundant-copy in a generated file', () => {
	let client: LspClient;
	before(async () => {
		client = await LspClient.start({ rootPath: path.dirname(GENERATED), configuration: configAnswer({ escapeEnabled: false, debounceMs: 0 }) });
	});
	after(() => client?.shutdown());

	test('no hint while the marker is there; the hint appears once the marker line is removed', async () => {
		const uri = await client.open(GENERATED);
		const first = await client.waitForDiagnostics(uri, (_d, p) => p.version === 1);
		assert.deepEqual(withCode(first, 'loopvar-redundant-copy'), []);
		const v = await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' }]);
		// The marker sits outside every function: the whole-file run after the keystroke brings the hint.
		const edited = await client.waitForDiagnostics(uri, (d, p) => p.version === v && withCode(d, 'loopvar-redundant-copy').length > 0);
		assert.deepEqual(
			withCode(edited, 'loopvar-redundant-copy').map((d) => d.range.start.line),
			[8],
		);
	});
});
