import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const loopvarAddress: Rule = {
	id: 'loopvar-address',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
