/**
 * Malformed incremental changes through the real server: refused with one log line, the document
 * marked out of sync (its results withdrawn), no diagnostic with an invalid range ever published,
 * no handler error; the client's full text brings the results back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { fitsDocument } from '../../server/src/lsp/changeCheck';
import { startServer } from './server';
import { removeCase, tempCase } from './workspace';

const r = (sl: number, sc: number, el: number, ec: number) => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });
const moved = (ds: Diagnostic[]) => ds.some((d) => d.code === 'moved-to-heap' && d.range.start.line === 4);

test('out-of-range, fractional and reversed changes are refused; the full text resyncs', async () => {
	const dir = tempCase('basic');
	const s = await startServer({ root: dir, settings: { debounceMs: 0 } });
	try {
		const file = path.join(dir, 'a.go');
		const uri = await s.client.open(file);
		await s.client.waitForDiagnostics(uri, (ds) => moved(ds));
		const lines = 16;
		for (const range of [r(40, 0, 41, 0), r(4.25, 0, 4.25, 1), r(6, 2, 5, 0), r(3, -1, 3, 2)]) {
			await s.client.change(uri, [{ range, text: 'x' }]);
		}
		// A well-formed change after them is refused too: it was made on the client's text.
		const v = await s.client.change(uri, [{ range: r(0, 0, 0, 0), text: '// x\n' }]);
		await s.client.waitForDiagnostics(uri, (ds) => ds.length === 0);
		const refusals = s.client.logs.filter((l) => /refused a change/.test(l));
		assert.equal(refusals.length, 1, `one log line per out-of-sync episode:\n${refusals.join('\n')}`);
		assert.match(refusals[0], /past the document's last line/);
		// The client's whole text: results come back, placed on that text.
		const text = `// header\n${(await import('node:fs')).readFileSync(file, 'utf8')}`;
		await s.client.change(uri, [{ text }]);
		await s.client.save(uri); // the compile runs on the buffer (overlay): its fact lands one line lower
		await s.client.waitForDiagnostics(uri, (ds, p) => (p.version ?? 0) > v && ds.some((d) => d.code === 'moved-to-heap' && d.range.start.line === 5));
		for (const p of s.client.published) for (const d of p.diagnostics) assert.ok(fitsDocument(d.range, lines + 1), `published an unfit range ${JSON.stringify(d.range)}`);
		assert.deepEqual(s.client.logs.filter((l) => /internal error|handler/i.test(l)), []);
		s.assertHealthy();
	} finally {
		await s.stop();
		removeCase(dir);
	}
});
