/**
 * Allocation profiles in the real server (issue 12): the "Profile allocations" CodeLens above each
 * benchmark runs the real `go test -bench -memprofile` (short benchtime, progress), then the lens
 * shows B/op and allocs/op, the allocating lines get cost notes (beside the heap notes), the
 * compiler's facts on costly lines become warnings and their hovers say what the line cost, the
 * hot-spot view lists the top line with the compiler's reason, and costs move with edits. Loading a
 * captured profile to compare gives per-line differences; URLs are loopback-only by default; an
 * untrusted workspace shows no lens.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Commands, HotSpotsRequest, LoadProfileRequest, type HotSpotsResult, type LoadProfileResult } from '../../common/protocol';
import { LspClient, REPO_ROOT } from './lspClient';
import { configAnswer } from './helpers';

const EX = path.join(REPO_ROOT, 'examples');
const FIX = path.join(REPO_ROOT, 'test', 'fixtures', 'profile');
const text = readFileSync(path.join(EX, 'allocs', 'allocs.go'), 'utf8').split('\n');
const LABELS = text.findIndex((l) => l.includes('out = append(out, "item-"+strconv.Itoa(i))')); // 0-based
const NEWPOINT = text.findIndex((l) => l.includes('p := Point{X: x, Y: y}'));

type Lens = { range: { start: { line: number } }; command: { title: string; command: string; arguments: unknown[] } };

describe('allocation profiles through the language server', () => {
	let client: LspClient;
	let root: string;
	let testUri: string;
	let srcUri: string;
	// Only the "Profile allocations" lenses (the stack lenses of report/stackLens.ts share the request).
	const lenses = async () => ((await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: testUri } })) as Lens[]).filter((l) => l.command?.command === Commands.profileBenchmark);
	const costsOf = (uri: string) => client.heapSites.get(uri)?.costs ?? [];
	/** A request's answer comes after every notification the server sent before it (heap sites follow each publish). */
	const barrier = () => client.debugStats();

	before(async () => {
		root = mkdtempSync(path.join(os.tmpdir(), 'memlens-lsp-profile-'));
		cpSync(path.join(EX, 'go.mod'), path.join(root, 'go.mod'));
		cpSync(path.join(EX, 'allocs'), path.join(root, 'allocs'), { recursive: true });
		client = await LspClient.start({ rootPath: root, configuration: configAnswer({ debounceMs: 0, profile: { benchtime: '50x' } }) });
		srcUri = await client.open(path.join(root, 'allocs', 'allocs.go'));
		testUri = await client.open(path.join(root, 'allocs', 'allocs_test.go'));
		await client.waitForStatus((s) => s.state === 'upToDate' && s.quiescent);
	});
	after(async () => {
		await client.shutdown();
		rmSync(root, { recursive: true, force: true });
	});

	test('a "Profile allocations" lens above each benchmark', async () => {
		const ls = await lenses();
		assert.deepEqual(ls.map((l) => [l.command.title, l.command.arguments[1]]), [
			['Profile allocations', 'BenchmarkNewPoint'],
			['Profile allocations', 'BenchmarkLabels'],
			['Profile allocations', 'BenchmarkSumSquares'],
		]);
		assert.equal(ls[0].command.command, Commands.profileBenchmark);
	});

	test('running it: progress, then B/op and allocs/op in the lens, cost notes, warnings on the costly facts', async () => {
		const begun = client.waitForProgress('begin');
		const r = (await client.connection.sendRequest('workspace/executeCommand', { command: Commands.profileBenchmark, arguments: [testUri, 'BenchmarkLabels'] })) as LoadProfileResult;
		assert.ok(r.ok, r.message);
		const b = await begun;
		assert.equal(b.value.title, 'Profiling BenchmarkLabels');
		assert.equal(b.value.cancellable, true);
		const ls = await lenses();
		assert.match(ls[1].command.title, /^Profile allocations · \d+ B\/op · 69 allocs\/op$/);
		const diags = await client.waitForDiagnostics(srcUri, (d) => d.some((x) => x.severity === 2));
		await barrier();
		const costs = costsOf(srcUri);
		const top = costs.find((c) => c.line === LABELS);
		assert.ok(top, JSON.stringify(costs));
		assert.match(top.label, /^[\d.]+ [kM]?B · [\d.]+ k? ?allocs · [\d.]+ %$/);
		assert.equal(top.level, 'high');
		const warned = diags.filter((d) => d.severity === 2);
		assert.ok(warned.length >= 2 && warned.every((d) => d.range.start.line === LABELS && /\[measured: .* of alloc_space\]$/.test(String(d.message))), JSON.stringify(warned));
	});

	test('hover on the fact shows its line’s cost; the hot-spot view lists the line with the compiler’s reason', async () => {
		const col = text[LABELS].indexOf('append');
		const h = await client.hover(srcUri, LABELS, col + 1);
		assert.match(h?.contents.value ?? '', /\*\*Measured\*\* \(alloc_space\): .* of the profile/);
		const spots = (await client.connection.sendRequest(HotSpotsRequest.type)) as HotSpotsResult;
		assert.match(spots.title, /^alloc_space of BenchmarkLabels/);
		assert.equal(spots.spots[0].uri, srcUri);
		assert.equal(spots.spots[0].line, LABELS);
		assert.match(spots.spots[0].reason, /append escapes to heap/);
		assert.match(spots.notes[0], /^Outside the workspace: /);
	});

	test('costs move with an edit above them', async () => {
		await client.change(srcUri, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '// a new line\n' }]);
		await client.waitForDiagnostics(srcUri, (_, p) => p.version === 2);
		await barrier();
		assert.equal(client.heapSites.get(srcUri)?.version, 2);
		const moved = costsOf(srcUri).find((c) => c.line === LABELS + 1);
		assert.ok(moved, JSON.stringify(costsOf(srcUri)));
		await client.change(srcUri, [{ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, text: '' }]);
		await client.waitForDiagnostics(srcUri, (_, p) => p.version === 3);
		await barrier();
		assert.ok(costsOf(srcUri).find((c) => c.line === LABELS));
	});

	test('a captured profile loaded to compare: per-line differences; a non-loopback URL is refused', async () => {
		const r = (await client.connection.sendRequest(LoadProfileRequest.type, { path: path.join(FIX, 'allocs-abs.pprof.gz'), compare: true })) as LoadProfileResult;
		assert.ok(r.ok, r.message);
		assert.match(r.message, /compared with BenchmarkLabels/);
		await barrier();
		const np = costsOf(srcUri).find((c) => c.line === NEWPOINT)!;
		assert.match(np.label, /· new: 3\.1 kB$/);
		const labels = costsOf(srcUri).find((c) => c.line === LABELS)!;
		assert.match(labels.label, / · [+−±][\d.]+ % bytes$/);
		const remote = (await client.connection.sendRequest(LoadProfileRequest.type, { url: 'http://192.0.2.1:6060/debug/pprof/allocs' })) as LoadProfileResult;
		assert.equal(remote.ok, false);
		assert.match(remote.message, /not a loopback host; set goMemlens\.profile\.allowRemoteHosts/);
	});
});

test('untrusted workspace: no "Profile allocations" lens, and the command runs nothing', async () => {
	const client = await LspClient.start({ rootPath: EX, initializationOptions: { trusted: false }, configuration: configAnswer({}) });
	try {
		const uri = await client.open(path.join(EX, 'allocs', 'allocs_test.go'));
		const ls = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
		assert.deepEqual(ls, []);
		const r = (await client.connection.sendRequest('workspace/executeCommand', { command: Commands.profileBenchmark, arguments: [uri, 'BenchmarkLabels'] })) as LoadProfileResult;
		assert.equal(r.ok, false);
		assert.match(r.message, /only in trusted workspaces/);
		assert.equal((await client.debugStats()).spawnCount, 0);
	} finally {
		await client.shutdown();
	}
});
