/**
 * The messages of vet's copylocks analyzer (x/tools go/analysis/passes/copylock, as vendored in
 * Go 1.26), read back into what was copied where. Pure. The forms:
 *   NAME passes lock by value: PATH                 (receiver or parameter; NAME is `func` for literals)
 *   assignment copies lock value to LHS: PATH
 *   for loop iteration copies lock value to X: PATH (go ≥ 1.22 loop variables)
 *   variable declaration copies lock value to X: PATH
 *   literal copies lock value from X: PATH
 *   return copies lock value: PATH
 *   call of FUN copies lock value: PATH
 *   range var X copies lock: PATH
 * PATH is `T contains U contains sync.Mutex`, outermost first, types fully qualified
 * (`example.com/m/pb.User`); type strings hold no `": "`, so the last one ends the subject.
 */

export type CopySite = 'passes' | 'assignment' | 'loop' | 'declaration' | 'literal' | 'return' | 'call' | 'range';

export interface CopylocksReport {
	site: CopySite;
	/** The function (passes), the target (assignment, loop, declaration, range), the value (literal) or the callee (call). */
	subject?: string;
	/** Outermost type first, the lock last, fully qualified as vet prints them. */
	path: string[];
}

const FORMS: [RegExp, CopySite][] = [
	[/^(.*) passes lock by value$/s, 'passes'],
	[/^assignment copies lock value to (.*)$/s, 'assignment'],
	[/^for loop iteration copies lock value to (.*)$/s, 'loop'],
	[/^variable declaration copies lock value to (.*)$/s, 'declaration'],
	[/^literal copies lock value from (.*)$/s, 'literal'],
	[/^return copies lock value$/s, 'return'],
	[/^call of (.*) copies lock value$/s, 'call'],
	[/^range var (.*) copies lock$/s, 'range'],
];

/** A copylocks message read back; undefined for a form this version does not know. */
export function parseCopylocks(message: string): CopylocksReport | undefined {
	const cut = message.lastIndexOf(': ');
	if (cut < 0) return undefined;
	const head = message.slice(0, cut);
	const path = message
		.slice(cut + 2)
		.split(' contains ')
		.map((t) => t.trim())
		.filter(Boolean);
	if (path.length === 0) return undefined;
	for (const [re, site] of FORMS) {
		const m = re.exec(head);
		if (m) return { site, ...(m[1] !== undefined ? { subject: m[1] } : {}), path };
	}
	return undefined;
}

/** `example.com/m/pb.User` → `pb.User`, `sync/atomic.Int64` → `atomic.Int64` (inside type arguments too). */
export function shortTypeName(t: string): string {
	return t.replace(/(?:[\w.~-]+\/)+(?=[\w~-]+\.)/g, '');
}
