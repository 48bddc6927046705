// Issue 14 in a real VS Code UI (code-server 4.100.3 + Debian chromium), on a copy of examples/
// plus lockcopy.go: the hover adds to the diagnostic instead of repeating it, "Show what stays on
// the stack" per function, and one squiggle per problem beside a second extension that publishes
// what the real gopls published for lockcopy.go (test/e2e/fixtures/other-source/).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ANALYSIS_TIMEOUT, line, openFile, runCommand, uiSuite, waitLanguageStatus } from './ui.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const OTHER = path.join(here, 'fixtures/other-source');

/** Squiggles per severity on the editor row whose text matches `pattern` (overlay rows share the line's `top`). */
function rowSquiggles(page, pattern) {
	return page.evaluate((src) => {
		const re = new RegExp(src);
		const l = [...document.querySelectorAll('.monaco-editor .view-lines .view-line')].find((el) => re.test(el.textContent ?? ''));
		if (!l) return null;
		const row = [...document.querySelectorAll('.monaco-editor .view-overlays > div')].find((d) => d.style.top === l.style.top);
		const n = (kind) => row?.querySelectorAll(`.squiggly-${kind}`).length ?? 0;
		return { error: n('error'), warning: n('warning'), info: n('info') };
	}, pattern);
}

async function waitRow(page, pattern, want, what) {
	try {
		await page.waitForFunction(
			([src, w]) => {
				const re = new RegExp(src);
				const l = [...document.querySelectorAll('.monaco-editor .view-lines .view-line')].find((el) => re.test(el.textContent ?? ''));
				const row = l && [...document.querySelectorAll('.monaco-editor .view-overlays > div')].find((d) => d.style.top === l.style.top);
				if (!row) return false;
				return Object.entries(w).every(([k, v]) => row.querySelectorAll(`.squiggly-${k}`).length === v);
			},
			[pattern, want],
			{ timeout: 60_000 },
		);
	} catch (e) {
		throw new Error(`${what}: wanted ${JSON.stringify(want)}, the row shows ${JSON.stringify(await rowSquiggles(page, pattern))}`, { cause: e });
	}
}

/** The visible hover's whole text once it shows `text` (marker and provider parts both). */
async function hoverOver(page, locator, text) {
	await page.mouse.move(5, 5);
	await page.locator('.monaco-hover:not(.hidden)').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
	await locator.hover();
	const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: text });
	await hover.first().waitFor({ timeout: 20_000 });
	return hover.first().innerText();
}

const count = (s, needle) => s.split(needle).length - 1;
const COPY_ROW = '^\\s*copied\\s+:=\\s+\\*c';

