/**
 * The command-line options of the profile join (docs/cli.md): `check --profile FILE [--sample T]
 * [--min-share P]` and the `profile` command. Pure; kept apart from args.ts, which only hands over.
 */
import { parseArgs } from 'node:util';
import { SAMPLE_TYPES, type SampleType } from '../profile/decode';

export interface ProfileCheck {
	/** The pprof file (gzipped or not). */
	file: string;
	sampleType: SampleType;
	/** Report compiler facts only on lines with at least this share of the profile (0..1). */
	minShare: number;
}

export interface ProfileOptions {
	command: 'profile';
	/** The package directory (default `.`). */
	dir: string;
	bench: string;
	benchtime?: string;
	sampleType: SampleType;
	top: number;
	format: 'text' | 'json';
	tags: string[];
	go: string;
}

export const PROFILE_USAGE = `  memlens profile [PKG] --bench REGEX [--benchtime D] [--sample T] [--top N] [--format text|json]
                                       run PKG's benchmarks with the memory profile; print its costliest lines
                                       with the compiler's reason (docs/profile.md)`;

export const PROFILE_CHECK_USAGE = `  --profile FILE                  an allocation profile (go test -memprofile, net/http/pprof; gzipped or not):
                                  each compiler fact gets its line's measured bytes, objects and share
  --sample alloc_space|alloc_objects|inuse_space|inuse_objects
                                  the profile's sample type (default alloc_space)
  --min-share P                   with --profile: only compiler facts on lines with at least P % of it`;

class ProfileUsageError extends Error {}
export { ProfileUsageError };

function sampleType(v: string | undefined): SampleType {
	const t = v ?? 'alloc_space';
	if ((SAMPLE_TYPES as readonly string[]).includes(t)) return t as SampleType;
	throw new ProfileUsageError(`--sample: "${t}" is not one of ${SAMPLE_TYPES.join(', ')}`);
}

/** `--min-share 1` or `1%`: percent of the profile, 0–100. */
export function parseMinShare(v: string | undefined): number {
	if (v === undefined) return 0;
	const n = Number(v.trim().replace(/\s*%$/, ''));
	if (!Number.isFinite(n) || n < 0 || n > 100) throw new ProfileUsageError(`--min-share: "${v}" is not a percentage between 0 and 100`);
	return n / 100;
}

const FLAGS = ['profile', 'sample', 'min-share'] as const;

/** Takes `--profile`, `--sample`, `--min-share` (and their `=` forms) out of `argv`. */
export function takeProfileFlags(argv: string[]): { rest: string[]; profile?: ProfileCheck; given: string[] } {
	const rest: string[] = [];
	const got: Partial<Record<(typeof FLAGS)[number], string>> = {};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--') {
			rest.push(...argv.slice(i));
			break;
		}
		const m = /^--([\w-]+)(?:=(.*))?$/.exec(a);
		const name = m?.[1] as (typeof FLAGS)[number] | undefined;
		if (!m || !name || !FLAGS.includes(name)) {
			rest.push(a);
			continue;
		}
		const value = m[2] ?? argv[++i];
		if (value === undefined || (m[2] === undefined && value.startsWith('--'))) throw new ProfileUsageError(`--${name}: give a value`);
		got[name] = value;
	}
	const given = Object.keys(got).map((k) => `--${k}`);
	if (got.profile === undefined) {
		if (given.length) throw new ProfileUsageError(`${given.join(', ')} need --profile FILE`);
		return { rest, given };
	}
	if (!got.profile.trim()) throw new ProfileUsageError('--profile: give the profile file');
	return { rest, given, profile: { file: got.profile, sampleType: sampleType(got.sample), minShare: parseMinShare(got['min-share']) } };
}

/** `memlens profile …` (argv after the command word). */
export function parseProfileCommand(argv: string[]): ProfileOptions {
	let parsed;
	try {
		parsed = parseArgs({
			args: argv,
			allowPositionals: true,
			strict: true,
			options: {
				bench: { type: 'string' },
				benchtime: { type: 'string' },
				sample: { type: 'string' },
				top: { type: 'string' },
				format: { type: 'string' },
				tags: { type: 'string' },
				go: { type: 'string' },
			},
		});
	} catch (e) {
		throw new ProfileUsageError((e as Error).message);
	}
	const { values: o, positionals } = parsed;
	if (positionals.length > 1) throw new ProfileUsageError('profile: give one package directory');
	if (!o.bench?.trim()) throw new ProfileUsageError('profile: --bench REGEX is required (e.g. --bench . for every benchmark)');
	const top = Number(o.top ?? '20');
	if (!Number.isInteger(top) || top < 1) throw new ProfileUsageError(`--top: "${o.top}" is not a positive whole number`);
	if (o.benchtime !== undefined && !/^(\d+x|\d+(\.\d+)?(ns|us|µs|ms|s|m|h))$/.test(o.benchtime)) throw new ProfileUsageError(`--benchtime: "${o.benchtime}" is neither a duration (1s, 200ms) nor a count (100x)`);
	const format = o.format ?? 'text';
	if (format !== 'text' && format !== 'json') throw new ProfileUsageError(`--format: "${format}" is not one of text, json`);
	return {
		command: 'profile',
		dir: positionals[0] ?? '.',
		bench: o.bench,
		...(o.benchtime ? { benchtime: o.benchtime } : {}),
		sampleType: sampleType(o.sample),
		top,
		format,
		tags: (o.tags ?? '').split(',').map((s) => s.trim()).filter(Boolean),
		go: o.go ?? '',
	};
}
