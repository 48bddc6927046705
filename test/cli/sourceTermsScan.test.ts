/**
 * No user-facing message speaks the compiler's internal language (issue 14): on examples/,
 * encoding/json and net/http, with the real compiler, every diagnostic message and related
 * information, hover text, decoration label and CLI output (text, JSON, SARIF) is free of result
 * parameters (`~r0`), temporaries (`.autotmp_6`), variadic argument lists (`... argument`) and
 * package-qualified names of inlined code (`bytes.b.buf`, `fmt.a`).
 *
 * Only the compiler's own line, quoted as such, may keep them: the hover's "Compiler says", JSON's
 * `compiler`, SARIF's `compilerMessage` (translation never hides what the compiler printed; the test
 * checks they are there).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { URI } from 'vscode-uri';
import { analyze } from '../../server/src/cli/analyze';
import { ALL_ESCAPE_KINDS } from '../../server/src/cli/args';
import { formatText, toJson } from '../../server/src/cli/format';
import { toSarif } from '../../server/src/cli/sarif';
import { fileReport } from '../../server/src/report/fileReport';
import { hoverAt } from '../../server/src/report/hover';
import { resolveSettings } from '../../server/src/lsp/settingsCache';
import type { ClientCaps } from '../../server/src/lsp/capabilities';
import type { EscapeFact, GoVersionInfo } from '../../server/src/model';
import { EXAMPLES, GO, goEnv } from './helpers';

const GOROOT_SRC = '/usr/local/go/src';
const TARGETS: { name: string; dirs: string[] }[] = [
	{ name: 'examples', dirs: [EXAMPLES, path.join(EXAMPLES, 'good'), path.join(EXAMPLES, 'go122')] },
	{ name: 'encoding/json', dirs: [path.join(GOROOT_SRC, 'encoding/json')] },
	{ name: 'net/http', dirs: [path.join(GOROOT_SRC, 'net/http')] },
];

/** Names of standard packages (`go list std`): `bytes.` in `bytes.b.buf` is one of them. */
const STD_NAMES = new Set(spawnSync(GO, ['list', '-f', '{{.Name}}', 'std'], { env: goEnv(), encoding: 'utf8' }).stdout.split('\n').filter(Boolean));

/**
 * What may not appear: the compiler's own names, and `pkg.name` where pkg is a package whose code
 * the compiler inlined here and name a lower-case identifier that is neither a function inlined or
 * compiled here nor its receiver type (`strconv.quoteWith` and `(*sync.node).entry` are how Go names those).
 */
function detector(facts: readonly EscapeFact[]): (text: string) => string | undefined {
	const pkgs = new Set<string>();
	const named = new Set<string>();
	for (const f of facts) {
		if (f.kind !== 'inlining') continue;
		const m = /^([\p{L}_][\p{L}\p{N}_]*)\.(?:\(\*?([\p{L}_][\p{L}\p{N}_]*)|([\p{L}_][\p{L}\p{N}_]*))/u.exec(f.subject);
		if (!m || !STD_NAMES.has(m[1])) continue;
		// Functions inlined here ("inlining call to") or compiled here ("can/cannot inline", generic instantiations).
		if (f.detail === 'inlining call') pkgs.add(m[1]);
		named.add(`${m[1]}.${m[2] ?? m[3]}`);
	}
	// Not in file names (`log.go:409`, links to `…/log/log.go#L409`).
	const qualified = new RegExp(`(?<![\\p{L}\\p{N}_./])(?:${[...pkgs].join('|') || '(?!)'})\\.[\\p{Ll}_][\\p{L}\\p{N}_]*(?![\\p{L}\\p{N}_#]|:\\d)`, 'gu');
	return (text) => {
		const internal = /~r\d|\.autotmp_|\.\.\. argument/.exec(text);
		if (internal) return internal[0];
		for (const m of text.matchAll(qualified)) if (!named.has(m[0]) && !m[0].endsWith('.go')) return m[0];
		return undefined;
	};
}

function goFiles(dir: string): string[] {
	return readdirSync(dir)
		.filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))
		.map((f) => path.join(dir, f));
}

const CAPS: Record<string, ClientCaps> = {
	vscode: { configuration: true, configurationDynamic: true, watchedFilesDynamic: true, workDoneProgress: true, relatedInformation: true, codeDescription: true, tagSupport: true, versionSupport: true, hoverMarkdown: true, codeActionLiterals: true, memlensExtensions: true, trusted: true, diagnosticsInHover: false, codeLensRefresh: false },
	bare: { configuration: false, configurationDynamic: false, watchedFilesDynamic: false, workDoneProgress: false, relatedInformation: false, codeDescription: false, tagSupport: false, versionSupport: false, hoverMarkdown: false, codeActionLiterals: false, memlensExtensions: false, trusted: true, diagnosticsInHover: false, codeLensRefresh: false },
};

