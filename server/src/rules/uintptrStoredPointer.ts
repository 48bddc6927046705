import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const uintptrStoredPointer: Rule = {
	id: 'uintptr-stored-pointer',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
