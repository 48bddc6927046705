import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const loopvarRedundantCopy: Rule = {
	id: 'loopvar-redundant-copy',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
