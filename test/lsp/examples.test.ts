/**
 * The seeded mistakes in examples/ through the real server: every compiler fact and rule finding
 * that examples/README.md lists (byte columns from the compiler; these files are ASCII).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient, REPO_ROOT } from './lspClient';
import { configAnswer } from './helpers';

const EX = path.join(REPO_ROOT, 'examples');
const ESCAPE_KINDS = new Set(['moved-to-heap', 'escapes-to-heap', 'leaking-param', 'leaking-param-content', 'does-not-escape', 'inlining']);

/** A diagnostic with `code` whose range covers the compiler's 1-based line:column. */
function at(diags: Diagnostic[], code: string, line: number, col: number): Diagnostic | undefined {
	const l = line - 1;
	const c = col - 1;
	return diags.find((d) => d.code === code && d.range.start.line === l && d.range.start.character <= c && c < d.range.end.character);
}

describe('examples/ through the language server', () => {
	let client: LspClient;
	const diags = new Map<string, Diagnostic[]>();
	const files = ['poolputlocal.go', 'poolputslice.go', 'loopcapture.go', 'closurebig.go', 'returnaddr.go', 'boxing.go', 'makesize.go', 'go122/loops.go', 'good/correct.go'];
	before(async () => {
		client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
		const uris = new Map<string, string>();
		for (const f of files) uris.set(f, await client.open(path.join(EX, f)));
		// Three packages (examples, go122, good): wait until each has a result and nothing runs.
		const done = new Set<string>();
		await client.waitForStatus((s) => {
			if (s.state === 'upToDate') done.add(s.packageUri);
			return done.size === 3 && s.quiescent;
		});
		for (const [f, uri] of uris) diags.set(f, await client.waitForDiagnostics(uri));
	});
	after(() => client.shutdown());

	test('pool.Put(&local): the compiler moves the local to the heap', () => {
		assert.ok(at(diags.get('poolputlocal.go')!, 'moved-to-heap', 10, 6));
	});

	test('pool.Put of a []byte: the slice header is boxed and escapes', () => {
		assert.ok(at(diags.get('poolputslice.go')!, 'escapes-to-heap', 14, 15));
	});

	test('goroutine capturing a loop variable at go 1.21: rule error + the variable moved to the heap', () => {
		const d = diags.get('loopcapture.go')!;
		const rule = at(d, 'loopvar-capture', 14, 10);
		assert.ok(rule, 'loopvar-capture');
		assert.equal(rule.severity, 1);
		assert.ok(at(d, 'moved-to-heap', 10, 9));
	});

	test('closure capturing a big struct, returning &x, interface boxing, make with a run-time size', () => {
		assert.ok(at(diags.get('closurebig.go')!, 'moved-to-heap', 13, 6));
		assert.ok(at(diags.get('closurebig.go')!, 'escapes-to-heap', 15, 9));
		assert.ok(at(diags.get('returnaddr.go')!, 'moved-to-heap', 11, 2));
		assert.ok(at(diags.get('boxing.go')!, 'escapes-to-heap', 8, 24));
		assert.ok(at(diags.get('boxing.go')!, 'escapes-to-heap', 8, 14));
		assert.ok(at(diags.get('makesize.go')!, 'escapes-to-heap', 6, 13));
		// The compiler prints `make([]byte, n) does not escape` at 16:13 (README says 15:13).
		assert.equal(at(diags.get('makesize.go')!, 'escapes-to-heap', 16, 13), undefined, 'Go 1.26 keeps this one on the stack');
	});

	test('the stack allocation of makesize.go:16 is explained on hover', async () => {
		const h = await client.hover(`file://${path.join(EX, 'makesize.go')}`, 15, 12);
		assert.ok(h, 'hover on make([]byte, n)');
		assert.match(h.contents.value, /stays on the stack/);
	});

	test('go 1.22 module: no loopvar-capture, the copy n := n is redundant', () => {
		const d = diags.get('go122/loops.go')!;
		assert.ok(!d.some((x) => x.code === 'loopvar-capture'));
		assert.ok(at(d, 'loopvar-redundant-copy', 26, 3));
	});

	test('good/correct.go: no syntax rule fires', () => {
		const rules = diags.get('good/correct.go')!.filter((d) => !ESCAPE_KINDS.has(String(d.code)));
		assert.deepEqual(rules.map((d) => d.code), []);
	});
});
