/** Which rules run when (the rule engine with the user's settings), for the report and the LSP's scoped runs. */
import type { RuleFinding } from '../model';
import type { Rule, RuleContext } from '../rules/types';
import { ALL_RULES } from '../rules/index';
import { optionsFromSettings, runRules } from '../rules/engine';
import type { Settings } from '../../../common/settings';

/** Rules that read escape or typed facts (re-run when a compile or typed result arrives) and the others. */
export const ESCAPE_RULES = ALL_RULES.filter((r) => r.doc.usesEscape || r.doc.usesTyped);
export const SYNTAX_RULES = ALL_RULES.filter((r) => !r.doc.usesEscape && !r.doc.usesTyped);

/** Runs `rules` on one file, with the user's disabled rules and severities; rule errors are logged. */
export function checkRules(ctx: RuleContext, settings: Settings, log: (msg: string) => void, rules: readonly Rule[]): RuleFinding[] {
	return runRules(ctx, {
		...optionsFromSettings(settings),
		rules,
		onError: (e) => log(`rule ${e.rule} failed on ${ctx.filePath}: ${e.error instanceof Error ? e.error.message : String(e.error)}`),
	});
}
