/** Function names as Go writes them in profiles, against declarations in today's source. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declaredName, declName, funcSpans } from '../../../server/src/profile/funcLines';
import { packageOfFunc } from '../../../server/src/profile/map';

test('profile names reduce to the declared function (closures, methods, type arguments)', () => {
	const cases: [string, string, boolean][] = [
		['example.com/m/pkg.Labels', 'Labels', false],
		['example.com/m/pkg.(*T).M', '(*T).M', false],
		['example.com/m/pkg.T.M', 'T.M', false],
		['example.com/m/pkg.F.func1', 'F', true],
		['example.com/m/pkg.F.func1.2', 'F', true],
		['example.com/m/pkg.(*T[...]).M.func1', '(*T[...]).M', true],
		['example.com/m/pkg.Map[...]', 'Map', false],
		['net/http.(*conn).serve.gowrap3', '(*conn).serve', true],
		['main.main', 'main', false],
	];
	for (const [f, name, closure] of cases) assert.deepEqual(declName(f), { name, closure }, f);
	assert.equal(packageOfFunc('example.com/m/pkg.(*T).M'), 'example.com/m/pkg');
	assert.equal(packageOfFunc('net/http.(*conn).serve'), 'net/http');
	assert.equal(packageOfFunc('main.main'), 'main');
});

test('declarations name themselves the way profiles do', () => {
	assert.equal(declaredName('func (c *conn) serve(ctx context.Context) {'), '(*conn).serve');
	assert.equal(declaredName('func (s Set[T]) Has(v T) bool {'), 'Set[...].Has');
	assert.equal(declaredName('func (l *List[K, V]) Push(v V) {'), '(*List[...]).Push');
	assert.equal(declaredName('func Map[K comparable, V any](m map[K]V) {'), 'Map');
	assert.equal(declaredName('\tfunc inner() {'), undefined);
	const spans = funcSpans('package p\n\nfunc A() {\n}\n\ntype T int\n\nfunc (T) B() {\n\tx()\n}\n');
	assert.deepEqual(spans.get('A'), { start: 3, end: 5 });
	assert.deepEqual(spans.get('T.B'), { start: 8, end: 11 });
});
