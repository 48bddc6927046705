/** Command-line parsing for `memlens` (node's util.parseArgs): pure, returns options or a usage error. */
import { parseArgs } from 'node:util';
import { ESCAPE_KINDS, type EscapeKind, type Severity } from '../model';
import { parseProfileCommand, PROFILE_CHECK_USAGE, PROFILE_USAGE, ProfileUsageError, takeProfileFlags, type ProfileCheck, type ProfileOptions } from './profileArgs';
import { parseShard, type Shard } from './shard';
import type { ReportFormat } from './report';

export type Format = 'text' | 'json' | 'sarif';
export type DiffFormat = Format | 'md';
export type FailOn = Severity | 'none';

/** The escape kinds reported by default: the two that mean a heap allocation. */
export const DEFAULT_ESCAPE_KINDS: readonly EscapeKind[] = ['moved-to-heap', 'escapes-to-heap'];
/** `--escape all`: every escape-analysis kind (inlining decisions are not escape analysis). */
export const ALL_ESCAPE_KINDS: readonly EscapeKind[] = ESCAPE_KINDS.filter((k) => k !== 'inlining');

export interface CheckOptions {
	command: 'check';
	format: Format;
	/** Compiler kinds to report; empty: do not run the compiler. */
	escape: EscapeKind[];
	failOn: FailOn;
	tags: string[];
	/** Explicit go binary, or '' to look it up. */
	go: string;
	/** Run the typed pass (go vet analyzers) when Go is available: `--typed on|full|off`, default on. */
	typed: boolean;
	/** `--typed full`: vet every package with its test files (on: test files only where the rules found something). */
	typedTests?: boolean;
	disabledRules: string[];
	paths: string[];
	/** `--profile FILE`: costs joined with the compiler facts (profileArgs.ts). */
	profile?: ProfileCheck;
	/** `--new-from-rev REF`: only findings on lines changed since REF. */
	newFromRev?: string;
	/** `--baseline FILE`: findings recorded there are not reported. */
	baseline?: string;
	/** `--shard I/N`: only this shard's packages. */
	shard?: Shard;
}

/** `memlens baseline`: the findings `check` would report with the same options, as a baseline file. */
export interface BaselineOptions extends Omit<CheckOptions, 'command' | 'format' | 'failOn' | 'newFromRev' | 'baseline'> {
	command: 'baseline';
}

/** `memlens diff BASE [HEAD] [-- PATH ...]`: compiler facts new, gone or changed between revisions. */
export interface DiffOptions {
	command: 'diff';
	base: string;
	/** A revision, or undefined for the working tree. */
	head?: string;
	format: DiffFormat;
	/** Kinds whose changes are reported (all kinds are compiled and matched). */
	escape: EscapeKind[];
	/** `--fail-on-new KINDS`: exit 1 when a fact of these kinds is new (or changed into one). */
	failOnNew: EscapeKind[];
	tags: string[];
	go: string;
	paths: string[];
}

/** `memlens report`: the check's facts and findings summarised per package and cause. */
export interface ReportOptions extends Pick<CheckOptions, 'tags' | 'go' | 'typed' | 'typedTests' | 'disabledRules' | 'paths' | 'shard'> {
	command: 'report';
	format: ReportFormat;
	/** How many functions and files to list (`--top N`). */
	top: number;
}

export interface FixOptions {
	command: 'fix';
	dryRun: boolean;
	disabledRules: string[];
	paths: string[];
}

export type CliCommand = CheckOptions | BaselineOptions | DiffOptions | ReportOptions | FixOptions | ProfileOptions | { command: 'help' } | { command: 'version' };

