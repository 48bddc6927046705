/**
 * A document's whole-file rule runs in the rule thread (rules/ruleThread.ts), as documentReports.ts
 * asks for them: which rule sets are due (the text, the facts or the settings changed since the
 * last run), the job (text, facts placed in the file, typed view, settings), and the result taken
 * into the document's RuleRuns. Also what was skipped on each document (rules over their budget,
 * facts over the cap, a file too large to parse), said in its package's status.
 */
import type { EscapeFact } from '../model';
import type { LocatedEscapeFact } from '../rules/types';
import type { Tree } from '../syntax/mirror';
import type { PlacedFact } from '../report/diagnostics';
import { ruleInput, type FileSources } from '../report/fileReport';
import type { DocumentStore, OpenDoc } from './documents';
import * as engines from './engines';
import type { RefreshMode } from './refreshJobs';
import type { RuleRuns } from './ruleRuns';
import type { ResolvedSettings } from './settingsCache';

/** Texts longer than this are not parsed at all (the tree cache's limit too). */
export const MAX_PARSE_CHARS = 5_000_000;
/** A parse in the rule thread running past this is stopped. */
const PARSE_BUDGET_MS = 10_000;
/** The rule thread parses its own tree (ruleInput only carries the tree along). */
const NO_TREE = undefined as unknown as Tree;

export interface ThreadRunsOptions {
	docs: DocumentStore;
	sources: FileSources;
	facts: (dir: string) => EscapeFact[] | undefined;
	typed: (dir: string) => engines.TypedPackage | undefined;
	syntaxRuns: RuleRuns;
	escapeRuns: RuleRuns;
	log: (msg: string) => void;
	/** The document's findings came: republish it. */
	adopted: (d: OpenDoc) => void;
	/** It was typed in while its rules ran: run them again once typing pauses. */
	retry: (uri: string) => void;
	/** A run was cut short: the document's scoped runs lack what it did not finish (everything goes to the thread). */
	cutShort: (uri: string) => void;
	/** What was skipped on the files of `dir` changed. */
	onSkipped: (dir: string) => void;
	/** A job ended. */
	onIdle: () => void;
}

export class ThreadRuns {
	private readonly thread = new engines.RuleThread();
	/** `${version}|${key}` of each set's last run per document, and how many results were taken. */
	private readonly wholeAt = new Map<string, { syntax?: string; escape?: string; adopted: number }>();
	/** Per document: rules that ran past their budget (not run again until it is reopened) and other work skipped, tagged. */
	private readonly skipped = new Map<string, { rules: Map<string, string>; other: string[] }>();
	/** Jobs being waited for. */
	private jobs = 0;

	constructor(private readonly o: ThreadRunsOptions) {}

	/** The worker loads its parser now, not when the first big file is opened. */
	warmUp(): void {
		const goVersion = { minor: undefined, label: 'unknown', source: 'no module', mainModuleMinor: undefined } as const;
		void this.thread.run('\0warm-up', { filePath: 'warm-up.go', text: 'package p\n', goVersion, isCgo: false, severities: {}, sets: { syntax: ['defer-in-loop'] }, maxChars: MAX_PARSE_CHARS, parseBudgetMs: PARSE_BUDGET_MS });
	}

	isIdle(): boolean {
		return this.jobs === 0;
	}

	/** How many results were taken for the document (a report made before one is not reused after it). */
	adoptedCount(uri: string): number {
		return this.wholeAt.get(uri)?.adopted ?? 0;
	}

	/** The document's text was replaced or it closed: what was run for it no longer counts. */
	reset(uri: string): void {
		this.wholeAt.delete(uri);
	}

	forget(uri: string): void {
		this.thread.forget(uri);
		this.wholeAt.delete(uri);
		this.skipped.delete(uri);
	}

	dispose(): void {
		this.thread.dispose();
	}

