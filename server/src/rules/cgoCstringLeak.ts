import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const cgoCstringLeak: Rule = {
	id: 'cgo-cstring-leak',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
