// Runs every bench under bench/ once on a small target, so that none can rot unnoticed (CI runs
// this: `npm run bench:smoke`). Timing targets are not judged here (a loaded CI machine would
// fail them at random): a timing bench passes when it runs to the end, exit 0 or 1 with no
// exception. Correctness benches (parity, precision, fixes, rule exceptions) must exit 0.
// `node bench/smoke.mjs NAME…` runs only the named benches.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const GOROOT_SRC = '/usr/local/go/src';

/** name → [args, must exit 0] ; every *.ts under bench/ must be listed (checked below). */
const BENCHES = {
	escapeParity: [['--quick'], true],
	causes: [[path.join(root, 'examples')], true],
	precision: [['--quick'], true],
	recall: [['--quick'], true],
	fixCorpus: [['--quick'], true],
	gorootScan: [[path.join(GOROOT_SRC, 'sync')], true],
	goplsCompare: [['examples/'], false],
	keystroke: [['50'], false],
	latency: [['--quick'], false],
	memory: [['50'], false],
	publish: [['20'], false],
	profileJoin: [['--quick'], false],
	runnerOverhead: [['1', '--no-cold'], false],
	saveToDiagnostics: [[path.join(root, 'examples')], false],
	stdCheck: [['--quick'], false],
};

const present = readdirSync(path.join(root, 'bench')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
const unlisted = present.filter((b) => !(b in BENCHES));
if (unlisted.length) {
	console.error(`bench/smoke.mjs: benches without a smoke entry: ${unlisted.join(', ')}`);
	process.exit(1);
}

const only = process.argv.slice(2);
const env = { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH}`, GOTOOLCHAIN: 'local', BENCH_REPS: '1' };
const results = [];
for (const [name, [args, strict]] of Object.entries(BENCHES)) {
	if (only.length && !only.includes(name)) continue;
	const t0 = performance.now();
	const r = await new Promise((resolve) => {
		const p = spawn(process.execPath, ['--import', 'tsx', path.join('bench', `${name}.ts`), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		p.stdout.on('data', (d) => {
			out += d;
			process.stdout.write(d);
		});
		p.stderr.on('data', (d) => {
			err += d;
			process.stderr.write(d);
		});
		// A bench that hangs is a bench that rotted.
		const timer = setTimeout(() => p.kill('SIGKILL'), 20 * 60_000);
		p.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({ code, signal, out, err });
		});
	});
	const crashed = /^\s+at .+:\d+:\d+\)?$/m.test(r.err) || /\b(TypeError|ReferenceError|SyntaxError|timed out waiting)\b/.test(r.err + r.out);
	const ok = !r.signal && !crashed && (strict ? r.code === 0 : r.code === 0 || r.code === 1);
	results.push({ name, ok, code: r.code, signal: r.signal, crashed, s: ((performance.now() - t0) / 1000).toFixed(0) });
	console.log(`\n== smoke ${name} ${args.join(' ')}: ${ok ? 'ok' : 'FAILED'} (exit ${r.code ?? r.signal}${crashed ? ', exception' : ''}) in ${results.at(-1).s} s\n`);
}
console.log('bench smoke:');
for (const x of results) console.log(`  ${x.ok ? 'ok    ' : 'FAILED'} ${x.name} (${x.s} s)`);
process.exit(results.every((x) => x.ok) ? 0 : 1);
