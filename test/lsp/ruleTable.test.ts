/**
 * Issue 3: every syntax rule's spec positive and negative, through the real server (escape analysis
 * off, so no compile). One server; each rule's pos.go and neg.go are opened and closed in turn.
 * `// want: ID` marks each line where a diagnostic with code ID must start.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { ALL_RULES } from '../../server/src/rules/index';
import { LspClient, REPO_ROOT } from './lspClient';
import { configAnswer, withCode } from './helpers';

const TABLE = path.join(REPO_ROOT, 'test', 'fixtures', 'ruleTable');

/** 0-based lines carrying `// want: id`, with the UTF-16 span of the code before the comment. */
function wants(text: string, id: string): { line: number; first: number; commentAt: number }[] {
	const out: { line: number; first: number; commentAt: number }[] = [];
	text.split('\n').forEach((l, i) => {
		const at = l.indexOf(`// want: ${id}`);
		if (at >= 0) out.push({ line: i, first: l.search(/\S/), commentAt: at });
	});
	return out;
}

describe('rule table through the LSP server', () => {
	let client: LspClient;
	before(async () => {
		client = await LspClient.start({ rootPath: TABLE, configuration: configAnswer({ escapeEnabled: false }) });
	});
	after(() => client?.shutdown());

	/** The diagnostics of a rule run on the opened text (version 1; a close publishes none). */
	async function diagnose(file: string): Promise<Diagnostic[]> {
		const uri = await client.open(file);
		try {
			return await client.waitForDiagnostics(uri, (_d, p) => p.version === 1);
		} finally {
			await client.close(uri);
		}
	}

	test('the table covers exactly the registered syntax rules', () => {
		assert.deepEqual(readdirSync(TABLE).sort(), ALL_RULES.map((r) => r.id).sort());
	});

	for (const id of readdirSync(TABLE).sort()) {
		test(id, async () => {
			const posFile = path.join(TABLE, id, 'pos.go');
			const expected = wants(readFileSync(posFile, 'utf8'), id);
			assert.ok(expected.length > 0, `pos.go of ${id} has a // want line`);
			const got = withCode(await diagnose(posFile), id);
			for (const w of expected) {
				const at = got.filter((d) => d.range.start.line === w.line);
				assert.equal(at.length, 1, `${id} at line ${w.line}; got ${JSON.stringify(got.map((d) => d.range.start))}`);
				const d = at[0];
				assert.ok(d.range.start.character >= w.first && d.range.start.character < w.commentAt, `character ${d.range.start.character} in [${w.first}, ${w.commentAt})`);
				assert.equal(d.source, 'memlens');
				assert.match(d.codeDescription?.href ?? '', new RegExp(`docs/rules/${id}\\.md$`));
			}
			assert.equal(got.length, expected.length, 'no diagnostic of the rule off the want lines');
			assert.deepEqual(withCode(await diagnose(path.join(TABLE, id, 'neg.go')), id), [], `${id} in neg.go`);
		});
	}
});
