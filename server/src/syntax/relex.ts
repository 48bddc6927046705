/**
 * Typing inside one token (a name, a comment, a string's content) mostly leaves the syntax tree's
 * shape as it was: then the keystroke path only stretches that token in the rules' copy (see
 * mirrorSplice.ts `stretch`), as rust-analyzer relexes a single token, and the file's reparse, deferred,
 * checks it (`settle`).
 */

/** Leaf tokens whose kind their text alone decides (a change inside one can keep the tree's shape). */
export const RELEX = new Set(['identifier', 'field_identifier', 'type_identifier', 'package_identifier', 'comment', 'interpreted_string_literal_content', 'raw_string_literal_content']);

const GO_KEYWORDS = new Set(
	'break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var'.split(' '),
);
/** Names tree-sitter-go parses apart: `new(T)`/`make(T)` take types; the literals are their own nodes. */
const SPECIAL_NAMES = new Set(['new', 'make', 'true', 'false', 'nil', 'iota']);
const IDENT = /^[\p{L}_][\p{L}\p{Nd}_]*$/u;
export const WORD_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * Is `now` (the token's new text) lexed as one token of `type`, as `was` was, with nothing around
 * it parsed differently? The file's reparse checks the tree's shape anyway (see mirrorSplice.ts `settle`).
 */
export function relexes(type: string, was: string, now: string): boolean {
	switch (type) {
		case 'comment':
			if (was.startsWith('//')) return now.startsWith('//') && !/[\r\n]/.test(now);
			return now.startsWith('/*') && now.endsWith('*/') && now.indexOf('*/') === now.length - 2 && now.length >= 4;
		case 'interpreted_string_literal_content':
			return now.length > 0 && !/["\\\r\n]/.test(now);
		case 'raw_string_literal_content':
			return now.length > 0 && !now.includes('`');
		default:
			return IDENT.test(now) && !GO_KEYWORDS.has(now) && !SPECIAL_NAMES.has(now) && !SPECIAL_NAMES.has(was);
	}
}
