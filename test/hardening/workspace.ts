/** Temp copies of the hostile corpus, tree hashes, and generated hostile inputs. */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, lstatSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './session';

export const CORPUS = path.join(ROOT, 'test', 'fixtures', 'hostile');

/** A fresh temp directory (under os.tmpdir()) holding a copy of corpus case `name` (or empty). */
export function tempCase(name?: string, dirName = 'ws'): string {
	const base = mkdtempSync(path.join(os.tmpdir(), 'memlens-hard-'));
	const dir = path.join(base, dirName);
	if (name) cpSync(path.join(CORPUS, name), dir, { recursive: true });
	else mkdirSync(dir, { recursive: true });
	return dir;
}

/** Removes a directory made by `tempCase` (its parent is the mkdtemp directory). */
export function removeCase(dir: string): void {
	rmSync(path.dirname(dir), { recursive: true, force: true });
}

/** A hash of every path, type, mode and content under `dir`: any write inside changes it. */
export function hashTree(dir: string): string {
	const h = createHash('sha256');
	const walk = (d: string) => {
		for (const name of readdirSync(d).sort()) {
			const p = path.join(d, name);
			const st = lstatSync(p);
			h.update(`${path.relative(dir, p)}\0${st.mode}\0`);
			if (st.isDirectory()) walk(p);
			else if (st.isFile()) h.update(readFileSync(p));
		}
	};
	walk(dir);
	return h.digest('hex');
}

/** A valid Go file of about `bytes` bytes: many small functions that put a local on the heap (and use a sync.Pool). */
export function bigGoFile(bytes: number, pkg = 'big', withPool = true): string {
	const parts = [`package ${pkg}\n\nimport "sync"\n\nvar pool = sync.Pool{New: func() any { return new([]byte) }}\n\n`];
	let size = parts[0].length;
	for (let i = 0; size < bytes; i++) {
		const f =
			`// F${i} keeps a local on the heap and loops.\n` +
			`func F${i}(k int) *int {\n\tn := k + ${i}\n\tfor j := 0; j < 3; j++ {\n\t\tn += j\n\t}\n` +
			(withPool ? `\tb := pool.Get().(*[]byte)\n\t*b = (*b)[:0]\n\tpool.Put(b)\n` : `\ts := make([]int, 0, 4)\n\ts = append(s, n)\n\t_ = s\n`) +
			`\treturn &n\n}\n\n`;
		parts.push(f);
		size += f.length;
	}
	return parts.join('');
}

/** A Go file of exactly `lines` lines: bigGoFile's functions, cut at a function boundary, then padding (the keystroke benches' file). */
export function goFileOfLines(lines: number): string {
	const all = bigGoFile(lines * 25, 'keys').split('\n');
	let cut = all.slice(0, lines);
	// end on a complete function: drop back to the last line that closes one
	let last = cut.length - 1;
	while (last > 0 && cut[last] !== '}') last--;
	cut = cut.slice(0, last + 1);
	while (cut.length < lines) cut.push('// padding');
	return cut.join('\n');
}

/** Writes a Go module with one file into `dir`. */
export function writeModule(dir: string, module: string, files: Record<string, string>): void {
	mkdirSync(dir, { recursive: true });
	writeFileSync(path.join(dir, 'go.mod'), `module ${module}\n\ngo 1.22\n`);
	for (const [name, text] of Object.entries(files)) {
		mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
		writeFileSync(path.join(dir, name), text);
	}
}
