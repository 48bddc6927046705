/**
 * Go's marker for generated files (https://go.dev/s/generatedcode, go/ast.IsGenerated): a line
 * comment `// Code generated … DO NOT EDIT.` before the package clause. Edits there are
 * overwritten by the generator, so style hints are not worth a developer's time.
 */
import type { RuleContext } from './types';

const MARKER = /^\/\/ Code generated .* DO NOT EDIT\.$/m;

/** True when the file carries the generated-code marker before its package clause. */
export function isGeneratedFile(ctx: Pick<RuleContext, 'text'>): boolean {
	const pkg = /^package\s/m.exec(ctx.text);
	const head = pkg ? ctx.text.slice(0, pkg.index) : ctx.text.slice(0, 4096);
	return MARKER.test(head.replace(/\r/g, ''));
}
