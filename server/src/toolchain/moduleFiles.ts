/**
 * Keeping the go command's hands off the user's module files (measured with Go 1.26.8):
 * - `-mod=mod` (in buildFlags or GOFLAGS) makes `go list`/`go build` write go.mod and go.sum. When
 *   the user asks for it, the go command gets `-modfile=` a copy in the run's temp directory
 *   (go.mod and go.sum copied), so it writes there; the module root is still where go.mod is.
 * - In a go.work workspace the go command writes missing checksums to go.work.sum whatever `-mod`
 *   says (cmd/go/internal/modload: commitRequirements → WriteGoSum, readonly only outside workspace
 *   mode), and `-modfile` is refused there. So it gets `GOWORK=` a copy of go.work (relative `use`
 *   and `replace` paths made absolute) with go.work.sum beside it, and a link to vendor/ if the
 *   workspace has one.
 */
import { copyFile, stat, symlink, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import { readRegular } from './regularFiles';

/** The nearest `name` (a regular file) at or above `dir`. */
export function findUp(dir: string, name: string): string | undefined {
	for (let d = dir; ; d = path.dirname(d)) {
		const f = path.join(d, name);
		try {
			if (statSync(f).isFile()) return f;
		} catch {
			// keep climbing
		}
		if (path.dirname(d) === d) return undefined;
	}
}

/** The go.work file the go command will use in `cwd` under `env`, if any. */
export function workFileFor(cwd: string, env: Record<string, string>): string | undefined {
	if (env.GO111MODULE === 'off') return undefined;
	const w = env.GOWORK;
	if (w === 'off') return undefined;
	if (w) return path.isAbsolute(w) ? w : undefined;
	return findUp(cwd, 'go.work');
}

/** Copies go.work (paths made absolute) and go.work.sum into `dir`; returns the copy's path. */
export async function copyWorkFile(workFile: string, dir: string): Promise<string | undefined> {
	const text = await readRegular(workFile);
	if (text === undefined) return undefined;
	const copy = path.join(dir, 'go.work');
	await writeFile(copy, absoluteWorkPaths(text, path.dirname(workFile)));
	const sum = await readRegular(`${workFile}.sum`);
	if (sum !== undefined) await writeFile(`${copy}.sum`, sum);
	// `go work vendor` puts vendor/ beside go.work; the go command looks for it there.
	const vendor = path.join(path.dirname(workFile), 'vendor');
	if (isDir(vendor)) await symlink(vendor, path.join(dir, 'vendor'), 'junction').catch(() => undefined);
	return copy;
}

/**
 * Copies the module file (the user's `-modfile`, else the nearest go.mod) and its .sum into `dir`;
 * returns the copy's path, or undefined when there is none.
 */
export async function copyModFile(cwd: string, userModfile: string | undefined, dir: string): Promise<string | undefined> {
	const src = userModfile ? path.resolve(cwd, userModfile) : findUp(cwd, 'go.mod');
	// Copied by the file system, not through memory (a go.mod or go.sum can be hundreds of MB).
	if (!src || !(await copyRegular(src, path.join(dir, 'go.mod')))) return undefined;
	await copyRegular(`${src.replace(/\.mod$/, '')}.sum`, path.join(dir, 'go.sum'));
	return path.join(dir, 'go.mod');
}

/** Copies a regular file (never a FIFO, which would block); false when there is none. */
async function copyRegular(src: string, dest: string): Promise<boolean> {
	const st = await stat(src).catch(() => undefined);
	if (!st?.isFile()) return false;
	return copyFile(src, dest).then(
		() => true,
		() => false,
	);
}

function isDir(p: string): boolean {
	try {
		return statSync(p).isDirectory();
	} catch {
		return false;
	}
}

/**
 * go.work text with every relative `use` path and local `replace` target made absolute against
 * `dir` (the go.work's directory), everything else as written. Tokens as x/mod/modfile lexes them.
 */
export function absoluteWorkPaths(text: string, dir: string): string {
	let block: string | undefined;
	return text
		.split('\n')
		.map((line) => {
			const toks = lexLine(line);
			const first = toks[0]?.text;
			if (block) {
				if (first === ')') block = undefined;
				else if (toks.length) return rewrite(block, toks, line, dir);
				return line;
			}
			if (first === 'use' || first === 'replace') {
				if (toks[1]?.text === '(') block = first;
				else return rewrite(first, toks.slice(1), line, dir);
			}
			return line;
		})
		.join('\n');
}

interface Tok {
	text: string;
	start: number;
	end: number;
}

function lexLine(line: string): Tok[] {
	const out: Tok[] = [];
	let i = 0;
	while (i < line.length) {
		const c = line[i];
		if (c === ' ' || c === '\t' || c === '\r') i++;
		else if (line.startsWith('//', i)) break;
		else if ('()[]{},'.includes(c)) out.push({ text: c, start: i, end: ++i });
		else if (c === '"' || c === '`') {
			let j = i + 1;
			while (j < line.length && line[j] !== c) j += c === '"' && line[j] === '\\' ? 2 : 1;
			out.push({ text: line.slice(i, j + 1), start: i, end: (i = j + 1) });
		} else {
			let j = i;
			while (j < line.length && !' \t\r()[]{},'.includes(line[j]) && !line.startsWith('//', j)) j++;
			out.push({ text: line.slice(i, j), start: i, end: (i = j) });
		}
	}
	return out;
}

function unquote(tok: string): string {
	if (tok.startsWith('`')) return tok.slice(1, -1);
	if (tok.startsWith('"')) {
		try {
			return JSON.parse(tok) as string;
		} catch {
			return tok.slice(1, -1);
		}
	}
	return tok;
}

/** modfile.IsDirectoryPath: a local path, in Unix or Windows syntax. */
function isLocalPath(p: string): boolean {
	return p === '.' || p === '..' || /^\.\.?[\\/]/.test(p) || /^[\\/]/.test(p) || /^[A-Za-z]:/.test(p);
}

function rewrite(verb: string, toks: Tok[], line: string, dir: string): string {
	let at: Tok | undefined;
	if (verb === 'use') at = toks[0];
	else {
		const arrow = toks.findIndex((t) => t.text === '=>');
		at = arrow >= 0 ? toks[arrow + 1] : undefined;
	}
	if (!at) return line;
	const p = unquote(at.text);
	// A `use` path is always a directory; a `replace` target only when it looks like one.
	if (path.isAbsolute(p) || (verb === 'replace' && !isLocalPath(p))) return line;
	return line.slice(0, at.start) + JSON.stringify(path.resolve(dir, p)) + line.slice(at.end);
}
