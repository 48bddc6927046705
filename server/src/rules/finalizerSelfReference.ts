import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const finalizerSelfReference: Rule = {
	id: 'finalizer-self-reference',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
