/**
 * `memlens diff`: compiler facts new, gone and changed between real commits of a temporary git
 * repository, matched across edits that move every line; the user's checkout, index, stash,
 * branches and worktrees stay exactly as they were (real git, real Go toolchain).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { goEnv, ROOT, runCli } from './helpers';
import { tempLeft, tempRepo, userState, type Repo } from './gitRepo';

const BASE_A = `package r

var global []byte

func Keep() *int {
	x := 1
	return &x
}

func Gone() *int {
	y := 2
	return &y
}

func Small() int {
	b := make([]byte, 8)
	return len(b)
}
`;

// Every function moved (Small first, lines shifted by a comment); Gone no longer leaks y; Small's
// buffer now escapes; Fresh is new.
const HEAD_A = `package r

// A comment that moves every line down.

var global []byte

func Small() int {
	b := make([]byte, 8)
	global = b
	return len(b)
}

func Keep() *int {
	x := 1
	return &x
}

func Gone() int {
	y := 2
	return y
}

func Fresh() *[64]byte {
	var buf [64]byte
	return &buf
}
`;

const SUB = `package sub

type T struct{ n int }

func New() *T {
	return &T{n: 1}
}
`;

interface Change {
	change: string;
	kind: string;
	baseKind: string | null;
	package: string;
	function: string;
	subject: string;
	head: { file: string; line: number } | null;
	base: { file: string; line: number } | null;
}

function brief(cs: Change[]): string[] {
	return cs.map((c) => `${c.change} ${c.baseKind ? `${c.baseKind}->` : ''}${c.kind} ${c.package || '.'} ${c.function} ${c.subject} @${c.head ? `${c.head.file}:${c.head.line}` : `base ${c.base!.file}:${c.base!.line}`}`);
}

/** Two commits, then the user's own state: a stash entry, a staged and an unstaged edit, an untracked file, a hook. */
function setup(): { repo: Repo; base: string; head: string } {
	const repo = tempRepo();
	const base = repo.commit('base', { 'a.go': BASE_A, 'sub/s.go': SUB, 'notes.txt': 'one\n' });
	const head = repo.commit('head', { 'a.go': HEAD_A, 'sub/s.go': `// Package sub.\n\n${SUB}` });
	repo.write({ 'notes.txt': 'stashed\n' });
	repo.git('stash', 'push', '-q', '-m', 'user stash');
	repo.write({ 'notes.txt': 'staged\n' });
	repo.git('add', 'notes.txt');
	// Unstaged: a new heap fact in sub (the working tree is the default HEAD).
	repo.write({ 'sub/s.go': `// Package sub.\n\n${SUB}\nfunc Two() *int {\n\tz := 3\n\treturn &z\n}\n`, 'scratch.txt': 'untracked\n' });
	// A post-checkout hook would run on `git worktree add`: memlens turns hooks off.
	repo.write({ '.git/hooks/post-checkout': `#!/bin/sh\necho ran > "${path.join(repo.dir, '..', 'hook-ran')}"\n` });
	repo.git('update-index', '--chmod=+x', 'notes.txt'); // keeps the index busy with a mode change too
	repo.git('update-index', '--chmod=-x', 'notes.txt');
	chmodSync(path.join(repo.dir, '.git/hooks/post-checkout'), 0o755);
	return { repo, base, head };
}

const env = (r: Repo) => goEnv({ TMPDIR: r.tmp });

test('diff BASE HEAD: new, changed and gone facts across moved lines; the checkout is untouched', async () => {
	const { repo, base } = setup();
	try {
		const before = userState(repo);
		const r = await runCli(['diff', '--format', 'json', 'main~1', 'main'], { cwd: repo.dir, env: env(repo) });
		assert.equal(r.code, 0, r.stderr);
		const doc = JSON.parse(r.stdout);
		assert.equal(doc.version, 1);
		assert.deepEqual(doc.base, { rev: 'main~1', commit: base });
		assert.equal(doc.head.workingTree, false);
		assert.deepEqual(brief(doc.changes), [
			'new moved-to-heap . Fresh buf @a.go:24',
			'changed does-not-escape->escapes-to-heap . Small make([]byte, 8) @a.go:8',
			'gone moved-to-heap . Gone y @base a.go:11',
		]);
		// Keep's x and sub's &T{...} moved lines and stayed: not reported.
		assert.deepEqual({ ...doc.summary, comparedFacts: undefined }, { new: 1, changed: 1, gone: 1, comparedFacts: undefined, notCompared: [] });
		assert.deepEqual(userState(repo), before);
		assert.equal(existsSync(path.join(repo.dir, '..', 'hook-ran')), false, 'the post-checkout hook did not run');
		assert.deepEqual(tempLeft(repo), [], 'the checkouts and the temp root are gone');
	} finally {
		repo.remove();
	}
});

