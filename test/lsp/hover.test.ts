/**
 * Hovers through the real server over stdio, on the real compiler's facts: a client that shows a
 * diagnostic's text on hover (VS Code; `initializationOptions.diagnosticsInHover`) gets only what
 * the diagnostic does not say; any other client gets the whole explanation. The reported case:
 * `var buf [64]byte; pool.Put(&buf)` showed the same sentence twice in VS Code.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from './lspClient';
import { configAnswer, FIXTURES, msg, withCode } from './helpers';

const POOL = path.join(FIXTURES, 'basic', 'pool.go');

/** What VS Code shows when the mouse rests on `d`'s range: the diagnostic's message and related messages, then the hover. */
function shownOnHover(d: Diagnostic, hover: string): string {
	return [msg(d), ...(d.relatedInformation ?? []).map((r) => r.message), hover].join('\n');
}

function count(haystack: string, needle: string): number {
	return haystack.split(needle).length - 1;
}

async function started(initializationOptions?: unknown): Promise<{ client: LspClient; uri: string; diags: Diagnostic[] }> {
	const client = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }), initializationOptions });
	const uri = await client.open(POOL);
	await client.waitForQuiescent((s) => s.state === 'upToDate');
	const diags = await client.waitForDiagnostics(uri, (d) => withCode(d, 'moved-to-heap').length === 2);
	return { client, uri, diags };
}

describe('a client that shows diagnostics on hover (diagnosticsInHover: true)', () => {
	let client: LspClient;
	let uri: string;
	let diags: Diagnostic[];
	before(async () => ({ client, uri, diags } = await started({ diagnosticsInHover: true })));
	after(() => client.shutdown());

	test('pool.Put(&buf): the sentence is shown once, the hover adds the compiler line', async () => {
		const buf = withCode(diags, 'moved-to-heap').find((d) => d.range.start.line === 11)!;
		const h = await client.hover(uri, 11, 6);
		assert.ok(h, 'hover');
		const value = h.contents.value;
		assert.ok(!value.includes(msg(buf)), `the diagnostic's message is not restated: ${value}`);
		assert.ok(!value.includes('is moved to the heap'), 'not even its headline');
		assert.ok(!/because /.test(value), 'nor its reason');
		assert.match(value, /Compiler says: `moved to heap: buf`/);
		assert.ok(!value.includes('pool.go:13:'), 'the steps are the diagnostic related positions, not repeated');
		assert.ok(!value.includes('[docs]'), "the doc link is the diagnostic's code link");
		const all = shownOnHover(buf, value);
		assert.equal(count(all, 'is moved to the heap'), 1, all);
		for (const r of buf.relatedInformation ?? []) assert.equal(count(all, r.message), 1, `step "${r.message}" once`);
	});

	test('a value without a diagnostic (does-not-escape is off) gets the whole explanation', async () => {
		const h = await client.hover(uri, 24, 10);
		assert.ok(h, 'hover on xs');
		assert.match(h.contents.value, /^\*\*`xs` stays on the stack\*\*/);
		assert.match(h.contents.value, /Compiler says: `xs does not escape` · \[docs\]/);
	});
});

describe('a client that does not say so (the default: most non-VS Code clients)', () => {
	let client: LspClient;
	let uri: string;
	let diags: Diagnostic[];
	before(async () => ({ client, uri, diags } = await started()));
	after(() => client.shutdown());

	test('the whole explanation: sentence, chain as links, compiler line, doc link', async () => {
		const buf = withCode(diags, 'moved-to-heap').find((d) => d.range.start.line === 11)!;
		const h = await client.hover(uri, 11, 6);
		assert.ok(h, 'hover');
		const value = h.contents.value;
		// The diagnostic's sentence is the hover's headline and reason.
		// (The diagnostic names the cause in brackets after its headline; the hover has its own Cause line.)
		const [headline, why] = msg(buf).split(/ (?=because )/);
		assert.ok(value.startsWith(`**${headline.replace(/ \([^)]*\)$/, '')}**\n\n${why}`), JSON.stringify(msg(buf)));
		assert.match(value, /^1\. .* — \[pool\.go:13:11\]\(file:\/\/[^)]*pool\.go#L13,11\)$/m);
		assert.match(value, /Compiler says: `moved to heap: buf` · \[docs\]\(file:\/\/[^)]*moved-to-heap\.md\)/);
	});

	test('a diagnosticsInHover that is not the boolean true counts as absent', async () => {
		const other = await LspClient.start({ configuration: configAnswer({ debounceMs: 0 }), initializationOptions: { diagnosticsInHover: 'true' } });
		try {
			const u = await other.open(POOL);
			await other.waitForQuiescent((s) => s.state === 'upToDate');
			const h = await other.hover(u, 11, 6);
			assert.match(h?.contents.value ?? '', /^\*\*`buf` is moved to the heap\*\*/);
		} finally {
			await other.shutdown();
		}
	});
});
