/** Generated pathological Go files (issue 15): written to temp dirs at test or bench time, never committed. */

/**
 * One function of about 2n+10 lines holding `n` goroutine closures, each in its own loop and
 * capturing the loop variable (what the loopvar rules and the compiler's escape analysis both look at).
 */
export function closureFunction(n: number): string {
	const lines = ['package closures', '', 'import "sync"', '', '// Big starts a goroutine per element, n times over.', 'func Big(xs []int) []int {', '\tvar wg sync.WaitGroup', '\tvar mu sync.Mutex', '\tout := []int{}'];
	for (let i = 0; i < n; i++) {
		lines.push(`\tfor i${i} := range xs {`, `\t\twg.Add(1); go func() { defer wg.Done(); mu.Lock(); out = append(out, i${i}+${i}); mu.Unlock() }() }`);
	}
	lines.push('\twg.Wait()', '\treturn out', '}', '');
	return lines.join('\n');
}

/** A package-level value made of `n` function literals, each nested in the one before. */
export function nestedLiterals(n: number): string {
	return `package nested\n\nvar X = ${'func() int { return '.repeat(n)}1${' }()'.repeat(n)}\n`;
}
