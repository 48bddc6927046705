/**
 * The CLI's whole-unit cache (server/src/cli/unitCache.ts) on small temp modules with the real
 * toolchain: a hit prints byte for byte what a run without caches prints (JSON, SARIF, text, and
 * `report`); the unit entry is then poisoned (a made-up message under its own keys) so that a test
 * sees whether it was read (the stored outputs, cli/outputCache.ts, likewise), and it must never be read after an edit of the same size with mtime restored, a
 * changed go.mod, other tags, flags or settings, other build IDs (the compile's action IDs), a changed cgo C file;
 * a corrupt entry is a miss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { goEnv, runCli } from './helpers';

const A_GO = 'package m\n\nvar sink *int\n\nfunc keep(p *int) { sink = p }\n\nfunc Use() int {\n\tx := 0\n\tkeep(&x)\n\treturn x\n}\n';
// Same size as A_GO, other content: `keep` no longer stores p, so x stays on the stack.
const A_GO_STACK = 'package m\n\nvar sink *int\n\nfunc keep(p *int) { _    = p }\n\nfunc Use() int {\n\tx := 0\n\tkeep(&x)\n\treturn x\n}\n';
const POISON = 'POISONED UNIT ENTRY';

interface Mod {
	dir: string;
	cache: string;
	done: () => void;
}

function module(files: Record<string, string> = {}): Mod {
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-ucache-'));
	const dir = path.join(tmp, 'm');
	mkdirSync(dir);
	writeFileSync(path.join(dir, 'go.mod'), 'module example.com/m\n\ngo 1.22\n');
	writeFileSync(path.join(dir, 'a.go'), A_GO);
	for (const [n, t] of Object.entries(files)) writeFileSync(path.join(dir, n), t);
	return { dir, cache: path.join(tmp, 'cache'), done: () => rmSync(tmp, { recursive: true, force: true }) };
}

function unitEntries(cache: string): string[] {
	const d = path.join(cache, 'units');
	return existsSync(d) ? readdirSync(d).filter((n) => n.endsWith('.json')).map((n) => path.join(d, n)) : [];
}

/** Every unit entry now reports POISON (its key and build hash kept: it is read as valid); so does every cached output. */
function poison(cache: string, field: 'message' | 'buildHash' = 'message', outputs = true): number {
	const all = unitEntries(cache);
	for (const p of all) {
		const raw = readFileSync(p, 'utf8');
		const nl = raw.indexOf('\n');
		const head = JSON.parse(raw.slice(0, nl)) as { buildHash: string };
		const body = JSON.parse(raw.slice(nl + 1)) as { result: { findings: { message: string }[] } };
		if (field === 'buildHash') head.buildHash = head.buildHash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
		else for (const f of body.result.findings) f.message = POISON;
		writeFileSync(p, `${JSON.stringify(head)}\n${JSON.stringify(body)}`);
	}
	if (field === 'message' && outputs) for (const p of outputEntries(cache)) poisonOutput(p);
	return all.length;
}

function outputEntries(cache: string): string[] {
	const d = path.join(cache, 'outputs');
	return existsSync(d) ? readdirSync(d).filter((n) => n.endsWith('.out')).map((n) => path.join(d, n)) : [];
}

/** A cached output (head line, stderr, stdout) whose stdout now starts with POISON. */
function poisonOutput(p: string): void {
	const raw = readFileSync(p);
	const nl = raw.indexOf(0x0a);
	const { stderrBytes } = JSON.parse(raw.toString('utf8', 0, nl)) as { stderrBytes: number };
	const at = nl + 1 + stderrBytes;
	writeFileSync(p, Buffer.concat([raw.subarray(0, at), Buffer.from(POISON), raw.subarray(at)]));
}

/**
 * The racily-clean margin (cli/stamps.ts `settled`) is a day here: files written by the test never
 * settle, so an entry answers by build IDs unless a test says otherwise (`SETTLED`).
 */
const UNSETTLED = { MEMLENS_UNIT_SETTLE_MS: String(24 * 3600 * 1000) };
const SETTLED = { MEMLENS_UNIT_SETTLE_MS: '0' };

async function check(m: Mod, args: string[] = [], env: Record<string, string> = {}, cache = m.cache, paths = ['.']): Promise<string> {
	const r = await runCli(['check', '--fail-on', 'none', ...args, ...paths], { cwd: m.dir, env: goEnv({ MEMLENS_CACHE: cache, ...UNSETTLED, ...env }) });
	assert.equal(r.code, 0, r.stderr);
	return r.stdout;
}

const poisoned = (out: string) => out.includes(POISON);

