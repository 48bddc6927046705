/**
 * The result lines `go test -bench -benchmem` prints, as data:
 *   BenchmarkLabels-2   	    2000	     67306 ns/op	    2624 B/op	      69 allocs/op
 * (name with the GOMAXPROCS suffix, iterations, then value/unit pairs). Pure.
 */

export interface BenchResult {
	/** `BenchmarkLabels` (sub-benchmarks keep their `/case` part); the `-N` GOMAXPROCS suffix dropped. */
	name: string;
	iterations: number;
	nsPerOp?: number;
	bytesPerOp?: number;
	allocsPerOp?: number;
}

const LINE = /^(Benchmark\S*?)(?:-\d+)?\s+(\d+)\s+(.*)$/;

export function parseBenchOutput(stdout: string): BenchResult[] {
	const out: BenchResult[] = [];
	for (const raw of stdout.split('\n')) {
		const m = LINE.exec(raw.trim());
		if (!m) continue;
		const r: BenchResult = { name: m[1], iterations: Number(m[2]) };
		const pairs = m[3].trim().split(/\s+/);
		for (let i = 0; i + 1 < pairs.length; i += 2) {
			const v = Number(pairs[i]);
			if (!Number.isFinite(v)) continue;
			if (pairs[i + 1] === 'ns/op') r.nsPerOp = v;
			else if (pairs[i + 1] === 'B/op') r.bytesPerOp = v;
			else if (pairs[i + 1] === 'allocs/op') r.allocsPerOp = v;
		}
		out.push(r);
	}
	return out;
}
