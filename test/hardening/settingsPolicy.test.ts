/**
 * One policy for settings that can name programs (docs/security.md): only goMemlens.goPath chooses
 * a program. Each case here did run its script before the policy (checked with Go 1.26.8 by
 * running the go command directly): GOROOT pointing at a tree whose `compile` is a script,
 * `-compiler=gccgo` with GCCGO=script, GOCACHEPROG, CC for a cgo package, and, for the CLI,
 * GOFLAGS with `-ldflags=-extld=script -linkmode=external` (the CLI links main packages). The
 * script never runs; the analysis still works and the status (or the CLI) says what was refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { URI } from 'vscode-uri';
import { CLI_JS, goEnv } from './session';
import { settledStatus, startServer } from './server';
import { assertNothingLeft, killTagged, markerScript, scratch, type Scratch } from './lifecycle';

const GOROOT = '/usr/local/go';
const TOOLDIR = path.join(GOROOT, 'pkg', 'tool', `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`);

/** A GOROOT that is the real one except that its `compile` is a script (which records its run, then compiles). */
function fakeGoroot(s: Scratch, marker: string): string {
	const root = path.join(s.base, 'goroot');
	const tools = path.join(root, 'pkg', 'tool', path.basename(TOOLDIR));
	mkdirSync(tools, { recursive: true });
	for (const e of readdirSync(GOROOT)) if (e !== 'pkg') symlinkSync(path.join(GOROOT, e), path.join(root, e));
	for (const e of readdirSync(path.join(GOROOT, 'pkg'))) if (e !== 'tool') symlinkSync(path.join(GOROOT, 'pkg', e), path.join(root, 'pkg', e));
	for (const e of readdirSync(TOOLDIR)) if (e !== 'compile') symlinkSync(path.join(TOOLDIR, e), path.join(tools, e));
	markerScript(tools, 'compile', marker, `exec '${path.join(TOOLDIR, 'compile')}' "$@"`);
	return root;
}

function heapModule(dir: string, cgo = false): string {
	writeFileSync(path.join(dir, 'go.mod'), 'module example.com/p\n\ngo 1.22\n');
	const file = path.join(dir, 'p.go');
	writeFileSync(file, `package p\n\n${cgo ? '// #include <stdlib.h>\nimport "C"\n\n' : ''}// ${path.basename(path.dirname(dir))}\nfunc F() *int {\n\tx := 1\n\treturn &x\n}\n`);
	return file;
}

/** Analyses with `settings`; the marker must not appear; returns the status. */
async function neverRuns(s: Scratch, marker: string, file: string, settings: Record<string, unknown>, env: Record<string, string> = {}) {
	const server = await startServer({ root: s.ws, settings, env: { ...s.env, GOENV: 'off', ...env } });
	try {
		await server.client.open(file);
		const status = await settledStatus(server.client, URI.file(s.ws).toString());
		assert.ok(!existsSync(marker), `the program ran (status ${JSON.stringify(status)})`);
		assert.equal(status.state, 'upToDate', JSON.stringify(status));
		server.assertHealthy();
		return status;
	} finally {
		await server.stop();
		killTagged(s.tag);
		await assertNothingLeft(s);
	}
}

async function withScratch(body: (s: Scratch, marker: string) => Promise<void>): Promise<void> {
	const s = scratch();
	try {
		await body(s, path.join(s.base, 'MARKER'));
	} finally {
		s.remove();
	}
}

test('GOROOT in goMemlens.env naming a tree whose compile is a script: refused, the script never runs', () =>
	withScratch(async (s, marker) => {
		const st = await neverRuns(s, marker, heapModule(s.ws), { env: { GOROOT: fakeGoroot(s, marker) } });
		assert.ok(st.notes?.some((n) => /goMemlens\.env: GOROOT not used/.test(n)), JSON.stringify(st));
	}));

test('-compiler=gccgo in buildFlags with GCCGO=script in goMemlens.env: both refused, gccgo never runs', () =>
	withScratch(async (s, marker) => {
		const gccgo = markerScript(s.base, 'gccgo.sh', marker);
		const st = await neverRuns(s, marker, heapModule(s.ws), { buildFlags: ['-compiler=gccgo'], env: { GCCGO: gccgo } });
		assert.ok(st.notes?.some((n) => /-compiler=gccgo not used/.test(n)) && st.notes.some((n) => /GCCGO/.test(n)), JSON.stringify(st));
	}));

test('GOCACHEPROG and CC in goMemlens.env (a cgo package): refused, neither program runs', () =>
	withScratch(async (s, marker) => {
		const prog = markerScript(s.base, 'prog.sh', marker);
		const st = await neverRuns(s, marker, heapModule(s.ws, true), { env: { GOCACHEPROG: prog, CC: prog, CGO_ENABLED: '1', CGO_CFLAGS: `-B${s.base}` } });
		assert.ok(st.notes?.some((n) => /CC, CGO_CFLAGS, GOCACHEPROG not used/.test(n)), JSON.stringify(st));
	}));

test('the CLI: GOFLAGS naming a linker (-extld) or gccgo never runs it; the build still reports facts', () =>
	withScratch(async (s, marker) => {
		writeFileSync(path.join(s.ws, 'go.mod'), 'module example.com/m\n\ngo 1.22\n');
		writeFileSync(path.join(s.ws, 'main.go'), 'package main\n\nvar sink *int\n\nfunc main() {\n\tx := 1\n\tsink = &x\n}\n');
		const script = markerScript(s.base, 'tool.sh', marker);
		for (const goflags of [`-ldflags=-linkmode=external -extld=${script}`, '-compiler=gccgo']) {
			const r = spawnSync(process.execPath, [CLI_JS, 'check', '--format', 'json', '--fail-on', 'none', '.'], {
				cwd: s.ws,
				env: goEnv({ ...s.env, GOENV: 'off', GOFLAGS: goflags.includes(' ') ? `'${goflags}'` : goflags, GCCGO: script }),
				encoding: 'utf8',
				timeout: 120_000,
			});
			assert.equal(r.status, 0, r.stderr);
			assert.ok(!existsSync(marker), `${goflags}: the program ran`);
			assert.match(r.stdout, /moved-to-heap/);
			assert.match(r.stderr, /note: GOFLAGS: -(ldflags|compiler)=.* not used/);
		}
		assert.deepEqual(readdirSync(s.tmp), []);
	}));
