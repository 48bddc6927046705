/**
 * Suppression comments (spec §1.5). Comments are taken from the syntax tree's `comment` nodes,
 * so `//memlens:ignore` inside a string literal suppresses nothing.
 *
 * A directive on a line of its own covers findings starting on the next line; a trailing directive
 * (after code) covers its own line only. Accepted forms:
 * - `//memlens:ignore RULE-ID[,RULE-ID…] reason`; `//memlens:file-ignore RULE-ID reason` (whole file);
 * - staticcheck `//lint:ignore CHECK[,CHECK…] reason` and `//lint:file-ignore …`, through STATICCHECK_MAP;
 * - golangci-lint `//nolint` (everything) and `//nolint:linter1,linter2 // why`, through LINTER_MAP.
 * Memlens rule ids are accepted in every form. `all` (nolint) and `*` (memlens) mean every rule.
 */
import type { Node, Tree } from '../syntax/mirror';
import type { RuleFinding } from '../model';

/** staticcheck / vet check names → memlens rule ids (spec §1.5). */
export const CHECK_MAP: Readonly<Record<string, readonly string[]>> = {
	SA6002: ['pool-put-non-pointer'],
	SA5005: ['finalizer-self-reference'],
	SA9001: ['defer-in-loop'],
	SA5003: ['defer-in-loop'],
	copylocks: ['lock-copy-by-value'],
	loopclosure: ['loopvar-capture'],
	G601: ['loopvar-address'],
	exportloopref: ['loopvar-address'],
	copyloopvar: ['loopvar-redundant-copy'],
};

/** golangci-lint linter names (for `//nolint:NAME`) → memlens rule ids. */
export const LINTER_MAP: Readonly<Record<string, readonly string[]>> = {
	staticcheck: ['pool-put-non-pointer', 'finalizer-self-reference', 'defer-in-loop'],
	govet: ['lock-copy-by-value', 'loopvar-capture'],
	copylocks: ['lock-copy-by-value'],
	loopclosure: ['loopvar-capture'],
	gosec: ['loopvar-address'],
	exportloopref: ['loopvar-address'],
	copyloopvar: ['loopvar-redundant-copy'],
};

const ALL = '*';
/** Every directive form holds one of these. */
const DIRECTIVE_HINT = /memlens:|lint:|nolint/;

/** One parsed directive. `rules` holds memlens ids, or `*` for all. */
export interface Suppression {
	/** 0-based line of the comment. */
	line: number;
	/** Whole-file directive. */
	file: boolean;
	/** After code on the same line: covers that line only (else it covers the next line too). */
	trailing?: boolean;
	rules: ReadonlySet<string>;
	/** The text after the ids (may be empty). */
	reason: string;
}

function mapIds(ids: string[], map: Readonly<Record<string, readonly string[]>>): Set<string> {
	const out = new Set<string>();
	for (const raw of ids) {
		const id = raw.trim();
		if (!id) continue;
		if (id === 'all' || id === '*' || id === 'memlens') out.add(ALL);
		else if (map[id]) for (const r of map[id]) out.add(r);
		else out.add(id); // a memlens id used directly
	}
	return out;
}

/** Parses one comment's text (`//…`); undefined when it is not a directive. Pure. */
export function parseDirective(comment: string, line: number): Suppression | undefined {
	if (!comment.startsWith('//')) return undefined;
	const body = comment.slice(2);
	let m = /^memlens:(ignore|file-ignore)\s+(\S+)\s*(.*)$/.exec(body);
	if (m) return { line, file: m[1] === 'file-ignore', rules: mapIds(m[2].split(','), {}), reason: m[3].trim() };
	m = /^lint:(ignore|file-ignore)\s+(\S+)\s*(.*)$/.exec(body);
	if (m) return { line, file: m[1] === 'file-ignore', rules: mapIds(m[2].split(','), CHECK_MAP), reason: m[3].trim() };
	// golangci: `//nolint` must be written without a space; the linter list has no spaces.
	m = /^nolint(?::(\S+))?(?:\s|$)(.*)$/.exec(body);
	if (m) {
		const rules = m[1] === undefined ? new Set([ALL]) : mapIds(m[1].split(','), LINTER_MAP);
		return { line, file: false, rules, reason: m[2].replace(/^\/\/\s*/, '').trim() };
	}
	return undefined;
}

/** All suppression directives of a file, from its comment nodes (`text` tells trailing ones apart). */
export function collectSuppressions(tree: Tree, text?: string, roots?: readonly Node[]): Suppression[] {
	const out: Suppression[] = [];
	// Most files hold no directive at all: skip the walk (it costs per node across the WASM boundary).
	if (text !== undefined && !DIRECTIVE_HINT.test(text)) return out;
	const comments = roots ? roots.flatMap((r) => r.descendantsOfType('comment')) : tree.rootNode.descendantsOfType('comment');
	for (const c of comments) {
		if (!c) continue;
		const s = parseDirective((c as Node).text, c.startPosition.row);
		if (!s) continue;
		if (text !== undefined) {
			const lineStart = text.lastIndexOf('\n', c.startIndex - 1) + 1;
			s.trailing = text.slice(lineStart, c.startIndex).trim() !== '';
		}
		out.push(s);
	}
	return out;
}

/** Fast lookup of "is this rule suppressed at this line". */
export class SuppressionIndex {
	private readonly byLine = new Map<number, Set<string>>();
	private readonly fileWide = new Set<string>();

	constructor(list: readonly Suppression[]) {
		for (const s of list) {
			if (s.file) {
				for (const r of s.rules) this.fileWide.add(r);
				continue;
			}
			for (const l of s.trailing ? [s.line] : [s.line, s.line + 1]) {
				let set = this.byLine.get(l);
				if (!set) this.byLine.set(l, (set = new Set()));
				for (const r of s.rules) set.add(r);
			}
		}
	}

	/** Number of directives-by-line entries (0 means nothing to filter). */
	get empty(): boolean {
		return this.byLine.size === 0 && this.fileWide.size === 0;
	}

	isSuppressed(rule: string, line: number): boolean {
		if (this.fileWide.has(rule) || this.fileWide.has(ALL)) return true;
		const set = this.byLine.get(line);
		return !!set && (set.has(rule) || set.has(ALL));
	}
}

/** Drops findings suppressed by comments in `tree` (a finding counts by its start line). */
export function filterSuppressed(tree: Tree, text: string, findings: readonly RuleFinding[]): RuleFinding[] {
	const idx = new SuppressionIndex(collectSuppressions(tree, text));
	if (idx.empty) return [...findings];
	return findings.filter((f) => !idx.isSuppressed(f.rule, f.range.start.line));
}
