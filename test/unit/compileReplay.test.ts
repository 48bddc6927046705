/**
 * Replaying the go command's compile step (escape/compilePlan.ts, planStore.ts) against the real
 * toolchain: a replay gives exactly the facts the go command gives for the same text, and every
 * change the go command would decide differently on sends the run back to the go command.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { splitCommand } from '../../server/src/escape/compilePlan';
import { runEscape, type EscapeRunRequest } from '../../server/src/escape/runner';
import type { EscapeFact } from '../../server/src/model';

const GO = '/usr/local/go/bin/go';
/** Fresh text per process: a build-cache replay (no compile step to capture) would hide what is tested. */
const NONCE = `${process.pid}-${Date.now()}`;

const A = `package a

import "example.com/replay/b"

func Leak() *int {
	n := b.Seed()
	return &n
}
`;
const B = `package b

func Seed() int { return 42 }
`;

const key = (f: EscapeFact) => `${path.basename(f.pos.file)}:${f.pos.line}:${f.pos.column} ${f.kind} ${f.message}`;

describe('replaying the compile step', () => {
	let root: string;
	let dir: string;
	let n = 0;
	before(() => {
		root = mkdtempSync(path.join(os.tmpdir(), 'memlens-replay-'));
		dir = path.join(root, 'a');
		mkdirSync(dir);
		mkdirSync(path.join(root, 'b'));
		writeFileSync(path.join(root, 'go.mod'), 'module example.com/replay\n\ngo 1.22\n');
		writeFileSync(path.join(dir, 'a.go'), A);
		writeFileSync(path.join(root, 'b', 'b.go'), B);
	});
	after(() => rmSync(root, { recursive: true, force: true }));

	/** One run with `text` as a.go's unsaved content (a fresh comment each time, so it really compiles). */
	const run = (text: string, extra: Partial<EscapeRunRequest> = {}) =>
		runEscape({ goBin: GO, dir, test: false, tags: [], buildFlags: [], env: {}, timeoutMs: 120_000, overlay: new Map([[path.join(dir, 'a.go'), `${text}\n// ${NONCE} ${n++}\n`]]), ...extra });

	/** A replay when possible, checked against the go command on the same text. */
	async function check(text: string, via: 'go' | 'compile', what: string): Promise<void> {
		const r = await run(text);
		assert.equal(r.via, via, `${what}: ran via ${r.via}, expected ${via} (${r.command})`);
		const g = await run(text, { replay: false });
		assert.equal(g.via, 'go');
		assert.equal(r.status, g.status, what);
		assert.deepEqual(r.facts.map(key).sort(), g.facts.map(key).sort(), what);
	}

	test('Go-quoted words of a -x line are split like the go command wrote them', () => {
		assert.deepEqual(splitCommand('/x/compile -o $WORK/b001/_pkg_.a -trimpath "$WORK/b001=>" -p m "./a b.go"'), ['/x/compile', '-o', '$WORK/b001/_pkg_.a', '-trimpath', '$WORK/b001=>', '-p', 'm', './a b.go']);
		assert.equal(splitCommand('compile "unterminated'), undefined);
	});

	test('after one go command run, saves replay its compile step and get the same facts', async () => {
		const first = await run(A);
		assert.equal(first.via, 'go');
		assert.equal(first.status, 'ok');
		assert.ok(first.facts.some((f) => f.kind === 'moved-to-heap'), 'n moves to the heap');
		// That run compiled package b too, into its own $WORK (gone now): its step is not kept.
		assert.equal((await run(A)).via, 'go');
		await check(A.replace('return &n', 'm := n + 1\n\treturn &m'), 'compile', 'an edit in a function body');
		assert.doesNotMatch((await run(A)).output.text(), /^(mkdir|cat >|WORK=)/m, 'the -x trace is not shown as compiler output');
	});

	test('an import the step did not have: the replay fails and the go command answers', async () => {
		await run(A);
		await check(A.replace('import "example.com/replay/b"', 'import (\n\t"strings"\n\n\t"example.com/replay/b"\n)').replace('return &n', '_ = strings.ToUpper("x")\n\treturn &n'), 'go', 'new import');
	});

	test('a compile error: reported by the go command, with positions', async () => {
		await run(A);
		const r = await run(A.replace('return &n', 'return &undefinedName'));
		assert.equal(r.via, 'go');
		assert.equal(r.status, 'build-failed');
		assert.match(r.buildErrors.join('\n'), /undefined: undefinedName/);
	});

	test('a build constraint that changes which files count: the go command decides', async () => {
		await run(A);
		writeFileSync(path.join(dir, 'c.go'), '//go:build ignore\n\npackage a\n');
		await run(A); // new file name: the go command runs and captures again
		assert.equal((await run(A)).via, 'compile');
		const r = await runEscape({ goBin: GO, dir, test: false, tags: [], buildFlags: [], env: {}, timeoutMs: 120_000, overlay: new Map([[path.join(dir, 'a.go'), A], [path.join(dir, 'c.go'), 'package a\n\nfunc C() *int { v := 1; return &v }\n']]) });
		assert.equal(r.via, 'go', 'c.go lost its //go:build ignore');
		assert.ok(r.facts.some((f) => path.basename(f.pos.file) === 'c.go'));
		rmSync(path.join(dir, 'c.go'));
	});

	test('a dependency in the module changed on disk: the go command rebuilds it', async () => {
		await run(A);
		assert.equal((await run(A)).via, 'compile');
		writeFileSync(path.join(root, 'b', 'b.go'), B.replace('42', '43') + '\nfunc Extra() {}\n');
		assert.equal((await run(A)).via, 'go');
	});

	test('go.mod changed: the go command decides', async () => {
		await run(A);
		assert.equal((await run(A)).via, 'compile');
		writeFileSync(path.join(root, 'go.mod'), 'module example.com/replay\n\ngo 1.23\n');
		assert.equal((await run(A)).via, 'go');
	});

	test('inside a go.work workspace the go command always runs', async () => {
		await run(A);
		assert.equal((await run(A)).via, 'compile');
		writeFileSync(path.join(root, 'go.work'), 'go 1.23\n\nuse .\n');
		try {
			assert.equal((await run(A)).via, 'go');
			assert.equal((await run(A)).via, 'go', 'no step is kept in workspace mode');
		} finally {
			rmSync(path.join(root, 'go.work'));
		}
	});

	test('a forced re-run: the go build cache answers after a go command run, a replay after a replay', async () => {
		await run(A);
		const text = `${A}\n// rerun ${NONCE}\n`;
		const over = new Map([[path.join(dir, 'a.go'), text]]);
		const req = { goBin: GO, dir, test: false, tags: [], buildFlags: [], env: {}, timeoutMs: 120_000, overlay: over };
		assert.equal((await runEscape(req)).via, 'compile');
		assert.equal((await runEscape({ ...req, rerun: true })).via, 'compile', 'the go build cache never saw the replayed text');
		assert.equal((await runEscape({ ...req, replay: false })).via, 'go');
		assert.equal((await runEscape({ ...req, rerun: true })).via, 'go', 'now it has: the go command answers from its cache');
	});

	test('test packages and replay:false always run the go command', async () => {
		await run(A);
		assert.equal((await run(A, { replay: false })).via, 'go');
		assert.equal((await run(A, { test: true })).via, 'go');
	});
});
