/**
 * Replaying the go command's own compile step. For a small package most of a save's
 * `go list -export -gcflags=-m=2` is the go command itself (loading the module graph, hashing
 * inputs: ~150 of ~220 ms for examples/), not the compiler (~75 ms). So the runner adds `-x` to the
 * go command's run, which prints the exact `compile` command line and its importcfg; later saves
 * of the same package run that command directly on the new text, as long as nothing the go command
 * decided could have changed (see `PlanSnapshot`). Pure: text in, plan out.
 */
import path from 'node:path';

/** The package's compile step as the go command ran it. */
export interface CompilePlan {
	/** The compile tool and its arguments, `$WORK` left as a placeholder. */
	argv: string[];
	/** The directory the go command ran it in. */
	cwd: string;
	/** Contents of the importcfg it wrote for the step. */
	importcfg: string;
	/** Absolute real paths of the package's Go files, in command order. */
	files: string[];
}

/** Splits one `-x` command line into words: Go prints arguments with spaces or quotes Go-quoted. */
export function splitCommand(line: string): string[] | undefined {
	const words: string[] = [];
	let i = 0;
	while (i < line.length) {
		if (line[i] === ' ') {
			i++;
			continue;
		}
		if (line[i] === '"') {
			let j = i + 1;
			while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
			if (j >= line.length) return undefined;
			try {
				words.push(JSON.parse(line.slice(i, j + 1)) as string);
			} catch {
				return undefined; // an escape JSON does not share with Go: no plan rather than a wrong one
			}
			i = j + 1;
			continue;
		}
		let j = i;
		while (j < line.length && line[j] !== ' ') j++;
		words.push(line.slice(i, j));
		i = j;
	}
	return words;
}

const HEREDOC = /^cat >(\S+) << 'EOF' # internal$/;
const POSITIONED = /^[^ ]*\.go:\d/;
const COMMAND = /^(WORK=|mkdir -p |cd |cp |mv |rm -r |rm -f |touch |echo |ln -s |chmod |go tool |TERM=|GOROOT=|CGO_|PKG_CONFIG)/;
const TOOL = /^\S*\/pkg\/tool\/[^/\s]+\/(compile|asm|pack|link|cgo|buildid|vet|cover)( |$)/;

/**
 * Reads the go command's `-x` trace out of its stderr: `accept(line)` takes the lines that belong
 * to the trace (they must not reach the -m parser) and `plan()` returns the one compile step that
 * ran with `-m=2`, the package's own.
 */
export class XTrace {
	private heredoc: { file: string; lines: string[] } | undefined;
	private readonly files = new Map<string, string>();
	private cwd: string | undefined;
	private work: string | undefined;
	private readonly steps: { argv: string[]; cwd: string | undefined }[] = [];

	/** True when `line` is part of the trace (consumed here). */
	accept(line: string): boolean {
		if (this.heredoc) {
			if (line === 'EOF') {
				this.files.set(this.heredoc.file, this.heredoc.lines.join('\n'));
				this.heredoc = undefined;
			} else this.heredoc.lines.push(line);
			return true;
		}
		// The bulk of the output: compiler positions (`file.go:12:3: …`), never a trace line.
		if (POSITIONED.test(line)) return false;
		const h = HEREDOC.exec(line);
		if (h) {
			this.heredoc = { file: h[1], lines: [] };
			return true;
		}
		if (TOOL.test(line)) {
			const argv = splitCommand(line);
			if (argv && /\/compile$/.test(argv[0]) && argv.includes('-m=2')) this.steps.push({ argv, cwd: this.cwd });
			return true;
		}
		if (line.startsWith('cd ')) {
			this.cwd = line.slice(3);
			return true;
		}
		if (line.startsWith('WORK=')) {
			this.work = line.slice(5);
			return true;
		}
		return COMMAND.test(line);
	}

	/**
	 * The package's compile step, when exactly one ran with -m=2 (none on a build-cache replay;
	 * several with -test). `backingToReal` maps overlay backing files back to the real files.
	 */
	plan(backingToReal?: ReadonlyMap<string, string>): CompilePlan | undefined {
		if (this.steps.length !== 1) return undefined;
		const { argv, cwd } = this.steps[0];
		if (!cwd) return undefined;
		const cfgAt = argv.indexOf('-importcfg');
		const cfgPath = cfgAt > 0 ? argv[cfgAt + 1] : undefined;
		const importcfg = cfgPath === undefined ? undefined : (this.files.get(cfgPath) ?? this.files.get(cfgPath.replace(/^\$WORK/, this.work ?? '$WORK')));
		if (importcfg === undefined) return undefined;
		// A dependency compiled in the same run points into $WORK, which is gone now: wait for a run with it cached.
		if (importcfg.includes('$WORK') || (this.work && importcfg.includes(this.work))) return undefined;
		// Other generated inputs (embedcfg, asm headers, cgo files) are not replayed: no plan then.
		if (argv.some((a, i) => i !== cfgAt + 1 && a.includes('$WORK') && !/^\$WORK\/b\d+\/_pkg_\.a$/.test(a) && argv[i - 1] !== '-trimpath')) return undefined;
		const files: string[] = [];
		for (const a of argv.slice(goFilesStart(argv))) {
			if (!a.endsWith('.go')) return undefined;
			const abs = path.resolve(cwd, a);
			files.push(backingToReal?.get(abs) ?? abs);
		}
		if (files.length === 0) return undefined;
		return { argv, cwd, importcfg, files };
	}
}

/** Index of the first Go file argument: the compile flags end there (`-pack` is the last flag go passes). */
function goFilesStart(argv: readonly string[]): number {
	let i = 1;
	while (i < argv.length && !argv[i].endsWith('.go')) i++;
	return i;
}

/**
 * The compile command for a replay: `$WORK` → `work`, the importcfg written at `importcfgFile`,
 * each Go file at its overlay backing path when it has unsaved text, and `-trimpath` rules that
 * map those backing paths back to the real files (so the compiler prints real positions).
 */
export function replayArgv(plan: CompilePlan, work: string, importcfgFile: string, backing: ReadonlyMap<string, string>): string[] {
	const start = goFilesStart(plan.argv);
	const flags = plan.argv.slice(1, start);
	const out: string[] = [];
	for (let i = 0; i < flags.length; i++) {
		const f = flags[i];
		if (f === '-importcfg') {
			out.push(f, importcfgFile);
			i++;
		} else if (f === '-trimpath') {
			const keep = (flags[i + 1] ?? '').split(';').filter((r) => r && !r.startsWith('$WORK') && !isOverlayRule(r, plan));
			const rules = [...[...backing].map(([real, b]) => `${b}=>${real}`), ...keep, `${work}=>`];
			out.push(f, rules.join(';'));
			i++;
		} else out.push(f.replace(/\$WORK/g, work));
	}
	return [plan.argv[0], ...out, ...plan.files.map((f) => backing.get(f) ?? f)];
}

/** A `-trimpath` rule the go command added for an overlay file (`backing=>real`). */
function isOverlayRule(rule: string, plan: CompilePlan): boolean {
	const [, to] = rule.split('=>');
	return to !== undefined && plan.files.includes(to);
}
