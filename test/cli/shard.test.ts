/**
 * `--shard I/N`: for N = 1…4 the shards' JSON outputs together equal one unsharded run (real Go
 * toolchain), on examples/ and on a generated multi-package module with an inlined body across
 * packages, a package excluded by build constraints and a nested module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXAMPLES, runCli, type JsonFinding } from './helpers';

/** Eight packages of different sizes: heap facts, rule findings, an inlined body, an excluded package, a nested module. */
function multiModule(): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-shard-'));
	// A token keeps the build cache from answering with text printed for another temp dir.
	const token = `${process.pid}-${Date.now()}`;
	const files: Record<string, string> = {
		'go.mod': 'module example.com/s\n\ngo 1.21\n',
		'log.go': `package s\n\n// L logs (${token}).\ntype L struct{ f func(string) }\n\nfunc (l *L) Panic() *L {\n\treturn &L{f: func(msg string) { panic(msg) }}\n}\n`,
		'sub/sub.go': `package sub\n\nimport "example.com/s"\n\n// P (${token}).\nfunc P(l *s.L) *s.L {\n\treturn l.Panic()\n}\n`,
		'gen/gen.go': '//go:build ignore\n\npackage main\n\nfunc main() {}\n',
		'nested/go.mod': 'module example.com/nested\n\ngo 1.22\n',
		'nested/n.go': `package nested\n\n// N (${token}).\nfunc N() *int {\n\tx := 1\n\treturn &x\n}\n`,
	};
	for (const [i, name] of ['a', 'b', 'c', 'd', 'e'].entries()) {
		// Package i has i+1 functions, each with a heap fact and a defer in a loop (a rule finding).
		let body = `package ${name}\n\nimport "fmt"\n\n// ${token}\n`;
		for (let k = 0; k <= i; k++) body += `\nfunc F${k}(xs []string) *[${k + 1}]int {\n\tvar a [${k + 1}]int\n\tfor _, x := range xs {\n\t\tdefer fmt.Println(x)\n\t}\n\treturn &a\n}\n`;
		files[`${name}/${name}.go`] = body;
	}
	for (const [name, text] of Object.entries(files)) {
		mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
		writeFileSync(path.join(dir, name), text);
	}
	return dir;
}

const key = (f: JsonFinding) => JSON.stringify(f);

async function findings(args: string[], cwd: string): Promise<JsonFinding[]> {
	const r = await runCli(['check', '--format', 'json', '--escape', 'all', '--fail-on', 'none', ...args], { cwd });
	assert.equal(r.code, 0, r.stderr);
	assert.doesNotMatch(r.stderr, /could not list|build errors/, r.stderr);
	return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
}

async function checkUnion(cwd: string, target: string): Promise<void> {
	const whole = await findings([target], cwd);
	assert.ok(whole.some((f) => f.source === 'compiler') && whole.some((f) => f.source === 'syntax'), 'the target has both kinds of findings');
	const wholeKeys = new Set(whole.map(key));
	assert.equal(wholeKeys.size, whole.length, 'the unsharded run reports each finding once');
	for (let n = 1; n <= 4; n++) {
		const parts: JsonFinding[][] = [];
		for (let i = 1; i <= n; i++) parts.push(await findings(['--shard', `${i}/${n}`, target], cwd));
		const union = new Set(parts.flat().map(key));
		assert.deepEqual([...union].sort(), [...wholeKeys].sort(), `N=${n}: the union of the shards is the unsharded run`);
		// Syntax findings belong to one file, so to one package, so to one shard: an exact partition.
		const syntax = parts.flat().filter((f) => f.source === 'syntax');
		assert.equal(syntax.length, whole.filter((f) => f.source === 'syntax').length, `N=${n}: no syntax finding in two shards`);
		// The same partition again on a second run (deterministic).
		if (n === 3) assert.deepEqual(await findings(['--shard', '2/3', target], cwd), parts[1]);
	}
}

test('shards of examples/ (two modules, three packages) add up to one run, N = 1…4', async () => {
	await checkUnion(path.dirname(EXAMPLES), 'examples');
});

test('shards of a multi-package module add up to one run, N = 1…4 (inlined body, excluded package, nested module)', async () => {
	const dir = multiModule();
	try {
		await checkUnion(dir, '.');
		// Nine packages in nine shards, one each: the shard holding only gen/ (excluded by its build
		// constraint) names nothing to go, and no shard fails to load.
		for (let i = 1; i <= 9; i++) {
			const r = await runCli(['check', '--format', 'json', '--typed', 'off', '--shard', `${i}/9`, '.'], { cwd: dir });
			assert.equal(r.code, 0, r.stderr);
			assert.doesNotMatch(r.stderr, /build errors|go failed|could not list/, r.stderr);
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('--shard: bad values are usage errors (exit 2)', async () => {
	for (const bad of ['0/2', '3/2', '1/0', '1', 'a/b', '1/2/3']) {
		const r = await runCli(['check', '--shard', bad, 'examples']);
		assert.equal(r.code, 2, bad);
		assert.match(r.stderr, /--shard: .* is not I\/N/);
	}
	const fix = await runCli(['fix', '--shard', '1/2', 'examples']);
	assert.equal(fix.code, 2);
	assert.match(fix.stderr, /--shard belongs to/);
});
