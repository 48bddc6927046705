import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const timeAfterInLoop: Rule = {
	id: 'time-after-in-loop',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
