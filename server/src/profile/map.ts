/**
 * Where a profile's file names are on this machine. A Go binary records each function's file as
 * it was compiled:
 * - absolute (`/home/u/proj/pkg/a.go`, `C:/Users/u/proj/pkg/a.go` on Windows: forward slashes);
 * - with `-trimpath`: module path + path in the module (`example.com/proj/pkg/a.go`), and
 *   GOROOT's files relative to GOROOT/src (`runtime/proc.go`, `net/http/server.go`).
 * A profile saved on another machine (CI, production) has absolute paths that are not ours; its
 * function names still carry the package's import path (`example.com/proj/pkg.(*T).M`), which with
 * the module's go.mod gives the directory. Pure: the modules and GOROOT come in, no disk access.
 */
import path from 'node:path';

export interface ModuleRoot {
	/** The module's directory (holding go.mod), an OS path. */
	dir: string;
	/** Its `module` line. */
	path: string;
}

export type Mapped =
	| { where: 'workspace'; file: string; module: ModuleRoot }
	| { where: 'goroot'; file: string }
	| { where: 'other' };

/** Forward slashes, and a lower-case drive letter: how paths are compared. */
function norm(p: string): string {
	const s = p.replace(/\\/g, '/');
	return /^[A-Za-z]:\//.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

/** The package import path in a Go function name: `example.com/m/pkg.(*T).M` → `example.com/m/pkg`. */
export function packageOfFunc(func: string): string {
	const slash = func.lastIndexOf('/');
	const dot = func.indexOf('.', slash + 1);
	return dot < 0 ? func : func.slice(0, dot);
}

export class SourceMapper {
	private readonly modules: { root: ModuleRoot; dir: string }[];
	private readonly goroot: string | undefined;
	private readonly memo = new Map<string, Mapped>();

	/** `goroot`: GOROOT (its `src` holds the standard library), or undefined when unknown. */
	constructor(modules: readonly ModuleRoot[], goroot: string | undefined, private readonly osPath: path.PlatformPath = path) {
		// Longest first: a nested module wins over the one around it.
		this.modules = modules.map((root) => ({ root, dir: norm(root.dir).replace(/\/+$/, '') })).sort((a, b) => b.dir.length - a.dir.length);
		this.goroot = goroot ? norm(goroot).replace(/\/+$/, '') : undefined;
	}

	/** Where the profile's `file` (of function `func`) is. */
	map(file: string, func: string): Mapped {
		const key = `${file}\u0000${packageOfFunc(func)}`;
		let m = this.memo.get(key);
		if (!m) this.memo.set(key, (m = this.compute(file, func)));
		return m;
	}

	private toOs(dir: string, rel: string): string {
		return this.osPath.join(dir, ...rel.split('/').filter(Boolean));
	}

	private compute(file: string, func: string): Mapped {
		const f = norm(file);
		const absolute = f.startsWith('/') || /^[a-z]:\//.test(f);
		if (absolute) {
			for (const m of this.modules) {
				if (f.startsWith(m.dir + '/')) return { where: 'workspace', file: this.toOs(m.root.dir, f.slice(m.dir.length + 1)), module: m.root };
			}
			if (this.goroot && f.startsWith(this.goroot + '/src/')) return { where: 'goroot', file: this.toOs(this.goroot, f.slice(this.goroot.length + 1)) };
		} else {
			// -trimpath: module path + path in module; the standard library relative to GOROOT/src.
			for (const m of this.modules) {
				if (f.startsWith(m.root.path + '/')) return { where: 'workspace', file: this.toOs(m.root.dir, f.slice(m.root.path.length + 1)), module: m.root };
			}
			if (this.goroot && !f.split('/')[0].includes('.')) return { where: 'goroot', file: this.toOs(this.goroot, 'src/' + f) };
		}
		// Built elsewhere: the function's package import path says which module directory holds it.
		const pkg = packageOfFunc(func);
		const base = f.slice(f.lastIndexOf('/') + 1);
		for (const m of this.modules) {
			if (pkg === m.root.path || pkg.startsWith(m.root.path + '/')) {
				return { where: 'workspace', file: this.toOs(m.root.dir, pkg.slice(m.root.path.length + 1) + '/' + base), module: m.root };
			}
		}
		return { where: 'other' };
	}
}