/** A usage error: printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {}

export const USAGE = `Go MemLens: the Go compiler's escape analysis and memory pattern checks.

Usage:
  memlens check [options] [PATH ...]   report findings (PATH: directory, recursively like ./..., or a .go file; default .)
  memlens baseline [options] [PATH ...] > memlens-baseline.json
                                       record today's findings (check's options) for check --baseline
  memlens diff [options] BASE [HEAD] [-- PATH ...]
                                       compiler facts new, gone or of another kind from revision BASE to
                                       HEAD (default: the working tree), matched by package, function, subject
  memlens report [options] [PATH ...]  heap allocation sites per package and cause, with advice, the
                                       functions and files with most of them, and the rule findings
  memlens fix [--dry-run] [PATH ...]   apply the safe fixes of the syntax rules in place (--dry-run: print a diff)
${PROFILE_USAGE}
  memlens --help | --version

Options (check):
  --format text|json|sarif        output format (default text)
  --escape KINDS|all|none         compiler facts to report, comma-separated from
                                  ${ALL_ESCAPE_KINDS.join(', ')}, inlining
                                  (default moved-to-heap,escapes-to-heap; none: syntax rules only, no compiler run)
  --fail-on error|warning|information|hint|none
                                  exit 1 when a finding at or above this severity is reported (default error)
  --tags T1,T2                    build tags for the compiler
  --typed on|full|off             types from Go's own type checker (go vet -copylocks) refine the rules
                                  that need them, also with --escape none (default on; needs Go, else
                                  a note on stderr and the syntax answer). on: packages without their
                                  _test.go files, and a package with its tests where the rules found a
                                  lock copy in one; full: every package with its tests (slower)
  --go PATH                       the go binary (default: go on PATH)
  --rules-disable ID1,ID2         syntax rules to switch off
  --new-from-rev REF              only findings on lines changed since REF (branch, tag or commit; git diff REF,
                                  uncommitted and untracked files included)
  --baseline FILE                 leave out the findings recorded in FILE (memlens baseline); entries no
                                  longer found are noted on stderr (JSON: "baseline.stale")
${PROFILE_CHECK_USAGE}
  --shard I/N                     analyse only shard I of N (a CI matrix: the N shards together are one run)

Options (report): --format text|md|html|json (default text; html is one self-contained file),
  --top N (functions and files listed, default 15), and --tags, --typed, --go, --rules-disable,
  --shard as for check

Options (diff):
  --format text|json|sarif|md     output format (default text; md: a pull-request comment or job summary)
  --escape KINDS|all              kinds whose changes are reported (default moved-to-heap,escapes-to-heap)
  --fail-on-new KINDS             exit 1 when a fact of these kinds is new or changed into one
                                  (e.g. moved-to-heap,escapes-to-heap; default: never)
  --tags T1,T2, --go PATH         as for check

Exit codes: 0 nothing at or above --fail-on (diff: nothing new of --fail-on-new), 1 something is,
2 usage or tool error (not a git repository, unknown revision, unresolved conflicts, unusable baseline).
Docs: docs/cli.md`;

function list(v: string | undefined): string[] {
	return (v ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
	if ((allowed as readonly string[]).includes(value)) return value as T;
	throw new UsageError(`--${name}: "${value}" is not one of ${allowed.join(', ')}`);
}

/** Parses `--escape`: a comma-separated list of kinds, `all` or `none`. */
export function parseEscapeKinds(v: string | undefined): EscapeKind[] {
	if (v === undefined) return [...DEFAULT_ESCAPE_KINDS];
	if (v === 'none') return [];
	if (v === 'all') return [...ALL_ESCAPE_KINDS];
	const kinds = list(v);
	if (kinds.length === 0) throw new UsageError('--escape: give kinds, all or none');
	return [...new Set(kinds.map((k) => oneOf('escape', k, ESCAPE_KINDS)))];
}

