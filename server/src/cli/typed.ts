/**
 * The typed pass in the CLI: one `go vet -json -copylocks PATTERNS` per module, like the compile
 * (server/src/typed/runner.ts), turned into each file's `RuleContext.typed`. It runs whenever Go is
 * available and `--typed off` is not given, `--escape none` included: `--escape` chooses which
 * compiler facts to report, the typed pass refines the rules' own findings.
 *
 * When vet exits 0, every package of the module was type-checked. When it fails, the packages it
 * names are not, and a package depending on one that does not build is skipped without being
 * named: so vet's silence is trusted per directory only after a second `go vet .` in that
 * directory succeeds, and that second run happens only for a file whose syntax findings the
 * silence would retract (rare).
 *
 * By default (`--typed on`) packages are vetted without their _test.go files: those test files get
 * the syntax answer, and a second `go vet .` of the directory, with its tests, runs for a test file
 * whose syntax findings types would confirm or retract. What is lost is only what vet alone would
 * add in test files (information level there). Vetting the tests costs most of the pass: on std,
 * 13 s for the packages alone against 319 s with every test (Go 1.26.8, 2 cores, after the escape
 * compile), because a package with tests is compiled again as its test variant, with the test-only
 * dependencies. `--typed full` vets every package with its tests, except those whose tests would
 * make vet compile their importers again as test variants (std: anything `testing` depends on;
 * typed/testVariants.ts), which are left as `on` leaves every package.
 *
 * After a good escape compile of the unit, vet gets that compile's `-gcflags=-m=2`: the packages it
 * needs compiled are then that build's, replayed from the go build cache (typed/runner.ts
 * `shareEscapeCompile`), instead of all compiled again with default flags.
 */
import path from 'node:path';
import type { TypedFact, TypedView } from '../typed/facts';
import { runTyped, type TypedRunResult } from '../typed/runner';
import { typedView } from '../typed/view';
import { importPaths } from './compile';
import type { ModuleUnit } from './discover';
import { listCostlyTests, testFilesOf } from '../typed/testVariants';

export class UnitTypes {
	private readonly byFile = new Map<string, TypedFact[]>();
	private readonly failedDirs = new Set<string>();
	/** Directories re-checked alone: did `go vet .` succeed there? */
	private readonly dirOk = new Map<string, boolean>();

	private constructor(
		readonly result: TypedRunResult,
		private readonly goBin: string,
		private readonly tags: string[],
		unit: ModuleUnit,
		/** Package directories vetted without their tests. */
		private readonly untested: ReadonlySet<string>,
	) {
		this.add(result.facts);
		const dirs = importPaths(unit);
		for (const id of result.failedPackages) {
			// `p [p.test]` is p with its tests; `p_test` is p's external test package.
			const ip = id.replace(/ \[.*\]$/, '');
			const dir = dirs.get(ip) ?? dirs.get(ip.replace(/_test$/, ''));
			if (dir) this.failedDirs.add(dir);
		}
	}

	/**
	 * Runs vet over the unit's packages; `afterEscapeCompile`: the unit's `go build -gcflags=-m=2`
	 * succeeded (its compiles are reused). `withTests` (`--typed full`): packages with their test
	 * files, but for those whose tests are costly; else every package without them.
	 */
	static async run(goBin: string, unit: ModuleUnit, tags: string[], afterEscapeCompile = false, withTests = false, costlyTests?: Promise<Set<string> | undefined>): Promise<UnitTypes> {
		let untested: Set<string>;
		if (withTests) {
			const costly = await (costlyTests ?? UnitTypes.costlyTests(goBin, unit, tags));
			const dirs = importPaths(unit);
			untested = new Set([...(costly ?? [])].map((ip) => dirs.get(ip)).filter((d): d is string => d !== undefined));
		} else {
			// A directory of tests alone keeps them: without them it would have no files to vet.
			const sources = new Set(unit.files.filter((f) => !f.endsWith('_test.go')).map((f) => path.dirname(f)));
			untested = new Set(unit.packages.filter((d) => sources.has(d)));
		}
		const leaveOut = testFilesOf(untested);
		const r = await runTyped({ goBin, cwd: unit.root, patterns: unit.patterns, sourceDirs: unit.packages, tags, buildFlags: [], env: {}, timeoutMs: 0, shareEscapeCompile: afterEscapeCompile, ...(leaveOut.length ? { leaveOut } : {}) });
		return new UnitTypes(r, goBin, tags, unit, untested);
	}

	/** The unit's packages whose tests recompile their importers (typed/testVariants.ts); the CLI starts it beside the compile. */
	static costlyTests(goBin: string, unit: ModuleUnit, tags: string[]): Promise<Set<string> | undefined> {
		return listCostlyTests(goBin, unit.root, unit.patterns, unit.packages, tags);
	}

	/** A test file vet was not shown (its package was vetted without tests), until its directory is re-checked. */
	private unseen(file: string): boolean {
		return file.endsWith('_test.go') && this.untested.has(path.dirname(file)) && !this.dirOk.has(path.dirname(file));
	}

	/** vet ran (whatever it could check): there are typed results to read. */
	get usable(): boolean {
		return this.result.status === 'ok' || this.result.status === 'failed';
	}

	/** The file's typed view, or undefined when vet did not run. */
	view(file: string, text: string): TypedView | undefined {
		const v = this.viewInput(file);
		return v && typedView({ ...v, edited: new Map(), stale: false }, file, text);
	}

	/** What the file's view is made of, as plain data (a rule thread builds the view itself). */
	viewInput(file: string): { analyzers: string[]; facts: TypedFact[]; complete: boolean } | undefined {
		if (!this.usable) return undefined;
		const dir = path.dirname(file);
		const complete = this.dirOk.get(dir) === true || (this.result.status === 'ok' && !this.unseen(file));
		return { analyzers: [...this.result.analyzers], facts: this.byFile.get(file) ?? [], complete };
	}

	/** Worth a `go vet .` of the file's directory alone (the module's run failed, but not on this package; or it left this test file out). */
	canRecheck(file: string): boolean {
		const dir = path.dirname(file);
		if (this.failedDirs.has(dir) || this.dirOk.has(dir)) return false;
		return this.result.status === 'failed' || this.unseen(file);
	}

	/** `go vet .` in a package directory, with its tests; its files' typed results are replaced. */
	async recheck(dir: string): Promise<void> {
		const r = await runTyped({ goBin: this.goBin, cwd: dir, patterns: ['.'], tags: this.tags, buildFlags: [], env: {}, timeoutMs: 0 });
		this.dirOk.set(dir, r.status === 'ok');
		if (r.status !== 'ok') return;
		for (const f of [...this.byFile.keys()]) if (path.dirname(f) === dir) this.byFile.delete(f);
		this.add(r.facts);
	}

	private add(facts: TypedFact[]): void {
		const seen = new Set<string>();
		for (const f of facts) {
			const file = path.resolve(f.pos.file);
			// A file vetted twice (a package and its test variant) reports once.
			const k = `${file}:${f.pos.line}:${f.pos.column}:${f.message}`;
			if (seen.has(k)) continue;
			seen.add(k);
			let list = this.byFile.get(file);
			if (!list) this.byFile.set(file, (list = []));
			list.push(f.pos.file === file ? f : { ...f, pos: { ...f.pos, file } });
		}
	}
}
