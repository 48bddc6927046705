/**
 * Fuzzing: ≥ 10,000 generated inputs through the compiler-output parser and through every rule.
 * Pass criteria: 0 exceptions, and every result stays well-formed (positions inside the document,
 * known kinds), since a swallowed exception or garbage output would otherwise go unnoticed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseEscapeOutput } from '../../server/src/escape/parser';
import { ALL_RULES } from '../../server/src/rules/index';
import { runRules } from '../../server/src/rules/engine';
import { newGoParser } from '../../server/src/syntax/goParser';
import { ESCAPE_KINDS, type EscapeKind, type RuleFinding } from '../../server/src/model';
import type { LocatedEscapeFact } from '../../server/src/rules/types';
import { goVersion } from '../unit/ruleHarness';
import { compilerOutputArb, goSourceArb, gorootSamples } from './fuzzInputs';
import { goEnv, ROOT } from './session';
import { removeCase, tempCase } from './workspace';
import { mirrorOf } from '../../server/src/syntax/mirror';

const RUNS = Number(process.env.MEMLENS_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.MEMLENS_FUZZ_SEED ?? 20261123);

/** Real `-m=2` output: captured now from the hostile corpus, plus any committed captures. */
function compilerSeeds(): string[] {
	const seeds: string[] = [];
	for (const c of ['basic', 'crlfUnicode', 'goWork/modB', 'vendorDir', 'brokenDep/app', 'syntaxError', 'twoPackages', 'empty']) {
		const [top, ...sub] = c.split('/');
		const dir = tempCase(top);
		try {
			// -m prints on stderr whether or not the build succeeds; build errors are inputs too
			const r = spawnSync('go', ['build', '-o', '/dev/null', '-gcflags=-m=2', '.'], { cwd: path.join(dir, ...sub), env: goEnv(), encoding: 'utf8' });
			seeds.push(r.stderr ?? '');
		} finally {
			removeCase(dir);
		}
	}
	const captured = path.join(ROOT, 'test', 'fixtures', 'compiler');
	if (existsSync(captured)) {
		for (const d of readdirSync(captured)) {
			const f = path.join(captured, d, 'm2.txt');
			if (existsSync(f)) seeds.push(readFileSync(f, 'utf8'));
		}
	}
	return seeds.filter((s) => s.length > 0);
}

/** Well-formedness problems found by the first test (kind → an example fact), checked by the second. */
const malformed = new Map<string, string>();

const key = (f: { kind: string; pos: { file: string; line: number; column: number }; subject: string }) => `${f.kind}|${f.pos.file}|${f.pos.line}|${f.pos.column}|${f.subject}`;

test(`parseEscapeOutput: ${RUNS} mutated compiler outputs, 0 exceptions, no facts lost`, () => {
	const seeds = compilerSeeds();
	assert.ok(seeds.some((s) => s.includes('moved to heap')), 'the seeds contain real facts');
	const opts = { cwd: '/work/p' };
	const seedFacts = seeds.map((s) => parseEscapeOutput(s, opts).facts.map(key));
	assert.ok(seedFacts.some((f) => f.length > 0), 'the parser finds facts in real output');
	let inputs = 0;
	fc.assert(
		fc.property(compilerOutputArb(seeds), fc.nat(), (garbage, i) => {
			inputs++;
			const r = parseEscapeOutput(garbage, opts);
			for (const f of r.facts) {
				const bad = !ESCAPE_KINDS.includes(f.kind)
					? 'unknown kind'
					: !(Number.isInteger(f.pos.line) && f.pos.line >= 1)
						? 'line < 1 (no LSP line for it)'
						: !(Number.isInteger(f.pos.column) && f.pos.column >= 0)
							? 'negative column'
							: !path.isAbsolute(f.pos.file) && !path.win32.isAbsolute(f.pos.file)
								? 'relative file'
								: f.subject === ''
									? 'empty subject'
									: undefined;
				if (bad && !malformed.has(bad)) malformed.set(bad, JSON.stringify(f));
				assert.ok(Array.isArray(f.flows));
			}
			assert.ok(Array.isArray(r.buildErrors));
			// Garbage before good output must not cost the good output's facts: the parser
			// swallows its own exceptions, so this is how one would show up.
			if (i % 4 === 0) {
				const s = i % seeds.length;
				const after = new Set(parseEscapeOutput(`${garbage}\n${seeds[s]}`, opts).facts.map(key));
				for (const k of seedFacts[s]) assert.ok(after.has(k), `fact lost after garbage: ${k}`);
			}
		}),
		{ numRuns: RUNS, seed: SEED },
	);
	assert.equal(inputs, RUNS);
});

test('parseEscapeOutput: every fact from the fuzzed outputs is well-formed (line ≥ 1, a subject)', () => {
	assert.deepEqual([...malformed.entries()], [], 'malformed facts');
});

