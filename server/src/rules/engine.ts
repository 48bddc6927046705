/**
 * Runs the rules over one file: per-rule isolation, user severities, suppression comments, dedupe.
 * Pure apart from calling the rules; the LSP and the CLI both use it.
 */
import type { SeveritySetting } from '../../../common/settings';
import type { RuleFinding } from '../model';
import { ALL_RULES } from './index';
import { SuppressionIndex, collectSuppressions } from './suppression';
import type { Rule, RuleContext } from './types';

/** For version-gated rules: "go 1.21, from go.mod", "language version unknown: no go.mod"… */
export { describeGoVersion } from '../analysis/goVersion';

/** A rule that threw (its findings for this file are dropped; the others are kept). */
export interface RuleError {
	rule: string;
	error: unknown;
}

export interface RunRulesOptions {
	/** Rule ids to skip (`goMemlens.disabledRules`). */
	disabled?: ReadonlySet<string>;
	/** Per-rule severity override (`goMemlens.ruleSeverities`); 'off' drops the rule's findings. */
	severities?: Readonly<Record<string, SeveritySetting>>;
	/** Rules to run; default ALL_RULES. */
	rules?: readonly Rule[];
	/** Called once per rule that threw (for the LSP log / CLI stderr). */
	onError?: (e: RuleError) => void;
	/** Keep findings that suppression comments would drop (for `memlens check --no-suppress`). */
	ignoreSuppressions?: boolean;
}

function key(f: RuleFinding): string {
	const { start, end } = f.range;
	return `${f.rule}|${start.line}:${start.character}-${end.line}:${end.character}`;
}

/**
 * Runs every enabled rule on `ctx` and returns its findings, sorted by position.
 * A throwing rule loses its findings for this file only; the error goes to `opts.onError`
 * (shape chosen: findings are the return value, errors a callback, so callers that do not
 * care can ignore them).
 */
export function runRules(ctx: RuleContext, opts: RunRulesOptions = {}): RuleFinding[] {
	const rules = opts.rules ?? ALL_RULES;
	const severities = opts.severities ?? {};
	let suppress: SuppressionIndex | undefined;
	if (!opts.ignoreSuppressions) {
		try {
			suppress = new SuppressionIndex(collectSuppressions(ctx.tree, ctx.text));
		} catch (error) {
			opts.onError?.({ rule: 'suppression', error });
		}
	}
	const seen = new Set<string>();
	const out: RuleFinding[] = [];
	for (const rule of rules) {
		if (opts.disabled?.has(rule.id)) continue;
		const override = severities[rule.id];
		if (override === 'off') continue;
		let found: RuleFinding[];
		try {
			found = rule.check(ctx);
			if (!Array.isArray(found)) throw new TypeError(`rule ${rule.id} returned ${typeof found}`);
		} catch (error) {
			opts.onError?.({ rule: rule.id, error });
			continue;
		}
		for (const f of found) {
			if (suppress && !suppress.empty && suppress.isSuppressed(f.rule, f.range.start.line)) continue;
			const k = key(f);
			if (seen.has(k)) continue;
			seen.add(k);
			out.push(override ? { ...f, severity: override } : f);
		}
	}
	return out.sort(
		(a, b) =>
			a.range.start.line - b.range.start.line ||
			a.range.start.character - b.range.start.character ||
			a.rule.localeCompare(b.rule),
	);
}

/** Convenience for callers holding `Settings`: the options derived from `disabledRules`/`ruleSeverities`. */
export function optionsFromSettings(s: {
	disabledRules: readonly string[];
	ruleSeverities: Readonly<Record<string, SeveritySetting>>;
}): Pick<RunRulesOptions, 'disabled' | 'severities'> {
	return { disabled: new Set(s.disabledRules), severities: s.ruleSeverities };
}
