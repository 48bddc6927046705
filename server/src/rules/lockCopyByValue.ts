import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const lockCopyByValue: Rule = {
	id: 'lock-copy-by-value',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
