/** CLI discovery (server/src/cli/discover.ts) on a temp tree: what `go build ./...` would see. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discover } from '../../server/src/cli/discover';

test('discovery: packages per module, skipped dirs, nested modules, and only regular .go files (links followed, FIFOs and dirs left out)', { skip: process.platform === 'win32' }, () => {
	const root = mkdtempSync(path.join(os.tmpdir(), 'memlens-discover-'));
	try {
		const w = (rel: string, text = 'package p\n') => {
			mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
			writeFileSync(path.join(root, rel), text);
		};
		w('go.mod', 'module example.com/m\n');
		w('a.go');
		w('a_test.go');
		w('_hidden.go');
		w('sub/b.go');
		w('testdata/t.go');
		w('vendor/v/v.go');
		w('.dot/d.go');
		w('nested/go.mod', 'module example.com/n\n');
		w('nested/n.go');
		w('real/r.go');
		mkdirSync(path.join(root, 'links'));
		symlinkSync(path.join(root, 'real', 'r.go'), path.join(root, 'links', 'l.go'));
		mkdirSync(path.join(root, 'links', 'dir.go'));
		execFileSync('mkfifo', [path.join(root, 'links', 'fifo.go')]);
		mkdirSync(path.join(root, 'onlyfifo'));
		execFileSync('mkfifo', [path.join(root, 'onlyfifo', 'f.go')]);
		const d = discover(['.'], root);
		assert.deepEqual(d.missing, []);
		assert.deepEqual(
			d.units.map((u) => [path.relative(root, u.root), u.packages.map((p) => path.relative(root, p)), u.files.map((f) => path.relative(root, f)), u.patterns]),
			[
				['', ['', 'links', 'onlyfifo', 'real', 'sub'], ['a.go', 'a_test.go', 'links/l.go', 'real/r.go', 'sub/b.go'], ['./...']],
				['nested', ['nested'], ['nested/n.go'], ['./...']],
			],
		);
		assert.deepEqual(discover(['nope', 'sub/b.go'], root).missing, ['nope']);
	} finally {
		rmSync(root, { recursive: true, force: true });
	}
});
