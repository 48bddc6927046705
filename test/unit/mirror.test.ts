/**
 * The rules' JS copy of the syntax tree (server/src/syntax/mirror.ts) against a fresh copy of a
 * fresh parse, through long random edit sequences on real Go files: every node's type, field,
 * range and position must match after every edit, whichever path the update took.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { TreeCache } from '../../server/src/syntax/treeCache';
import { newGoParser } from '../../server/src/syntax/goParser';
import { LineStarts } from '../../server/src/syntax/lineStarts';
import { mirrorOf, type MNode } from '../../server/src/syntax/mirror';

const ROOT = path.resolve(__dirname, '..', '..');

function dump(n: MNode, depth = 0, out: string[] = []): string[] {
	const p = n.startPosition;
	const e = n.endPosition;
	out.push(`${depth} ${n.type}${n.field ? `:${n.field}` : ''}${n.isNamed ? '' : ' anon'}${n.isMissing ? ' missing' : ''} ${n.startIndex}-${n.endIndex} ${p.row}:${p.column}-${e.row}:${e.column}`);
	for (const c of n.children) dump(c, depth + 1, out);
	return out;
}

/** A small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const PIECES = ['x', ' ', '\n', '"', '`', '{', '}', '(', ')', '/*', '*/', '//', 'func f() {}\n', ':= 1', '.', ',', 'go ', '\t'];

function lspPos(text: string, offset: number): { line: number; character: number } {
	const before = text.slice(0, offset).split('\n');
	return { line: before.length - 1, character: before[before.length - 1].length };
}

test('line starts follow inserts, deletes and newlines', () => {
	const r = rng(7);
	let text = 'a\nbc\n\ndef\n';
	let lines = LineStarts.of(text);
	for (let i = 0; i < 2000; i++) {
		const start = Math.floor(r() * (text.length + 1));
		const end = Math.min(text.length, start + Math.floor(r() * 4));
		const ins = r() < 0.5 ? '' : PIECES[Math.floor(r() * PIECES.length)];
		lines = lines.edited(start, end, ins);
		text = text.slice(0, start) + ins + text.slice(end);
		const want = LineStarts.of(text);
		for (let o = 0; o <= text.length; o += 1 + Math.floor(r() * 3)) assert.deepEqual(lines.pointAt(o), want.pointAt(o), `offset ${o} after edit ${i}`);
		assert.equal(lines.lineCount, want.lineCount);
		const rows = text.split('\n');
		for (let k = 0; k < 5; k++) {
			const row = Math.floor(r() * (rows.length + 1));
			const col = Math.floor(r() * 8);
			const at = row >= rows.length ? text.length : rows.slice(0, row).join('\n').length + (row ? 1 : 0) + Math.min(col, rows[row].length);
			assert.equal(lines.offsetAt(row, col), at, `row ${row} column ${col} after edit ${i}`);
		}
	}
});

