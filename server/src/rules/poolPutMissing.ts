import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const poolPutMissing: Rule = {
	id: 'pool-put-missing',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
