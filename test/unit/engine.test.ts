import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGoParser } from '../../server/src/syntax/goParser';
import { runRules, optionsFromSettings, type RuleError } from '../../server/src/rules/engine';
import { parseDirective, collectSuppressions } from '../../server/src/rules/suppression';
import type { Rule, RuleContext } from '../../server/src/rules/types';
import type { RuleFinding } from '../../server/src/model';
import { goVersion } from './ruleHarness';
import { mirrorOf } from '../../server/src/syntax/mirror';

async function ctxFor(src: string): Promise<{ ctx: RuleContext; done: () => void }> {
	const parser = await newGoParser();
	const tree = parser.parse(src)!;
	return {
		ctx: { tree: mirrorOf(tree, src), text: src, filePath: '/tmp/x/a.go', goVersion: goVersion(21), escape: undefined, isCgo: false },
		done: () => {
			tree.delete();
			parser.delete();
		},
	};
}

/** A rule reporting every call to `name(...)` (1 finding per call expression). */
function callRule(id: string, name: string): Rule {
	return {
		id,
		doc: { summary: 'test', severity: 'warning', usesEscape: false },
		check(ctx) {
			const out: RuleFinding[] = [];
			for (const c of ctx.tree.rootNode.descendantsOfType('call_expression')) {
				if (c?.childForFieldName('function')?.text !== name) continue;
				const r = { start: { line: c.startPosition.row, character: c.startPosition.column }, end: { line: c.endPosition.row, character: c.endPosition.column } };
				out.push({ rule: id, range: r, severity: 'warning', message: `${name} called` });
			}
			return out;
		},
	};
}
const thrower: Rule = { id: 'boom', doc: { summary: '', severity: 'error', usesEscape: false }, check: () => { throw new Error('kaput'); } };

const SRC = `package a

func f() {
	foo()
	bar() //memlens:ignore rule-bar reason here
	//memlens:ignore rule-foo,rule-bar both
	foo(); bar()
	s := "//memlens:ignore rule-foo in a string"; foo()
	_ = s
	foo() //lint:ignore SA6002 prometheus does this
	foo() //nolint
	foo() //nolint:govet // not foo
}
`;

test('engine: suppression, isolation, severities, dedupe', async () => {
	const { ctx, done } = await ctxFor(SRC);
	try {
		const errors: RuleError[] = [];
		const foo = callRule('rule-foo', 'foo');
		const bar = callRule('rule-bar', 'bar');
		const got = runRules(ctx, { rules: [foo, thrower, bar, foo], onError: (e) => errors.push(e) });
		const seen = got.map((f) => `${f.rule}@${f.range.start.line + 1}`);
		assert.deepEqual(seen, ['rule-foo@4', 'rule-foo@8', 'rule-foo@10', 'rule-foo@12']);
		assert.equal(errors.length, 1);
		assert.equal(errors[0].rule, 'boom');

		const sev = runRules(ctx, { rules: [foo, bar], severities: { 'rule-foo': 'error', 'rule-bar': 'off' } });
		assert.ok(sev.every((f) => f.rule === 'rule-foo' && f.severity === 'error'));
		assert.equal(runRules(ctx, { rules: [foo], disabled: new Set(['rule-foo']) }).length, 0);
		assert.equal(runRules(ctx, { rules: [foo, bar], ignoreSuppressions: true }).length, 8);
		const o = optionsFromSettings({ disabledRules: ['x'], ruleSeverities: { y: 'hint' } });
		assert.ok(o.disabled?.has('x'));
	} finally {
		done();
	}
});

test('engine: lint:ignore SA6002 maps to pool-put-non-pointer', async () => {
	const { ctx, done } = await ctxFor('package a\n\nfunc f() {\n\t//lint:ignore SA6002 boxing is fine here\n\tfoo()\n\tfoo()\n}\n');
	try {
		const r = callRule('pool-put-non-pointer', 'foo');
		assert.deepEqual(runRules(ctx, { rules: [r] }).map((f) => f.range.start.line + 1), [6]);
	} finally {
		done();
	}
});

test('engine: default registry runs on half-typed code without throwing', async () => {
	const { ctx, done } = await ctxFor('package a\nimport "sync"\nvar p = sync.Pool{New: func() any { return make([]byte, 1\nfunc f() { p.Put(');
	try {
		const errors: RuleError[] = [];
		runRules(ctx, { onError: (e) => errors.push(e) });
		assert.deepEqual(errors, []);
	} finally {
		done();
	}
});

test('suppression directives parse', () => {
	assert.deepEqual([...parseDirective('//memlens:ignore a,b why', 3)!.rules], ['a', 'b']);
	assert.equal(parseDirective('//memlens:ignore a why', 3)!.reason, 'why');
	assert.equal(parseDirective('// memlens:ignore a', 0), undefined, 'space breaks the directive, as in Go');
	assert.deepEqual([...parseDirective('//lint:ignore SA9001,SA5003 why', 0)!.rules], ['defer-in-loop']);
	assert.deepEqual([...parseDirective('//nolint:copyloopvar,gosec // ok', 0)!.rules], ['loopvar-redundant-copy', 'loopvar-address']);
	assert.deepEqual([...parseDirective('//nolint', 0)!.rules], ['*']);
	assert.deepEqual([...parseDirective('//nolint:all', 0)!.rules], ['*']);
	assert.equal(parseDirective('//nolintx', 0), undefined);
	assert.equal(parseDirective('/* memlens:ignore a */', 0), undefined);
	assert.equal(parseDirective('//lint:file-ignore SA5005 generated', 0)!.file, true);
});

test('suppression: comments from the tree, not from strings', async () => {
	const { ctx, done } = await ctxFor('package a\n\nvar s = "//nolint"\n\n//memlens:ignore x y\nvar t = `\n//nolint\n`\n');
	try {
		assert.deepEqual(collectSuppressions(ctx.tree).map((s) => s.line), [4]);
	} finally {
		done();
	}
});