test('the changed ranges a reparse reports cover what tree-sitter says changed, without asking it when the edit stayed inside one declaration', async () => {
	const files = [path.join(ROOT, 'test/fixtures/lsp/keystrokes/pool.go'), '/usr/local/go/src/fmt/print.go'];
	const parser = await newGoParser();
	const trees = await TreeCache.create();
	let cheap = 0;
	try {
		for (const [fi, file] of files.entries()) {
			let text = readFileSync(file, 'utf8');
			const r = rng(77 + fi);
			const uri = `file:///c${fi}.go`;
			trees.open(uri, text, 1);
			trees.takeChanged(uri);
			let prev = parser.parse(text)!;
			for (let i = 0; i < 200; i++) {
				const at = Math.floor(r() * text.length);
				const del = r() < 0.3 ? Math.floor(r() * 3) : 0;
				const ins = r() < 0.8 ? PIECES[Math.floor(r() * (r() < 0.7 ? 2 : PIECES.length))] : '';
				const change: TextDocumentContentChangeEvent = { range: { start: lspPos(text, at), end: lspPos(text, at + del) }, text: ins };
				const before = trees.get(uri)!.tree;
				const spy = before.getChangedRanges.bind(before);
				let asked = false;
				before.getChangedRanges = (t) => ((asked = true), spy(t));
				const p = lspPos(text, at);
				const e = lspPos(text, at + del);
				text = text.slice(0, at) + ins + text.slice(at + del);
				trees.applyChanges(uri, [change], text, i + 2);
				if (!asked) cheap++;
				const got = trees.takeChanged(uri);
				assert.notEqual(got, 'all');
				// Reference: the same edit on a separate tree, and tree-sitter's own changed ranges.
				const end = lspPos(text, at + ins.length);
				prev.edit({ startIndex: at, oldEndIndex: at + del, newEndIndex: at + ins.length, startPosition: { row: p.line, column: p.character }, oldEndPosition: { row: e.line, column: e.character }, newEndPosition: { row: end.line, column: end.character } } as never);
				const next = parser.parse(text, prev)!;
				for (const c of prev.getChangedRanges(next)) {
					const covered = (got as { start: number; end: number }[]).some((g) => g.start <= c.startIndex && c.endIndex <= g.end);
					assert.ok(covered, `${path.basename(file)} edit ${i}: tree-sitter changed ${c.startIndex}-${c.endIndex}, reported ${JSON.stringify(got)}`);
				}
				prev.delete();
				prev = next;
			}
			prev.delete();
		}
	} finally {
		trees.dispose();
		parser.delete();
	}
	assert.ok(cheap > 100, `only ${cheap} of 400 edits skipped getChangedRanges`);
});

test('the kept mirror equals a fresh one after every edit (random edits on real files)', async () => {
	const files = ['test/fixtures/lsp/keystrokes/pool.go', 'examples/pool/pool.go'].map((f) => path.join(ROOT, f));
	files.push('/usr/local/go/src/sync/pool.go');
	const trees = await TreeCache.create();
	let inPlace = 0;
	let edits = 0;
	try {
		for (const [fi, file] of files.entries()) {
			let text: string;
			try {
				text = readFileSync(file, 'utf8');
			} catch {
				continue;
			}
			const r = rng(Number(process.env.SEED ?? 1000) + fi);
			const uri = `file:///m${fi}.go`;
			trees.open(uri, text, 1);
			// Walk everything once so the edits go through copies that exist (the keystroke path).
			dump(trees.get(uri)!.mirror.rootNode);
			for (let i = 0; i < Number(process.env.MIRROR_EDITS ?? 300); i++) {
				const at = Math.floor(r() * text.length);
				const del = r() < 0.3 ? Math.floor(r() * 3) : 0;
				const ins = r() < 0.7 ? PIECES[Math.floor(r() * (r() < 0.8 ? 2 : PIECES.length))] : '';
				const change: TextDocumentContentChangeEvent = { range: { start: lspPos(text, at), end: lspPos(text, at + del) }, text: ins };
				const before = trees.get(uri)!.mirror.rootNode.children.length;
				text = text.slice(0, at) + ins + text.slice(at + del);
				trees.applyChanges(uri, [change], text, i + 2);
				const m = trees.get(uri)!.mirror;
				if (m.rootNode.children.length === before) inPlace++;
				edits++;
				// The reference is a fresh copy of the same tree: an incremental reparse of broken code may
				// recover differently from a fresh parse, and the mirror must follow the tree it mirrors.
				const ref = mirrorOf(trees.get(uri)!.tree, text).rootNode;
				// Every other edit, compare only the top-level nodes, so lazily read ones are exercised too.
				const tops = (n: MNode) => n.children.map((c) => `${c.type} ${c.startIndex}-${c.endIndex}`);
				const got = i % 2 ? dump(m.rootNode) : tops(m.rootNode);
				const want = i % 2 ? dump(ref) : tops(ref);
				const k = got.findIndex((g, j) => g !== want[j]);
				assert.ok(k < 0 && got.length === want.length, `${path.basename(file)} edit ${i} (${JSON.stringify(ins)} at ${at}, -${del}): first difference at ${k}: ${got[k]} vs ${want[k]}`);
			}
			trees.close(uri);
		}
	} finally {
		trees.dispose();
	}
	assert.ok(edits > 500 && inPlace > 100, `${edits} edits, ${inPlace} kept the top-level list`);
	assert.equal(trees.changedRangeStats.wrong, 0, 'a declaration parsed alone differed from the file\'s reparse');
});

