/**
 * Long compiles show cancellable window/workDoneProgress; cancelling it stops the compile.
 * The package is generated (2000 functions) so the compile takes seconds of CPU, well past the
 * 0.5 s progress delay, on any machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LspClient } from './lspClient';
import { configAnswer, withCode } from './helpers';

test('a long compile reports cancellable progress; cancel stops it and leaves no process', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-progress-'));
	writeFileSync(path.join(dir, 'go.mod'), 'module big\n\ngo 1.21\n');
	let src = `package big\n\n// ${process.pid} ${Date.now()} (a fresh package: never in the build cache)\n\ntype T struct{ a, b [8]int }\n\nvar sink any\n\n`;
	for (let i = 0; i < 2000; i++) src += `func F${i}(n int) *T { t := T{}; t.a[0] = n; sink = &t; b := make([]byte, n); sink = b; return &T{} }\n`;
	writeFileSync(path.join(dir, 'big.go'), src);
	const client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }) });
	try {
		const uri = await client.open(path.join(dir, 'big.go'));
		const begin = await client.waitForProgress('begin');
		assert.equal(begin.value.cancellable, true);
		assert.equal(begin.value.title, 'Go MemLens');
		const ended = client.waitForProgress('end');
		const settled = client.waitForQuiescent();
		await client.connection.sendNotification('window/workDoneProgress/cancel', { token: begin.token });
		await ended;
		const st = await settled;
		assert.notEqual(st.state, 'running');
		const stats = await client.debugStats();
		assert.equal(stats.liveProcesses, 0);
		assert.equal(stats.spawnCount, 1);
		assert.equal(withCode(client.diagnostics.get(uri)?.diagnostics ?? [], 'moved-to-heap').length, 0, 'the compile never finished');
	} finally {
		await client.shutdown();
		rmSync(dir, { recursive: true, force: true });
	}
});
