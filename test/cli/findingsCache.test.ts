/**
 * The CLI's persistent findings cache (server/src/cli/findingsCache.ts) never answers with a stale
 * entry. Every entry of a first run is replaced by a poisoned one (same key, a made-up finding):
 * the poison shows when nothing changed (the cache is read), and never for a changed file, a file
 * whose compiler facts changed while its text did not, other settings, or another build of memlens.
 * MEMLENS_CACHE=off writes nothing; a cache directory inside the analysed tree is refused. The
 * whole-unit cache, which would answer before these entries are read, is off here (MEMLENS_UNIT_CACHE).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, goEnv, runCli, type JsonFinding } from './helpers';
import { cacheDirFor, trimCache, userCacheDir } from '../../server/src/cli/findingsCache';

const A_GO = `package m

// Each deferred close waits for the function's end, not the loop's.
func CloseAll(fs []func()) {
	for _, f := range fs {
		defer f()
	}
}

func Use() int {
	x := 0
	keep(&x)
	return x
}
`;
const B_STACK = 'package m\n\nfunc keep(p *int) {}\n';
const B_HEAP = 'package m\n\nvar sink *int\n\nfunc keep(p *int) { sink = p }\n';
const POISON = 'POISONED CACHE ENTRY';

function entries(dir: string): string[] {
	if (!existsSync(dir)) return [];
	// units/: the whole-unit cache's entries (test/cli/unitCache.test.ts), off in these runs.
	return readdirSync(dir).filter((s) => s !== 'units').flatMap((s) => readdirSync(path.join(dir, s)).map((n) => path.join(dir, s, n)));
}

/** Every entry now says something no rule says (its key kept: it is read as valid). */
function poison(dir: string, moduleDir: string): number {
	const all = entries(dir);
	for (const p of all) {
		const e = JSON.parse(readFileSync(p, 'utf8')) as { key: string; findings: JsonFinding[] };
		// A file without findings gets a poisoned one at a made-up path.
		const file = e.findings[0]?.file ?? path.join(moduleDir, 'no-findings.go');
		const fake = { rule: 'defer-in-loop', file, line: 1, column: 1, endLine: 1, endColumn: 1, column16: 1, endColumn16: 1, severity: 'warning', message: POISON, source: 'syntax', flow: [] };
		writeFileSync(p, JSON.stringify({ key: e.key, findings: [fake] }));
	}
	return all.length;
}

function module(): { dir: string; cache: string; done: () => void } {
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'memlens-fcache-'));
	const dir = path.join(tmp, 'm');
	mkdirSync(dir);
	writeFileSync(path.join(dir, 'go.mod'), 'module example.com/m\n\ngo 1.22\n');
	writeFileSync(path.join(dir, 'a.go'), A_GO);
	writeFileSync(path.join(dir, 'b.go'), B_STACK);
	return { dir, cache: path.join(tmp, 'cache'), done: () => rmSync(tmp, { recursive: true, force: true }) };
}

async function check(dir: string, cache: string, args: string[], cli = CLI): Promise<{ poisoned: string[]; findings: JsonFinding[] }> {
	const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
		const c = spawn(process.execPath, [cli, 'check', '--format', 'json', '--fail-on', 'none', ...args, '.'], { cwd: dir, env: goEnv({ MEMLENS_CACHE: cache, MEMLENS_UNIT_CACHE: 'off' }) });
		let stdout = '';
		let stderr = '';
		c.stdout.on('data', (b) => (stdout += b));
		c.stderr.on('data', (b) => (stderr += b));
		c.on('error', reject);
		c.on('close', (code) => resolve({ code, stdout, stderr }));
	});
	assert.equal(r.code, 0, r.stderr);
	const findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
	return { findings, poisoned: findings.filter((f) => f.message === POISON).map((f) => f.file) };
}

