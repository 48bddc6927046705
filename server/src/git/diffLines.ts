/**
 * Pure: the lines of the new side that `git diff -U0` reports as added or changed, per file.
 * Only the `+++` file headers and the `@@ -a,b +c,d @@` hunk headers are read; hunk bodies are
 * skipped by count, so a source line that starts with `+++` or `@@` cannot be mistaken for one.
 * Paths are as git prints them (relative to the repository root, `b/` prefix, C-quoted when they
 * hold a quote, a backslash, a control or a non-ASCII byte; a tab after a name holding a space).
 */

/** Repository-relative path (`/`-separated) → changed line numbers of the new side (1-based). */
export type ChangedLines = Map<string, Set<number>>;

/** Undoes git's C-style quoting of a path (`"t \303\251.go"` → `t é.go`). */
export function unquoteGitPath(s: string): string {
	if (!s.startsWith('"') || !s.endsWith('"') || s.length < 2) return s;
	const bytes: number[] = [];
	const body = s.slice(1, -1);
	const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
	for (let i = 0; i < body.length; i++) {
		const c = body[i];
		if (c !== '\\') {
			bytes.push(...Buffer.from(c, 'utf8'));
			continue;
		}
		const next = body[i + 1] ?? '';
		if (/[0-7]/.test(next)) {
			bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
			i += 3;
		} else {
			bytes.push(simple[next] ?? next.charCodeAt(0));
			i += 1;
		}
	}
	return Buffer.from(bytes).toString('utf8');
}

/** The path of a `+++ b/path` header, or undefined for `+++ /dev/null` (a deleted file). */
function newSidePath(header: string): string | undefined {
	let p = header.slice(4);
	// git ends a name that holds a space with a tab (for GNU patch); a quoted name may have it too.
	if (p.endsWith('\t')) p = p.slice(0, -1);
	if (p === '/dev/null') return undefined;
	p = unquoteGitPath(p);
	return p.startsWith('b/') ? p.slice(2) : p;
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Parses `git diff -U0 --src-prefix=a/ --dst-prefix=b/` output. */
export function parseChangedLines(diff: string): ChangedLines {
	const out: ChangedLines = new Map();
	const lines = diff.split('\n');
	let file: string | undefined;
	for (let i = 0; i < lines.length; i++) {
		const l = lines[i];
		if (l.startsWith('diff ')) file = undefined;
		else if (l.startsWith('+++ ')) file = newSidePath(l);
		else if (l.startsWith('@@ ')) {
			const m = HUNK.exec(l);
			if (!m) continue;
			const oldCount = m[1] === undefined ? 1 : Number(m[1]);
			const start = Number(m[2]);
			const newCount = m[3] === undefined ? 1 : Number(m[3]);
			if (file !== undefined && newCount > 0) {
				let set = out.get(file);
				if (!set) out.set(file, (set = new Set()));
				for (let n = start; n < start + newCount; n++) set.add(n);
			}
			// Skip the hunk body (its `-`, `+` and `\ No newline` lines) by count.
			let rest = oldCount + newCount;
			while (rest > 0 && i + 1 < lines.length) {
				const b = lines[i + 1];
				if (b.startsWith('\\')) {
					i++;
					continue;
				}
				if (!b.startsWith('-') && !b.startsWith('+') && !b.startsWith(' ')) break;
				i++;
				rest--;
			}
		}
	}
	return out;
}

/** Does the set say that `line` of `file` (repository-relative) changed? `whole`: every line of these files (untracked). */
export function isChanged(changed: ChangedLines, whole: ReadonlySet<string>, file: string, line: number): boolean {
	return whole.has(file) || !!changed.get(file)?.has(line);
}
