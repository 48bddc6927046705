import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const poolPutLocalAddress: Rule = {
	id: 'pool-put-local-address',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
