/** The report layer's profile pieces (pure): cost notes by share, severities following cost, hover text, line moves. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { defaultSettings, parseSettings } from '../../../common/settings';
import type { LineCost } from '../../../server/src/profile/join';
import { costHover, costSeverities, costSites, type FileProfile } from '../../../server/src/report/profileCosts';
import { shiftLines } from '../../../server/src/lsp/profiles';

const cost = (line: number, own: number, flat = own, callees: LineCost['callees'] = []): LineCost => ({
	file: '/m/a.go',
	line,
	profileLine: line,
	func: 'example.com/m.F',
	flat: { value: flat, bytes: flat, objects: flat / 16 },
	own: { value: own, bytes: own, objects: own / 16 },
	cum: { value: own, bytes: own, objects: own / 16 },
	callees,
});

const fp: FileProfile = {
	sampleType: 'alloc_space',
	unit: 'bytes',
	total: 10_000,
	lines: new Map([
		[5, cost(5, 4_000)],
		[9, cost(9, 320, 0, [{ func: 'strconv.formatBits', file: '/usr/local/go/src/strconv/itoa.go', line: 200, value: 320 }])],
		[12, cost(12, 16)],
	]),
};

const diag = (line: number, code: string): Diagnostic => ({ range: { start: { line, character: 1 }, end: { line, character: 2 } }, severity: DiagnosticSeverity.Information, source: 'memlens', code, message: 'moved to heap: p' });

test('cost notes: one per measured line, 0-based, levelled by goMemlens.profile.warnShare', () => {
	const sites = costSites(fp, defaultSettings);
	assert.deepEqual(sites.map((s) => [s.line, s.level]), [[4, 'high'], [8, 'medium'], [11, 'low']]);
	assert.equal(sites[0].label, '3.9 kB · 250 allocs · 40 %');
});

test('severities: facts on costly lines become warnings with their cost; focus makes unmeasured ones hints; rule findings untouched', () => {
	const out = costSeverities([diag(4, 'moved-to-heap'), diag(6, 'escapes-to-heap'), { ...diag(4, 'pool-put-missing') }], fp, parseSettings({ profile: { focus: true } }));
	assert.equal(out[0].severity, DiagnosticSeverity.Warning);
	assert.match(String(out[0].message), /\[measured: 3\.9 kB · 250 allocs · 40 % of alloc_space\]$/);
	assert.equal(out[1].severity, DiagnosticSeverity.Hint);
	assert.equal(out[2].severity, DiagnosticSeverity.Information);
	const off = costSeverities([diag(4, 'moved-to-heap'), diag(6, 'escapes-to-heap')], fp, parseSettings({ profile: { warnShare: 0 } }));
	assert.deepEqual(off.map((d) => d.severity), [DiagnosticSeverity.Information, DiagnosticSeverity.Information]);
});

test('hover: the line’s cost, and where a call from a line without a fact allocated', () => {
	assert.match(costHover(fp, 4, true, true)!, /^\*\*Measured\*\* \(alloc_space\): 3\.9 kB · 250 allocs · 40 % of the profile$/);
	const h = costHover(fp, 8, false, false)!;
	assert.match(h, /No heap fact on this line: the allocations are in calls from it, into:\n  strconv\.formatBits \(itoa\.go:200\): 3\.2 %/);
	assert.equal(costHover(fp, 0, true, false), undefined);
});

test('compare: per-line differences against the baseline, and lines that no longer allocate', () => {
	const cmp: FileProfile = { ...fp, baseline: { total: 20_000, lines: new Map([[5, cost(5, 100_000)], [7, cost(7, 64)]]) } };
	const sites = costSites(cmp, defaultSettings);
	assert.match(sites.find((s) => s.line === 4)!.label, / · −96 % bytes$/);
	assert.match(sites.find((s) => s.line === 8)!.label, / · new: 320 B$/);
	assert.equal(sites.find((s) => s.line === 6)!.label, 'no allocation now · −100 % bytes');
});

test('measured lines move with edits; lines inside replaced text are dropped', () => {
	const lines = new Map([[3, 'a'], [5, 'b'], [9, 'c']]);
	const ins = (line: number, text: string) => ({ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text });
	assert.deepEqual([...shiftLines(lines, [ins(0, '//x\n//y\n')])], [[5, 'a'], [7, 'b'], [11, 'c']]);
	// Delete lines 4–5 (1-based): 5 was inside, 9 moves up by 2.
	assert.deepEqual([...shiftLines(lines, [{ range: { start: { line: 3, character: 0 }, end: { line: 5, character: 0 } }, text: '' }])], [[3, 'a'], [7, 'c']]);
	// Text inserted at the start of a measured line pushes its cost down with it.
	assert.deepEqual([...shiftLines(lines, [ins(4, 'x := 1\n')])], [[3, 'a'], [6, 'b'], [10, 'c']]);
	// Typing inside a line moves nothing.
	assert.deepEqual([...shiftLines(lines, [{ range: { start: { line: 4, character: 3 }, end: { line: 4, character: 3 } }, text: 'x' }])], [[3, 'a'], [5, 'b'], [9, 'c']]);
	assert.deepEqual([...shiftLines(lines, [{ text: 'whole' }])], []);
});
