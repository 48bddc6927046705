/**
 * Issue 3: every syntax rule's spec positive and negative, through `memlens check` (one process over
 * the whole fixture table; each rule directory is its own module). `// want: ID` marks each line
 * where a finding of ID must start; neg.go must have none of that rule.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_RULES } from '../../server/src/rules/index';
import { ROOT, runCli, type JsonFinding } from './helpers';

const TABLE = path.join(ROOT, 'test', 'fixtures', 'ruleTable');
const REL = path.relative(ROOT, TABLE);

/** 1-based lines carrying `// want: id`, with the byte span of the code before the comment. */
function wants(file: string, id: string): { line: number; first: number; commentAt: number }[] {
	const out: { line: number; first: number; commentAt: number }[] = [];
	readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
		const at = text.indexOf(`// want: ${id}`);
		if (at < 0) return;
		out.push({ line: i + 1, first: text.search(/\S/) + 1, commentAt: Buffer.byteLength(text.slice(0, at)) + 1 });
	});
	return out;
}

describe('rule table through the CLI', () => {
	let findings: JsonFinding[];
	before(async () => {
		const r = await runCli(['check', '--escape', 'none', '--format', 'json', REL]);
		assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
		findings = JSON.parse(r.stdout).findings;
	});

	test('the table covers exactly the registered syntax rules', () => {
		const dirs = readdirSync(TABLE).sort();
		assert.deepEqual(dirs, ALL_RULES.map((r) => r.id).sort());
	});

	for (const id of readdirSync(TABLE).sort()) {
		test(id, () => {
			const pos = path.join(REL, id, 'pos.go');
			const neg = path.join(REL, id, 'neg.go');
			const expected = wants(path.join(ROOT, pos), id);
			assert.ok(expected.length > 0, `pos.go of ${id} has a // want line`);
			const got = findings.filter((f) => f.rule === id && f.file === pos);
			for (const w of expected) {
				const at = got.filter((f) => f.line === w.line);
				assert.equal(at.length, 1, `${id} at ${pos}:${w.line}; got ${JSON.stringify(got.map((f) => [f.line, f.column]))}`);
				// Starts inside the code on that line (after the indentation, before the want comment).
				assert.ok(at[0].column >= w.first && at[0].column < w.commentAt, `column ${at[0].column} in [${w.first}, ${w.commentAt})`);
				assert.equal(at[0].source, 'syntax');
			}
			assert.equal(got.length, expected.length, 'no finding of the rule off the want lines');
			assert.deepEqual(findings.filter((f) => f.rule === id && f.file === neg), [], `${id} in neg.go`);
		});
	}
});
