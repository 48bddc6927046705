/**
 * One syntax tree per open document, kept up to date incrementally from LSP change events.
 *
 * web-tree-sitter parses JS strings as UTF-16, so indices and columns in an `Edit` are UTF-16
 * code units, the same unit as LSP positions: no byte conversion here.
 *
 * Large files: text longer than `maxChars` (default 5,000,000 UTF-16 units) is not parsed; `open`
 * and `applyChanges` return undefined and `skipReason(uri)` says why. A parse that runs past
 * `parseTimeoutMs` is cancelled through the progress callback the same way. Rules then simply do
 * not run on that file (the escape engine still does).
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { Edit } from 'web-tree-sitter';
import { newGoParser, type Parser, type Point, type Tree } from './goParser';
import { LineStarts } from './lineStarts';
import { MTree, type MNode, type PreparedEdit } from './mirror';
import { relexes } from './relex';
import { advance, mapRange, offsetAt, pointAt, touchesDirective } from './textEdits';
import { STATEMENT_HEAD, STATEMENT_TAIL, onlyStatement, settle, splice, spliceTarget, stretch, tokenAt, typeName } from './mirrorSplice';

export interface TreeCacheOptions {
	/** Open trees kept at most; the least recently used is deleted beyond that. */
	maxTrees?: number;
	/** Texts longer than this (UTF-16 units) are not parsed. */
	maxChars?: number;
	/** A parse running longer than this is cancelled. */
	parseTimeoutMs?: number;
	/**
	 * Text length whose syntax-tree copies (rules' mirrors, ~150 bytes per character) are kept
	 * across runs, most recently used documents first; older ones are dropped and read again when
	 * next walked.
	 */
	mirrorBudgetChars?: number;
}

interface Entry {
	tree: Tree | undefined;
	/** The tree's JS copy for the rules, kept in step with every reparse. */
	mirror?: MTree;
	text: string;
	version: number;
	skipped?: string;
	/** Text ranges changed since the last `takeChanged` (UTF-16 offsets in `text`), or 'all'. */
	changed?: ChangedRanges | 'all';
	/** The text has a `\r` (LSP and tree-sitter then count lines differently). */
	hasCR?: boolean;
	/**
	 * Declarations re-read from a parse of their text alone since `tree` was last parsed (`tree` has
	 * the edits but not the reparse, which runs after the keystroke: see `applyChanges`), by
	 * top-level index, with the old node's type and parse state.
	 */
	pending?: Map<number, { type: number; state: number }>;
}

/** `[start, end)` in UTF-16 code units. */
export interface OffsetRange {
	start: number;
	end: number;
}

/** Changed ranges; `directives` when a line the changes touched held a directive-like comment before or after. */
export type ChangedRanges = OffsetRange[] & { directives?: boolean };

export { DIRECTIVE_HINT } from './textEdits';

/** Entries are all built here, with one shape (objects of varying shapes slow every later access). */
function entry(parsed: Pick<Entry, 'tree' | 'skipped'>, text: string, version: number, changed: ChangedRanges | 'all', mirror: MTree | undefined, hasCR: boolean): Entry {
	return { tree: parsed.tree, mirror, text, version, skipped: parsed.skipped, changed, hasCR, pending: undefined };
}

/**
 * Largest top-level node (UTF-16 units) a keystroke re-reads from a parse of its text alone, and
 * the least ratio of file to node: past these the file's incremental reparse costs less.
 */
const LOCAL_MAX_CHARS = 20_000;
const LOCAL_MIN_RATIO = 4;


