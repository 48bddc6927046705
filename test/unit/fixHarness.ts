/**
 * Test helpers for quick fixes: apply LSP edits to text, and check the result with the real Go
 * toolchain in a throwaway module under os.tmpdir().
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TextEdit } from '../../server/src/model';

function offsetAt(text: string, line: number, character: number): number {
	let off = 0;
	for (let l = 0; l < line; l++) {
		const nl = text.indexOf('\n', off);
		if (nl < 0) return text.length;
		off = nl + 1;
	}
	return Math.min(off + character, text.length);
}

/** Applies non-overlapping LSP edits (any order) to `text`. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
	const withOffsets = edits
		.map((e) => ({
			start: offsetAt(text, e.range.start.line, e.range.start.character),
			end: offsetAt(text, e.range.end.line, e.range.end.character),
			newText: e.newText,
		}))
		.sort((a, b) => b.start - a.start || b.end - a.end);
	let out = text;
	for (const e of withOffsets) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
	return out;
}

export interface GoCheck {
	ok: boolean;
	output: string;
}

/**
 * Writes `files` (name → content) into a fresh module with `go <goVersion>` and runs
 * `go vet` (default) or `go build` on it. cgo files need a C compiler (gcc is on the machines).
 */
export function goCheck(files: Record<string, string>, opts: { goVersion?: string; cmd?: 'vet' | 'build' } = {}): GoCheck {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-fix-'));
	try {
		writeFileSync(path.join(dir, 'go.mod'), `module example.com/fixcheck\n\ngo ${opts.goVersion ?? '1.21'}\n`);
		for (const [name, content] of Object.entries(files)) {
			mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
			writeFileSync(path.join(dir, name), content);
		}
		const args = opts.cmd === 'build' ? ['build', '-o', os.devNull, './...'] : ['vet', './...'];
		try {
			const out = execFileSync('go', args, {
				cwd: dir,
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'pipe'],
				env: { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH}`, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
			});
			return { ok: true, output: out };
		} catch (e) {
			const err = e as { stdout?: string; stderr?: string };
			return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
