import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const poolUseAfterPut: Rule = {
	id: 'pool-use-after-put',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
