import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shiftFacts } from '../../server/src/util/editShift';
import type { EscapeFact } from '../../server/src/model';

const file = '/m/a.go';
function fact(line: number, column: number, subject: string, stepLine = line + 1): EscapeFact {
	return {
		kind: 'moved-to-heap',
		pos: { file, line, column },
		subject,
		message: `moved to heap: ${subject}`,
		flows: [{ dst: '{heap}', op: '&', src: subject, steps: [{ expr: `&${subject}`, reason: 'address-of', pos: { file, line: stepLine, column: 9 } }] }],
	};
}
const at = (line: number, character: number) => ({ line, character });

test('a line inserted above a fact moves it (and its flow steps) down', () => {
	const facts = [fact(5, 2, 'x'), fact(2, 1, 'before')];
	const out = shiftFacts(facts, file, [{ range: { start: at(2, 0), end: at(2, 0) }, text: '\t// note\n' }]);
	assert.deepEqual(out.map((f) => [f.subject, f.pos.line, f.flows[0].steps[0].pos.line]), [['x', 6, 7], ['before', 2, 4]]);
});

test('deleting lines above moves facts up; a fact inside the deleted text is dropped', () => {
	const facts = [fact(3, 2, 'gone'), fact(8, 2, 'kept')];
	const out = shiftFacts(facts, file, [{ range: { start: at(1, 0), end: at(4, 0) }, text: '' }]);
	assert.deepEqual(out.map((f) => [f.subject, f.pos.line]), [['kept', 5]]);
});

test('typing after a fact on its line keeps it; typing before it shifts its column; editing over it drops it', () => {
	const facts = [fact(4, 2, 'x')];
	assert.equal(shiftFacts(facts, file, [{ range: { start: at(3, 10), end: at(3, 10) }, text: 'y' }]), facts);
	assert.equal(shiftFacts(facts, file, [{ range: { start: at(3, 0), end: at(3, 0) }, text: 'yy' }])[0].pos.column, 4);
	assert.deepEqual(shiftFacts(facts, file, [{ range: { start: at(3, 0), end: at(3, 3) }, text: '' }]), []);
});

test('other files, edits below, and full-text changes leave the facts as they are', () => {
	const other = { ...fact(9, 1, 'o'), pos: { file: '/m/b.go', line: 9, column: 1 } };
	const facts = [fact(2, 1, 'x'), other];
	assert.equal(shiftFacts(facts, file, [{ range: { start: at(5, 0), end: at(5, 0) }, text: '\n\n' }]), facts);
	assert.equal(shiftFacts(facts, file, [{ text: 'package a\n' }]), facts);
});

test('several changes in one notification apply in order', () => {
	const facts = [fact(10, 1, 'x')];
	const out = shiftFacts(facts, file, [
		{ range: { start: at(0, 0), end: at(0, 0) }, text: '\n' }, // x → line 11
		{ range: { start: at(1, 0), end: at(3, 0) }, text: '' }, // x → line 9
	]);
	assert.equal(out[0].pos.line, 9);
});
