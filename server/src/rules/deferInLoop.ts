import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const deferInLoop: Rule = {
	id: 'defer-in-loop',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