uiSuite(
	'Explanations in VS Code: hover, stack lens, one squiggle beside gopls',
	{ trusted: true, name: 'explain', extensions: [path.join(OTHER, 'extension')], files: { 'lockcopy.go': path.join(OTHER, 'lockcopy.go') } },
	(ui) => {
		test('pool.Put(&scratch): the hover shows the sentence once and adds the compiler line', async () => {
			const { page } = ui;
			await openFile(page, 'poolputlocal.go');
			await waitLanguageStatus(page, 'MemLens: up to date', ANALYSIS_TIMEOUT);
			const scratch = line(page, 'var scratch').locator('span > span', { hasText: /^scratch$/ });
			const text = await hoverOver(page, scratch, /Compiler says/);
			console.log(`# hover: ${text.replace(/\s+/g, ' ').slice(0, 400)}`);
			assert.equal(count(text, 'is moved to the heap'), 1, `the sentence once: ${text}`);
			assert.match(text, /Compiler says: moved to heap: scratch/);
			// The chain: VS Code's links to the diagnostic's related positions, once each.
			assert.equal(count(text, 'poolputlocal.go(14, 18)'), 2, 'address-of and interface-converted, both at 14:18');
			console.log(`# screenshot: ${await ui.screenshot('hover-once')}`);
			await page.mouse.move(5, 5);
		});

		test('"Show what stays on the stack in this function" turns its does-not-escape facts on and off', async () => {
			const { page } = ui;
			await openFile(page, 'makesize.go');
			await waitLanguageStatus(page, 'MemLens: up to date', ANALYSIS_TIMEOUT);
			const show = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Show what stays on the stack in this function' });
			await show.first().waitFor({ timeout: 60_000 });
			assert.equal(await show.count(), 1, 'one lens: sumChunk (readChunk keeps nothing on the stack)');
			// Two rows start `buf := make(…)`: readChunk's (heap) and sumChunk's (stack). Before: one info squiggle, readChunk's.
			const infos = () => page.locator('.monaco-editor .view-overlays .squiggly-info').count();
			const before = await infos();
			await show.first().click();
			await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Hide what stays on the stack (1 value)' }).first().waitFor({ timeout: 30_000 });
			await page.waitForFunction((n) => document.querySelectorAll('.monaco-editor .view-overlays .squiggly-info').length === n + 1, before, { timeout: 30_000 });
			const make = line(page, 'buf := make').nth(1).locator('span > span', { hasText: /^make$/ });
			const text = await hoverOver(page, make, /stays on the stack/);
			console.log(`# hover: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
			assert.equal(count(text, 'stays on the stack'), 1, text);
			console.log(`# screenshot: ${await ui.screenshot('stack-lens-on')}`);
			await page.mouse.move(5, 5);
			await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Hide what stays on the stack' }).first().click();
			await show.first().waitFor({ timeout: 30_000 });
			await page.waitForFunction((n) => document.querySelectorAll('.monaco-editor .view-overlays .squiggly-info').length === n, before, { timeout: 30_000 });
			console.log(`# screenshot: ${await ui.screenshot('stack-lens-off')}`);
		});

		test('gopls and Go MemLens report the same lock copy: one squiggle, both explanations on hover', async () => {
			const { page } = ui;
			await openFile(page, 'lockcopy.go');
			// Ours alone first: an error (the file declares Counter with its sync.Mutex).
			await waitRow(page, COPY_ROW, { error: 1, warning: 0 }, 'Go MemLens alone');
			await runCommand(page, 'Other Source: Publish Captured gopls Diagnostics');
			// gopls's copylocks is a warning at the same range: ours steps aside.
			await waitRow(page, COPY_ROW, { error: 0, warning: 1 }, 'de-duplicated');
			console.log(`# screenshot: ${await ui.screenshot('dedupe-one-squiggle')}`);
			const star = line(page, 'copied := *c').locator('span > span', { hasText: /^c$/ }).last();
			const text = await hoverOver(page, star, /Go MemLens/);
			console.log(`# hover: ${text.replace(/\s+/g, ' ').slice(0, 400)}`);
			assert.match(text, /assignment copies lock value to copied: example\.com\/memlens-examples\.Counter contains sync\.Mutex/, "gopls's message");
			assert.match(text, /Go MemLens \(lock-copy-by-value; copylocks reports the same problem\)/);
			assert.equal(count(text, 'the copy gets its own lock'), 1, 'our message once');
			console.log(`# screenshot: ${await ui.screenshot('dedupe-hover')}`);
			await page.mouse.move(5, 5);
		});

		test('goMemlens.dedupeWithOtherSources off: both squiggles; on again: one', async () => {
			const { page } = ui;
			const settings = path.join(ui.workspace, '.vscode', 'settings.json');
			mkdirSync(path.dirname(settings), { recursive: true });
			writeFileSync(settings, JSON.stringify({ 'goMemlens.dedupeWithOtherSources': false }));
			await waitRow(page, COPY_ROW, { error: 1, warning: 1 }, 'de-duplication off');
			console.log(`# screenshot: ${await ui.screenshot('dedupe-off-both')}`);
			writeFileSync(settings, JSON.stringify({ 'goMemlens.dedupeWithOtherSources': true }));
			await waitRow(page, COPY_ROW, { error: 0, warning: 1 }, 'de-duplication on again');
			// The other source withdraws its diagnostics: ours comes back.
			await runCommand(page, 'Other Source: Clear Diagnostics');
			await waitRow(page, COPY_ROW, { error: 1, warning: 0 }, 'the other source gone');
		});
	},
);
