/**
 * The fact cache (lsp/factCache.ts) against fresh builds: after every step of random edit
 * sequences on the captured compiler fixtures (characters, line breaks and deletions before, inside
 * and after facts, several changes in one notification), new facts as a save brings them, stale
 * marks, settings and client capabilities, a report built with the document's cache equals one built
 * from nothing: diagnostics, placed facts, heap sites and the facts the rules get. The publish the
 * stdio writer frames from the kept diagnostics equals JSON.stringify of the fresh one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { parseEscapeOutput } from '../../server/src/escape/parser';
import type { EscapeFact } from '../../server/src/model';
import { readClientCaps, type ClientCaps } from '../../server/src/lsp/capabilities';
import { FactCache, isKept } from '../../server/src/report/factCache';
import { shiftFacts } from '../../server/src/util/editShift';
import { fileReport, type FileInput, type FileReport } from '../../server/src/report/fileReport';
import { resolveSettings, type ResolvedSettings } from '../../server/src/lsp/settingsCache';
import type { RuleInput } from '../../server/src/lsp/ruleRuns';
import { encodeMessage } from '../../server/src/lsp/wire';
import { goVersion } from './ruleHarness';

/** The report reads go.mod and C sources through these; fixed here (no disk). */
const SOURCES = { goVersion: () => goVersion(21), packageC: () => '' };

const root = path.join(__dirname, '../fixtures/compiler');
const CASES: [string, string][] = [
	['basic', 'a.go'],
	['closure', 'c.go'],
	['generic', 'g.go'],
	['method', 'm.go'],
	['unicode', 'u.go'],
	['large', 'l.go'],
	// Explanations here read lines other than the fact's own (a step's call, the go statement, imports).
	['sourceterms', 's.go'],
	['causes', 'c.go'],
];

/** mulberry32: a small seeded PRNG, so a failure names its seed. */
function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const CAPS: Record<string, ClientCaps> = {
	full: readClientCaps({
		processId: null,
		rootUri: null,
		capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, versionSupport: true } } },
	}),
	bare: readClientCaps({ processId: null, rootUri: null, capabilities: {} }),
};

const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'] as const;

function randomSettings(r: () => number): ResolvedSettings {
	const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
	return resolveSettings(
		{
			escapeSeverities: { 'moved-to-heap': pick(SEVERITIES), 'escapes-to-heap': pick(SEVERITIES), 'leaking-param': pick(SEVERITIES), 'does-not-escape': pick(SEVERITIES), inlining: pick(SEVERITIES) },
			decorations: { enabled: r() < 0.8, kinds: ['moved-to-heap', 'escapes-to-heap', 'leaking-param', 'leaking-param-content'].filter(() => r() < 0.6) },
		},
		null,
	);
}

/** Everything a report shows, as text: what must not depend on the cache. */
function view(report: FileReport, escape: RuleInput['escape']): string {
	return JSON.stringify({
		diagnostics: report.diagnostics,
		placed: report.placed.map((p) => ({ fact: p.fact, range: p.range, at: p.at, explanation: p.explanation })),
		heapSites: report.heapSites,
		escape,
	});
}

function lineStarts(text: string): number[] {
	const s = [0];
	for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) s.push(i + 1);
	return s;
}

/** A random incremental change of `text`, mostly on lines that hold facts; never splits a surrogate pair. */
function randomChange(r: () => number, text: string, factLines: number[]): { change: TextDocumentContentChangeEvent; text: string } {
	const starts = lineStarts(text);
	const lineLen = (l: number) => (l + 1 < starts.length ? starts[l + 1] - 1 : text.length) - starts[l];
	const snap = (off: number) => (off > 0 && off < text.length && /[\udc00-\udfff]/.test(text[off]) ? off - 1 : off);
	const pickLine = () => (factLines.length && r() < 0.7 ? Math.min(starts.length - 1, Math.max(0, factLines[Math.floor(r() * factLines.length)] + Math.floor(r() * 3) - 1)) : Math.floor(r() * starts.length));
	const line = pickLine();
	const start = snap(starts[line] + Math.floor(r() * (lineLen(line) + 1)));
	const k = r();
	let end = start;
	let insert: string;
	if (k < 0.35) insert = ['x', ' ', '{', '}', '(', ')', '世', '🚀', 'make(', '&'][Math.floor(r() * 10)];
	else if (k < 0.55) insert = ['\n', '\n\t// note\n', '\n\n'][Math.floor(r() * 3)];
	else {
		const endLine = Math.min(starts.length - 1, line + (r() < 0.6 ? 0 : Math.floor(r() * 3)));
		end = snap(Math.max(start, Math.min(text.length, starts[endLine] + Math.floor(r() * (lineLen(endLine) + 1)))));
		insert = k < 0.8 ? '' : ['y', 'y\nz', '\t'][Math.floor(r() * 3)];
	}
	const pos = (off: number) => {
		let l = 0;
		while (l + 1 < starts.length && starts[l + 1] <= off) l++;
		return { line: l, character: off - starts[l] };
	};
	return { change: { range: { start: pos(start), end: pos(end) }, text: insert }, text: text.slice(0, start) + insert + text.slice(end) };
}

/** Facts a save brings: the compile's facts as new objects, some gone, some with another message or subject. */
function newFacts(r: () => number, facts: EscapeFact[]): EscapeFact[] {
	const copy = structuredClone(facts);
	return copy.filter(() => r() < 0.85).map((f) => (r() < 0.1 ? { ...f, message: `${f.message} (again)` } : r() < 0.05 ? { ...f, subject: f.subject.slice(1) } : f));
}

