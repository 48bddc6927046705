import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEscapeOutput } from '../../server/src/escape/parser';
import { explainFact, shortLabel } from '../../server/src/escape/explain';
import type { EscapeFact } from '../../server/src/model';

const root = path.join(__dirname, '../fixtures/compiler');

function facts(name: string): EscapeFact[] {
	const dir = path.join(root, name);
	return parseEscapeOutput(readFileSync(path.join(dir, 'm2.txt'), 'utf8'), { cwd: dir }).facts;
}

function at(list: EscapeFact[], line: number, kind: string, subject?: string): EscapeFact {
	const f = list.find((x) => x.pos.line === line && x.kind === kind && (subject === undefined || x.subject === subject));
	assert.ok(f, `${kind} at ${line}`);
	return f;
}

test('pool.Put(&buf): moved to the heap because its address goes to (*sync.Pool).Put', () => {
	const buf = at(facts('basic'), 12, 'moved-to-heap', 'buf');
	const e = explainFact(buf);
	assert.equal(e.headline, '`buf` is moved to the heap');
	assert.equal(
		e.why,
		'because its address is taken (`&buf`) at line 13, it is converted to an interface at line 13 and it is passed to `(*sync.Pool).Put` at line 13, so it flows to the heap',
	);
	assert.deepEqual(e.steps.map((s) => [s.text, s.pos.line]), [
		['address-of: &buf', 13],
		['interface-converted: &buf', 13],
		['call parameter: (*sync.Pool).Put(pool, &buf)', 13],
	]);
	assert.equal(shortLabel(buf), 'heap: buf — address passed to (*sync.Pool).Put');
});

test('each reason the fixtures trigger is worded from the chain', () => {
	const b = facts('basic');
	assert.match(explainFact(at(b, 25, 'moved-to-heap', 'x')).why, /^because its address is taken \(`&x`\) at line 26 and it is returned at line 26, so it flows to the function's result$/);
	assert.equal(shortLabel(at(b, 25, 'moved-to-heap', 'x')), 'heap: x — address returned');
	assert.equal(explainFact(at(b, 30, 'leaking-param')).headline, "parameter `p` leaks to the function's result");
	assert.equal(shortLabel(at(b, 30, 'leaking-param')), 'leaks: p → result — returned');
	assert.match(explainFact(at(b, 37, 'leaking-param')).why, /assigned \(`sink = p`\) at line 38, so it flows to the heap$/);
	assert.match(explainFact(at(b, 71, 'moved-to-heap', 'a')).why, /stored in a slice literal at line 72/);
	assert.match(explainFact(at(b, 76, 'leaking-param-content')).why, /read out of a range loop at line 77/);
	assert.equal(explainFact(at(b, 44, 'leaking-param-content')).headline, 'what parameter `q` points to leaks (it may outlive the call)');

	const c = facts('closure');
	assert.match(explainFact(at(c, 14, 'moved-to-heap', 'pkt')).why, /^because it is captured by a closure at line 16/);
	assert.equal(shortLabel(at(c, 14, 'moved-to-heap', 'pkt')), 'heap: pkt — captured by a closure');
	assert.equal(explainFact(at(c, 6, 'escapes-to-heap')).headline, 'this closure (func literal) is allocated on the heap');

	const l = facts('large');
	assert.equal(explainFact(at(l, 5, 'moved-to-heap', 'a')).why, 'because it is too large for the stack, so it flows to the heap');
	assert.equal(shortLabel(at(l, 5, 'moved-to-heap', 'a')), 'heap: a — too large for stack');
	assert.equal(shortLabel(at(l, 28, 'escapes-to-heap')), 'heap: make([]byte, 1048576) — too large for stack');
	assert.match(explainFact(at(l, 34, 'escapes-to-heap')).why, /zero-sized/);
	assert.match(explainFact(at(l, 23, 'escapes-to-heap', 'func literal')).why, /stored in a struct literal at line 23 and it is passed to `append` at line 23/);
});

test('does-not-escape and inlining facts', () => {
	const b = facts('basic');
	const xs = explainFact(at(b, 59, 'does-not-escape', 'xs'));
	assert.equal(xs.headline, '`xs` stays on the stack');
	assert.equal(xs.why, 'the compiler proved it does not outlive the call');
	assert.equal(shortLabel(at(b, 59, 'does-not-escape')), 'stack: xs');
	const spawn = at(facts('closure'), 13, 'inlining', 'Spawn');
	assert.equal(explainFact(spawn).why, 'the compiler says: unhandled op GO');
	assert.equal(shortLabel(spawn), 'no inline: Spawn');
});

test('every fact of every fixture gets a non-empty explanation and a label of at most 60 chars', () => {
	for (const name of ['basic', 'closure', 'generic', 'method', 'unicode', 'large', 'cgo', 'legacy']) {
		for (const f of facts(name)) {
			const e = explainFact(f);
			assert.ok(e.headline.length > 0 && e.why.length > 0, f.message);
			const label = shortLabel(f);
			assert.ok(label.length > 0 && label.length <= 60, `${label} (${label.length})`);
			// Explanations only name reasons the compiler printed, with its expression when that is what the source says.
			const all = f.flows.flatMap((fl) => fl.steps);
			assert.equal(e.steps.length, all.length);
			e.steps.forEach((s, i) => {
				assert.ok(s.text.startsWith(`${all[i].reason}: `), s.text);
				if (!/~r\d|\.autotmp_|\.\.\. argument|\.\.[a-z]/.test(all[i].expr)) assert.equal(s.text, `${all[i].reason}: ${all[i].expr}`);
			});
		}
	}
});