/** go.mod and C sources are not read here (the scan is about messages). */
const SOURCES = { goVersion: () => ({ minor: 26, label: 'go1.26', source: 'setting', mainModuleMinor: 26 }) as GoVersionInfo, packageC: () => '' };

const KINDS = ['moved-to-heap', 'escapes-to-heap', 'leaking-param', 'leaking-param-content', 'does-not-escape', 'inlining'];
const SETTINGS = resolveSettings(
	{ escapeSeverities: Object.fromEntries(KINDS.map((k) => [k, 'hint'])), decorations: { enabled: true, kinds: KINDS.slice(0, 4) } },
	null,
);

/** Every string in a JSON value, except under the keys that quote the compiler verbatim. */
function strings(v: unknown, skip: Set<string>, out: string[] = []): string[] {
	if (typeof v === 'string') out.push(v);
	else if (Array.isArray(v)) for (const x of v) strings(x, skip, out);
	else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (!skip.has(k)) strings(x, skip, out);
	return out;
}

for (const target of TARGETS) {
	test(`${target.name}: no compiler-internal names in diagnostics, hovers, labels and CLI output`, async (t) => {
		// One compile per target with the CLI's engine (its facts are the language server's: bench/escapeParity.ts).
		const root = target.dirs[0];
		const r = await analyze({ paths: [root], cwd: root, escape: [...ALL_ESCAPE_KINDS], goBin: GO, tags: [], disabledRules: [], typed: false });
		assert.ok(r.compiles.length > 0 && r.compiles.every((c) => c.status === 'ok'), JSON.stringify(r.compiles.map((c) => c.message)));
		const allFacts = r.compiles.flatMap((c) => c.facts);
		const check = detector(allFacts);
		const bad: string[] = [];
		let messages = 0;
		let heapFacts = 0;
		const scan = (where: string, text: string) => {
			messages++;
			const hit = check(text);
			if (hit) bad.push(`${where}: ${hit} in ${JSON.stringify(text.slice(0, 300))}`);
		};
		// Every file of the target, and every other file the compiles reported facts in (subpackages,
		// bodies inlined from other packages): the CLI reports them, and an editor shows them when opened.
		const files = new Set(target.dirs.flatMap(goFiles));
		for (const f of allFacts) if (f.pos.file.endsWith('.go')) files.add(f.pos.file);
		for (const file of files) {
			const text = readFileSync(file, 'utf8');
			for (const [capsName, caps] of Object.entries(CAPS)) {
				const report = fileReport({ uri: URI.file(file).toString(), filePath: file, text, tree: undefined, facts: allFacts, stale: false, settings: SETTINGS, caps, sources: SOURCES, log: () => {} });
				const where = `${path.basename(file)} (${capsName})`;
				for (const d of report.diagnostics) {
					scan(`${where} diagnostic`, typeof d.message === 'string' ? d.message : d.message.value);
					for (const ri of d.relatedInformation ?? []) scan(`${where} related`, ri.message);
				}
				if (capsName !== 'vscode') continue;
				for (const site of report.heapSites) scan(`${where} label`, site.label);
				for (const pf of report.placed) {
					if (pf.fact.kind === 'inlining') continue;
					if (pf.fact.kind === 'moved-to-heap' || pf.fact.kind === 'escapes-to-heap') heapFacts++;
					for (const markdown of [true, false]) {
						// The whole explanation (a client that does not show diagnostics on hover).
						const h = hoverAt(pf.range.start, report.placed, report.findings, { caps: { hoverMarkdown: markdown, diagnosticsInHover: false, codeDescription: true }, stale: false, published: () => true });
						const value = (h?.contents as unknown as { value: string } | undefined)?.value ?? '';
						assert.match(value, /Compiler says/, 'the compiler’s own line stays in the hover');
						scan(`${where} hover`, value.split('\n').filter((l) => !l.startsWith('Compiler says')).join('\n'));
					}
				}
			}
		}
		// What the CLI prints for the same findings: text, JSON and SARIF.
		for (const line of formatText(r.findings, root, { files: r.files, packages: r.packages }).split('\n')) if (line) scan('cli text', line);
		const json = toJson(r.findings, root).findings;
		for (const f of json.filter((x) => x.source === 'compiler')) {
			assert.ok(f.compiler, 'JSON keeps the compiler’s own line');
			if (f.rule === 'moved-to-heap' || f.rule === 'escapes-to-heap') assert.ok(f.cause, `a heap fact without cause: ${f.compiler}`);
		}
		for (const s of strings(json, new Set(['compiler']))) scan('cli json', s);
		for (const s of strings(toSarif(r.findings, root, '0.0.0'), new Set(['compilerMessage']))) scan('cli sarif', s);
		assert.ok(messages > 0 && heapFacts > 0);
		t.diagnostic(`${messages} messages scanned (${files.size} files, ${heapFacts} placed heap facts, ${r.findings.length} CLI findings)`);
		assert.deepEqual(bad.slice(0, 20), [], `${bad.length} of ${messages} messages with compiler-internal names`);
	});
}