test('diff BASE: the working tree (uncommitted edits included) against BASE; text and markdown', async () => {
	const { repo } = setup();
	try {
		const before = userState(repo);
		const j = await runCli(['diff', '--format', 'json', 'main~1'], { cwd: repo.dir, env: env(repo) });
		assert.equal(j.code, 0, j.stderr);
		const doc = JSON.parse(j.stdout);
		assert.deepEqual(doc.head, { rev: null, commit: null, workingTree: true });
		assert.deepEqual(brief(doc.changes), [
			'new moved-to-heap . Fresh buf @a.go:24',
			'new moved-to-heap sub Two z @sub/s.go:12',
			'changed does-not-escape->escapes-to-heap . Small make([]byte, 8) @a.go:8',
			'gone moved-to-heap . Gone y @base a.go:11',
		]);
		const t = await runCli(['diff', 'main~1'], { cwd: repo.dir, env: env(repo) });
		assert.equal(t.code, 0, t.stderr);
		const lines = t.stdout.trimEnd().split('\n');
		assert.match(lines[0], /^new {5}a\.go:24:6: `buf` is moved to the heap .*\[moved-to-heap\] in Fresh$/);
		assert.ok(lines.some((l) => /^changed a\.go:8:11: .*\[does-not-escape → escapes-to-heap\] in Small$/.test(l)), t.stdout);
		assert.ok(lines.some((l) => /^gone {4}a\.go:11:2 \(at BASE\): `y` is moved to the heap .*in Gone$/.test(l)), t.stdout);
		assert.match(lines[lines.length - 1], /^memlens diff main~1 \([0-9a-f]{12}\) → the working tree: 2 new, 1 changed, 1 gone/);
		const md = await runCli(['diff', '--format', 'md', 'main~1'], { cwd: repo.dir, env: env(repo) });
		assert.equal(md.code, 0, md.stderr);
		assert.match(md.stdout, /^### Go MemLens: escape analysis, `main~1` → working tree\n/);
		assert.match(md.stdout, /\n\| \*\*new\*\* \| `moved to heap: buf` \| `a\.go:24:6` \| `Fresh` \|\n/);
		assert.match(md.stdout, /\n\| \*\*changed\*\* \| `make\(\[\]byte, 8\) does not escape` → `make\(\[\]byte, 8\) escapes to heap` \| `a\.go:8:11` \| `Small` \|\n/);
		assert.match(md.stdout, /\n\| gone \| `moved to heap: y` \| `a\.go:11:2` \(base\) \| `Gone` \|\n/);
		assert.match(md.stdout, /<details><summary>/);
		// From a subdirectory: only its packages, paths relative to it in both revisions.
		const sub = await runCli(['diff', '--format', 'json', 'main~1'], { cwd: path.join(repo.dir, 'sub'), env: env(repo) });
		assert.equal(sub.code, 0, sub.stderr);
		assert.deepEqual(brief(JSON.parse(sub.stdout).changes), ['new moved-to-heap sub Two z @s.go:12']);
		assert.deepEqual(userState(repo), before);
		assert.deepEqual(tempLeft(repo), []);
	} finally {
		repo.remove();
	}
});

test('diff --fail-on-new sets the exit code; --escape chooses the kinds; SARIF validates', async () => {
	const { repo } = setup();
	try {
		const fail = await runCli(['diff', '--fail-on-new', 'moved-to-heap,escapes-to-heap', 'main~1', 'main'], { cwd: repo.dir, env: env(repo) });
		assert.equal(fail.code, 1, fail.stderr);
		// Only the change into escapes-to-heap counts for that kind; nothing new was printed for leaking-param.
		assert.equal((await runCli(['diff', '--fail-on-new', 'escapes-to-heap', 'main~1', 'main'], { cwd: repo.dir, env: env(repo) })).code, 1);
		assert.equal((await runCli(['diff', '--fail-on-new', 'leaking-param', 'main~1', 'main'], { cwd: repo.dir, env: env(repo) })).code, 0);
		assert.equal((await runCli(['diff', '--fail-on-new', 'moved-to-heap', 'main', 'main'], { cwd: repo.dir, env: env(repo) })).code, 0, 'no change: exit 0');
		const only = await runCli(['diff', '--format', 'json', '--escape', 'moved-to-heap', 'main~1', 'main'], { cwd: repo.dir, env: env(repo) });
		assert.deepEqual(brief(JSON.parse(only.stdout).changes), ['new moved-to-heap . Fresh buf @a.go:24', 'gone moved-to-heap . Gone y @base a.go:11']);
		const sarif = await runCli(['diff', '--format', 'sarif', 'main~1', 'main'], { cwd: repo.dir, env: env(repo) });
		assert.equal(sarif.code, 0, sarif.stderr);
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		const log: any = JSON.parse(sarif.stdout);
		const schema = JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8'));
		schema.$id = schema.id;
		delete schema.id;
		delete schema.$schema;
		// As in sarif.test.ts: a draft-04 schema, one pattern not valid under the `u` flag.
		const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
		addFormats(ajv);
		const validate = ajv.compile(schema);
		assert.equal(validate(log), true, JSON.stringify(validate.errors?.slice(0, 3)));
		const results = log.runs[0].results as { ruleId: string; baselineState: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[];
		assert.deepEqual(
			results.map((x) => [x.ruleId, x.baselineState, x.locations[0].physicalLocation.artifactLocation.uri, x.locations[0].physicalLocation.region.startLine]),
			[
				['moved-to-heap', 'new', 'a.go', 24],
				['escapes-to-heap', 'updated', 'a.go', 8],
			],
		);
		assert.deepEqual(log.runs[0].properties.gone.map((g: { subject: string; function: string }) => `${g.function} ${g.subject}`), ['Gone y']);
		assert.deepEqual(tempLeft(repo), []);
	} finally {
		repo.remove();
	}
});
