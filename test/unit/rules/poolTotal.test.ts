import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { newGoParser } from '../../../server/src/syntax/goParser';
import { ALL_RULES } from '../../../server/src/rules/index';
import { goVersion } from '../ruleHarness';

const SRC = `package a

import (
	"bytes"
	"encoding/json"
	"sync"
)

type S struct{ pool *sync.Pool }

var bufs = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 64)) }}
var raw = &sync.Pool{New: func() any { return make([]byte, 64) }}

func acquire() *bytes.Buffer { b := bufs.Get().(*bytes.Buffer); b.Reset(); return b }
func release(b *bytes.Buffer) { bufs.Put(b) }

func (s *S) enc(v any) ([]byte, error) {
	b := s.pool.Get().(*bytes.Buffer)
	defer s.pool.Put(b)
	if err := json.NewEncoder(b).Encode(v); err != nil {
		return nil, err
	}
	x := *raw.Get().(*[]byte)
	raw.Put(&x)
	raw.Put(x[:0])
	go func() { _ = b.Bytes() }()
	return b.Bytes(), nil
}
`;
import { mirrorOf } from '../../../server/src/syntax/mirror';

test('pool rules are total: any prefix or splice of a realistic file never throws', async () => {
	const parser = await newGoParser();
	const rules = ALL_RULES.filter((r) => r.id.startsWith('pool-'));
	try {
		// The full file has findings from every rule but pool-get-without-reset (resetting getter).
		const full = parser.parse(SRC)!;
		const ctx = { tree: mirrorOf(full, SRC), text: SRC, filePath: '/x/a.go', goVersion: goVersion(21), escape: undefined, isCgo: false };
		const ids = new Set(rules.flatMap((r) => r.check(ctx).map((f) => f.rule)));
		full.delete();
		assert.ok(ids.size >= 4, [...ids].join(','));
		fc.assert(
			fc.property(fc.nat(SRC.length), fc.nat(SRC.length), fc.nat(40), (a, b, n) => {
				const cut = SRC.slice(0, a) + SRC.slice(b, b + n * 10);
				const tree = parser.parse(cut)!;
				try {
					for (const r of rules) {
						const out = r.check({ tree: mirrorOf(tree, cut), text: cut, filePath: '/x/a.go', goVersion: goVersion(undefined), escape: [], isCgo: false });
						assert.ok(Array.isArray(out));
					}
				} finally {
					tree.delete();
				}
			}),
			{ numRuns: 150, seed: 3 },
		);
	} finally {
		parser.delete();
	}
});