test('a hit prints exactly what a run without caches prints, as JSON, SARIF and text', async () => {
	const m = module();
	try {
		for (const format of ['json', 'sarif', 'text']) {
			const args = ['--format', format];
			const off = await check(m, args, {}, 'off');
			const cold = await check(m, args);
			const warm = await check(m, args);
			assert.equal(cold, off, `${format}: a miss`);
			assert.equal(warm, off, `${format}: a hit`);
		}
		// `report` reads the cached unit too (its function spans, where facts were): the same report.
		const report = async (cache: string) => {
			const r = await runCli(['report', '--format', 'json', '.'], { cwd: m.dir, env: goEnv({ MEMLENS_CACHE: cache }) });
			assert.equal(r.code, 0, r.stderr);
			return r.stdout.replace(/"generatedAt": "[^"]*"/, '');
		};
		const reportOff = await report('off');
		assert.equal(await report(m.cache), reportOff, 'report: a miss');
		assert.ok(unitEntries(m.cache).length >= 2, 'report keeps its own entry (it asks for function spans)');
		assert.equal(await report(m.cache), reportOff, 'report: a hit');
		assert.ok(JSON.parse(await check(m, ['--format', 'json'])).findings.some((f: { rule: string }) => f.rule === 'moved-to-heap'), 'the fixture has a heap fact');
		assert.ok(poison(m.cache) >= 1);
		assert.ok(poisoned(await check(m, ['--format', 'json'])), 'unchanged: the cache answers');
		// The unit cache alone off: the per-file findings cache answers, the poisoned unit entry is not read.
		assert.ok(!poisoned(await check(m, ['--format', 'json'], { MEMLENS_UNIT_CACHE: 'off' })));
	} finally {
		m.done();
	}
});

test('an edit of the same size with mtime restored misses, and the output then equals an uncached run', async () => {
	const m = module();
	try {
		await check(m, ['--format', 'json']);
		poison(m.cache);
		const a = path.join(m.dir, 'a.go');
		const before = statSync(a);
		writeFileSync(a, A_GO_STACK);
		utimesSync(a, before.atimeMs / 1000, before.mtimeMs / 1000);
		assert.equal(statSync(a).size, before.size);
		assert.equal(Math.floor(statSync(a).mtimeMs), Math.floor(before.mtimeMs), "mtime restored");
		const after = await check(m, ['--format', 'json']);
		assert.ok(!poisoned(after), 'the edited unit is analysed again');
		assert.ok(!JSON.parse(after).findings.some((f: { rule: string }) => f.rule === 'moved-to-heap'), 'x stays on the stack now');
		assert.equal(after, await check(m, ['--format', 'json'], {}, 'off'));
	} finally {
		m.done();
	}
});

test('a changed go.mod, other tags, flags, settings or compiler output miss', async () => {
	const m = module();
	try {
		await check(m, ['--format', 'json']);
		poison(m.cache);
		assert.ok(poisoned(await check(m, ['--format', 'json'])), 'the poison is read when nothing changed');
		for (const [why, args, env] of [
			['other tags', ['--tags', 'extra'], {}],
			['a disabled rule', ['--rules-disable', 'defer-in-loop'], {}],
			['the typed pass off', ['--typed', 'off'], {}],
			['other escape kinds', ['--escape', 'moved-to-heap'], {}],
			['other build flags (GOFLAGS)', [], { GOFLAGS: '-trimpath' }],
			['another GOARCH', [], { GOARCH: '386' }],
		] as [string, string[], Record<string, string>][]) {
			assert.ok(!poisoned(await check(m, ['--format', 'json', ...args], env)), why);
		}
		// Same pre-key, other build IDs (the stored hash made different): the entry does not answer.
		poison(m.cache, 'buildHash');
		poison(m.cache);
		assert.ok(!poisoned(await check(m, ['--format', 'json'])), 'other build IDs');
		poison(m.cache);
		writeFileSync(path.join(m.dir, 'go.mod'), 'module example.com/m\n\ngo 1.23\n');
		assert.ok(!poisoned(await check(m, ['--format', 'json'])), 'a changed go.mod');
	} finally {
		m.done();
	}
});

test('a changed cgo C source misses; a corrupt entry is a miss', async () => {
	const m = module({ 'c.go': 'package m\n\n// int twice(int x);\nimport "C"\n\nfunc Twice(x int) int { return int(C.twice(C.int(x))) }\n', 'c.c': 'int twice(int x) { return 2*x; }\n' });
	try {
		const env = { CGO_ENABLED: '1' };
		const off = await check(m, ['--format', 'json'], env, 'off');
		assert.equal(await check(m, ['--format', 'json'], env), off);
		poison(m.cache);
		assert.ok(poisoned(await check(m, ['--format', 'json'], env)), 'the poison is read when nothing changed');
		writeFileSync(path.join(m.dir, 'c.c'), 'int twice(int x) { return x+x; }\n');
		assert.ok(!poisoned(await check(m, ['--format', 'json'], env)), 'a changed .c file');
		for (const p of unitEntries(m.cache)) writeFileSync(p, readFileSync(p, 'utf8').slice(0, 200));
		assert.equal(await check(m, ['--format', 'json'], env), off, 'a torn entry is a miss, the answer is right');
		for (const p of unitEntries(m.cache)) writeFileSync(p, '{"key":"nonsense"');
		assert.equal(await check(m, ['--format', 'json'], env), off);
	} finally {
		m.done();
	}
});

