/**
 * Go MemLens vs gopls, side by side in one run, on GOROOT's encoding/json and net/http and on
 * this repo's examples/ module.
 *
 * - gopls: `workspace/executeCommand gopls.gc_details [fileURI]` (gopls v0.23: the per-package
 *   toggle of "compiler optimization details"; it runs `go build -gcflags=-json=0,DIR`) → time to
 *   the first diagnostics with source "optimizer details" for the open file.
 * - ours: an edit that changes the package (so the compiler really runs; -m output is otherwise
 *   replayed from the build cache) + didSave → time to the file's next diagnostics once the
 *   package is up to date again.
 * Prints both times, the ratio ours/gopls (target ≤ 0.5×) and counts per kind each shows.
 *
 *   npm run build && node --import tsx bench/goplsCompare.ts
 * gopls is installed on first use into $MEMLENS_GOPLS_BIN (default /tmp/memlens-gopls-bin) through the
 * Go module proxy with GOTOOLCHAIN=local: gopls v0.24.0 needs go ≥ 1.27, so v0.23.0 is the newest
 * that builds with Go 1.26.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-types';
import { goEnv, ROOT, Session, startSession } from '../test/hardening/session';
import { ESCAPE_KINDS } from '../server/src/model';

/** A compiler-fact diagnostic: its code is an escape kind (rule findings carry rule ids). */
const isFact = (d: Diagnostic): boolean => d.source === 'memlens' && (ESCAPE_KINDS as readonly unknown[]).includes(d.code);

const GOPLS_VERSION = process.env.MEMLENS_GOPLS_VERSION ?? 'v0.23.0';
const GOBIN = process.env.MEMLENS_GOPLS_BIN ?? '/tmp/memlens-gopls-bin';
const GOROOT = execFileSync('/usr/local/go/bin/go', ['env', 'GOROOT'], { env: goEnv(), encoding: 'utf8' }).trim();

function gopls(): string {
	const bin = path.join(GOBIN, 'gopls');
	if (!existsSync(bin)) {
		console.log(`installing gopls@${GOPLS_VERSION} into ${GOBIN}…`);
		execFileSync('/usr/local/go/bin/go', ['install', `golang.org/x/tools/gopls@${GOPLS_VERSION}`], {
			cwd: '/tmp',
			env: goEnv({ GOBIN, GOFLAGS: '-mod=mod' }),
			stdio: 'inherit',
		});
	}
	return bin;
}

interface Target {
	name: string;
	/** Workspace root given to both servers. */
	root: string;
	/** The file opened (relative to root). */
	file: string;
}

const TARGETS: Target[] = [
	{ name: 'encoding/json', root: path.join(GOROOT, 'src'), file: 'encoding/json/encode.go' },
	{ name: 'net/http', root: path.join(GOROOT, 'src'), file: 'net/http/server.go' },
	{ name: 'examples/', root: path.join(ROOT, 'examples'), file: 'poolputlocal.go' },
];

const countBy = (ds: Diagnostic[], key: (d: Diagnostic) => string) => {
	const m: Record<string, number> = {};
	for (const d of ds) m[key(d)] = (m[key(d)] ?? 0) + 1;
	return m;
};

/** Resolves once `s` has published nothing for `quietMs` (counts are read after the burst). */
async function quiet(s: Session, quietMs: number): Promise<void> {
	for (;;) {
		const n = s.notifications.length;
		await new Promise((r) => setTimeout(r, quietMs));
		if (s.notifications.length === n) return;
	}
}