/** Keeps parse trees of open documents; owns one Parser. Call `dispose()` when done. */
export class TreeCache {
	private readonly entries = new Map<string, Entry>();
	private readonly maxTrees: number;
	private readonly maxChars: number;
	private readonly parseTimeoutMs: number;
	private readonly mirrorBudgetChars: number;
	/**
	 * How re-shaped ranges were learnt: from the one top-level node an edit stayed in (`local`: the
	 * file's reparse deferred, `token` of those with no parse at all, the others re-reading a statement
	 * or declaration parsed alone), or tree-sitter's diff; `resync`: deferred reparses after
	 * which the top-level list was read again (error recovery elsewhere re-parsed other nodes), and
	 * `wrong` of those, when a declaration parsed alone differed from the file's reparse.
	 */
	readonly changedRangeStats = { node: 0, local: 0, token: 0, diff: 0, resync: 0, wrong: 0 };
	/** Called after a deferred reparse disagreed with what the rules were given (run them again). */
	onResync: ((uri: string) => void) | undefined;
	/** Replaced trees, deleted once the current task is done (deleting is not on the keystroke's path). */
	private retired: Tree[] = [];
	private disposed = false;

	private constructor(
		private readonly parser: Parser,
		opts: TreeCacheOptions,
	) {
		this.maxTrees = Math.max(1, opts.maxTrees ?? 200);
		this.maxChars = opts.maxChars ?? 5_000_000;
		this.parseTimeoutMs = opts.parseTimeoutMs ?? 5_000;
		this.mirrorBudgetChars = opts.mirrorBudgetChars ?? 60_000;
	}

	/** Loads the grammar and makes a cache. */
	static async create(opts: TreeCacheOptions = {}): Promise<TreeCache> {
		return new TreeCache(await newGoParser(), opts);
	}

	/** Number of trees currently alive (not yet deleted). */
	get liveTrees(): number {
		let n = 0;
		for (const e of this.entries.values()) if (e.tree) n++;
		return n;
	}

	/** Parses a newly opened document (replacing any tree held for `uri`). */
	open(uri: string, text: string, version: number): Tree | undefined {
		this.close(uri);
		const parsed = this.parseFresh(text, undefined);
		return this.store(uri, entry(parsed, text, version, 'all', parsed.tree ? new MTree(parsed.tree, text) : undefined, text.includes('\r')));
	}