test('a keystroke inside a declaration (or one token) of a valid file copies what a fresh parse gives, before the file is reparsed', async () => {
	const files = ['test/fixtures/lsp/keystrokes/pool.go', '/usr/local/go/src/sync/pool.go', '/usr/local/go/src/fmt/print.go'];
	const trees = await TreeCache.create();
	const parser = await newGoParser();
	let checked = 0;
	try {
		for (const [fi, file] of files.entries()) {
			const base = readFileSync(path.isAbsolute(file) ? file : path.join(ROOT, file), 'utf8');
			const r = rng(Number(process.env.SEED ?? 500) + fi);
			const uri = `file:///v${fi}.go`;
			trees.open(uri, base, 1);
			// Copies read beforehand are reused where the text is the same (all but the second file).
			if (fi !== 1) dump(trees.get(uri)!.mirror.rootNode);
			let version = 1;
			for (let i = 0; i < 300; i++) {
				// An edit of the valid file, then its undo: each from a file without errors.
				const at = Math.floor(r() * base.length);
				const del = r() < 0.3 ? Math.floor(r() * 3) : 0;
				const ins = PIECES[Math.floor(r() * (r() < 0.7 ? 2 : PIECES.length))];
				const text = base.slice(0, at) + ins + base.slice(at + del);
				const local = trees.changedRangeStats.local;
				trees.applyChanges(uri, [{ range: { start: lspPos(base, at), end: lspPos(base, at + del) }, text: ins }], text, ++version);
				if (trees.changedRangeStats.local > local) {
					// Before anything reads the file's tree: the spliced declaration against a fresh parse.
					const m = trees.get(uri)!.mirror;
					const k = m.rootNode.children.findIndex((t) => t.startIndex <= at && at < t.endIndex);
					const fresh = parser.parse(text)!;
					try {
						assert.deepEqual(dump(m.rootNode.children[k]), dump(mirrorOf(fresh, text).rootNode.children[k]), `${path.basename(file)}: ${JSON.stringify(ins)} at ${at}, -${del}`);
					} finally {
						fresh.delete();
					}
					checked++;
				}
				trees.get(uri)!.tree; // the deferred reparse, which checks the copy too
				trees.applyChanges(uri, [{ range: { start: lspPos(text, at), end: lspPos(text, at + ins.length) }, text: base.slice(at, at + del) }], base, ++version);
			}
			trees.close(uri);
		}
	} finally {
		trees.dispose();
		parser.delete();
	}
	const { resync, wrong, token } = trees.changedRangeStats;
	assert.ok(checked > 300, `only ${checked} edits parsed alone`);
	assert.ok(token > 100, `only ${token} edits inside one token`);
	assert.equal(wrong, 0);
	assert.equal(resync, 0);
});

test('copies beyond the budget are dropped, least recently used first, and read again when walked', async () => {
	const text = readFileSync(path.join(ROOT, 'test/fixtures/lsp/keystrokes/pool.go'), 'utf8');
	const trees = await TreeCache.create({ mirrorBudgetChars: text.length * 2 });
	try {
		const all = (uri: string) => dump(trees.get(uri)!.mirror.rootNode);
		trees.open('file:///a.go', text, 1);
		const want = all('file:///a.go');
		trees.open('file:///b.go', text, 1);
		trees.open('file:///c.go', text, 1);
		all('file:///b.go');
		all('file:///c.go');
		const expanded = (uri: string) => trees.get(uri)!.mirror.expandedChars;
		// c was walked last and a first: taking c again drops a (three files are over a two-file budget).
		const full = expanded('file:///c.go');
		assert.ok(full > text.length * 0.9, `${full} characters under expanded nodes`);
		const m = (trees as unknown as { entries: Map<string, { mirror?: { expandedChars: number } }> }).entries;
		assert.equal(m.get('file:///a.go')!.mirror!.expandedChars, 0, 'the least recently used copy is dropped');
		assert.equal(m.get('file:///b.go')!.mirror!.expandedChars, full);
		assert.deepEqual(all('file:///a.go'), want, 'a dropped copy reads back the same');
	} finally {
		trees.dispose();
	}
});

