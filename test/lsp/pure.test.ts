/** The pure cores of the LSP layer: ranges, merge, fix-all, settings mapping, capability reading. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { factRange, factMessage, mergeDiagnostics, placeFacts } from '../../server/src/report/diagnostics';
import { fixAllEdits } from '../../server/src/lsp/codeActions';
import { parseGoSection, resolveSettings } from '../../server/src/lsp/settingsCache';
import { readClientCaps, serverCapabilities } from '../../server/src/lsp/capabilities';
import type { EscapeFact } from '../../server/src/model';

const r = (l: number, s: number, e: number) => ({ start: { line: l, character: s }, end: { line: l, character: e } });

describe('factRange', () => {
	const lines = ['\tb := make([]byte, n)', '\tx := &T{a: 1, b: 2}', '\t/* é→ */ var q [8]byte', '\ts := []int{1, 2, 3}'];
	test('covers the subject around the compiler position (make points at its parenthesis)', () => {
		assert.deepEqual(factRange(lines, { file: '/a.go', line: 1, column: 11 }, 'make([]byte, n)'), r(0, 6, 21));
	});
	test('a subject with `...` matches its prefix', () => {
		assert.deepEqual(factRange(lines, { file: '/a.go', line: 4, column: 12 }, '[]int{...}'), r(3, 6, 12));
	});
	test('byte columns become UTF-16 characters', () => {
		// `q` is at 1-based byte column 18 (é is 2 bytes, → is 3) but UTF-16 character 14.
		assert.deepEqual(factRange(lines, { file: '/a.go', line: 3, column: 18 }, 'q'), r(2, 14, 15));
	});
	test('falls back to the word at the position when the subject text is elsewhere', () => {
		assert.deepEqual(factRange(lines, { file: '/a.go', line: 2, column: 7 }, '&struct { a int }{...}'), r(1, 6, 8));
	});
});

describe('placeFacts', () => {
	const fact = (file: string, line: number, column: number, subject: string, kind: EscapeFact['kind'] = 'moved-to-heap'): EscapeFact => ({
		kind,
		pos: { file, line, column },
		subject,
		message: `moved to heap: ${subject}`,
		flows: [],
	});
	test('keeps only this file, once per kind and range; extends {...} to the closing brace', () => {
		const text = 'package a\nfunc F() any { return &T{a: 1} }\n';
		const facts = [fact('/m/a.go', 2, 23, '&T{...}', 'escapes-to-heap'), fact('/m/a.go', 2, 23, '&T{...}', 'escapes-to-heap'), fact('/m/b.go', 2, 23, 'x')];
		const placed = placeFacts(facts, '/m/a.go', text, (f) => ({ headline: f.message, why: '', steps: [] }));
		assert.equal(placed.length, 1);
		assert.deepEqual(placed[0].range, r(1, 22, 30));
		assert.deepEqual(placed[0].at, { line: 1, character: 22 });
	});
	test('the message joins headline and why', () => {
		const f = fact('/a.go', 1, 1, 'buf');
		assert.equal(factMessage(f, { headline: '`buf` is moved to the heap', why: 'because its address is taken', steps: [] }), '`buf` is moved to the heap because its address is taken');
		assert.equal(factMessage(f, { headline: 'H', why: 'the compiler proved it', steps: [] }), 'H: the compiler proved it');
	});
});

describe('merge and fix-all', () => {
	test('same code and range once; different codes at one place both stand', () => {
		const d = (code: string) => ({ range: r(1, 0, 3), message: code, code });
		assert.deepEqual(mergeDiagnostics([d('moved-to-heap'), d('moved-to-heap')], [d('pool-put-local-address')]).map((x) => x.code), ['pool-put-local-address', 'moved-to-heap']);
	});
	test('fix-all takes the first safe fix per finding and drops overlapping edits', () => {
		const edit = (l: number, s: number, e: number, t: string) => ({ range: r(l, s, e), newText: t });
		const diag = { range: r(0, 0, 1), message: '' };
		const edits = fixAllEdits([
			{ diagnostic: diag, fixes: [{ title: 'unsafe', edits: [edit(0, 0, 1, 'x')] }, { title: 'a', safe: true, edits: [edit(0, 0, 5, 'a')] }] },
			{ diagnostic: diag, fixes: [{ title: 'b', safe: true, edits: [edit(0, 3, 8, 'b')] }] },
			{ diagnostic: diag, fixes: [{ title: 'c', safe: true, edits: [edit(2, 0, 1, 'c')] }] },
		]);
		assert.deepEqual(edits.map((e) => e.newText), ['a', 'c']);
	});
});

describe('settings and capabilities', () => {
	test("vscode-go's section: comma-separated tags, alternateTools.go, toolsEnvVars; ours win when set", () => {
		const go = parseGoSection({ buildTags: 'integration, linux', alternateTools: { go: '/opt/go/bin/go' }, toolsEnvVars: { GOFLAGS: '-mod=mod', N: 1 }, goroot: ' ' });
		assert.deepEqual(go, { goroot: undefined, alternateGo: '/opt/go/bin/go', buildTags: ['integration', 'linux'], buildFlags: [], env: { GOFLAGS: '-mod=mod' } });
		const s = resolveSettings({ buildTags: ['mine'], env: { GOFLAGS: '' } }, { buildTags: 'theirs', buildFlags: ['-race'] });
		assert.deepEqual([s.buildTags, s.buildFlags, s.env], [['mine'], ['-race'], { GOFLAGS: '' }]);
		assert.equal(resolveSettings(null, null).memlens.debounceMs, 500);
	});
	test('a bare client gets plain capabilities; trusted unless told otherwise', () => {
		const caps = readClientCaps({ capabilities: {}, processId: null, rootUri: null });
		assert.equal(caps.trusted, true);
		assert.equal(caps.memlensExtensions, false);
		assert.equal(caps.configuration, false);
		assert.equal(serverCapabilities(caps).codeActionProvider, true);
		assert.equal(readClientCaps({ capabilities: {}, processId: null, rootUri: null, initializationOptions: { trusted: false } }).trusted, false);
	});
});