	/**
	 * Applies LSP content changes (incremental ranges or a full replacement) and reparses with the
	 * edited old tree. `newText` is the document text after all changes (the source of truth: if
	 * replaying the changes does not give it, the tree is rebuilt from scratch).
	 */
	applyChanges(uri: string, changes: readonly TextDocumentContentChangeEvent[], newText: string, version: number): Tree | undefined {
		const old = this.entries.get(uri);
		if (!old || !old.tree || changes.length === 0) return this.open(uri, newText, version);
		// Declarations parsed alone are followed by more of the same; anything else needs the file's tree first.
		if (old.pending && changes.length > 1) this.flush(uri);
		if (!old.tree) return this.open(uri, newText, version);
		let tree: Tree | undefined = old.tree;
		let text = old.text;
		let changed: ChangedRanges | 'all' = old.changed ?? [];
		let prepared: PreparedEdit | undefined;
		let target: MNode | undefined;
		let token: MNode | undefined;
		let lines = old.mirror?.lines;
		let synced: boolean | undefined;
		// A `\r` anywhere (LSP counts it as a line break, tree-sitter does not) turns the kept line starts off.
		let cr = !!old.hasCR;
		try {
			for (const ch of changes) {
				if (!('range' in ch) || !ch.range) {
					tree = undefined; // a full-text change: nothing to reuse
					text = ch.text;
					cr = text.includes('\r');
					lines = undefined;
					changed = 'all';
					continue;
				}
				// With `\n` breaks only, LSP lines are tree-sitter rows: the kept line starts answer in O(log n).
				const fast = lines && !cr ? lines : undefined;
				const start = fast ? fast.offsetAt(ch.range.start.line, ch.range.start.character) : offsetAt(text, ch.range.start.line, ch.range.start.character);
				const oldEnd = Math.max(start, fast ? fast.offsetAt(ch.range.end.line, ch.range.end.character) : offsetAt(text, ch.range.end.line, ch.range.end.character));
				if (changed !== 'all') {
					const directives = changed.directives || touchesDirective(text, start, oldEnd, ch.text);
					changed = Object.assign(changed.map((r) => mapRange(r, start, oldEnd, ch.text.length)), { directives });
					changed.push({ start, end: start + ch.text.length });
				}
				if (tree) {
					prepared = changes.length === 1 ? old.mirror?.prepareEdit(tree, start, oldEnd, ch.text.length) : undefined;
					let local = !!prepared && this.local(old, prepared);
					if (old.pending && !local) {
						this.flush(uri);
						tree = old.tree;
						if (!tree) throw new Error('reparse failed');
						prepared = old.mirror?.prepareEdit(tree, start, oldEnd, ch.text.length);
						local = !!prepared && this.local(old, prepared);
					}
					// What a parse alone would re-read, found while the copy can still be read from the tree.
					target = local ? spliceTarget(old.mirror!, prepared!) : undefined;
					token = target && tokenAt(target, prepared!);
					const startPosition = lines ? lines.pointAt(start) : pointAt(text, start);
					tree.edit(
						new Edit({
							startIndex: start,
							oldEndIndex: oldEnd,
							newEndIndex: start + ch.text.length,
							startPosition,
							oldEndPosition: advance(startPosition, text.slice(start, oldEnd)),
							newEndPosition: advance(startPosition, ch.text),
						}),
					);
				}
				lines = lines?.edited(start, oldEnd, ch.text);
				cr ||= ch.text.includes('\r');
				if (changes.length === 1) {
					// Out of sync (client bug, missed event)? The length and the typed text must match.
					// (Comparing whole texts costs a copy of the document per keystroke.)
					// Compared in place (slices), not through a replayed copy of the whole document.
					synced =
						newText.length === text.length - (oldEnd - start) + ch.text.length &&
						newText.startsWith(ch.text, start) &&
						newText.slice(0, start) === text.slice(0, start) &&
						newText.slice(start + ch.text.length) === text.slice(oldEnd);
					text = newText;
				} else text = text.slice(0, start) + ch.text + text.slice(oldEnd);
			}
		} catch {
			tree = undefined;
		}
		// Out of sync: fall back to a full parse.
		const reuse = tree && (synced ?? text === newText) ? tree : undefined;
		// The keystroke path: only the declaration the change stayed in is parsed now, alone; the
		// file's reparse runs once this task is done (before anything reads the file's tree).
		const alone = reuse && prepared && target && lines ? (token && this.relex(uri, old, prepared, token, newText, lines)) || this.spliceAlone(uri, old, prepared, target, newText, lines) : undefined;
		if (alone) {
			old.text = newText;
			old.version = version;
			old.hasCR = cr;
			if (changed !== 'all') changed.push(alone);
			old.changed = changed;
			this.changedRangeStats.local++;
			this.entries.delete(uri);
			this.entries.set(uri, old);
			return old.tree;
		}
		if (old.pending) {
			// The reparse below covers the deferred one: the spliced copy is not reused (its ids are not tree-sitter's).
			old.pending = undefined;
			if (old.mirror) old.mirror.pendingParse = undefined;
		}
		const parsed = this.parseFresh(newText, reuse);
		let mirror: MTree | undefined;
		let inside: OffsetRange | undefined;
		if (parsed.tree) {
			if (reuse && old.mirror) {
				mirror = old.mirror;
				inside = mirror.update(parsed.tree, newText, lines ?? LineStarts.of(newText), prepared);
			} else mirror = new MTree(parsed.tree, newText);
		}
		if (!reuse || !parsed.tree) changed = 'all';
		else if (changed !== 'all') {
			// What the parser re-shaped beyond the typed text (an opened string or comment…): at most
			// the top-level node the change stayed inside (see MTree.update), else tree-sitter's answer
			// (which compares the whole trees: as costly as the reparse on a long file).
			if (inside) {
				changed.push(inside);
				this.changedRangeStats.node++;
			} else {
				for (const r of reuse.getChangedRanges(parsed.tree)) changed.push({ start: r.startIndex, end: r.endIndex });
				this.changedRangeStats.diff++;
			}
		}
		this.entries.delete(uri);
		this.retire(old.tree);
		return this.store(uri, entry(parsed, newText, version, changed, mirror, cr));
	}

