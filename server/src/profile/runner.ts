/**
 * Runs a package's benchmarks with the memory profile (the edge: process spawning):
 *   go test -run='^$' -bench=REGEX -benchmem -memprofile=F -memprofilerate=1 -o=<temp>/pkg.test -vet=off .
 * in the package directory, through the toolchain policy (toolchain/toolRun.ts: env allowlist,
 * GOFLAGS, module files left alone, GOTOOLCHAIN=local) and as its own process tree
 * (toolchain/processes.ts: cancel and timeout kill the test binary too). The test binary and the
 * profile go to the run's temp directory: `go test -memprofile` otherwise leaves PKG.test in the
 * package directory. `-vet=off`: a vet complaint must not stop a measurement (the typed pass
 * reports vet's findings). Returns the profile's bytes; nothing is left behind.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { killTree, spawnTool } from '../toolchain/processes';
import { prepareToolRun, type ToolRun } from '../toolchain/toolRun';
import { parseBenchOutput, type BenchResult } from './benchOutput';

export interface BenchRunRequest {
	goBin: string;
	/** The package directory. */
	dir: string;
	/** `-bench` regular expression, e.g. `^BenchmarkLabels$`. */
	bench: string;
	/** `-benchtime`, e.g. `1s`, `100x` (default: go test's own, 1s). */
	benchtime?: string;
	/** `-memprofilerate` (default 1: every allocation recorded, exact per-line counts). */
	memProfileRate?: number;
	tags?: string[];
	buildFlags?: string[];
	env?: Record<string, string>;
	signal?: AbortSignal;
	timeoutMs?: number;
	/** Each line go test prints on stdout, as it comes (progress). */
	onOutput?: (line: string) => void;
}

export interface BenchRunResult {
	status: 'ok' | 'failed' | 'no-benchmarks' | 'cancelled' | 'timeout' | 'go-missing' | 'error';
	benchmarks: BenchResult[];
	/** The memory profile as written by the test binary (gzipped pprof), when it ran. */
	profile?: Uint8Array;
	/** The command line, with the temp paths as they were. */
	command: string;
	/** stdout and stderr, trimmed to their last lines, for a failure's message. */
	output: string;
	message?: string;
	notes: string[];
	durationMs: number;
}

/** The go test arguments (exported for tests and for showing the command). */
export function benchArgs(req: Pick<BenchRunRequest, 'bench' | 'benchtime' | 'memProfileRate' | 'tags'>, profile: string, binary: string): string[] {
	const args = ['test', '-run=^$', `-bench=${req.bench}`, '-benchmem', `-memprofile=${profile}`, `-memprofilerate=${req.memProfileRate ?? 1}`, `-o=${binary}`, '-vet=off'];
	if (req.benchtime) args.push(`-benchtime=${req.benchtime}`);
	if (req.tags?.length) args.push(`-tags=${req.tags.join(',')}`);
	return args;
}

const MAX_OUTPUT = 16 * 1024 * 1024;

/** Runs the benchmarks once. Never throws. */
export async function runBenchProfile(req: BenchRunRequest): Promise<BenchRunResult> {
	const started = performance.now();
	let command = `${req.goBin} ${benchArgs(req, 'PROFILE', 'BINARY').join(' ')} .`;
	let notes: string[] = [];
	let output = '';
	const done = (r: Partial<BenchRunResult> & Pick<BenchRunResult, 'status'>): BenchRunResult => ({
		benchmarks: [],
		command,
		output,
		notes,
		...r,
		durationMs: Math.round(performance.now() - started),
	});
	if (req.signal?.aborted) return done({ status: 'cancelled', message: 'Cancelled before start.' });
	let run: ToolRun | undefined;
	try {
		run = await prepareToolRun({ cwd: req.dir, buildFlags: req.buildFlags, env: req.env, sourceDirs: [req.dir] });
		notes = run.notes;
		const profileFile = path.join(run.dir, 'mem.pprof');
		const args = [...benchArgs(req, profileFile, path.join(run.dir, `${path.basename(req.dir) || 'pkg'}.test`)), ...run.flags];
		if (run.overlay) args.push(`-overlay=${run.overlay.file}`);
		args.push('.');
		command = `${req.goBin} ${args.join(' ')}`;
		const { child, pid } = await spawnTool(req.goBin, args, {
			cwd: req.dir,
			env: run.env,
			stdout: 'pipe',
			stderr: 'pipe',
			signal: req.signal,
			timeoutMs: req.timeoutMs,
		});
		let text = '';
		let pending = '';
		const take = (chunk: Buffer) => {
			const s = chunk.toString('utf8');
			if (text.length < MAX_OUTPUT) text += s;
			pending += s;
			let nl: number;
			while ((nl = pending.indexOf('\n')) >= 0) {
				const line = pending.slice(0, nl);
				pending = pending.slice(nl + 1);
				try {
					req.onOutput?.(line);
				} catch {
					// a listener must not stop the run
				}
			}
		};
		child.stdout?.on('data', take);
		child.stderr?.on('data', take);
		const r = await child;
		output = text.trim().split('\n').slice(-40).join('\n');
		if (r.isCanceled || req.signal?.aborted) {
			if (pid) killTree(pid, 'SIGKILL');
			return done({ status: 'cancelled', message: 'Cancelled.' });
		}
		if (r.timedOut) {
			if (pid) killTree(pid, 'SIGKILL');
			return done({ status: 'timeout', message: `go test took longer than ${Math.round((req.timeoutMs ?? 0) / 1000)} s and was stopped.` });
		}
		const code = (r as { code?: string }).code ?? (r.cause as NodeJS.ErrnoException | undefined)?.code;
		if (code === 'ENOENT' || code === 'EACCES') return done({ status: 'go-missing', message: `cannot run the go binary "${req.goBin}" (${code === 'ENOENT' ? 'not found' : 'not executable'})` });
		const benchmarks = parseBenchOutput(text);
		if (r.exitCode !== 0) return done({ status: 'failed', benchmarks, message: `go test failed (exit ${r.exitCode ?? r.signal}): ${output.split('\n').slice(-5).join(' ')}` });
		if (benchmarks.length === 0) return done({ status: 'no-benchmarks', message: `no benchmark matched -bench=${req.bench} in ${req.dir}` });
		const profile = await readFile(profileFile);
		return done({ status: 'ok', benchmarks, profile });
	} catch (e) {
		return done({ status: 'error', message: `could not run go test: ${(e as Error)?.message ?? String(e)}` });
	} finally {
		await run?.dispose();
	}
}