	/** Sends a whole-file run to the rule thread, if one is due; its findings are taken when they come. */
	dispatch(d: OpenDoc, settings: ResolvedSettings, placed: PlacedFact[], mode: RefreshMode, typedKey: string): void {
		const text = d.doc.getText();
		const version = d.doc.version;
		const input = ruleInput({ text, filePath: d.filePath, settings, sources: this.o.sources, typed: this.o.typed(d.dir) }, NO_TREE, this.o.facts(d.dir) ? placed : undefined);
		const m = settings.memlens;
		const key = JSON.stringify([m.disabledRules, m.ruleSeverities, input.goVersion, input.isCgo]);
		const escKey = `${key}|${input.escape ? 'facts' : 'none'}|typed ${typedKey}`;
		const at = this.wholeAt.get(d.uri) ?? { adopted: 0 };
		const due = (set: 'syntax' | 'escape', k: string) => mode === 'settle' || at[set] !== `${version}|${k}`;
		const skip = this.skipped.get(d.uri)?.rules;
		const ids = (rules: readonly { id: string }[]) => rules.map((r) => r.id).filter((id) => !m.disabledRules.includes(id) && m.ruleSeverities[id] !== 'off' && !skip?.has(id));
		const sets: engines.ThreadJob['sets'] = {};
		if (due('syntax', key)) sets.syntax = ids(engines.SYNTAX_RULES);
		if (due('escape', escKey)) sets.escape = ids(engines.ESCAPE_RULES);
		if (!sets.syntax && !sets.escape) return;
		const job: engines.ThreadJob = {
			filePath: d.filePath,
			text,
			goVersion: input.goVersion,
			// Copied into the thread (structured clone, on this thread): only what the due rules read.
			...(sets.escape ? { escape: input.escape && forThread(input.escape), typed: input.typed } : {}),
			isCgo: input.isCgo,
			...(input.isCgo && input.cgoPackageC ? { cgoPackageC: input.cgoPackageC() } : {}),
			severities: m.ruleSeverities,
			sets,
			maxChars: MAX_PARSE_CHARS,
			parseBudgetMs: PARSE_BUDGET_MS,
		};
		this.jobs++;
		void this.thread
			.run(d.uri, job)
			.then((o) => {
				if (!o || this.o.docs.get(d.uri) !== d) return;
				for (const e of o.errors) this.o.log(e);
				this.note(d, 'parse', o.notParsed ? `not checked by the syntax rules: ${o.notParsed}` : undefined);
				if (o.skipped.length) {
					const s = this.skipsOf(d.uri);
					for (const x of o.skipped) s.rules.set(x.rule, x.why);
					this.o.cutShort(d.uri);
					this.o.onSkipped(d.dir);
				}
				// Typed on meanwhile: these findings are for a text that is gone.
				if (d.doc.version !== version) return this.o.retry(d.uri);
				const now = this.wholeAt.get(d.uri) ?? { adopted: 0 };
				if (o.sets.syntax) this.o.syntaxRuns.adopt(d.uri, key, o.sets.syntax.findings, o.sets.syntax.memo, o.sets.syntax.context);
				if (o.sets.escape) this.o.escapeRuns.adopt(d.uri, escKey, o.sets.escape.findings, o.sets.escape.memo, o.sets.escape.context);
				this.wholeAt.set(d.uri, {
					syntax: sets.syntax ? `${version}|${key}` : now.syntax,
					escape: sets.escape ? `${version}|${escKey}` : now.escape,
					adopted: now.adopted + 1,
				});
				this.o.adopted(d);
			})
			.catch((e) => this.o.log(`internal error: ${e instanceof Error ? e.stack : String(e)}`))
			.finally(() => {
				this.jobs--;
				this.o.onIdle();
			});
	}

	/** Records (or clears) a note of work skipped on `d`, tagged `tag`; the status hears of a change. */
	note(d: OpenDoc, tag: string, why: string | undefined): void {
		const s = this.skipsOf(d.uri);
		const other = s.other.filter((x) => !x.startsWith(`[${tag}]`));
		if (why) other.push(`[${tag}]${why}`);
		if (other.length === s.other.length && other.every((x, i) => x === s.other[i])) return;
		s.other = other;
		this.o.onSkipped(d.dir);
	}

	/** What was skipped for the open files of `dir`, a line per file and kind (for the status). */
	skippedNotes(dir: string): string[] {
		const out: string[] = [];
		for (const d of this.o.docs.inDir(dir)) {
			const s = this.skipped.get(d.uri);
			if (!s) continue;
			const name = d.filePath.slice(dir.length + 1) || d.filePath;
			for (const why of s.other) out.push(`${name}: ${why.replace(/^\[\w+\]/, '')}`);
			if (s.rules.size) out.push(`${name}: rule${s.rules.size > 1 ? 's' : ''} skipped: ${[...s.rules].map(([r, why]) => `${r} (${why})`).join(', ')}`);
		}
		return out;
	}

	private skipsOf(uri: string): { rules: Map<string, string>; other: string[] } {
		let s = this.skipped.get(uri);
		if (!s) this.skipped.set(uri, (s = { rules: new Map(), other: [] }));
		return s;
	}
}

/**
 * The facts as the escape rules read them: the reason chain only where a rule reads it (moved to
 * heap: loopvar-address looks for the address-of step). net/http's files sent every chain, and
 * copying them into the thread held the server's thread for up to 100 ms.
 */
function forThread(facts: LocatedEscapeFact[]): LocatedEscapeFact[] {
	return facts.map((f) => (f.kind === 'moved-to-heap' || f.flows.length === 0 ? f : { ...f, flows: [] }));
}
