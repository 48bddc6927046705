/**
 * Hovers (report/hover.ts) on the compiler's real output for test/fixtures/compiler/basic: the
 * whole explanation for clients that show no diagnostic text on hover, and only what the
 * diagnostic does not carry for those that do (VS Code).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEscapeOutput } from '../../server/src/escape/parser';
import { explainFact, MAX_STEPS } from '../../server/src/escape/explain';
import { escapeDiagnostics, factSeverity, moreStepsText, placeFacts, type PlacedFact } from '../../server/src/report/diagnostics';
import { hoverAt, type HoverContext } from '../../server/src/report/hover';
import type { ClientCaps } from '../../server/src/report/types';
import { causeDocUri } from '../../server/src/report/docsLinks';
import type { EscapeCause } from '../../server/src/escape/causes';
import { defaultSettings } from '../../common/settings';
import type { RuleFinding } from '../../server/src/model';

const dir = path.join(__dirname, '../fixtures/compiler/basic');
const file = path.join(dir, 'a.go');
const text = readFileSync(file, 'utf8');
const placed = placeFacts(parseEscapeOutput(readFileSync(path.join(dir, 'm2.txt'), 'utf8'), { cwd: dir }).facts, file, text, explainFact);

const VSCODE: ClientCaps = {
	configuration: true,
	configurationDynamic: true,
	watchedFilesDynamic: true,
	workDoneProgress: true,
	relatedInformation: true,
	codeDescription: true,
	tagSupport: true,
	versionSupport: true,
	hoverMarkdown: true,
	codeActionLiterals: true,
	memlensExtensions: true,
	diagnosticsInHover: true,
	codeLensRefresh: true,
	trusted: true,
};
const OTHER: ClientCaps = { ...VSCODE, diagnosticsInHover: false };
const BARE: ClientCaps = { ...OTHER, hoverMarkdown: false, relatedInformation: false, codeDescription: false, memlensExtensions: false };

const CAUSE: EscapeCause = { id: 'passed-to-leaking-param', title: 'its address is passed to a function that keeps it', advice: 'pass a value, or reuse a pooled pointer' };

function ctx(caps: ClientCaps, extra: Partial<HoverContext> = {}): HoverContext {
	return { caps, stale: false, published: (pf) => factSeverity(pf.fact.kind, defaultSettings, false) !== undefined, cause: () => undefined, ...extra };
}

/** The placed fact of `kind` on 1-based `line` (and its hover position: the range's start). */
function fact(line: number, kind: string): PlacedFact {
	const pf = placed.find((p) => p.fact.pos.line === line && p.fact.kind === kind);
	assert.ok(pf, `${kind} at ${line}`);
	return pf;
}

function hoverText(pf: PlacedFact, c: HoverContext, findings: RuleFinding[] = []): string | undefined {
	const h = hoverAt(pf.range.start, placed, findings, c);
	return h ? (h.contents as { value: string }).value : undefined;
}

function diagnosticOf(pf: PlacedFact, caps: ClientCaps) {
	const [d] = escapeDiagnostics([pf], defaultSettings, caps, false);
	assert.ok(d, 'published');
	return d;
}

describe('hover for a client that shows the diagnostic on hover (diagnosticsInHover)', () => {
	const buf = fact(12, 'moved-to-heap'); // buf := make(…); pool.Put(&buf)

	test("never restates the diagnostic's sentence, steps or doc link; says what the compiler printed", () => {
		const d = diagnosticOf(buf, VSCODE);
		const value = hoverText(buf, ctx(VSCODE))!;
		assert.equal(value, 'Compiler says: `moved to heap: buf`');
		assert.ok(!value.includes(buf.explanation.headline));
		assert.ok(!value.includes(buf.explanation.why));
		assert.equal(d.relatedInformation?.length, buf.explanation.steps.length, 'the steps are in the diagnostic');
		assert.ok(d.codeDescription, 'the doc link is in the diagnostic');
	});

	test('adds the cause and its advice', () => {
		const value = hoverText(buf, ctx(VSCODE, { cause: () => CAUSE }))!;
		// The cause links its section of docs/escape/causes.md (the diagnostic's link is the fact kind's page).
		const more = ` · [more](${causeDocUri(CAUSE.id)})`;
		assert.equal(
			value,
			`**Cause:** its address is passed to a function that keeps it${more}  \n**To keep it on the stack:** pass a value, or reuse a pooled pointer\n\nCompiler says: \`moved to heap: buf\``,
		);
	});

	test('an expected allocation says there is nothing to change', () => {
		const value = hoverText(buf, ctx(VSCODE, { cause: () => ({ id: 'returned', title: 'returned to the caller', expected: true }) }))!;
		assert.match(value, /\*\*Expected:\*\* the value outlives the call/);
	});

	test('without codeDescription the doc link is added (the diagnostic has none)', () => {
		const value = hoverText(buf, ctx({ ...VSCODE, codeDescription: false }))!;
		assert.match(value, /· \[docs\]\(file:\/\/.*\/docs\/escape\/moved-to-heap\.md\)$/);
		assert.ok(!value.includes(buf.explanation.headline));
	});

	test('a fact with no diagnostic (does-not-escape is off) gets the whole explanation', () => {
		const xs = fact(59, 'does-not-escape');
		const value = hoverText(xs, ctx(VSCODE))!;
		assert.match(value, /^\*\*`xs` stays on the stack\*\*\n\nthe compiler proved it does not outlive the call\n\nCompiler says: `xs does not escape`/);
	});

	test('shown by the stack lens, a does-not-escape fact is published: only the additions', () => {
		const xs = fact(59, 'does-not-escape');
		const value = hoverText(xs, ctx(VSCODE, { published: (pf) => factSeverity(pf.fact.kind, defaultSettings, pf === xs) !== undefined }))!;
		assert.equal(value, 'Compiler says: `xs does not escape`');
	});

	test('a rule finding adds nothing to its diagnostic: no hover', () => {
		const f: RuleFinding = { rule: 'pool-put-local-address', range: buf.range, severity: 'warning', message: 'M' };
		const xs = fact(59, 'does-not-escape');
		assert.equal(hoverAt(xs.range.start, [], [{ ...f, range: xs.range }], ctx(VSCODE)), null);
	});
});