/** Parses argv (without `node` and the script). Throws UsageError. */
export function parseCli(argv: string[]): CliCommand {
	let parsed;
	let profile: ProfileCheck | undefined;
	try {
		if (argv[0] === 'profile') return parseProfileCommand(argv.slice(1));
		const taken = takeProfileFlags(argv);
		profile = taken.profile;
		if (profile && taken.rest.find((a) => !a.startsWith('-')) !== 'check') throw new UsageError('--profile belongs to `memlens check`');
		argv = taken.rest;
	} catch (e) {
		throw e instanceof ProfileUsageError ? new UsageError(e.message) : e;
	}
	try {
		parsed = parseArgs({
			args: argv,
			allowPositionals: true,
			strict: true,
			tokens: true,
			options: {
				help: { type: 'boolean', short: 'h' },
				version: { type: 'boolean', short: 'v' },
				format: { type: 'string' },
				escape: { type: 'string' },
				'fail-on': { type: 'string' },
				tags: { type: 'string' },
				go: { type: 'string' },
				'rules-disable': { type: 'string' },
				typed: { type: 'string' },
				'dry-run': { type: 'boolean' },
				'new-from-rev': { type: 'string' },
				baseline: { type: 'string' },
				'fail-on-new': { type: 'string' },
				shard: { type: 'string' },
				top: { type: 'string' },
			},
		});
	} catch (e) {
		throw new UsageError((e as Error).message);
	}
	const { values: o, positionals, tokens } = parsed;
	if (o.help) return { command: 'help' };
	if (o.version) return { command: 'version' };
	// Positionals after `--` are paths (diff's revisions come before it).
	const cut = tokens.find((t) => t.kind === 'option-terminator')?.index;
	const afterCut = cut === undefined ? 0 : tokens.filter((t) => t.kind === 'positional' && t.index > cut).length;
	const [command, ...rest] = positionals;
	if (!command) throw new UsageError('missing command: check, report, baseline, diff or fix');
	const only = (k: 'new-from-rev' | 'baseline' | 'fail-on-new', where: string) => {
		if (o[k] !== undefined) throw new UsageError(`--${k} belongs to \`memlens ${where}\``);
	};
	if (command !== 'check') {
		only('new-from-rev', 'check');
		only('baseline', 'check');
	}
	if (command !== 'diff') only('fail-on-new', 'diff');
	if (command === 'diff') return parseDiff(o, rest.slice(0, rest.length - afterCut), rest.slice(rest.length - afterCut));
	const paths = rest;
	let shard: Shard | undefined;
	if (o.shard !== undefined) {
		shard = parseShard(o.shard as string);
		if (!shard) throw new UsageError(`--shard: "${o.shard}" is not I/N with 1 ≤ I ≤ N (e.g. 2/4)`);
		if (command === 'fix') throw new UsageError('--shard belongs to `memlens check` and `memlens report`');
	}
	const common = {
		tags: list(o.tags),
		go: o.go ?? '',
		disabledRules: list(o['rules-disable']),
		paths: paths.length ? paths : ['.'],
	};
	if (o.go !== undefined && !o.go.trim()) throw new UsageError('--go: give the path of the go binary');
	if (o.top !== undefined && command !== 'report') throw new UsageError('--top belongs to `memlens report`');
	if (command === 'check') {
		if (o['dry-run']) throw new UsageError('--dry-run belongs to `memlens fix`');
		for (const k of ['new-from-rev', 'baseline'] as const) if (o[k] !== undefined && !o[k].trim()) throw new UsageError(`--${k}: give a value`);
		return {
			command: 'check',
			format: oneOf('format', o.format ?? 'text', ['text', 'json', 'sarif'] as const),
			escape: parseEscapeKinds(o.escape),
			failOn: oneOf('fail-on', o['fail-on'] ?? 'error', ['error', 'warning', 'information', 'hint', 'none'] as const),
			...typedMode(o.typed),
			...common,
			...(o['new-from-rev'] !== undefined ? { newFromRev: o['new-from-rev'] } : {}),
			...(o.baseline !== undefined ? { baseline: o.baseline } : {}),
			...(profile ? { profile } : {}),
			...(shard ? { shard } : {}),
		};
	}
	if (command === 'report') {
		for (const k of ['escape', 'fail-on', 'dry-run'] as const) {
			if (o[k] !== undefined) throw new UsageError(`--${k} belongs to \`memlens ${k === 'dry-run' ? 'fix' : 'check'}\` (a report counts the heap facts and never fails)`);
		}
		const top = Number(o.top ?? '15');
		if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top: "${o.top}" is not a positive whole number`);
		return {
			command: 'report',
			top,
			format: oneOf('format', o.format ?? 'text', ['text', 'md', 'html', 'json'] as const),
			...typedMode(o.typed),
			...common,
			...(shard ? { shard } : {}),
		};
	}
	if (command === 'baseline') {
		for (const k of ['format', 'fail-on', 'dry-run'] as const) if (o[k] !== undefined) throw new UsageError(`--${k} does not apply to \`memlens baseline\` (it writes one JSON file)`);
		return { command: 'baseline', escape: parseEscapeKinds(o.escape), ...typedMode(o.typed), ...common };
	}
	if (command === 'fix') {
		// fix runs no compiler: its fixes come from the syntax rules alone.
		for (const k of ['format', 'escape', 'fail-on', 'tags', 'go', 'typed'] as const) {
			if (o[k] !== undefined) throw new UsageError(`--${k} belongs to \`memlens check\``);
		}
		return { command: 'fix', dryRun: !!o['dry-run'], disabledRules: common.disabledRules, paths: common.paths };
	}
	throw new UsageError(`unknown command "${command}": use check, report, baseline, diff or fix`);
}

type Values = Record<string, string | boolean | undefined>;

/** `--typed on|full|off`. */
function typedMode(v: string | undefined): { typed: boolean; typedTests?: true } {
	const mode = oneOf('typed', v ?? 'on', ['on', 'full', 'off'] as const);
	return mode === 'full' ? { typed: true, typedTests: true } : { typed: mode === 'on' };
}

function parseDiff(o: Values, revs: string[], paths: string[]): DiffOptions {
	for (const k of ['typed', 'rules-disable', 'dry-run', 'fail-on'] as const) {
		if (o[k] !== undefined) throw new UsageError(`--${k} does not apply to \`memlens diff\` (it compares compiler facts${k === 'fail-on' ? '; use --fail-on-new' : ''})`);
	}
	if (revs.length === 0) throw new UsageError('memlens diff: give the base revision (a branch, tag or commit): memlens diff BASE [HEAD]');
	if (revs.length > 2) throw new UsageError(`memlens diff: at most two revisions (BASE [HEAD]); paths go after --: memlens diff ${revs[0]} -- ${revs.slice(1).join(' ')}`);
	for (const r of revs) if (!r.trim() || r.startsWith('-')) throw new UsageError(`memlens diff: "${r}" is not a revision`);
	const go = o.go as string | undefined;
	if (go !== undefined && !go.trim()) throw new UsageError('--go: give the path of the go binary');
	const escape = parseEscapeKinds(o.escape as string | undefined);
	if (escape.length === 0) throw new UsageError('--escape none: memlens diff compares compiler facts; give kinds or all');
	const failOn = o['fail-on-new'] as string | undefined;
	return {
		command: 'diff',
		base: revs[0],
		...(revs[1] !== undefined ? { head: revs[1] } : {}),
		format: oneOf('format', (o.format as string | undefined) ?? 'text', ['text', 'json', 'sarif', 'md'] as const),
		escape,
		failOnNew: failOn === undefined || failOn === 'none' ? [] : parseEscapeKinds(failOn),
		tags: list(o.tags as string | undefined),
		go: go ?? '',
		paths: paths.length ? paths : ['.'],
	};
}
