/** Links from diagnostics and hovers to the documentation pages shipped with the extension. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { URI } from 'vscode-uri';

let docsRoot: string | undefined;

/**
 * The `docs/` folder: next to dist/ in the packaged extension (`dist/../docs`), or the repo's
 * docs/ when running from source (server/src/lsp → ../../../docs).
 */
export function docsDir(): string {
	if (docsRoot) return docsRoot;
	const candidates = [path.join(__dirname, '..', 'docs'), path.join(__dirname, '..', '..', '..', 'docs')];
	docsRoot = candidates.find((c) => existsSync(c)) ?? candidates[0];
	return docsRoot;
}

// One URI string per page: every diagnostic links one (a keystroke in a file with 400 compiler facts
// used to build 400 URIs).
const uris = new Map<string, string>();

function docUri(folder: string, name: string): string {
	const key = `${folder}/${name}`;
	let u = uris.get(key);
	if (u === undefined) uris.set(key, (u = URI.file(path.join(docsDir(), folder, `${name}.md`)).toString()));
	return u;
}

/** File URI of the page explaining a compiler fact kind (`docs/escape/<kind>.md`). */
export function escapeDocUri(kind: string): string {
	return docUri('escape', kind);
}

/** File URI of a rule's page (`docs/rules/<id>.md`). */
export function ruleDocUri(ruleId: string): string {
	return docUri('rules', ruleId);
}

/** File URI of the section of docs/escape/causes.md about one cause (`#<id>`). */
export function causeDocUri(id: string): string {
	return `${docUri('escape', 'causes')}#${id}`;
}
