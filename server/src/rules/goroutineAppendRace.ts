import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const goroutineAppendRace: Rule = {
	id: 'goroutine-append-race',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
