/**
 * Input generators for the fuzz tests: mutated windows of real GOROOT files, compositions of the
 * memory-pattern snippets the rules look for, and mutated real `-m=2` compiler output.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const GOROOT = '/usr/local/go';

/** Real Go sources the rules care about (pools, loops, finalizers, cgo, timers, locks). */
export function gorootSamples(): string[] {
	const picks = [
		'src/sync/pool.go',
		'src/sync/mutex.go',
		'src/sync/once.go',
		'src/runtime/mfinal.go',
		'src/encoding/json/encode.go',
		'src/encoding/json/decode.go',
		'src/net/http/server.go',
		'src/net/http/transport.go',
		'src/fmt/print.go',
		'src/time/sleep.go',
		'src/os/exec/exec.go',
		'src/runtime/cgo/handle.go',
		'src/unsafe/unsafe.go',
		'src/bytes/buffer.go',
		'src/context/context.go',
	];
	const out: string[] = [];
	for (const p of picks) {
		try {
			out.push(readFileSync(path.join(GOROOT, p), 'utf8'));
		} catch {
			// a trimmed GOROOT: use what is there
		}
	}
	return out;
}

/** Snippets that trigger (or nearly trigger) the rules, to be spliced into each other. */
export const SNIPPETS = [
	'var pool = sync.Pool{New: func() any { return new(bytes.Buffer) }}\n',
	'var p2 = sync.Pool{New: func() interface{} { return make([]byte, 0, 64) }}\n',
	'func a() { b := pool.Get().(*bytes.Buffer); b.WriteString("x"); pool.Put(b) }\n',
	'func b() { var buf [64]byte; pool.Put(&buf) }\n',
	'func c() { s := make([]byte, 8); pool.Put(s) }\n',
	'func d() { b := pool.Get().(*bytes.Buffer); pool.Put(b); b.Reset() }\n',
	'func e() { for i := 0; i < 3; i++ { go func() { println(i) }() } }\n',
	'func f(xs []int) (ps []*int) { for _, v := range xs { ps = append(ps, &v) }; return }\n',
	'func g(xs []int) { for _, v := range xs { v := v; _ = v } }\n',
	'func h() { o := &T{}; runtime.SetFinalizer(o, func(*T) { _ = o }) }\n',
	'func i() { cs := C.CString("x"); C.puts(cs) }\n',
	'func j(p *T) uintptr { u := uintptr(unsafe.Pointer(p)); return u }\n',
	'func k(ch chan int) { for { select { case <-ch: case <-time.After(time.Second): } } }\n',
	'func l(fs []string) { for _, f := range fs { h, _ := os.Open(f); defer h.Close() } }\n',
	'func m(b []byte) []byte { return b[:4] }\n',
	'type L struct { mu sync.Mutex; n int }\nfunc (l L) Get() int { l.mu.Lock(); defer l.mu.Unlock(); return l.n }\n',
	'func n() { var out []int; var wg sync.WaitGroup; for i := 0; i < 4; i++ { wg.Add(1); go func() { out = append(out, i); wg.Done() }() }; wg.Wait() }\n',
	'import "C"\n',
	'//go:build go1.21\n',
	'//memlens:ignore pool-put-local-address reason\n',
	'func o[T any](x T) *T { return &x }\n',
	'func 日本(é int) *int { return &é }\n',
];

const TOKENS = ['{', '}', '(', ')', '[', ']', ';', '\n', '"', '`', '/*', '*/', '//', '&', '*', 'func', 'for', 'go ', 'defer ', 'range ', ':=', '.', ',', '\u00e9', '\u{1F642}', '\r\n', '\0', '\uFFFD', 'pool.Put(', 'sync.Pool{', 'time.After(', 'C.CString(', 'uintptr(', 'runtime.SetFinalizer('];

/** Applies `ops` mutations (delete a range, duplicate, insert a token, truncate) to `text`. */
function mutate(text: string, ops: { kind: number; at: number; len: number; tok: number }[]): string {
	let t = text;
	for (const op of ops) {
		const at = t.length ? op.at % (t.length + 1) : 0;
		switch (op.kind % 5) {
			case 0:
				t = t.slice(0, at) + t.slice(at + op.len);
				break;
			case 1:
				t = t.slice(0, at) + t.slice(at, at + op.len) + t.slice(at);
				break;
			case 2:
				t = t.slice(0, at) + TOKENS[op.tok % TOKENS.length] + t.slice(at);
				break;
			case 3:
				t = t.slice(0, Math.max(at, t.length - op.len));
				break;
			default: {
				const s = SNIPPETS[op.tok % SNIPPETS.length];
				t = t.slice(0, at) + s + t.slice(at);
			}
		}
	}
	return t;
}

