import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const subsliceRetention: Rule = {
	id: 'subslice-retention',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
