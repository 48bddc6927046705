/** Shared bits for the LSP tests: fixture paths and temp copies (tests never write into the repo). */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { REPO_ROOT } from './lspClient';

export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'lsp');

/** A fresh copy of a fixture module in os.tmpdir(); `cleanup()` removes it. */
export function tempCopy(name: string): { dir: string; cleanup: () => void } {
	const root = mkdtempSync(path.join(os.tmpdir(), 'memlens-lsp-'));
	const dir = path.join(root, name);
	cpSync(path.join(FIXTURES, name), dir, { recursive: true });
	return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The diagnostics with one code. */
export function withCode(diags: Diagnostic[], code: string): Diagnostic[] {
	return diags.filter((d) => d.code === code);
}

/** `line:start-end` of a single-line range, for compact assertions. */
export function span(d: Diagnostic): string {
	return `${d.range.start.line}:${d.range.start.character}-${d.range.end.character}`;
}

/** Answers workspace/configuration: `memlens` for the goMemlens section, `go` for vscode-go's. */
export function configAnswer(memlens: unknown, go: unknown = null) {
	return (item: { section?: string }) => (item.section === 'goMemlens' ? memlens : item.section === 'go' ? go : null);
}

/** A diagnostic's message as text (LSP 3.18 allows MarkupContent). */
export function msg(d: Diagnostic): string {
	return typeof d.message === 'string' ? d.message : d.message.value;
}