function run(caseName: string, file: string, seed: number, steps: number, firstCaps: ClientCaps): { reused: number; built: number } {
	const dir = path.join(root, caseName);
	const filePath = path.join(dir, file);
	const uri = URI.file(filePath).toString();
	const compiled = parseEscapeOutput(readFileSync(path.join(dir, 'm2.txt'), 'utf8'), { cwd: dir }).facts;
	const r = rng(seed);
	let text = readFileSync(filePath, 'utf8');
	let facts = compiled;
	let stale = false;
	let settings = resolveSettings(null, null);
	let caps = firstCaps;
	const cache = new FactCache();
	const tree = {} as NonNullable<FileInput['tree']>; // the rules below only record what they are given
	let last = new Set<object>();
	const stats = { reused: 0, built: 0 };
	for (let step = 0; step < steps; step++) {
		const what = r();
		if (what < 0.06) facts = newFacts(r, compiled);
		else if (what < 0.09) stale = !stale;
		else if (what < 0.12) settings = randomSettings(r);
		else if (what < 0.13) caps = caps === CAPS.full ? CAPS.bare : CAPS.full;
		else if (what < 0.16) {
			// A full-text change leaves the facts as they are until the next compile, even past the end of a shorter text.
			const lines = text.split('\n');
			text = lines.slice(0, Math.floor(lines.length * (0.5 + r() / 2))).map((l) => (r() < 0.2 ? l.slice(0, Math.floor(l.length * r())) : l)).join('\n');
			facts = shiftFacts(facts, filePath, [{ text }]);
		} else {
			const changes: TextDocumentContentChangeEvent[] = [];
			for (let n = r() < 0.15 ? 2 : 1; n > 0; n--) {
				const factLines = facts.filter((f) => f.pos.file === filePath).map((f) => f.pos.line - 1);
				const c = randomChange(r, text, factLines);
				changes.push(c.change);
				text = c.text;
			}
			facts = shiftFacts(facts, filePath, changes);
		}
		const build = (withCache: boolean) => {
			let escape: RuleInput['escape'];
			const report = fileReport({
				uri,
				filePath,
				text,
				tree,
				facts,
				sources: SOURCES,
				stale,
				settings,
				caps,
				log: () => undefined,
				rules: (ctx) => ((escape = ctx.escape), []),
				cache: withCache ? cache : undefined,
			});
			return { report, escape };
		};
		const fresh = build(false);
		const cached = build(true);
		const where = `${caseName} seed ${seed} step ${step}`;
		assert.equal(view(cached.report, cached.escape), view(fresh.report, fresh.escape), where);
		const inFile = new Set(facts.filter((f) => f.pos.file === filePath));
		assert.ok(cache.size <= inFile.size, `${where}: the cache holds only facts of this placing (${cache.size} > ${inFile.size})`);
		const diags = cached.report.diagnostics;
		assert.ok(diags.every(isKept), `${where}: published diagnostics are kept (frozen)`);
		const msg = (diagnostics: unknown[]) => ({ jsonrpc: '2.0' as const, method: 'textDocument/publishDiagnostics', params: { uri, version: step, diagnostics } });
		assert.ok(encodeMessage(msg(diags)).equals(Buffer.from(JSON.stringify(msg(fresh.report.diagnostics)))), `${where}: framed publish`);
		for (const d of diags) stats[last.has(d) ? 'reused' : 'built']++;
		last = new Set(diags);
	}
	return stats;
}

for (const [caseName, file] of CASES) {
	test(`${caseName}: the cached report equals a fresh one after every step of random edits, saves, stale marks and settings`, () => {
		let reused = 0;
		let built = 0;
		for (let seed = 1; seed <= 12; seed++) {
			const s = run(caseName, file, seed * 7919, 60, seed % 3 === 0 ? CAPS.bare : CAPS.full);
			reused += s.reused;
			built += s.built;
		}
		// The comparison means something only if the cache was used: most diagnostics come from it.
		assert.ok(reused > built, `reused ${reused} diagnostics, built ${built}`);
	});
}

test('a fact keeps its cached diagnostic while the edit is elsewhere, and gets a new one when its line changes', () => {
	const dir = path.join(root, 'basic');
	const filePath = path.join(dir, 'a.go');
	const facts = parseEscapeOutput(readFileSync(path.join(dir, 'm2.txt'), 'utf8'), { cwd: dir }).facts;
	let text = readFileSync(filePath, 'utf8');
	const settings = resolveSettings(null, null);
	const cache = new FactCache();
	const report = (fs: EscapeFact[]) =>
		fileReport({ uri: URI.file(filePath).toString(), filePath, text, tree: undefined, facts: fs, stale: false, settings, caps: CAPS.full, sources: SOURCES, log: () => undefined, cache });
	const buf = (r: FileReport) => r.diagnostics.find((d) => d.code === 'moved-to-heap' && d.range.start.line === 11)!;
	const first = buf(report(facts));
	// typing in the comment of line 10 (0-based 9): buf (line 11) is untouched
	const at = { line: 9, character: 3 };
	text = text.split('\n').map((l, i) => (i === 9 ? l.slice(0, 3) + 'x' + l.slice(3) : l)).join('\n');
	const shifted = shiftFacts(facts, filePath, [{ range: { start: at, end: at }, text: 'x' }]);
	assert.equal(shifted, facts, 'nothing moved');
	assert.equal(buf(report(shifted)), first, 'same diagnostic object');
	// a line break above: buf moves to line 12, its message names the new lines
	const top = { line: 0, character: 0 };
	text = '\n' + text;
	const moved = shiftFacts(facts, filePath, [{ range: { start: top, end: top }, text: '\n' }]);
	const after = report(moved).diagnostics.find((d) => d.code === 'moved-to-heap' && d.range.start.line === 12)!;
	assert.notEqual(after, first);
	assert.match(String(after.message), /line 14/);
	assert.match(String(first.message), /line 13/);
});