test('a poisoned cache is read when nothing changed, and never for a changed file, settings or bundle', async () => {
	const m = module();
	try {
		const first = await check(m.dir, m.cache, ['--escape', 'none', '--typed', 'off']);
		assert.ok(first.findings.some((f) => f.rule === 'defer-in-loop' && f.file === 'a.go'), 'the fixture has a rule finding');
		const n = poison(m.cache, m.dir);
		assert.ok(n >= 2, `one entry per file (${n})`);
		const again = await check(m.dir, m.cache, ['--escape', 'none', '--typed', 'off']);
		assert.equal(again.poisoned.length, n, 'unchanged inputs replay the cache');
		assert.ok(!again.findings.some((f) => f.rule === 'defer-in-loop' && f.file === 'a.go' && f.message !== POISON), 'the rules did not run again');

		// Other settings: other keys.
		const disabled = await check(m.dir, m.cache, ['--escape', 'none', '--typed', 'off', '--rules-disable', 'time-after-in-loop']);
		assert.deepEqual(disabled.poisoned, []);
		// A changed file: its own entry is not used; the other file's still is.
		appendFileSync(path.join(m.dir, 'a.go'), '\n// changed\n');
		const changed = await check(m.dir, m.cache, ['--escape', 'none', '--typed', 'off']);
		assert.ok(!changed.poisoned.includes('a.go') && !changed.poisoned.some((f) => f.endsWith('a.go')), `changed a.go: ${changed.poisoned}`);
		assert.ok(changed.findings.some((f) => f.rule === 'defer-in-loop' && f.message !== POISON), 'a.go checked again');
		assert.equal(changed.poisoned.length, n - 1, 'b.go still replayed');

		// Another build of memlens (the bundle differs): nothing of this one's cache is read.
		const other = mkdtempSync(path.join(os.tmpdir(), 'memlens-fcache-dist-'));
		try {
			cpSync(path.dirname(CLI), other, { recursive: true });
			appendFileSync(path.join(other, 'cli.js'), '\n// another build\n');
			const rebuilt = await check(m.dir, m.cache, ['--escape', 'none', '--typed', 'off'], path.join(other, 'cli.js'));
			assert.deepEqual(rebuilt.poisoned, []);
		} finally {
			rmSync(other, { recursive: true, force: true });
		}
	} finally {
		m.done();
	}
});

test('compiler facts are part of the key: a callee edited in another file changes a.go’s facts, not its text', async () => {
	const m = module();
	try {
		const stack = await check(m.dir, m.cache, []);
		assert.ok(!stack.findings.some((f) => f.file === 'a.go' && f.rule === 'moved-to-heap'), 'x stays on the stack');
		poison(m.cache, m.dir);
		assert.ok((await check(m.dir, m.cache, [])).poisoned.includes('a.go'), 'same facts: replayed');
		writeFileSync(path.join(m.dir, 'b.go'), B_HEAP);
		const heap = await check(m.dir, m.cache, []);
		assert.ok(heap.findings.some((f) => f.file === 'a.go' && f.rule === 'moved-to-heap'), 'x moved to the heap now');
		assert.deepEqual(heap.poisoned, [], 'a.go (new facts) and b.go (new text) checked again');
	} finally {
		m.done();
	}
});

test('MEMLENS_CACHE=off writes nothing; a cache directory inside the analysed tree is refused with a note', async () => {
	const m = module();
	try {
		await check(m.dir, 'off', ['--escape', 'none', '--typed', 'off']);
		const inside = path.join(m.dir, '.memlens-cache');
		const r = await runCli(['check', '--escape', 'none', '--typed', 'off', '--format', 'json', '--fail-on', 'none', '.'], { cwd: m.dir, env: goEnv({ MEMLENS_CACHE: inside }) });
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stderr, /inside the analysed workspace/);
		assert.equal(existsSync(inside), false, 'nothing written into the module');
		assert.deepEqual(readdirSync(m.dir).sort(), ['a.go', 'b.go', 'go.mod']);
	} finally {
		m.done();
	}
});

test('the user cache directory as Go finds it; the workspace is refused; trimming keeps the newest', () => {
	assert.equal(userCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u'), '/x/cache');
	assert.equal(userCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/u'), path.join('/home/u', '.cache'));
	assert.equal(userCacheDir({}, 'darwin', '/Users/u'), path.join('/Users/u', 'Library', 'Caches'));
	assert.equal(userCacheDir({ LocalAppData: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Local');
	assert.equal(userCacheDir({}, 'win32', 'C:\\Users\\u'), undefined);
	assert.deepEqual(cacheDirFor('off', ['/w']), {});
	assert.equal(cacheDirFor(undefined, ['/w'], { XDG_CACHE_HOME: '/c' }).dir, path.join('/c', 'memlens', 'findings'));
	assert.match(cacheDirFor('/w/sub/cache', ['/w']).note ?? '', /inside the analysed workspace/);
	assert.equal(cacheDirFor('/elsewhere', ['/w']).dir, '/elsewhere');

	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-fcache-trim-'));
	try {
		mkdirSync(path.join(dir, 'aa'));
		for (let i = 0; i < 10; i++) {
			const p = path.join(dir, 'aa', `${i}.json`);
			writeFileSync(p, 'x'.repeat(100));
			const t = new Date(Date.UTC(2026, 0, 1, 0, i));
			utimesSync(p, t, t);
		}
		assert.deepEqual(trimCache(dir, 2000), { bytes: 1000, removed: 0 });
		const r = trimCache(dir, 500);
		assert.equal(r.removed, 7);
		assert.deepEqual(readdirSync(path.join(dir, 'aa')).sort(), ['7.json', '8.json', '9.json']);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
