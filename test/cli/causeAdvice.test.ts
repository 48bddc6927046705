/**
 * Every cause's advice in docs/escape/causes.md, checked against the real compiler through the CLI:
 * each section's *before* example must be reported on the heap with that cause, and its *after*
 * example (the advice applied) must compile with the value no longer on the heap and no fact of
 * that cause left. Plus the limits and run-time behaviour the page states (too-large, unknown-size).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CAUSE_IDS, CAUSES, type CauseId } from '../../server/src/escape/causes';
import { GO, ROOT, goEnv, runCli, type JsonFinding } from './helpers';

interface Example {
	cause: CauseId;
	/** The value the compiler reports (`t`, `make([]byte, 16)`, `func literal`). */
	subject: string;
	before: string;
	after?: string;
}

/** Sections `## <id>` and their `<!-- before: SUBJECT -->` / `<!-- after -->` Go blocks. */
function examplesOf(markdown: string): { sections: string[]; examples: Example[] } {
	const sections: string[] = [];
	const examples: Example[] = [];
	let cause: string | undefined;
	const re = /^## (\S+)\s*$|<!-- (before: (.+?)|after) -->\s*\n```go\n([\s\S]*?)```/gm;
	for (const m of markdown.matchAll(re)) {
		if (m[1]) {
			cause = m[1];
			sections.push(cause);
		} else if (m[3] !== undefined) examples.push({ cause: cause as CauseId, subject: m[3], before: m[4] });
		else {
			const last = examples[examples.length - 1];
			assert.ok(last && last.cause === cause && !last.after, `an <!-- after --> block without its before, in ${cause}`);
			last.after = m[4];
		}
	}
	return { sections, examples };
}

const doc = readFileSync(path.join(ROOT, 'docs', 'escape', 'causes.md'), 'utf8');
const { sections, examples } = examplesOf(doc);
const HEAP = new Set(['moved-to-heap', 'escapes-to-heap']);

function goMinor(): number {
	const v = spawnSync(GO, ['env', 'GOVERSION'], { env: goEnv(), encoding: 'utf8' }).stdout.trim();
	return Number(/^go1\.(\d+)/.exec(v)?.[1] ?? 0);
}

/** The subject of a compiler line: `moved to heap: t` → t, `x escapes to heap` → x. */
function subjectOf(compiler: string | undefined): string | undefined {
	if (!compiler) return undefined;
	return /^moved to heap: (.+)$/.exec(compiler)?.[1] ?? /^(.+) (?:escapes to heap|does not escape)$/.exec(compiler)?.[1];
}

test('causes.md: one section per cause id, each with a compiled example; advice has an after', () => {
	assert.deepEqual([...sections].filter((s) => !s.startsWith('How')).sort(), [...CAUSE_IDS].sort());
	for (const id of CAUSE_IDS) {
		if (id === 'other') continue;
		assert.ok(examples.some((e) => e.cause === id), `no example for ${id}`);
		// unknown-size is only reported by Go 1.24 and older: its page states what 1.25+ does instead.
		if (CAUSES[id].advice && id !== 'unknown-size') assert.ok(examples.some((e) => e.cause === id && e.after), `advice of ${id} has no after example`);
	}
});

