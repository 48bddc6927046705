/** Overlay copies get short names: a file whose own name is at the file system's limit still compiles unsaved. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeOverlay } from '../../server/src/escape/overlay';
import { runEscape } from '../../server/src/escape/runner';

test('backing files have short names whatever the real name', async () => {
	const long = `/w/pkg/${'a'.repeat(245)}_test.go`;
	const o = await writeOverlay(new Map([[long, 'package a\n'], ['/w/pkg/b.go', 'package a\n']]));
	try {
		const json = JSON.parse(readFileSync(o.file, 'utf8')) as { Replace: Record<string, string> };
		assert.equal(path.basename(json.Replace[long]), '0_test.go');
		assert.equal(path.basename(json.Replace['/w/pkg/b.go']), '1.go');
		assert.equal(readFileSync(json.Replace[long], 'utf8'), 'package a\n');
	} finally {
		await o.dispose();
	}
});

test('an unsaved buffer of a file with a 254-byte name is analysed', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-longname-'));
	try {
		writeFileSync(path.join(dir, 'go.mod'), 'module example.com/long\n\ngo 1.22\n');
		const file = path.join(dir, `${'n'.repeat(251)}.go`); // 254 bytes with ".go"
		writeFileSync(file, 'package long\n');
		const unsaved = 'package long\n\nfunc F() *int {\n\tx := 1\n\treturn &x\n}\n';
		const r = await runEscape({ goBin: '/usr/local/go/bin/go', dir, test: false, tags: [], buildFlags: [], env: {}, timeoutMs: 120_000, overlay: new Map([[file, unsaved]]) });
		assert.equal(r.status, 'ok', r.message);
		assert.ok(r.facts.some((f) => f.kind === 'moved-to-heap' && f.subject === 'x' && f.pos.file === file && f.pos.line === 4), JSON.stringify(r.facts.map((f) => f.message)));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