/** Random escape facts at real identifiers of the text, plus some outside it. */
function syntheticFacts(text: string, n: number): LocatedEscapeFact[] {
	const lines = text.split('\n');
	const facts: LocatedEscapeFact[] = [];
	for (let i = 0; i < n; i++) {
		const line = (i * 7919) % (lines.length + 2);
		const lt = lines[line] ?? '';
		const m = /[\p{L}_][\p{L}\p{N}_]*/u.exec(lt.slice((i * 31) % (lt.length + 1)));
		const character = m ? lt.indexOf(m[0]) : i;
		const kind = ESCAPE_KINDS[i % ESCAPE_KINDS.length] as EscapeKind;
		facts.push({
			kind,
			pos: { file: '/tmp/memlens-fuzz/a.go', line: line + 1, column: character + 1 },
			at: { line, character },
			subject: m ? (i % 3 === 0 ? `&${m[0]}` : m[0]) : '',
			message: `${kind}: ${m?.[0] ?? ''}`,
			flows: i % 2 ? [] : [{ dst: '{heap}', op: '&', src: m?.[0] ?? '', steps: [{ expr: `&${m?.[0]}`, reason: 'address-of', pos: { file: '/tmp/memlens-fuzz/a.go', line: line + 1, column: 1 } }] }],
		});
	}
	return facts;
}

function checkFinding(f: RuleFinding, lineCount: number, id: string): void {
	const ok = (p: { line: number; character: number }) => Number.isInteger(p.line) && p.line >= 0 && p.line < lineCount && Number.isInteger(p.character) && p.character >= 0;
	assert.ok(ok(f.range.start) && ok(f.range.end), `${id}: range inside the document: ${JSON.stringify(f.range)}`);
	assert.ok(f.range.start.line < f.range.end.line || (f.range.start.line === f.range.end.line && f.range.start.character <= f.range.end.character), `${id}: start ≤ end`);
	assert.ok(typeof f.message === 'string' && f.message.length > 0, `${id}: a message`);
	for (const fix of f.fixes ?? []) for (const e of fix.edits) assert.ok(ok(e.range.start) && ok(e.range.end), `${id}: fix edit inside the document`);
}

test(`every rule: ${RUNS} mutated Go sources, 0 exceptions, findings inside the document`, async () => {
	const samples = gorootSamples();
	assert.ok(samples.length >= 5, 'GOROOT samples available');
	const parser = await newGoParser();
	const exceptions = new Map<string, string>();
	let inputs = 0;
	let findings = 0;
	try {
		fc.assert(
			fc.property(goSourceArb(samples), fc.nat({ max: 3 }), fc.option(fc.integer({ min: 13, max: 26 }), { nil: undefined }), (text, factMode, minor) => {
				inputs++;
				const tree = parser.parse(text);
				assert.ok(tree, 'tree-sitter parses any text');
				const lineCount = text.split('\n').length;
				const mtree = mirrorOf(tree, text);
				try {
					const escape = factMode === 0 ? undefined : syntheticFacts(text, factMode * 6);
					for (const rule of ALL_RULES) {
						let out: RuleFinding[] = [];
						try {
							out = rule.check({ tree: mtree, text, filePath: '/tmp/memlens-fuzz/a.go', goVersion: goVersion(minor), escape, isCgo: text.includes('import "C"') });
						} catch (e) {
							if (!exceptions.has(rule.id)) exceptions.set(rule.id, `${(e as Error).stack}\n--- input ---\n${text.slice(0, 600)}`);
							continue;
						}
						findings += out.length;
						for (const f of out) checkFinding(f, lineCount, rule.id);
					}
					// the engine too (suppression comments, dedup, sorting); it reports a throwing rule via onError
					const ctx = { tree: mtree, text, filePath: '/tmp/memlens-fuzz/a.go', goVersion: goVersion(minor), escape, isCgo: text.includes('import "C"') };
					runRules(ctx, { onError: (e) => void (exceptions.has(`engine:${e.rule}`) || exceptions.set(`engine:${e.rule}`, `${(e.error as Error)?.stack}\n--- input ---\n${text.slice(0, 600)}`)) });
				} finally {
					tree.delete();
				}
			}),
			{ numRuns: RUNS, seed: SEED },
		);
	} finally {
		parser.delete();
	}
	assert.equal(inputs, RUNS);
	assert.deepEqual([...exceptions.entries()], [], 'rules threw');
	// Guard against a fuzzer that never reaches the rules' interesting paths.
	const implemented = ALL_RULES.filter((r) => r.doc.summary !== '').length;
	if (implemented > 0) assert.ok(findings > 0, 'the generated inputs trigger findings');
});