	/** The current tree, text and version of `uri` (undefined if unknown or skipped). */
	get(uri: string): { tree: Tree; mirror: MTree; text: string; version: number } | undefined {
		const e = this.entries.get(uri);
		if (!e || !e.tree) return undefined;
		// Touch for LRU.
		this.entries.delete(uri);
		this.entries.set(uri, e);
		e.mirror ??= new MTree(e.tree, e.text);
		this.trimMirrors(e);
		const flush = () => this.flush(uri);
		return {
			// The file's tree, reparsed first if a keystroke deferred that.
			get tree(): Tree {
				flush();
				return e.tree!;
			},
			mirror: e.mirror,
			text: e.text,
			version: e.version,
		};
	}

	/**
	 * Can the change noted in `p` be followed without the file's reparse (see `spliceAlone`, `relex`)? Not in a file with
	 * a syntax error elsewhere: error recovery may then re-shape nodes far from the change.
	 */
	private local(e: Entry, p: PreparedEdit): boolean {
		const top = e.mirror?.rootNode.children[p.index];
		if (!top || top.len > LOCAL_MAX_CHARS || top.len * LOCAL_MIN_RATIO > e.text.length || e.tree?.rootNode.hasError) return false;
		const pend = e.pending;
		return !pend || (pend.size === 1 && pend.has(p.index));
	}

	/**
	 * Parses the new text of the smallest statement or top-level node holding the change `p` notes
	 * by itself and splices its copy into the mirror; the file's reparse is deferred. Undefined
	 * (nothing changed) when that parse is not one clean node of the same type and extent.
	 */
	private spliceAlone(uri: string, e: Entry, p: PreparedEdit, target: MNode, newText: string, lines: LineStarts): OffsetRange | undefined {
		const mirror = e.mirror!;
		let small: Tree | null = null;
		try {
			const from = target.startIndex;
			const to = target.endIndex + p.newLen - (p.oldEnd - p.start);
			// A statement is parsed where statements are (at the top level tree-sitter-go takes some
			// text another way, `new(a.B)` say); a line break ends either, as in the file.
			const top = target.parent === mirror.rootNode;
			const head = top ? '' : STATEMENT_HEAD;
			small = this.parser.parse(`${head}${newText.slice(from, to)}${top ? '\n' : STATEMENT_TAIL}`);
			const root = small?.rootNode;
			const only = root && !root.hasError && root.childCount === 1 ? (top ? root.child(0) : onlyStatement(root.child(0))) : null;
			if (!only || typeName(mirror, only.typeId) !== target.type || only.startIndex !== head.length || only.endIndex !== head.length + to - from) return undefined;
			this.defer(uri, e, p);
			return splice(mirror, target, p, only, newText, lines, () => this.flush(uri));
		} catch {
			return undefined;
		} finally {
			small?.delete();
		}
	}

	/**
	 * A change inside one token that stays the same kind (typing in a name, a comment, a string):
	 * no parse now, the copy's token just grows (see mirrorSplice.ts `stretch`); the file's reparse is deferred.
	 */
	private relex(uri: string, e: Entry, p: PreparedEdit, token: MNode, newText: string, lines: LineStarts): OffsetRange | undefined {
		const delta = p.newLen - (p.oldEnd - p.start);
		const from = token.startIndex;
		if (!relexes(token.type, e.text.slice(from, from + token.len), newText.slice(from, from + token.len + delta))) return undefined;
		this.defer(uri, e, p);
		this.changedRangeStats.token++;
		return stretch(e.mirror!, token, delta, newText, lines, () => this.flush(uri));
	}

	/** Notes that the file's reparse is deferred past this change (it runs once the current task is done). */
	private defer(uri: string, e: Entry, p: PreparedEdit): void {
		if (!e.pending) {
			e.pending = new Map();
			setImmediate(() => this.flush(uri)).unref();
		}
		// The first change since the last parse keeps the old node's type and state.
		if (!e.pending.has(p.index)) e.pending.set(p.index, { type: p.type, state: p.state });
	}

