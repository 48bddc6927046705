/**
 * Scoped rule runs (a keystroke re-checks only the touched declaration) must agree with the
 * whole-file run: for every function declaration of every Go fixture, the scoped run's findings
 * equal the whole-file findings inside that declaration (whole-file rules: all of theirs).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { newGoParser } from '../../server/src/syntax/goParser';
import type { Node } from '../../server/src/syntax/mirror';
import { runRules } from '../../server/src/rules/engine';
import { ALL_RULES } from '../../server/src/rules/index';
import { contextDecls, FUNCTION_DECLS, inNodes, type RuleMemo } from '../../server/src/rules/scope';
import type { RuleFinding } from '../../server/src/model';
import { goVersion } from './ruleHarness';
import { mirrorOf } from '../../server/src/syntax/mirror';

const ROOT = path.join(__dirname, '..', '..');

function goFiles(dir: string, out: string[] = []): string[] {
	for (const name of readdirSync(dir)) {
		const p = path.join(dir, name);
		if (statSync(p).isDirectory()) goFiles(p, out);
		else if (name.endsWith('.go')) out.push(p);
	}
	return out;
}

const key = (f: RuleFinding) => `${f.rule}@${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character} ${f.message} ${JSON.stringify(f.fixes ?? [])}`;
const WHOLE = new Set(ALL_RULES.filter((r) => r.wholeFile).map((r) => r.id));

const inside = (d: Node, f: RuleFinding) => inNodes([d], f.range.start.line, f.range.start.character);

test('scoped runs agree with the whole-file run on every function of every fixture', async () => {
	// Plus real-world files from GOROOT that use pools, finalizers, unsafe and locks.
	const goroot = ['fmt/print.go', 'encoding/json/encode.go', 'net/http/server.go', 'sync/pool_test.go', 'runtime/mfinal_test.go', 'reflect/value.go', 'os/exec/exec.go']
		.map((f) => path.join('/usr/local/go/src', f))
		.filter((f) => existsSync(f));
	const files = [...goFiles(path.join(ROOT, 'test', 'fixtures')), ...goFiles(path.join(ROOT, 'examples')), ...goroot];
	assert.ok(files.length > 20, `only ${files.length} fixture files`);
	const parser = await newGoParser();
	let decls = 0;
	let withFindings = 0;
	try {
		for (const file of files) {
			const text = readFileSync(file, 'utf8');
			const tree = parser.parse(text)!;
			try {
				const m = mirrorOf(tree, text);
				for (const minor of [21, 22]) {
					const base = { tree: m, text, filePath: file, goVersion: goVersion(minor), escape: undefined, isCgo: /import\s+"C"/.test(text) };
					const memo: RuleMemo = new Map();
					const full = runRules({ ...base, memo });
					const context = contextDecls(m);
					for (const d of m.rootNode.namedChildren) {
						if (!d || !FUNCTION_DECLS.has(d.type)) continue;
						decls++;
						const scoped = runRules({ ...base, memo, scope: { decls: [d], context } });
						const want = full.filter((f) => WHOLE.has(f.rule) || inside(d, f));
						if (want.some((f) => !WHOLE.has(f.rule))) withFindings++;
						assert.deepEqual(scoped.map(key), want.map(key), `${path.relative(ROOT, file)} go1.${minor}, ${d.childForFieldName('name')?.text} (line ${d.startPosition.row + 1})`);
					}
				}
			} finally {
				tree.delete();
			}
		}
	} finally {
		parser.delete();
	}
	console.log(`# ${files.length} files, ${decls} function declarations checked scoped, ${withFindings} of them with findings`);
	assert.ok(withFindings > 30, 'too few declarations with findings: the comparison proves little');
});
