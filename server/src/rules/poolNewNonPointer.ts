import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const poolNewNonPointer: Rule = {
	id: 'pool-new-non-pointer',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
