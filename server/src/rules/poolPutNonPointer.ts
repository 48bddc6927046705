import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const poolPutNonPointer: Rule = {
	id: 'pool-put-non-pointer',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