async function measureGopls(t: Target): Promise<{ ms: number; counts: Record<string, number> }> {
	const s = await startSession({ root: t.root, command: [gopls(), 'serve'], settings: {} });
	try {
		const uri = await s.open(t.file);
		// gopls loads the workspace before it answers; a hover on line 1 waits for that load.
		await s.hover(uri, 0, 0);
		const isOpt = (d: Diagnostic) => d.source === 'optimizer details' || d.source === 'compiler';
		const t0 = performance.now();
		await s.conn.sendRequest('workspace/executeCommand', { command: 'gopls.gc_details', arguments: [uri] });
		await s.waitFor(() => (s.diagnostics.get(uri)?.diagnostics ?? []).some(isOpt), 300_000, 'gopls optimizer details');
		const ms = performance.now() - t0;
		await quiet(s, 1500);
		const ds = (s.diagnostics.get(uri)?.diagnostics ?? []).filter(isOpt);
		// gopls puts the kind in the message ("escape(x escapes to heap)", "canInlineFunction(cost: 12)")
		return { ms, counts: countBy(ds, (d) => String(d.code ?? (typeof d.message === 'string' ? d.message : d.message.value).split('(')[0].trim())) };
	} finally {
		await s.stop();
	}
}

async function measureOurs(t: Target): Promise<{ coldMs: number; ms: number; counts: Record<string, number> }> {
	// the kinds gopls shows by default: escapes, leaks and inlining
	const settings = { escapeSeverities: { 'does-not-escape': 'hint', inlining: 'hint' }, debounceMs: 0 };
	const s = await startSession({ root: t.root, settings });
	try {
		const abs = path.join(t.root, t.file);
		const text = readFileSync(abs, 'utf8');
		const t0 = performance.now();
		const uri = await s.open(t.file);
		const isEsc = (ds: Diagnostic[]) => ds.some(isFact);
		await s.waitFor(() => isEsc(s.diagnostics.get(uri)?.diagnostics ?? []) && s.statuses.at(-1)?.quiescent === true, 300_000, 'first escape diagnostics');
		const coldMs = performance.now() - t0;
		// A real change (new function at the end) so the compiler runs; disk stays untouched (overlay).
		const edited = `${text}\nfunc memlensBench${Date.now()}() *int { v := 1; return &v }\n`;
		const version = await s.change(uri, edited);
		const t1 = performance.now();
		await s.save(uri);
		// Done when the compile's facts are published: the new function's `v` is on the heap (the
		// edit's own publish still shows the old facts, moved along with the text).
		const fnLine = edited.split('\n').findIndex((l) => l.startsWith('func memlensBench'));
		const fresh = (ds: Diagnostic[]) => ds.some((d) => isFact(d) && d.range.start.line === fnLine);
		await s.waitFor(() => (s.diagnostics.get(uri)?.version ?? 0) >= version && fresh(s.diagnostics.get(uri)!.diagnostics), 300_000, 'escape diagnostics after save');
		const ms = performance.now() - t1;
		const ds = (s.diagnostics.get(uri)?.diagnostics ?? []).filter(isFact);
		return { coldMs, ms, counts: countBy(ds, (d) => String(d.code)) };
	} finally {
		await s.stop();
	}
}

async function main(): Promise<void> {
	const version = execFileSync(gopls(), ['version'], { encoding: 'utf8' }).split('\n')[0];
	console.log(`gopls: ${version}; go: ${execFileSync('/usr/local/go/bin/go', ['version'], { env: goEnv(), encoding: 'utf8' }).trim()}`);
	const only = process.argv.slice(2);
	for (const t of TARGETS.filter((x) => only.length === 0 || only.includes(x.name))) {
		const g = await measureGopls(t);
		const o = await measureOurs(t);
		console.log(`\n## ${t.name} (${t.file})`);
		console.log(`gopls gc_details toggle → diagnostics: ${(g.ms / 1000).toFixed(2)} s; kinds: ${JSON.stringify(g.counts)}`);
		console.log(`memlens edit+save → diagnostics:       ${(o.ms / 1000).toFixed(2)} s (open → first facts ${(o.coldMs / 1000).toFixed(2)} s); kinds: ${JSON.stringify(o.counts)}`);
		console.log(`ratio ours/gopls: ${(o.ms / g.ms).toFixed(2)}× (target ≤ 0.5×)`);
	}
}

void main().catch((e) => {
	console.error(e);
	process.exitCode = 1;
});