const opArb = fc.record({ kind: fc.nat(), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }), tok: fc.nat() });

/** Go-ish source text: mutated GOROOT windows, mutated snippet compositions, or raw strings. */
export function goSourceArb(samples: string[]): fc.Arbitrary<string> {
	const window = fc
		.record({ file: fc.nat(), start: fc.nat(), size: fc.integer({ min: 0, max: 3000 }), ops: fc.array(opArb, { maxLength: 6 }) })
		.map(({ file, start, size, ops }) => {
			const src = samples[file % samples.length] ?? '';
			const s = src.length ? start % src.length : 0;
			return mutate(src.slice(s, s + size), ops);
		});
	const composed = fc
		.record({ picks: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), ops: fc.array(opArb, { maxLength: 4 }) })
		.map(({ picks, ops }) => mutate('package p\n\nimport ("bytes"; "os"; "runtime"; "sync"; "time"; "unsafe")\n\n' + picks.map((i) => SNIPPETS[i % SNIPPETS.length]).join(''), ops));
	const raw = fc.string({ unit: 'binary', maxLength: 400 }).map((s) => 'package p\n' + s);
	return fc.oneof({ arbitrary: window, weight: 4 }, { arbitrary: composed, weight: 5 }, { arbitrary: raw, weight: 1 });
}

/** Mutations of real compiler output: line drops, duplicates, truncations, odd positions and bytes. */
export function compilerOutputArb(seeds: string[]): fc.Arbitrary<string> {
	const linesOf = seeds.map((s) => s.split('\n'));
	const weirdLine = fc.oneof(
		fc.tuple(fc.constantFrom('./z.go', 'z.go', '/abs/z.go', 'C:\\w\\z.go', '<autogenerated>', './d ir/z.go', './x:y.go', ''), fc.integer({ min: -5, max: 1e9 }), fc.oneof(fc.integer({ min: -5, max: 1e6 }), fc.constant(NaN)), fc.constantFrom('moved to heap: ', 'leaking param: ', 'leaking param content: ', '  flow: {heap} = &', '  flow: {heap} ← &', '    from ', ' escapes to heap:', ' escapes to heap', ' does not escape', 'can inline ', 'inlining call to ', 'parameter p leaks to {heap} with derefs=0:', ''), fc.string({ maxLength: 30 })).map(([f, l, c, m, s]) => `${f}:${l}:${c}: ${m}${s}`),
		fc.string({ unit: 'binary', maxLength: 80 }),
		fc.constantFrom('# example.com/p', 'go: downloading x', '\t/usr/local/go/src/x.go:1:2', 'note: module requires Go 1.99', ''),
	);
	return fc
		.record({ seed: fc.nat(), drop: fc.array(fc.nat(), { maxLength: 6 }), dup: fc.array(fc.nat(), { maxLength: 3 }), trunc: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }), extra: fc.array(fc.tuple(fc.nat(), weirdLine), { maxLength: 6 }) })
		.map(({ seed, drop, dup, trunc, extra }) => {
			const lines = [...(linesOf[seed % linesOf.length] ?? [])];
			for (const d of drop) if (lines.length) lines.splice(d % lines.length, 1);
			for (const d of dup) if (lines.length) lines.splice(d % lines.length, 0, lines[d % lines.length]);
			for (const [i, at] of trunc) if (lines.length) lines[i % lines.length] = lines[i % lines.length].slice(0, at % (lines[i % lines.length].length + 1));
			for (const [i, l] of extra) lines.splice(i % (lines.length + 1), 0, l);
			return lines.join('\n');
		});
}

/** Lists `*.go` files under `dir` (recursively), skipping testdata. */
export function goFilesUnder(dir: string): string[] {
	const out: string[] = [];
	const walk = (d: string) => {
		let names: string[];
		try {
			names = readdirSync(d);
		} catch {
			return;
		}
		for (const n of names) {
			const p = path.join(d, n);
			if (n === 'testdata') continue;
			if (n.endsWith('.go')) out.push(p);
			else if (!n.includes('.')) walk(p);
		}
	};
	walk(dir);
	return out;
}
