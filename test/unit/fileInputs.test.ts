/**
 * The per-file cap on compiler facts (lsp/fileInputs.ts): a generated file with more facts than
 * the cap keeps its heap facts (shown by default) before the inlining decisions (off by default),
 * in the compiler's order, and says how many were left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EscapeFact, EscapeKind } from '../../server/src/model';
import type { OpenDoc } from '../../server/src/lsp/documents';
import { FileInputs, MAX_FACTS_PER_FILE } from '../../server/src/lsp/fileInputs';

function fact(file: string, line: number, kind: EscapeKind): EscapeFact {
	return { kind, pos: { file, line, column: 1 }, message: `${kind} ${line}`, subject: 'x', flows: [] } as unknown as EscapeFact;
}

const doc = { uri: 'file:///m/big.go', filePath: '/m/big.go', dir: '/m' } as unknown as OpenDoc;

test('over the cap: heap facts first (a file whose first 10,000 facts are inlining decisions still shows its heap facts)', () => {
	const facts: EscapeFact[] = [];
	for (let i = 1; i <= MAX_FACTS_PER_FILE; i++) facts.push(fact('/m/big.go', i, 'inlining'));
	facts.push(fact('/m/other.go', 1, 'moved-to-heap'));
	for (let i = 1; i <= 50; i++) facts.push(fact('/m/big.go', MAX_FACTS_PER_FILE + i, i % 2 ? 'moved-to-heap' : 'does-not-escape'));
	const notes: (string | undefined)[] = [];
	const inputs = new FileInputs({ facts: () => facts, typedGen: () => 0, note: (_d, more) => notes.push(more) });
	const mine = inputs.facts(doc)!;
	assert.equal(mine.length, MAX_FACTS_PER_FILE);
	assert.equal(mine.filter((f) => f.kind === 'moved-to-heap').length, 25, 'every heap fact kept');
	assert.equal(mine.filter((f) => f.kind === 'does-not-escape').length, 25);
	assert.ok(mine.every((f) => f.pos.file === '/m/big.go'));
	assert.ok(mine.every((f, i) => i === 0 || mine[i - 1].pos.line < f.pos.line), "in the compiler's order");
	assert.deepEqual(notes, [`50 of ${MAX_FACTS_PER_FILE + 50} compiler facts not shown (at most ${MAX_FACTS_PER_FILE} per file, heap facts first)`]);
	assert.equal(inputs.facts(doc), mine, 'worked out once per fact list');
});

test('under the cap: every fact of the file, nothing noted', () => {
	const facts = [fact('/m/big.go', 1, 'inlining'), fact('/m/big.go', 2, 'moved-to-heap'), fact('/m/a.go', 3, 'moved-to-heap')];
	const notes: (string | undefined)[] = [];
	const inputs = new FileInputs({ facts: () => facts, typedGen: () => 0, note: (_d, more) => notes.push(more) });
	assert.deepEqual(inputs.facts(doc)!.map((f) => f.pos.line), [1, 2]);
	assert.deepEqual(notes, [undefined]);
});