test('the whole output is cached: a hit reads no unit entry; another format reads it; a torn entry body runs the unit again', async () => {
	const m = module();
	try {
		const off = await check(m, ['--format', 'json'], {}, 'off');
		assert.equal(await check(m, ['--format', 'json']), off, 'a miss');
		assert.equal(outputEntries(m.cache).length, 1, 'its output is stored');
		// Poisoned unit entries, outputs left alone: the stored output answers without reading the entry.
		poison(m.cache, 'message', false);
		assert.equal(await check(m, ['--format', 'json']), off, 'the output cache answers');
		// No output stored for SARIF: the (poisoned) unit entry is read.
		assert.ok(poisoned(await check(m, ['--format', 'sarif'])), 'another format reads the unit entry');
		assert.equal(outputEntries(m.cache).length, 2);
		// Another working directory shows other paths: not the stored output.
		const sub = path.join(m.dir, 'sub');
		mkdirSync(sub);
		const r = await runCli(['check', '--fail-on', 'none', '--format', 'json', '..'], { cwd: sub, env: goEnv({ MEMLENS_CACHE: m.cache, ...UNSETTLED }) });
		assert.ok(poisoned(r.stdout), 'another cwd: the unit entry is read, not the output cache');
		rmSync(sub, { recursive: true });
		// A torn body behind an intact head, no stored output for this shape: the unit runs again and its entry is repaired.
		for (const p of outputEntries(m.cache)) rmSync(p);
		for (const p of unitEntries(m.cache)) {
			const raw = readFileSync(p, 'utf8');
			writeFileSync(p, raw.slice(0, raw.indexOf('\n') + 10));
		}
		assert.equal(await check(m, ['--format', 'json']), off, 'a torn body: the answer is right');
		for (const p of unitEntries(m.cache)) JSON.parse(readFileSync(p, 'utf8').split('\n')[1]!);
		// The exit code and stderr are replayed too.
		const fails = async () => runCli(['check', '--format', 'text', '--fail-on', 'information', '.'], { cwd: m.dir, env: goEnv({ MEMLENS_CACHE: m.cache, ...UNSETTLED }) });
		const first = await fails();
		const again = await fails();
		assert.equal(first.code, 1);
		assert.deepEqual([again.code, again.stdout, again.stderr], [first.code, first.stdout, first.stderr]);
	} finally {
		m.done();
	}
});

test('a settled, unchanged module answers by stamps (go is not asked for build IDs); an entry made unsettled gets its world on a verified hit; a change elsewhere in the module asks go again', async () => {
	// ./sub is checked; the root package (outside the unit's packages, inside the module) is what it imports.
	const m = module();
	try {
		mkdirSync(path.join(m.dir, 'sub'));
		writeFileSync(path.join(m.dir, 'sub', 'b.go'), 'package sub\n\nimport m "example.com/m"\n\nfunc B() int { return m.Use() }\n');
		const sub = ['./sub'];
		const off = await check(m, ['--format', 'json'], {}, 'off', sub);
		assert.equal(await check(m, ['--format', 'json'], {}, m.cache, sub), off, 'made unsettled');
		// Made unsettled, the entry has no world: other build IDs stored, it does not answer (and is made again, unsettled).
		poison(m.cache, 'buildHash');
		poison(m.cache);
		assert.ok(!poisoned(await check(m, ['--format', 'json'], {}, m.cache, sub)), 'no world: the build IDs decide');
		// The build IDs match (only the findings poisoned): a hit, and the entry gets its world.
		poison(m.cache);
		assert.ok(poisoned(await check(m, ['--format', 'json'], SETTLED, m.cache, sub)), 'verified by build IDs');
		// Other build IDs stored: only stamps can answer now.
		poison(m.cache, 'buildHash');
		poison(m.cache);
		assert.ok(poisoned(await check(m, ['--format', 'json'], SETTLED, m.cache, sub)), 'answered by stamps, no build IDs asked');
		// The root package changes (same size, mtime restored): the unit's own stamps are the same, its world is not.
		const a = path.join(m.dir, 'a.go');
		const st = statSync(a);
		writeFileSync(a, A_GO_STACK);
		utimesSync(a, st.atime, st.mtime);
		const after = await check(m, ['--format', 'json'], SETTLED, m.cache, sub);
		assert.ok(!poisoned(after), 'a change elsewhere in the module: go is asked again');
		assert.equal(after, await check(m, ['--format', 'json'], {}, 'off', sub), 'and the answer is an uncached run\'s');
		// A go.mod named in GOFLAGS (-modfile) is read from where no stamp looks: never answered by stamps.
		const alt = path.join(path.dirname(m.dir), 'alt.mod');
		writeFileSync(alt, readFileSync(path.join(m.dir, 'go.mod')));
		const modfile = { ...SETTLED, GOFLAGS: `-modfile=${alt}` };
		await check(m, ['--format', 'json'], modfile, m.cache, sub);
		poison(m.cache, 'buildHash');
		poison(m.cache);
		assert.ok(!poisoned(await check(m, ['--format', 'json'], modfile, m.cache, sub)), '-modfile: the build IDs decide');
	} finally {
		m.done();
	}
});
