import type { Rule } from './types';

// TODO: not implemented yet (stub so the registry compiles).
export const loopvarCapture: Rule = {
	id: 'loopvar-capture',
	doc: { summary: '', severity: 'warning', usesEscape: false },
	check: () => [],
};
