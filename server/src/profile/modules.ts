/**
 * The workspace's Go modules (directory + `module` path) that a profile's file names are mapped
 * into (map.ts): the module around each starting directory and the modules nested below it, the
 * way `go build ./...` sees them (vendor/, testdata/, node_modules/ and `.`/`_` directories
 * skipped). Reads go.mod files; bounded, so a huge tree cannot stall a profile load.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ModuleRoot } from './map';

const SKIP = new Set(['vendor', 'testdata', 'node_modules']);
const MAX_DIRS = 5000;

/** The `module` path of a go.mod text (quoted or not, comments ignored), or undefined. */
export function modulePathOf(goMod: string): string | undefined {
	const m = /^\s*module\s+(?:"([^"]+)"|(\S+))/m.exec(goMod.replace(/\/\/.*$/gm, ''));
	return m ? (m[1] ?? m[2]) : undefined;
}

function readModule(dir: string): ModuleRoot | undefined {
	try {
		const p = modulePathOf(readFileSync(path.join(dir, 'go.mod'), 'utf8'));
		return p ? { dir, path: p } : undefined;
	} catch {
		return undefined;
	}
}

/** Modules around and below `starts` (absolute directories), each once. */
export function findModuleRoots(starts: readonly string[]): ModuleRoot[] {
	const found = new Map<string, ModuleRoot>();
	let budget = MAX_DIRS;
	for (const start of starts) {
		for (let d = start; ; d = path.dirname(d)) {
			const m = readModule(d);
			if (m) {
				found.set(m.dir, m);
				break;
			}
			if (path.dirname(d) === d) break;
		}
		const queue = [start];
		while (queue.length && budget-- > 0) {
			const dir = queue.shift()!;
			let entries;
			try {
				entries = readdirSync(dir, { withFileTypes: true });
			} catch {
				continue;
			}
			for (const e of entries) {
				if (e.isFile() && e.name === 'go.mod' && !found.has(dir)) {
					const m = readModule(dir);
					if (m) found.set(dir, m);
				} else if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.') && !e.name.startsWith('_')) {
					queue.push(path.join(dir, e.name));
				}
			}
		}
	}
	return [...found.values()];
}