	/** Runs a reparse a keystroke deferred (see `applyChanges`) and checks the copies against it. */
	private flush(uri: string): void {
		const e = this.entries.get(uri);
		const spliced = e?.pending;
		if (!e || !spliced || !e.tree) return;
		e.pending = undefined;
		const old = e.tree;
		const parsed = this.parseFresh(e.text, old);
		this.retire(old);
		e.tree = parsed.tree;
		e.skipped = parsed.skipped;
		if (!parsed.tree) {
			e.mirror!.pendingParse = undefined;
			e.mirror = undefined;
			e.changed = 'all';
			return;
		}
		const how = settle(e.mirror!, parsed.tree, spliced);
		if (how === 'kept') return;
		this.changedRangeStats.resync++;
		if (how === 'wrong') this.changedRangeStats.wrong++;
		e.changed = 'all';
		this.onResync?.(uri);
	}

	/**
	 * The text ranges changed since the last call (offsets in the current text; edits and what the
	 * parser re-shaped), or 'all' after a reopen or a full-text change. Clears them.
	 */
	takeChanged(uri: string): ChangedRanges | 'all' {
		const e = this.entries.get(uri);
		const c = e?.changed ?? 'all';
		if (e) e.changed = [];
		return c;
	}

	/** Why `uri` has no tree (too large, parse timed out), if that is the case. */
	skipReason(uri: string): string | undefined {
		return this.entries.get(uri)?.skipped;
	}

	/** Deletes the tree of `uri`. */
	close(uri: string): void {
		const e = this.entries.get(uri);
		if (!e) return;
		e.tree?.delete();
		this.entries.delete(uri);
	}

	/** Schedules the deletion of a replaced tree (at once when many are waiting). */
	private retire(tree: Tree): void {
		this.retired.push(tree);
		if (this.retired.length > 16) this.deleteRetired();
		else if (this.retired.length === 1) setImmediate(() => this.deleteRetired()).unref();
	}

	private deleteRetired(): void {
		for (const t of this.retired.splice(0)) t.delete();
	}

	/** Deletes every tree and the parser. The cache is unusable afterwards. */
	dispose(): void {
		if (this.disposed) return;
		this.disposed = true;
		this.deleteRetired();
		for (const e of this.entries.values()) e.tree?.delete();
		this.entries.clear();
		this.parser.delete();
	}

	/** Drops the copies of the least recently used documents' trees beyond the budget (never `keep`'s). */
	private trimMirrors(keep: Entry): void {
		let total = 0;
		for (const e of this.entries.values()) total += e.mirror?.expandedChars ?? 0;
		for (const e of this.entries.values()) {
			if (total <= this.mirrorBudgetChars) return;
			if (e === keep || !e.mirror?.expandedChars) continue;
			total -= e.mirror.expandedChars;
			e.mirror.collapse();
		}
	}

	private parseFresh(text: string, oldTree: Tree | undefined): Pick<Entry, 'tree' | 'skipped'> {
		if (this.disposed) return { tree: undefined, skipped: 'tree cache disposed' };
		if (text.length > this.maxChars) {
			return { tree: undefined, skipped: `file too large for syntax rules (${text.length} characters > ${this.maxChars})` };
		}
		const deadline = Date.now() + this.parseTimeoutMs;
		let tree: Tree | null = null;
		try {
			tree = this.parser.parse(text, oldTree ?? null, {
				// Returning true cancels the parse (the .d.ts says void; the runtime honours true).
				progressCallback: (() => Date.now() > deadline) as unknown as () => void,
			});
		} catch {
			tree = null;
		}
		if (!tree) {
			// A cancelled parse leaves the parser mid-parse: reset it for the next document.
			this.parser.reset();
			return { tree: undefined, skipped: `syntax parse cancelled after ${this.parseTimeoutMs} ms` };
		}
		return { tree, skipped: undefined };
	}

	private store(uri: string, e: Entry): Tree | undefined {
		this.entries.set(uri, e);
		while (this.entries.size > this.maxTrees) {
			const oldest = this.entries.keys().next().value as string;
			this.close(oldest);
		}
		return e.tree;
	}
}