describe('hover for a client that does not show diagnostics on hover (the default)', () => {
	const buf = fact(12, 'moved-to-heap');

	test('headline, why, cause, the chain as links, the compiler line and the doc link', () => {
		const value = hoverText(buf, ctx(OTHER, { cause: () => CAUSE }))!;
		const lines = value.split('\n');
		assert.equal(lines[0], `**${buf.explanation.headline}**`);
		assert.ok(value.includes(buf.explanation.why));
		assert.match(value, /\*\*Cause:\*\* its address is passed/);
		assert.match(value, /^1\. address-of: &buf — \[a\.go:13:11\]\(file:\/\/.*a\.go#L13,11\)$/m);
		assert.match(value, /Compiler says: `moved to heap: buf` · \[docs\]\(file:.*moved-to-heap\.md\)$/);
	});

	test('plain text for a client without markdown', () => {
		const h = hoverAt(buf.range.start, placed, [], ctx(BARE))!;
		assert.equal((h.contents as { kind: string }).kind, 'plaintext');
		const value = (h.contents as { value: string }).value;
		assert.ok(value.startsWith(buf.explanation.headline));
		assert.match(value, /^1\. address-of: &buf \(a\.go:13:11\)$/m);
		assert.match(value, /Compiler says: moved to heap: buf$/);
	});

	test('a rule finding: its message and doc link', () => {
		const f: RuleFinding = { rule: 'pool-put-local-address', range: buf.range, severity: 'warning', message: 'the pool gets a pointer to a local' };
		const value = (hoverAt(buf.range.start, [], [f], ctx(OTHER))!.contents as { value: string }).value;
		assert.match(value, /^\*\*pool-put-local-address\*\*: the pool gets a pointer to a local\n\n\[docs\]\(file:.*pool-put-local-address\.md\)$/);
	});

	test('stale facts say so', () => {
		assert.match(hoverText(buf, ctx(OTHER, { stale: true }))!, /Stale: the last build failed/);
	});
});

test('a code span holds a message with backticks', () => {
	const buf = fact(12, 'moved-to-heap');
	const odd = { ...buf, fact: { ...buf.fact, message: 'moved to heap: `x`' }, range: buf.range, at: buf.at, explanation: buf.explanation };
	const h = hoverAt(buf.range.start, [odd], [], ctx(VSCODE, { published: () => true }))!;
	assert.equal((h.contents as { value: string }).value, 'Compiler says: `` moved to heap: `x` ``');
});

describe('a chain longer than MAX_STEPS (one WaitGroup used by 20 goroutines, captured from the compiler)', () => {
	const lcDir = path.join(__dirname, '../fixtures/compiler/longchain');
	const lcFile = path.join(lcDir, 'w.go');
	const lcFacts = parseEscapeOutput(readFileSync(path.join(lcDir, 'm2.txt'), 'utf8'), { cwd: lcDir }).facts;
	const lcPlaced = placeFacts(lcFacts, lcFile, readFileSync(lcFile, 'utf8'), explainFact);
	const wg = lcPlaced.find((p) => p.fact.kind === 'moved-to-heap' && p.fact.subject === 'wg')!;
	const total = wg.fact.flows.flatMap((f) => f.steps).length;

	test('the explanation keeps the first MAX_STEPS steps and counts the rest', () => {
		assert.ok(total > MAX_STEPS, `the compiler printed ${total} steps`);
		assert.equal(wg.explanation.steps.length, MAX_STEPS);
		assert.equal(wg.explanation.moreSteps, total - MAX_STEPS);
	});

	test('the diagnostic lists them and says how many more are in the compiler output, with and without related information', () => {
		const [d] = escapeDiagnostics([wg], defaultSettings, VSCODE, false);
		assert.equal(d.relatedInformation?.length, MAX_STEPS + 1);
		assert.equal(d.relatedInformation!.at(-1)!.message, moreStepsText(total - MAX_STEPS));
		const [bare] = escapeDiagnostics([wg], defaultSettings, BARE, false);
		assert.ok(String(bare.message).endsWith(`\n${moreStepsText(total - MAX_STEPS)}`), String(bare.message).slice(-200));
	});

	test('the hover of a client without the diagnostic on hover ends its steps the same way', () => {
		const h = hoverAt(wg.range.start, lcPlaced, [], ctx(OTHER));
		const value = (h!.contents as { value: string }).value;
		assert.ok(value.includes(`${MAX_STEPS}. `) && !value.includes(`${MAX_STEPS + 1}. `), value.slice(0, 300));
		assert.ok(value.includes(moreStepsText(total - MAX_STEPS)));
	});
});
