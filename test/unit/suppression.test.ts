/**
 * Suppression comments people already write (issue 11): golangci-lint's nolint read as golangci-lint
 * reads it (pkg/result/processors/nolint_filter.go), go-critic / revive names for defer-in-loop,
 * GoLand's noinspection, and the reach of a directive on its own line (the whole next statement).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../server/src/syntax/goParser';
import { mirrorOf } from '../../server/src/syntax/mirror';
import { runRules } from '../../server/src/rules/engine';
import { deferInLoop } from '../../server/src/rules/loops/deferInLoop';
import { parseDirective } from '../../server/src/rules/suppression';
import { goVersion } from './ruleHarness';

const rules = (c: string) => [...(parseDirective(c, 0)?.rules ?? ['<none>'])].sort();

test('nolint: the forms golangci-lint accepts, and the ones it does not', () => {
	assert.deepEqual(rules('//nolint:gocritic'), ['defer-in-loop']);
	assert.deepEqual(rules('//nolint: gocritic'), ['defer-in-loop'], 'space after the colon');
	assert.deepEqual(rules('// nolint:gocritic'), ['defer-in-loop'], 'space after the slashes');
	assert.deepEqual(rules('//  nolint:gocritic // why'), ['defer-in-loop']);
	assert.deepEqual(rules('//nolint:errcheck, gocritic ,revive'), ['defer-in-loop', 'errcheck']);
	assert.deepEqual(rules('//nolint:GoCritic'), ['defer-in-loop'], 'names are lower-cased');
	assert.deepEqual(rules('//nolint:revive'), ['defer-in-loop']);
	assert.deepEqual(rules('//nolint'), ['*']);
	assert.deepEqual(rules('// nolint // legacy'), ['*']);
	assert.deepEqual(rules('//nolint :gocritic'), ['*'], 'golangci reads anything but "nolint:" as every linter');
	assert.deepEqual(rules('//nolint:all'), ['*']);
	assert.deepEqual(rules('//nolint:errcheck,all'), ['*']);
	// Not directives, or not for defer-in-loop.
	assert.deepEqual(rules('//nolintfoo'), ['<none>']);
	assert.deepEqual(rules('/* nolint:gocritic */'), ['<none>']);
	assert.deepEqual(rules('//nolint:gocritic closed later'), ['gocritic closed later'], 'an explanation needs its own //');
	assert.deepEqual(rules('//nolint:errcheck'), ['errcheck']);
	assert.equal(parseDirective('//nolint:gocritic // closed on return', 0)!.reason, 'closed on return');
});

test('GoLand noinspection', () => {
	assert.deepEqual(rules('//goland:noinspection GoDeferInLoop'), ['defer-in-loop']);
	assert.deepEqual(rules('//noinspection GoDeferInLoop'), ['defer-in-loop']);
	assert.deepEqual(rules('//goland:noinspection GoUnhandledErrorResult'), ['GoUnhandledErrorResult']);
});

async function deferLines(src: string): Promise<number[]> {
	const parser = await newGoParser();
	const tree = parser.parse(src)!;
	try {
		const ctx = { tree: mirrorOf(tree, src), text: src, filePath: '/tmp/x/a.go', goVersion: goVersion(21), escape: undefined, isCgo: false };
		return runRules(ctx, { rules: [deferInLoop] }).map((f) => f.range.start.line + 1);
	} finally {
		tree.delete();
		parser.delete();
	}
}

const loop = `	for _, n := range names {
		f, _ := os.Open(n)
		defer f.Close()
		_, _ = f.Stat()
	}`;
const file = (pre: string, body: string) => `package p\n\nimport "os"\n\n${pre}func f(names []string) {\n${body}\n}\n`;

test('reach: a directive on its own line covers the next statement or declaration in its column', async () => {
	assert.deepEqual(await deferLines(file('', loop)), [8]);
	assert.deepEqual(await deferLines(file('', `\t//nolint:gocritic // lock-step close\n${loop}`)), [], 'above the loop: the whole loop');
	assert.deepEqual(await deferLines(file('//nolint:revive\n', loop)), [], 'above the function: the whole function');
	assert.deepEqual(await deferLines(file('//nolint:gocritic\n// F opens them all.\n', loop)), [], 'a comment group: the node after the group');
	assert.deepEqual(await deferLines(file('', `\t//goland:noinspection GoDeferInLoop\n${loop}`)), []);
	// Not aligned with the statement, or a blank line between: only the next line (golangci-lint: nothing).
	assert.deepEqual(await deferLines(file('', `//nolint:gocritic\n${loop}`)), [9]);
	assert.deepEqual(await deferLines(file('', `\t//nolint:gocritic\n\n${loop}`)), [10]);
	// Another linter's nolint does not silence it; memlens's own ignore covers the next line only.
	assert.deepEqual(await deferLines(file('', `\t//nolint:errcheck\n${loop}`)), [9]);
	assert.deepEqual(await deferLines(file('', `\t//memlens:ignore defer-in-loop closed on return\n${loop}`)), [9]);
	// Trailing on the defer itself.
	assert.deepEqual(await deferLines(file('', loop.replace('defer f.Close()', 'defer f.Close() //nolint: gocritic'))), []);
});
