/**
 * Everything a go command run needs besides its own arguments, in one place for every kind of run
 * (the escape compile, the CLI build, the typed `go vet` pass, `go env`):
 * - the environment: inherited + the allowed settings (policy.ts), GOTOOLCHAIN=local, GOFLAGS
 *   sanitised and passed explicitly (so the go env file's value cannot come back) with
 *   `-buildvcs=false` (VCS stamping runs git, which runs programs named in .git/config), and
 *   GOTMPDIR/TMPDIR in the run's own temp directory (tempRoot.ts), removed with it;
 * - the module files left alone (moduleFiles.ts): `-mod=mod` gets a `-modfile` copy, a go.work
 *   workspace a GOWORK copy;
 * - the overlay: unsaved buffers, and non-regular source files hidden (regularFiles.ts);
 * - notes for the status: every setting that was refused or overridden, and why.
 * Spawn with toolchain/processes.ts `spawnTool(goBin, [...args, ...run.flags], { env: run.env })`,
 * then `await run.dispose()`.
 */
import { writeOverlay, type OverlayFiles } from '../escape/overlay';
import { decideEnv, decideFlags, joinQuoted } from './policy';
import { copyModFile, copyWorkFile, workFileFor } from './moduleFiles';
import { fileKind, nonRegularSources } from './regularFiles';
import { acquireRunDir } from './tempRoot';

export interface ToolRunOptions {
	/** Where the go command runs. */
	cwd: string;
	/** goMemlens.buildFlags (or none). */
	buildFlags?: readonly string[];
	/** goMemlens.env (or none). */
	env?: Record<string, string>;
	/** Real absolute path → unsaved text. */
	overlay?: ReadonlyMap<string, string>;
	/** Package directories whose non-regular source files are hidden from the go command (default: none). */
	sourceDirs?: readonly string[];
	/** Files the go command must see as absent, by the caller's choice (no note): the CLI's typed pass leaves some tests out. */
	leaveOut?: readonly string[];
	/** false: no module files or overlay are involved (`go env`). Default true. */
	build?: boolean;
}

export interface ToolRun {
	/** The child's whole environment (pass with extendEnv: false; spawnTool does). */
	env: Record<string, string>;
	/** The user's allowed build flags, for the command line. */
	flags: string[];
	/** `-overlay=` value, when there is an overlay. */
	overlay?: OverlayFiles;
	/** What was refused or overridden (empty when the settings were used as given). */
	notes: string[];
	/** Source files left out of the build because they are not regular files. */
	hidden: string[];
	/** The run's temp directory. */
	dir: string;
	dispose(): Promise<void>;
}

export async function prepareToolRun(opts: ToolRunOptions): Promise<ToolRun> {
	const runDir = acquireRunDir();
	try {
		return await prepare(opts, runDir);
	} catch (e) {
		await runDir.dispose();
		throw e;
	}
}

async function prepare(opts: ToolRunOptions, runDir: ReturnType<typeof acquireRunDir>): Promise<ToolRun> {
	const settingsEnv = opts.env ?? {};
	const { env, goflags, refused } = decideEnv(settingsEnv);
	const notes = [...refused];
	const fromGoflags = decideFlags(goflags, 'GOFLAGS');
	const fromSettings = decideFlags(opts.buildFlags ?? [], 'goMemlens.buildFlags');
	notes.push(...fromGoflags.refused, ...fromSettings.refused);
	const forced = [...fromGoflags.flags, '-buildvcs=false'];
	const buildvcs = fromSettings.buildvcs ?? fromGoflags.buildvcs;
	if (buildvcs !== undefined && buildvcs !== 'false') notes.push(`-buildvcs=${buildvcs} overridden: -buildvcs=false (VCS stamping runs git, which runs programs named in .git/config)`);

	let overlay: OverlayFiles | undefined;
	const hidden: string[] = [];
	if (opts.build !== false) {
		const mod = fromSettings.mod ?? fromGoflags.mod;
		const modfile = fromSettings.modfile ?? fromGoflags.modfile;
		const work = workFileFor(opts.cwd, env);
		if (work) {
			const copy = await copyWorkFile(work, runDir.dir);
			if (copy) env.GOWORK = copy;
			if (mod === 'mod') notes.push('-mod=mod overridden: a go.work workspace is built read-only (the go command refuses -mod=mod there)');
			else if (mod) forced.push(`-mod=${mod}`);
			if (modfile) notes.push(`-modfile=${modfile} not used: the go command refuses it in a go.work workspace`);
		} else if (mod === 'mod') {
			const copy = await copyModFile(opts.cwd, modfile, runDir.dir);
			if (copy) {
				forced.push('-mod=mod', `-modfile=${copy}`);
				notes.push('-mod=mod: the go command updates a temporary copy of go.mod and go.sum, never the workspace');
			}
		} else {
			if (mod) forced.push(`-mod=${mod}`);
			// readonly (the default) never writes the user's module file
			if (modfile) forced.push(`-modfile=${modfile}`);
		}
		for (const d of opts.sourceDirs ?? []) hidden.push(...(await nonRegularSources(d)));
		for (const h of hidden) notes.push(`${h} left out of the build: it is ${await fileKind(h)}, not a regular file`);
		const absent = [...hidden, ...(opts.leaveOut ?? [])];
		if ((opts.overlay && opts.overlay.size > 0) || absent.length) overlay = await writeOverlay(opts.overlay ?? new Map(), { parent: runDir.dir, hidden: absent });
	}
	if (settingsEnv.GOTOOLCHAIN && settingsEnv.GOTOOLCHAIN !== 'local') notes.push(`GOTOOLCHAIN=${settingsEnv.GOTOOLCHAIN} overridden: GOTOOLCHAIN=local (no toolchain is downloaded)`);
	env.GOTOOLCHAIN = 'local';
	env.GOFLAGS = joinQuoted(forced);
	// The go command's $WORK and anything its children put in the temp dir go with the run.
	env.GOTMPDIR = runDir.goTmp;
	for (const k of process.platform === 'win32' ? ['TMP', 'TEMP'] : ['TMPDIR']) env[k] = runDir.goTmp;
	return {
		env,
		flags: fromSettings.flags,
		overlay,
		notes,
		hidden,
		dir: runDir.dir,
		dispose: async () => {
			await overlay?.dispose();
			await runDir.dispose();
		},
	};
}
