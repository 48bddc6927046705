/**
 * The ESC-refined pool rules against the real compiler: build a module with `-gcflags=-m=2`,
 * parse the output with the project's parser, place the facts in the file, and check that the
 * messages quote what Go 1.26 printed (this is where `factsAt` vs call/slice positions matter).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEscapeOutput } from '../../../server/src/escape/parser';
import { byteToUtf16 } from '../../../server/src/util/positions';
import type { LocatedEscapeFact } from '../../../server/src/rules/types';
import { poolPutNonPointer } from '../../../server/src/rules/pool/poolPutNonPointer';
import { poolPutLocalAddress } from '../../../server/src/rules/pool/poolPutLocalAddress';
import { poolNewNonPointer } from '../../../server/src/rules/pool/poolNewNonPointer';
import { runRule } from '../ruleHarness';

const SRC = `package a

import (
	"io"
	"sync"
)

var bufPool sync.Pool

func Release(b []byte) {
	bufPool.Put(b[:0])
}

var pool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func CopyBody(w io.Writer, r io.Reader) error {
	buf := *pool.Get().(*[]byte)
	defer pool.Put(&buf)
	_, err := io.CopyBuffer(w, r, buf)
	return err
}

var P1 = sync.Pool{New: func() any { return make([]byte, 4096) }}
`;

test('messages quote the real compiler (go build -gcflags=-m=2)', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-poolesc-'));
	try {
		writeFileSync(path.join(dir, 'go.mod'), 'module example.com/poolesc\n\ngo 1.21\n');
		const file = path.join(dir, 'a.go');
		writeFileSync(file, SRC);
		const r = spawnSync('go', ['build', '-o', os.devNull, '-gcflags=-m=2', '.'], {
			cwd: dir,
			encoding: 'utf8',
			env: { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH}`, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
		});
		assert.equal(r.status, 0, r.stderr);
		const lines = SRC.split('\n');
		const escape: LocatedEscapeFact[] = parseEscapeOutput(r.stderr, { cwd: dir })
			.facts.filter((f) => f.pos.file === file)
			.map((f) => ({ ...f, at: { line: f.pos.line - 1, character: byteToUtf16(lines[f.pos.line - 1] ?? '', f.pos.column - 1) } }));
		assert.ok(escape.length > 0);

		const r1 = await runRule(poolPutNonPointer, SRC, { escape, filePath: file });
		assert.equal(r1.length, 1);
		assert.equal(r1[0].severity, 'warning');
		assert.match(r1[0].message, /the compiler reports `b\[:0\] escapes to heap`/);

		const r2 = await runRule(poolPutLocalAddress, SRC, { escape, filePath: file });
		assert.equal(r2.length, 1);
		assert.equal(r2[0].severity, 'warning');
		assert.match(r2[0].message, /the compiler moved `buf` to the heap \(`moved to heap: buf`\)/);

		const r3 = await runRule(poolNewNonPointer, SRC, { escape, filePath: file });
		assert.equal(r3.length, 1);
		assert.match(r3[0].message, /The compiler reports `make\(\[\]byte, 4096\) escapes to heap`/);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
