/**
 * Runs the rules over one file: per-rule isolation, user severities, suppression comments, dedupe.
 * Pure apart from calling the rules; the LSP and the CLI both use it.
 */
import type { SeveritySetting } from '../../../common/settings';
import type { RuleFinding } from '../model';
import { ALL_RULES } from './index';
import { withWalkCache } from './shared/ast';
import { inNodes } from './scope';
import type { Node } from '../syntax/mirror';
import { SuppressionIndex, collectSuppressions, type Suppression } from './suppression';
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
	/** Called as each rule starts, and again with what it added once it is done (progress of an off-thread run). */
	onRule?: (rule: string, found?: readonly RuleFinding[]) => void;
}

const FILE_WIDE = 'suppress:file-wide';

/** The declarations with the comments right before them and a trailing comment on their last line. */
function aroundDecls(decls: readonly Node[]): Node[] {
	const out: Node[] = [];
	for (const d of decls) {
		out.push(d);
		for (let c = d.previousNamedSibling; c?.type === 'comment'; c = c.previousNamedSibling) out.push(c);
		const next = d.nextNamedSibling;
		if (next?.type === 'comment' && next.startPosition.row === d.endPosition.row) out.push(next);
	}
	return out;
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
	return withWalkCache(() => run(ctx, opts));
}

function run(ctx: RuleContext, opts: RunRulesOptions): RuleFinding[] {
	const rules = opts.rules ?? ALL_RULES;
	const severities = opts.severities ?? {};
	const scope = ctx.scope;
	// Suppressions: on a scoped run, the directives in and right around the touched declarations
	// plus the file-wide ones of the last whole-file run; the whole file's only if a finding needs it.
	let local: SuppressionIndex | undefined;
	let whole: SuppressionIndex | undefined;
	const wholeIndex = (): SuppressionIndex => {
		if (whole) return whole;
		const all = collectSuppressions(ctx.tree, ctx.text);
		ctx.memo?.set(FILE_WIDE, all.filter((x) => x.file));
		return (whole = new SuppressionIndex(all));
	};
	const localIndex = (decls: readonly Node[]): SuppressionIndex =>
		(local ??= new SuppressionIndex([...collectSuppressions(ctx.tree, ctx.text, aroundDecls(decls)), ...((ctx.memo?.get(FILE_WIDE) as Suppression[] | undefined) ?? [])]));
	const suppressed = (f: RuleFinding): boolean => {
		if (opts.ignoreSuppressions) return false;
		try {
			const idx = scope && inNodes(scope.decls, f.range.start.line) ? localIndex(scope.decls) : wholeIndex();
			return !idx.empty && idx.isSuppressed(f.rule, f.range.start.line);
		} catch (error) {
			opts.onError?.({ rule: 'suppression', error });
			return false;
		}
	};
	// A whole-file run records the file-wide directives for the scoped runs after it.
	if (!scope && !opts.ignoreSuppressions) {
		try {
			wholeIndex();
		} catch (error) {
			opts.onError?.({ rule: 'suppression', error });
		}
	}
	const seen = new Set<string>();
	const out: RuleFinding[] = [];
	const declTexts = scope?.decls.map((d) => d.text);
	for (const rule of rules) {
		if (opts.disabled?.has(rule.id)) continue;
		const gate = rule.scopeGate;
		if (declTexts && gate && !rule.wholeFile && !declTexts.some((t) => gate.test(t))) continue;
		const override = severities[rule.id];
		if (override === 'off') continue;
		let found: RuleFinding[];
		// A whole-file rule (cross-function lookups) ignores the scope; the others report inside it only.
		const own = scope && rule.wholeFile ? { ...ctx, scope: undefined, escape: scope.fileEscape ?? ctx.escape } : ctx;
		const before = out.length;
		opts.onRule?.(rule.id);
		try {
			found = rule.check(own);
			if (!Array.isArray(found)) throw new TypeError(`rule ${rule.id} returned ${typeof found}`);
		} catch (error) {
			opts.onError?.({ rule: rule.id, error });
			opts.onRule?.(rule.id, []);
			continue;
		}
		for (const f of found) {
			if (scope && !rule.wholeFile && !inNodes(scope.decls, f.range.start.line, f.range.start.character)) continue;
			if (suppressed(f)) continue;
			const k = key(f);
			if (seen.has(k)) continue;
			seen.add(k);
			out.push(override ? { ...f, severity: override } : f);
		}
		opts.onRule?.(rule.id, out.slice(before));
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