test('each before example has its cause; each after example (advice applied) no longer puts the value on the heap', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-advice-'));
	try {
		writeFileSync(path.join(dir, 'go.mod'), 'module example.com/advice\n\ngo 1.22\n');
		const dirs: { ex: Example; name: string; kind: 'before' | 'after' }[] = [];
		examples.forEach((ex, i) => {
			for (const kind of ['before', 'after'] as const) {
				const text = ex[kind];
				if (text === undefined) continue;
				const name = `${ex.cause}_${i}_${kind}`;
				mkdirSync(path.join(dir, name));
				writeFileSync(path.join(dir, name, 'example.go'), text);
				dirs.push({ ex, name, kind });
			}
		});
		const r = await runCli(['check', '--format', 'json', '--escape', 'all', '--typed', 'off', '--fail-on', 'none', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		assert.doesNotMatch(r.stderr, /error/i, 'every example compiles');
		const findings = (JSON.parse(r.stdout).findings as JsonFinding[]).filter((f) => f.source === 'compiler');
		const modern = goMinor() >= 25;
		for (const { ex, name, kind } of dirs) {
			const here = findings.filter((f) => f.file.startsWith(`${name}/`));
			const heap = here.filter((f) => HEAP.has(f.rule));
			const about = heap.filter((f) => subjectOf(f.compiler) === ex.subject);
			const where = `${ex.cause} (${kind}: ${ex.subject})`;
			if (kind === 'before' && ex.cause === 'unknown-size' && modern) {
				assert.deepEqual(about, [], `${where}: Go 1.25+ keeps it off the heap`);
				assert.ok(here.some((f) => f.rule === 'does-not-escape' && subjectOf(f.compiler) === ex.subject), `${where}: reported as does not escape`);
			} else if (kind === 'before') {
				assert.equal(about.length, 1, `${where}: one heap fact, got ${JSON.stringify(heap.map((f) => f.compiler))}`);
				assert.equal(about[0].cause, ex.cause, `${where}: ${about[0].message}`);
			} else {
				assert.deepEqual(about.map((f) => f.compiler), [], `${where}: still on the heap`);
				assert.deepEqual(heap.filter((f) => f.cause === ex.cause).map((f) => f.compiler), [], `${where}: a fact of the same cause is left`);
			}
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('too-large: the limits the page states, to the byte', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-advice-'));
	try {
		writeFileSync(path.join(dir, 'go.mod'), 'module example.com/limits\n\ngo 1.22\n');
		writeFileSync(
			path.join(dir, 'l.go'),
			[
				'package limits',
				'',
				'func explicitAt(i int) byte { var a [128 << 10]byte; a[i] = 1; return a[i/2] }',
				'func explicitOver(i int) byte { var b [128<<10 + 1]byte; b[i] = 1; return b[i/2] }',
				'func implicitAt(i int) byte { p := new([64 << 10]byte); p[i] = 1; return p[i/2] }',
				'func implicitOver(i int) byte { q := new([64<<10 + 1]byte); q[i] = 1; return q[i/2] }',
				'',
			].join('\n'),
		);
		const r = await runCli(['check', '--format', 'json', '--escape', 'all', '--typed', 'off', '--fail-on', 'none', '.'], { cwd: dir });
		assert.equal(r.code, 0, r.stderr);
		const fs = (JSON.parse(r.stdout).findings as JsonFinding[]).filter((f) => f.source === 'compiler');
		const heap = (s: string) => fs.filter((f) => HEAP.has(f.rule) && subjectOf(f.compiler) === s).map((f) => f.cause);
		assert.deepEqual(heap('a'), [], '128 KiB variable stays');
		assert.deepEqual(heap('b'), ['too-large'], '128 KiB + 1 moves');
		assert.deepEqual(heap('new([65536]byte)'), [], '64 KiB new stays');
		assert.deepEqual(heap('new([65537]byte)'), ['too-large'], '64 KiB + 1 escapes');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('unknown-size: since Go 1.25 a run-time-sized make that does not escape allocates only above 32 bytes', (t) => {
	if (goMinor() < 25) return t.skip('Go 1.24 and older report the non-constant size instead');
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-advice-'));
	try {
		writeFileSync(path.join(dir, 'go.mod'), 'module example.com/makesize\n\ngo 1.22\n');
		const sum = examples.find((e) => e.cause === 'unknown-size')!.before.replace(/^package example/m, 'package makesize');
		writeFileSync(path.join(dir, 'sum.go'), sum.replace('func sum(', '//go:noinline\nfunc sum('));
		writeFileSync(
			path.join(dir, 'sum_test.go'),
			[
				'package makesize',
				'',
				'import (',
				'\t"fmt"',
				'\t"testing"',
				')',
				'',
				'func TestAllocs(t *testing.T) {',
				'\tfor _, n := range []int{1, 32, 33, 4096} {',
				'\t\tfmt.Printf("allocs n=%d %v\\n", n, testing.AllocsPerRun(50, func() { sum(n) }))',
				'\t}',
				'}',
				'',
			].join('\n'),
		);
		const r = spawnSync(GO, ['test', '-count=1', '-run', 'TestAllocs', '-v', '.'], { cwd: dir, env: goEnv({ GOFLAGS: '' }), encoding: 'utf8' });
		assert.equal(r.status, 0, r.stdout + r.stderr);
		const allocs = Object.fromEntries([...r.stdout.matchAll(/allocs n=(\d+) (\S+)/g)].map((m) => [m[1], Number(m[2])]));
		assert.deepEqual(allocs, { 1: 0, 32: 0, 33: 1, 4096: 1 });
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
