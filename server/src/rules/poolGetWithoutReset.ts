import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const poolGetWithoutReset: Rule = {
	id: 'pool-get-without-reset',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
