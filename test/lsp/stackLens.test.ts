/**
 * "Show what stays on the stack in this function" through the real server and compiler: a code
 * lens per function with `does not escape` facts; its command shows them as diagnostics for that
 * function only, and hides them again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { Commands } from '../../common/protocol';
import { FULL_CAPABILITIES, LspClient } from './lspClient';
import { configAnswer, FIXTURES, withCode } from './helpers';

const POOL = path.join(FIXTURES, 'basic', 'pool.go');

interface Lens {
	range: { start: { line: number } };
	command: { title: string; command: string; arguments: unknown[] };
}

describe('the stack lens', () => {
	let client: LspClient;
	let uri: string;
	let refreshes = 0;
	const lenses = () => client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } }) as Promise<Lens[]>;
	const toggle = (target: unknown) => client.connection.sendRequest('workspace/executeCommand', { command: Commands.toggleStackFacts, arguments: [uri, target] });
	const stackLines = (d: Diagnostic[]) => withCode(d, 'does-not-escape').map((x) => x.range.start.line);

	before(async () => {
		client = await LspClient.start({
			capabilities: { ...FULL_CAPABILITIES, workspace: { ...FULL_CAPABILITIES.workspace, codeLens: { refreshSupport: true } } },
			configuration: configAnswer({ debounceMs: 0 }),
		});
		client.connection.onRequest('workspace/codeLens/refresh', () => void refreshes++);
		uri = await client.open(POOL);
		await client.waitForQuiescent((s) => s.state === 'upToDate');
	});
	after(() => client.shutdown());

	test('offered on the functions where the compiler kept something on the stack', async () => {
		assert.ok(client.initializeResult.capabilities.codeLensProvider, 'codeLensProvider');
		assert.ok(client.initializeResult.capabilities.executeCommandProvider?.commands.includes(Commands.toggleStackFacts));
		const ls = await lenses();
		// Sum (xs) and Show (fmt.Println's `... argument`).
		assert.deepEqual(
			ls.map((l) => [l.range.start.line, l.command.title, l.command.command]),
			[
				[24, 'Show what stays on the stack in this function (1 value)', Commands.toggleStackFacts],
				[33, 'Show what stays on the stack in this function (1 value)', Commands.toggleStackFacts],
			],
		);
		assert.ok(refreshes > 0, 'the client was asked to refresh lenses after the compile');
		assert.deepEqual(stackLines((await client.waitForDiagnostics(uri))), [], 'hidden by default');
	});

	test("the lens's command shows that function's stack values only, and the lens then hides them", async () => {
		const [sum] = await lenses();
		const shown = client.nextDiagnostics(uri);
		const before = refreshes;
		assert.equal(await client.connection.sendRequest('workspace/executeCommand', { command: sum.command.command, arguments: sum.command.arguments }), true);
		const diags = await shown;
		assert.deepEqual(stackLines(diags), [24]);
		const xs = withCode(diags, 'does-not-escape')[0];
		assert.equal(xs.severity, 3, 'information');
		assert.match(String(xs.message), /`xs` stays on the stack/);
		assert.ok(refreshes > before, 'lenses refreshed');
		assert.equal((await lenses())[0].command.title, 'Hide what stays on the stack (1 value)');
		// Hovering it now adds to the diagnostic only for clients that show it (this one does not say so).
		assert.match((await client.hover(uri, 24, 10))?.contents.value ?? '', /stays on the stack/);

		const hidden = client.nextDiagnostics(uri);
		await toggle((await lenses())[0].command.arguments[1]);
		assert.deepEqual(stackLines(await hidden), []);
		assert.equal((await lenses())[0].command.title, 'Show what stays on the stack in this function (1 value)');
	});

	test('a position inside a function toggles it too (the palette command); outside any function nothing', async () => {
		const shown = client.nextDiagnostics(uri);
		assert.equal(await toggle({ line: 34, character: 2 }), true);
		assert.deepEqual(stackLines(await shown), [34]);
		assert.equal(await toggle({ line: 15, character: 0 }), false, 'between functions');
		const hidden = client.nextDiagnostics(uri);
		assert.equal(await toggle({ line: 35, character: 0 }), true);
		assert.deepEqual(stackLines(await hidden), []);
	});

	test('the choice follows the function through edits above it', async () => {
		const shown = client.nextDiagnostics(uri);
		await toggle({ line: 26, character: 1 });
		assert.deepEqual(stackLines(await shown), [24]);
		// A line inserted at the top: Sum moves down, its facts with it, still shown.
		const moved = client.nextDiagnostics(uri, (d) => stackLines(d).length > 0 && stackLines(d)[0] !== 24);
		await client.change(uri, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '// a comment\n' }]);
		assert.deepEqual(stackLines(await moved), [25]);
		const ls = await lenses();
		assert.deepEqual(ls.map((l) => [l.range.start.line, l.command.title.startsWith('Hide')]), [[25, true], [34, false]]);
	});
});
