/** causes.ts on captured compiler output: one function per cause in test/fixtures/compiler/causes/c.go. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEscapeOutput } from '../../server/src/escape/parser';
import { CAUSES, CAUSE_IDS, causeOf, causesOf, chainsOf } from '../../server/src/escape/causes';
import { sourceLookup } from '../../server/src/escape/sourceTerms';
import type { EscapeFact } from '../../server/src/model';

const root = path.join(__dirname, '../fixtures/compiler');

function load(name: string) {
	const dir = path.join(root, name);
	const facts = parseEscapeOutput(readFileSync(path.join(dir, 'm2.txt'), 'utf8'), { cwd: dir }).facts;
	const texts = new Map<string, string[]>();
	const src = sourceLookup(facts, (file, n) => {
		if (!texts.has(file)) texts.set(file, readFileSync(file, 'utf8').split('\n'));
		return texts.get(file)![n - 1];
	});
	return { facts, src };
}

function heapAt(facts: EscapeFact[], line: number): EscapeFact {
	const f = facts.find((x) => x.pos.line === line && (x.kind === 'moved-to-heap' || x.kind === 'escapes-to-heap') && x.pos.file.endsWith('c.go'));
	assert.ok(f, `heap fact at ${line}`);
	return f;
}

test('each function of the causes fixture gets its cause', () => {
	const { facts, src } = load('causes');
	const want: [line: number, subject: string, ids: string[]][] = [
		[15, 'map[string]*T{}', ['stored-through-pointer']],
		[28, 'n', ['interface-conversion']],
		[31, 'n', ['fmt-or-reflect']],
		[35, 't', ['passed-to-leaking-param']],
		[41, 'make([]byte, 16)', ['indirect-call']],
		[47, 't', ['indirect-call']],
		[53, 'big', ['captured-by-closure']],
		[54, 'func literal', ['returned']],
		[59, 't', ['returned']],
		[65, 't', ['stored-through-pointer']],
		[71, 't', ['stored-in-slice-or-map']],
		[76, 't', ['stored-in-slice-or-map']],
		[82, 't', ['sent-or-goroutine']],
		[88, 't', ['passed-to-leaking-param', 'captured-by-closure']],
		[90, 'func literal', ['sent-or-goroutine']],
		[99, 't', ['deferred-in-loop']],
		[106, 'n', ['panic']],
		[111, 'make([]byte, 1048576)', ['too-large']],
	];
	for (const [line, subject, ids] of want) {
		const f = heapAt(facts, line);
		assert.equal(f.subject, subject, `line ${line}`);
		assert.deepEqual(causesOf(f, src).map((c) => c.id), ids, `line ${line}: ${f.message}`);
		assert.equal(causeOf(f, src)?.id, ids[0]);
	}
	// Every heap fact of the fixture has a cause other than `other`; no other kind has one.
	for (const f of facts) {
		const c = causeOf(f, src);
		if (f.kind === 'moved-to-heap' || f.kind === 'escapes-to-heap') assert.ok(c && c.id !== 'other', f.message);
		else assert.equal(c, undefined);
	}
});

test('a cause that makes the heap necessary comes first; `other` only when nothing else is known', () => {
	const flow = (dst: string, src: string, reason: string, expr: string) => ({ dst, op: '&', src, steps: [{ expr, reason, pos: { file: '/a.go', line: 2, column: 2 } }] });
	const fact: EscapeFact = {
		kind: 'moved-to-heap',
		pos: { file: '/a.go', line: 1, column: 2 },
		subject: 't',
		message: 'moved to heap: t',
		flows: [flow('{heap}', 't', 'assign', 'gp = &t'), flow('~r0', 't', 'return', 'return &t'), flow('{heap}', 't', 'spill', 't')],
	};
	assert.equal(chainsOf(fact).length, 3, 'a flow not starting where the last ended starts a chain');
	assert.deepEqual(causesOf(fact).map((c) => c.id), ['returned', 'stored-through-pointer']);
	assert.deepEqual(causesOf({ ...fact, flows: [flow('{heap}', 't', 'spill', 't')] }).map((c) => c.id), ['other']);
	assert.deepEqual(causesOf({ ...fact, flows: [] }).map((c) => c.id), ['other']);
});

test('chains are cut where a flow does not continue the last one (explainPath)', () => {
	const { facts } = load('causes');
	const t = heapAt(facts, 88);
	assert.deepEqual(chainsOf(t).map((c) => c.map((f) => f.dst)), [['{heap}'], ['{storage for func literal}']]);
	const count = facts.find((f) => f.kind === 'escapes-to-heap' && f.pos.line === 31)!;
	assert.deepEqual(chainsOf(count).map((c) => c.map((f) => f.dst)), [['{storage for ... argument}', '{heap}']]);
});

test('every cause has a title; expected causes say so; advice is given where there is some', () => {
	for (const id of CAUSE_IDS) {
		assert.ok(CAUSES[id].title.length > 0 && CAUSES[id].title.length <= 60, id);
		if (CAUSES[id].advice) assert.ok(CAUSES[id].advice!.length > 20, id);
	}
	assert.deepEqual(CAUSE_IDS.filter((id) => CAUSES[id].expected), ['returned', 'sent-or-goroutine', 'panic']);
});

test('the fixtures of every case classify without throwing; without the source the cause falls back, never to a compiler name', () => {
	for (const name of ['basic', 'closure', 'generic', 'method', 'unicode', 'large', 'legacy', 'sourceterms', 'causes']) {
		const dir = path.join(root, name);
		const facts = parseEscapeOutput(readFileSync(path.join(dir, 'm2.txt'), 'utf8'), { cwd: dir }).facts;
		for (const f of facts) {
			for (const c of [...causesOf(f), ...causesOf(f, sourceLookup(facts))]) assert.ok(CAUSE_IDS.includes(c.id), `${name}: ${f.message}`);
		}
	}
});
