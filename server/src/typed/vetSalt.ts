/**
 * Which go vet cache entries a vet run may share (./runner.ts adds the flag to every run).
 *
 * Go 1.26.8's vet cache key leaves out whether vet ran for diagnostics or only for facts: every
 * import of a vetted package is vetted for facts alone, which stores an empty output under the key
 * a later vet of that package as a root then replays (`go vet ./b`, then `go vet ./a` where b
 * imports a: a's diagnostics never show; checked by hand, cmd/go/internal/work/exec.go `vet`).
 * A flag that changes nothing vet does (`-printf.funcs=…`: the printf analyzer is off) keeps runs
 * apart in the cache:
 * - a run whose roots may include a plain package (the CLI's module runs, a package without
 *   internal tests) gets a salt naming its roots: the same roots always have the same roles, so
 *   its entries are never another run's facts-only ones;
 * - a run of one package that surely has internal test files vets only test variants (`p [p.test]`,
 *   `p_test`), which nothing imports: such runs share one salt per module, and with it the
 *   facts-only runs of their imports (a package importing net/http: ~13 s of vet the first time).
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { findUp } from '../toolchain/moduleFiles';
import { readHeadSync } from '../util/boundedRead';

/** GOOS and GOARCH values a file name can be constrained by (go/build's knownOS, knownArch). */
const KNOWN = new Set(
	'aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos 386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm'.split(' '),
);

export interface SaltRequest {
	cwd: string;
	patterns?: readonly string[];
	leaveOut?: readonly string[];
	tags: readonly string[];
	/** Real absolute path → unsaved content. */
	overlay?: ReadonlyMap<string, string>;
}

/** The flag for a vet run (see the file comment). */
export function vetSaltFlag(req: SaltRequest): string {
	const one = (req.patterns ?? ['.']).length === 1 && (req.patterns ?? ['.'])[0] === '.' && !req.leaveOut?.length;
	const parts = one && hasInternalTests(req.cwd, req.overlay) ? ['module', path.dirname(findUp(path.resolve(req.cwd), 'go.mod') ?? path.join(path.resolve(req.cwd), 'go.mod')), req.tags] : ['roots', path.resolve(req.cwd), req.patterns ?? ['.'], [...(req.leaveOut ?? [])].sort(), req.tags];
	return `-printf.funcs=memlens.vet${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16)}`;
}

/** Whether `dir` surely has an internal test file: `package p` (not `p_test`), no build constraint in its name or text. */
export function hasInternalTests(dir: string, overlay?: ReadonlyMap<string, string>): boolean {
	const names = new Set<string>();
	try {
		for (const n of readdirSync(dir)) names.add(n);
	} catch {
		return false;
	}
	for (const f of overlay?.keys() ?? []) if (path.dirname(f) === dir) names.add(path.basename(f));
	for (const n of names) {
		if (!n.endsWith('_test.go') || n.startsWith('_') || n.startsWith('.')) continue;
		const parts = n.slice(0, -'_test.go'.length).split('_');
		if (parts.length > 1 && KNOWN.has(parts[parts.length - 1])) continue;
		const file = path.join(dir, n);
		// The clause is near the top; a header longer than this is not trusted (the roots salt is the safe side).
		const text = overlay?.get(file) ?? readHeadSync(file, 8 * 1024)?.text;
		if (text !== undefined && internalUnconstrained(text)) return true;
	}
	return false;
}

/** The header of a Go file: no build constraint before its package clause, which does not name a `_test` package. */
export function internalUnconstrained(text: string): boolean {
	for (const raw of text.slice(0, 8 * 1024).split('\n')) {
		const line = raw.trim();
		if (/^\/\/\s*(go:build|\+build)\b/.test(line)) return false;
		const m = /^package\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(line);
		if (m) return !m[1].endsWith('_test');
		// Block comments before the clause are rare; a line that is neither is not a header we trust.
		if (line !== '' && !line.startsWith('//')) return false;
	}
	return false;
}
