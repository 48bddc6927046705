/**
 * The C code a cgo package compiles besides one file's own preamble: the headers that preamble
 * includes with quotes (`#include "gtk.go.h"`, resolved next to the file), the preambles of the
 * package's other cgo files, and the package's `.c` files. cgo-cstring-leak reads it to see what
 * a C helper does with a pointer (`strings[n] = str` keeps it; `sqlite3_result_text(…, free)`
 * hands it over). Files are read from disk, cached by mtime; oversized files (a vendored
 * amalgamation) are skipped.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const MAX_FILE = 512 * 1024;
const MAX_TOTAL = 2 * 1024 * 1024;
const QUOTE_INCLUDE = /^[ \t]*(?:\/\/)?[ \t]*#[ \t]*include[ \t]*"([^"]+)"/gm;

/** The comment text right above `import "C"` in a Go file's text ('' if none). */
export function goPreamble(text: string): string {
	const m = /(\/\*(?:[^*]|\*(?!\/))*\*\/|(?:^[ \t]*\/\/[^\n]*\n)+)[ \t]*\n?[ \t]*import[ \t]+"C"/m.exec(text);
	if (!m) return '';
	const c = m[1];
	return c.startsWith('/*') ? c.slice(2, -2) : c.replace(/^[ \t]*\/\/ ?/gm, '');
}

export class CgoSourceReader {
	private readonly files = new Map<string, { mtimeMs: number; text: string | undefined }>();
	private readonly dirs = new Map<string, { mtimeMs: number; names: string[] }>();
	private readonly results = new Map<string, string>();

	private read(p: string): string | undefined {
		let st;
		try {
			st = statSync(p);
		} catch {
			this.files.delete(p);
			return undefined;
		}
		if (!st.isFile() || st.size > MAX_FILE) return undefined;
		const hit = this.files.get(p);
		if (hit && hit.mtimeMs === st.mtimeMs) return hit.text;
		let text: string | undefined;
		try {
			text = readFileSync(p, 'utf8');
		} catch {
			text = undefined;
		}
		this.files.set(p, { mtimeMs: st.mtimeMs, text });
		return text;
	}

	private list(dir: string): string[] {
		let mtimeMs: number;
		try {
			mtimeMs = statSync(dir).mtimeMs;
		} catch {
			return [];
		}
		const hit = this.dirs.get(dir);
		if (hit && hit.mtimeMs === mtimeMs) return hit.names;
		let names: string[] = [];
		try {
			names = readdirSync(dir).filter((n) => /\.(go|c|h)$/.test(n)).sort();
		} catch {
			names = [];
		}
		this.dirs.set(dir, { mtimeMs, names });
		return names;
	}

	/**
	 * C text of the package around `filePath` (whose current text is `text`): every cgo file's
	 * preamble as saved, the headers they include with quotes, the `.c` files, in path order, so
	 * all files of a package get the same text (parsed once).
	 */
	packageC(filePath: string, text: string): string {
		const dir = path.dirname(filePath);
		const bodies = new Map<string, string>();
		let total = 0;
		const add = (p: string, body: string | undefined, depth: number): void => {
			if (body === undefined || bodies.has(p) || total + body.length > MAX_TOTAL) return;
			total += body.length;
			bodies.set(p, body);
			if (depth < 3) includes(p, body, depth + 1);
		};
		const includes = (from: string, body: string, depth: number): void => {
			for (const m of body.matchAll(QUOTE_INCLUDE)) {
				const p = path.resolve(path.dirname(from), m[1]);
				if (!bodies.has(p)) add(p, this.read(p), depth);
			}
		};
		for (const name of this.list(dir)) {
			const p = path.resolve(dir, name);
			const body = this.read(p);
			if (body === undefined) continue;
			if (name.endsWith('.go')) {
				if (/^[ \t]*import[ \t]+(\([ \t]*)?"C"/m.test(body)) add(p, goPreamble(body), 1);
			} else if (name.endsWith('.c')) add(p, body, 1);
		}
		// Headers the file's unsaved text includes.
		includes(path.resolve(filePath), goPreamble(text), 1);
		const joined = [...bodies.keys()].sort().map((k) => bodies.get(k)!).join('\n');
		// The same string object while nothing changed: parses of it are cached by it.
		const prev = this.results.get(dir);
		if (prev === joined) return prev;
		this.results.set(dir, joined);
		return joined;
	}
}
