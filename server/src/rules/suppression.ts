/**
 * Suppression comments (spec §1.5). Comments are taken from the syntax tree's `comment` nodes,
 * so `//memlens:ignore` inside a string literal suppresses nothing.
 *
 * A directive on a line of its own covers findings starting on the next line; a trailing directive
 * (after code) covers its own line only. Accepted forms:
 * - `//memlens:ignore RULE-ID[,RULE-ID…] reason`; `//memlens:file-ignore RULE-ID reason` (whole file);
 * - staticcheck `//lint:ignore CHECK[,CHECK…] reason` and `//lint:file-ignore …`, through STATICCHECK_MAP;
 * - golangci-lint `//nolint` (everything) and `//nolint:linter1,linter2 // why`, through LINTER_MAP,
 *   parsed as golangci-lint does (pkg/result/processors/nolint_filter.go): leading slashes and
 *   spaces are dropped (`// nolint:x` counts), `nolint` must be followed by a space, `:` or the end,
 *   anything but `nolint:` (`nolint`, `nolint // why`, `nolint :x`) means every linter, and the names
 *   are split on commas, trimmed (`//nolint: gocritic` counts) and lower-cased up to a `//`;
 *   like golangci-lint, a directive on its own line also covers the whole statement or declaration
 *   that starts on the next line in the same column (a `//nolint` above a loop covers the loop);
 * - GoLand `//goland:noinspection NAME[,NAME…]` (and `//noinspection`), through INSPECTION_MAP, with
 *   the same reach as a nolint on its own line.
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

/** golangci-lint linter names (for `//nolint:NAME`, lower case) → memlens rule ids. */
export const LINTER_MAP: Readonly<Record<string, readonly string[]>> = {
	staticcheck: ['pool-put-non-pointer', 'finalizer-self-reference', 'defer-in-loop'],
	// go-critic's deferInLoop and revive's `defer` rule (its "loop" case) report defers in loops.
	gocritic: ['defer-in-loop'],
	revive: ['defer-in-loop'],
	govet: ['lock-copy-by-value', 'loopvar-capture'],
	copylocks: ['lock-copy-by-value'],
	loopclosure: ['loopvar-capture'],
	gosec: ['loopvar-address'],
	exportloopref: ['loopvar-address'],
	copyloopvar: ['loopvar-redundant-copy'],
};

/** GoLand inspection names (for `//goland:noinspection NAME`) → memlens rule ids. */
export const INSPECTION_MAP: Readonly<Record<string, readonly string[]>> = {
	GoDeferInLoop: ['defer-in-loop'],
};

const ALL = '*';
/** Every directive form holds one of these. */
const DIRECTIVE_HINT = /memlens:|lint:|nolint|noinspection/;

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
	/** golangci-lint / GoLand reach: on its own line it covers the whole next statement or declaration. */
	expands?: boolean;
	/** Last line covered (0-based), when the directive covers a whole statement or declaration. */
	endLine?: number;
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
	m = /^(?:goland:)?noinspection\s+(\S+)\s*(.*)$/.exec(body);
	if (m) return { line, file: false, rules: mapIds(m[1].split(','), INSPECTION_MAP), reason: m[2].trim(), expands: true };
	return parseNolint(comment, line);
}

/** golangci-lint's reading of a nolint comment (see the header). */
function parseNolint(comment: string, line: number): Suppression | undefined {
	const text = comment.replace(/^[/ ]+/, '');
	if (!/^nolint( |:|$)/.test(text)) return undefined;
	const [head, ...rest] = text.split('//');
	const reason = rest.join('//').trim();
	if (text.startsWith('nolint:all') || !text.startsWith('nolint:')) return { line, file: false, rules: new Set([ALL]), reason, expands: true };
	const names = head.slice('nolint:'.length).split(',').map((n) => n.trim().toLowerCase());
	if (names.includes('all')) return { line, file: false, rules: new Set([ALL]), reason, expands: true };
	return { line, file: false, rules: mapIds(names, LINTER_MAP), reason, expands: true };
}

/**
 * The statement or declaration a directive comment on its own line reaches, as golangci-lint finds
 * it: the node that starts on the line after the comment group, in the group's column.
 */
function reachedNode(comment: Node): Node | undefined {
	let last: Node = comment;
	let next = comment.nextNamedSibling;
	// The rest of the comment group (consecutive comment lines).
	while (next?.type === 'comment' && next.startPosition.row === last.endPosition.row + 1) {
		last = next;
		next = next.nextNamedSibling;
	}
	// Comments before a block's first statement are the block's; the statements are in its list.
	if (next?.type === 'statement_list') next = next.namedChildren.find((c) => c !== null && c.type !== 'comment') ?? null;
	if (!next || next.startPosition.row !== last.endPosition.row + 1 || next.startPosition.column !== comment.startPosition.column) return undefined;
	return next;
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
		if (s.expands && !s.trailing) {
			const node = reachedNode(c as Node);
			if (node) s.endLine = node.endPosition.row;
		}
		out.push(s);
	}
	return out;
}

/** Fast lookup of "is this rule suppressed at this line". */
export class SuppressionIndex {
	private readonly byLine = new Map<number, Set<string>>();
	private readonly fileWide = new Set<string>();
	/** Directives that cover a whole statement or declaration (few: checked one by one). */
	private readonly spans: { from: number; to: number; rules: ReadonlySet<string> }[] = [];

	constructor(list: readonly Suppression[]) {
		for (const s of list) {
			if (s.file) {
				for (const r of s.rules) this.fileWide.add(r);
				continue;
			}
			if (s.endLine !== undefined && s.endLine > s.line + 1) {
				this.spans.push({ from: s.line, to: s.endLine, rules: s.rules });
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
		return this.byLine.size === 0 && this.fileWide.size === 0 && this.spans.length === 0;
	}

	isSuppressed(rule: string, line: number): boolean {
		if (this.fileWide.has(rule) || this.fileWide.has(ALL)) return true;
		const set = this.byLine.get(line);
		if (set && (set.has(rule) || set.has(ALL))) return true;
		return this.spans.some((s) => line >= s.from && line <= s.to && (s.rules.has(rule) || s.rules.has(ALL)));
	}
}

/** Drops findings suppressed by comments in `tree` (a finding counts by its start line). */
export function filterSuppressed(tree: Tree, text: string, findings: readonly RuleFinding[]): RuleFinding[] {
	const idx = new SuppressionIndex(collectSuppressions(tree, text));
	if (idx.empty) return [...findings];
	return findings.filter((f) => !idx.isSuppressed(f.rule, f.range.start.line));
}
