/**
 * Loads web-tree-sitter and the tree-sitter-go grammar once per process.
 * The wasm files sit next to the bundle in dist/ (copied by esbuild.mjs); when running from source
 * (tests under tsx) they are resolved from node_modules.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

export type { Node, Tree, Edit, Point } from 'web-tree-sitter';
export { Parser, Language, Query } from 'web-tree-sitter';

function locate(file: string, pkgPath: string): string {
	const beside = path.join(__dirname, file);
	if (existsSync(beside)) return beside;
	return require.resolve(pkgPath);
}

let loading: Promise<Language> | undefined;

/** The Go language, loaded once. */
export function goLanguage(): Promise<Language> {
	loading ??= (async () => {
		await Parser.init({
			locateFile: (name: string) => locate(name, `web-tree-sitter/${name}`),
		});
		return Language.load(locate('tree-sitter-go.wasm', 'tree-sitter-go/tree-sitter-go.wasm'));
	})();
	return loading;
}

/** A new parser for Go. Callers own it and must `delete()` it. */
export async function newGoParser(): Promise<Parser> {
	const lang = await goLanguage();
	const p = new Parser();
	p.setLanguage(lang);
	return p;
}
