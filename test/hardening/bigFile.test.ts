/**
 * A 5 MB generated Go file (written to os.tmpdir() at test time, never committed) through the real
 * server: it opens, the compiler's ~190k lines of -m=2 output are parsed, an edit is answered,
 * nothing crashes, and the tree is freed on close.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { URI } from 'vscode-uri';
import { rssOf } from './session';
import { closeAndAssertTreesFreed, settledStatus, startServer } from './server';
import { bigGoFile, removeCase, tempCase, writeModule } from './workspace';

test('a 5 MB file: analysed, edited and closed without a crash', { timeout: 600_000 }, async () => {
	const dir = tempCase();
	const text = bigGoFile(5 * 1024 * 1024, 'big', false);
	writeModule(dir, 'example.com/big', { 'big.go': text });
	const s = await startServer({ root: dir, settings: { debounceMs: 0, compileTimeoutSec: 400 } });
	try {
		const uri = await s.client.open(path.join(dir, 'big.go'));
		const status = await settledStatus(s.client, URI.file(dir).toString(), 500_000);
		assert.equal(status.state, 'upToDate', JSON.stringify(status));
		const diags = await s.client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'moved-to-heap'));
		assert.ok(diags.length > 1000, `${diags.length} diagnostics`);
		// one keystroke at the end of the file
		const lines = text.split('\n');
		const v = await s.client.change(uri, [{ range: { start: { line: lines.length - 1, character: 0 }, end: { line: lines.length - 1, character: 0 } }, text: '// x' }]);
		await s.client.waitForDiagnostics(uri, (_d, p) => p.version === v, 300_000);
		const rss = rssOf(s.client.child.pid);
		console.log(`# 5 MB file: ${diags.length} diagnostics, server RSS ${(rss / 2 ** 20).toFixed(0)} MB`);
		await closeAndAssertTreesFreed(s, uri);
		s.assertHealthy();
	} finally {
		await s.stop();
		removeCase(dir);
	}
});