test('a huge file walks tree-sitter in place and finds what the copy finds', async () => {
	const { runRules } = await import('../../server/src/rules/engine');
	const { wholeRunTree, IN_PLACE_CHARS } = await import('../../server/src/syntax/mirror');
	const { goVersion } = await import('./ruleHarness');
	const parser = await newGoParser();
	try {
		for (const f of ['test/fixtures/lsp/keystrokes/pool.go', 'examples/poolgetnoreset.go', 'examples/loopcapture.go']) {
			const text = readFileSync(path.join(ROOT, f), 'utf8');
			const tree = parser.parse(text)!;
			try {
				const copy = mirrorOf(tree, text);
				const base = { text, filePath: '/x/a.go', goVersion: goVersion(21), escape: undefined, isCgo: false };
				const viaCopy = runRules({ ...base, tree: copy });
				const inPlace = runRules({ ...base, tree: tree as unknown as typeof copy });
				assert.ok(viaCopy.length > 0, `${f} has findings`);
				assert.deepEqual(inPlace, viaCopy, f);
			} finally {
				tree.delete();
			}
		}
		// The switch itself: the copy for an edited document up to the limit, tree-sitter's tree otherwise.
		const big = 'package a\n' + '// x\n'.repeat(Math.ceil(IN_PLACE_CHARS / 5));
		const tree = parser.parse(big)!;
		try {
			assert.equal(wholeRunTree(mirrorOf(tree, big)), tree as unknown);
			const small = parser.parse('package a\n')!;
			const m = mirrorOf(small, 'package a\n');
			assert.equal(wholeRunTree(m), small as unknown, 'a document only opened is walked in place');
			m.edited = true;
			assert.equal(wholeRunTree(m), m, 'an edited one through its copy');
			small.delete();
		} finally {
			tree.delete();
		}
	} finally {
		parser.delete();
	}
});

test('a statement parsed alone among siblings of the same text: each copy in its place', async () => {
	const text = `package p\n\nfunc f(n int) int {\n\tn++\n\tn++\n\tn++\n\treturn n\n}\n\n${'// padding\n'.repeat(40)}`;
	const trees = await TreeCache.create();
	const parser = await newGoParser();
	try {
		trees.open('file:///s.go', text, 1);
		dump(trees.get('file:///s.go')!.mirror.rootNode);
		// A fourth `n++` before the others, inside the first one's block.
		const at = text.indexOf('\tn++');
		const next = text.slice(0, at) + '\tn++\n' + text.slice(at);
		const local = trees.changedRangeStats.local;
		trees.applyChanges('file:///s.go', [{ range: { start: lspPos(text, at), end: lspPos(text, at) }, text: '\tn++\n' }], next, 2);
		assert.equal(trees.changedRangeStats.local, local + 1, 'parsed alone');
		const m = trees.get('file:///s.go')!.mirror;
		const fresh = parser.parse(next)!;
		assert.deepEqual(dump(m.rootNode.children[1]), dump(mirrorOf(fresh, next).rootNode.children[1]));
		fresh.delete();
		const stmts = m.rootNode.children[1].childForFieldName('body')!.namedChildren[0].namedChildren;
		assert.equal(new Set(stmts).size, stmts.length);
		stmts.forEach((s, i) => assert.equal(s.parent!.namedChildren[i], s));
		trees.get('file:///s.go')!.tree;
		assert.equal(trees.changedRangeStats.resync, 0);
	} finally {
		trees.dispose();
		parser.delete();
	}
});

