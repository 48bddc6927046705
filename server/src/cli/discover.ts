/**
 * Finds the Go packages under the paths given on the command line, grouped by module, the way
 * `go build ./...` would see them (vendor/, testdata/, node_modules/, `.`/`_` dirs skipped; a
 * directory with its own go.mod is a separate module).
 */
import { existsSync, readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';

/** One module (or one module-less directory) and the packages of it to analyse. */
export interface ModuleUnit {
	/** Directory holding go.mod, or the package dir itself when there is no module. */
	root: string;
	hasGoMod: boolean;
	/** Absolute package directories, sorted. */
	packages: string[];
	/** Every .go file to run syntax rules on (absolute, sorted), including _test.go files. */
	files: string[];
	/** The package patterns for `go build`, relative to root (`./...`, `./sub/...`, `./pkg`). */
	patterns: string[];
}

export interface Discovery {
	units: ModuleUnit[];
	/** Paths that do not exist or are neither a directory nor a .go file. */
	missing: string[];
}

const SKIP = new Set(['vendor', 'testdata', 'node_modules']);

function skipDir(name: string): boolean {
	return SKIP.has(name) || name.startsWith('.') || name.startsWith('_');
}

/** Each directory read once per discovery (std has 7,000 files in 600 directories). */
type Listings = Map<string, Dirent[]>;

function listing(dir: string, seen: Listings): Dirent[] {
	let l = seen.get(dir);
	if (!l) {
		try {
			l = readdirSync(dir, { withFileTypes: true });
		} catch {
			l = [];
		}
		seen.set(dir, l);
	}
	return l;
}

/** The dir's Go source entries, as cmd/go sees them (files starting with . or _ are ignored). */
function goEntries(dir: string, seen: Listings): Dirent[] {
	return listing(dir, seen).filter((e) => e.name.endsWith('.go') && !e.name.startsWith('.') && !e.name.startsWith('_') && !e.isDirectory());
}

/** The dir's Go files to read: never a FIFO or device (reading one blocks; the go build hides them, toolchain/regularFiles.ts). */
function goFiles(dir: string, seen: Listings): string[] {
	return goEntries(dir, seen)
		.filter((e) => isRegular(e, dir))
		.map((e) => path.join(dir, e.name));
}

function isRegular(e: Dirent, dir: string): boolean {
	if (e.isFile()) return true;
	// A link (or a file system that does not say the type) is followed; a FIFO, socket or device is not a file.
	if (!e.isSymbolicLink() && (e.isFIFO() || e.isSocket() || e.isCharacterDevice() || e.isBlockDevice())) return false;
	try {
		return statSync(path.join(dir, e.name)).isFile();
	} catch {
		return false;
	}
}

// Nested modules are walked too: moduleRoot() later puts their packages in a unit of their own.
function walk(dir: string, out: Set<string>, seen: Listings): void {
	// A dir whose only .go entries are FIFOs is kept too: its build must hide them.
	if (goEntries(dir, seen).length) out.add(dir);
	for (const e of listing(dir, seen)) {
		if (e.isDirectory() && !skipDir(e.name)) walk(path.join(dir, e.name), out, seen);
	}
}

/** The nearest directory at or above `dir` holding a go.mod, or undefined. */
export function moduleRoot(dir: string): string | undefined {
	for (let d = dir; ; d = path.dirname(d)) {
		if (existsSync(path.join(d, 'go.mod'))) return d;
		if (path.dirname(d) === d) return undefined;
	}
}

function slash(rel: string): string {
	return rel.split(path.sep).join('/');
}

/** Resolves the command-line paths (relative to `cwd`) into modules and packages. */
export function discover(paths: string[], cwd: string): Discovery {
	// Package dir → the command-line directories that reached it (none: named through a file).
	const origins = new Map<string, Set<string>>();
	const missing: string[] = [];
	const seen: Listings = new Map();
	const add = (dir: string, from?: string) => {
		if (!origins.has(dir)) origins.set(dir, new Set());
		if (from) origins.get(dir)!.add(from);
	};
	for (const p of paths) {
		const abs = path.resolve(cwd, p);
		let st;
		try {
			st = statSync(abs);
		} catch {
			missing.push(p);
			continue;
		}
		if (st.isDirectory()) {
			const found = new Set<string>();
			walk(abs, found, seen);
			for (const d of found) add(d, abs);
		}
		// A single file means its package (the compiler works per package), not its subdirectories.
		else if (st.isFile() && abs.endsWith('.go')) add(path.dirname(abs));
		else missing.push(p);
	}
	const units = new Map<string, ModuleUnit>();
	const patterns = new Map<string, Set<string>>();
	for (const dir of [...origins.keys()].sort()) {
		const mod = moduleRoot(dir);
		const root = mod ?? dir;
		let u = units.get(root);
		if (!u) {
			units.set(root, (u = { root, hasGoMod: !!mod, packages: [], files: [], patterns: [] }));
			patterns.set(root, new Set());
		}
		u.packages.push(dir);
		const files = goFiles(dir, seen);
		u.files.push(...files);
		const pats = patterns.get(root)!;
		const from = origins.get(dir)!;
		// Outside any module `go build .` fails (no go.mod); named files build as command-line-arguments.
		if (!mod) {
			for (const f of files) if (!f.endsWith('_test.go')) pats.add(`./${path.basename(f)}`);
		} else if (from.size === 0) {
			// An explicit package: go build fails on one without non-test files, so leave those out.
			if (files.some((f) => !f.endsWith('_test.go'))) pats.add(dir === root ? '.' : `./${slash(path.relative(root, dir))}`);
		} else {
			// Wildcards, like ./...: go skips packages whose files are all excluded by build
			// constraints (an explicit ./pkg would fail the whole load), nested modules and testdata.
			for (const d of from) {
				const rel = path.relative(root, d);
				pats.add(rel === '' || rel.startsWith('..') ? './...' : `./${slash(rel)}/...`);
			}
		}
	}
	for (const u of units.values()) {
		u.files.sort();
		const pats = patterns.get(u.root)!;
		u.patterns = pats.has('./...') ? ['./...', ...[...pats].filter((x) => !x.endsWith('/...') && x !== './...')] : [...pats].sort();
	}
	return { units: [...units.values()], missing };
}