test('typing inside one token keeps the tree only where its kind cannot change', async () => {
	// (Padded: a declaration is parsed alone only in a file several times its size.)
	const text = `package p\n\nimport "bytes"\n\nfunc f(i int) any {\n\t_ = "ab" // note\n\treturn new(bytes.Buffer)\n}\n${'// padding\n'.repeat(40)}`;
	const cases: [string, string, boolean][] = [
		['(i int', 'x', true], // i → ix
		['(i int', 'f', false], // i → if: a keyword
		['new(', 'x', false], // new → nxew: new(T) takes a type, nxew(x) an expression
		['"ab', 'c', true], // string content
		['"ab', '"', false],
		['// note', 'd', true],
		['bytes.', 'Q', true], // between `.` and `Buffer`: only the name can take it
		['(i int', '.', false], // not a name any more
	];
	const trees = await TreeCache.create();
	const parser = await newGoParser();
	try {
		for (const [anchor, ins, token] of cases) {
			const at = text.indexOf(anchor) + { '(i int': 2, 'new(': 1, '"ab': 3, '// note': 7, 'bytes.': 6 }[anchor]!;
			trees.open('file:///t.go', text, 1);
			dump(trees.get('file:///t.go')!.mirror.rootNode);
			const before = trees.changedRangeStats.token;
			const next = text.slice(0, at) + ins + text.slice(at);
			trees.applyChanges('file:///t.go', [{ range: { start: lspPos(text, at), end: lspPos(text, at) }, text: ins }], next, 2);
			assert.equal(trees.changedRangeStats.token > before, token, `${JSON.stringify(ins)} at ${JSON.stringify(anchor)}`);
			const fresh = parser.parse(next)!;
			assert.deepEqual(dump(trees.get('file:///t.go')!.mirror.rootNode), dump(mirrorOf(fresh, next).rootNode), `${JSON.stringify(ins)} at ${JSON.stringify(anchor)}`);
			fresh.delete();
		}
		assert.equal(trees.changedRangeStats.wrong, 0);
	} finally {
		trees.dispose();
		parser.delete();
	}
});

test('several keystrokes in one declaration before the deferred reparse runs: one reparse checks them all', async () => {
	let text = `package p\n\nfunc f(n int) int {\n\tfor j := 0; j < n; j++ {\n\t\tn += j\n\t}\n\treturn n\n}\n\n${'// padding\n'.repeat(40)}`;
	const trees = await TreeCache.create();
	const parser = await newGoParser();
	try {
		trees.open('file:///k.go', text, 1);
		dump(trees.get('file:///k.go')!.mirror.rootNode);
		const before = { ...trees.changedRangeStats };
		// A name typed (token path), then a statement changed (parsed alone), with no reparse between.
		const edits: [string, string][] = [['n += j', 'x'], ['xn += j', 'y'], ['return n', ' + 1']];
		for (const [k, [anchor, ins]] of edits.entries()) {
			const at = text.indexOf(anchor) + (ins === ' + 1' ? anchor.length : 0);
			const next = text.slice(0, at) + ins + text.slice(at);
			trees.applyChanges('file:///k.go', [{ range: { start: lspPos(text, at), end: lspPos(text, at) }, text: ins }], next, k + 2);
			text = next;
		}
		assert.equal(trees.changedRangeStats.local - before.local, 3, 'all three without the reparse');
		assert.equal(trees.changedRangeStats.token - before.token, 2);
		const fresh = parser.parse(text)!;
		assert.deepEqual(dump(trees.get('file:///k.go')!.mirror.rootNode), dump(mirrorOf(fresh, text).rootNode));
		fresh.delete();
		trees.get('file:///k.go')!.tree; // the one deferred reparse
		assert.equal(trees.changedRangeStats.resync, before.resync);
		assert.equal(trees.get('file:///k.go')!.tree.rootNode.text, text);
	} finally {
		trees.dispose();
		parser.delete();
	}
});
