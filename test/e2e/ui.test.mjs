// Go MemLens in a real VS Code UI (code-server 4.100.3 + Debian chromium), on a copy of
// examples/ (a go 1.21 module with seeded memory mistakes). Every wait is on a DOM state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANALYSIS_TIMEOUT, heapNotes, languageStatus, line, openFile, runCommand, uiSuite, waitLanguageStatus, waitNoteCount } from './ui.mjs';

/** Opens `name`, waits for a rule squiggle and for the status item to read `status`, and checks there are no heap notes. */
async function syntaxRulesOnly(page, name, status) {
	await openFile(page, name);
	await page.waitForSelector('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning', { timeout: 60_000 });
	await waitLanguageStatus(page, status, 60_000);
	console.log(`# status: ${await languageStatus(page)}`);
	assert.equal((await heapNotes(page)).length, 0, 'no heap notes');
}

uiSuite('Go MemLens in VS Code (trusted workspace)', { trusted: true, name: 'trusted' }, (ui) => {

	test('activates, squiggles the seeded mistake, reports status, draws heap notes', async () => {
		const { page } = ui;
		await openFile(page, 'loopcapture.go');
		// loop variable captured by a goroutine in a go 1.21 module: a syntax rule, no compiler needed.
		await page.waitForSelector('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning', { timeout: 60_000 });
		await waitLanguageStatus(page, 'MemLens', 60_000);
		await waitLanguageStatus(page, 'MemLens: up to date', ANALYSIS_TIMEOUT);
		await page.waitForFunction(
			() => [...document.querySelectorAll('.monaco-editor .view-lines .view-line span')].some((el) => getComputedStyle(el, '::after').content.includes('heap') || (el.children.length === 0 && el.textContent?.startsWith('↑ '))),
			null,
			{ timeout: 30_000 },
		);
		const notes = await heapNotes(page);
		console.log(`# heap notes: ${JSON.stringify(notes)}`);
		assert.ok(notes.some((n) => n.includes('wg')), `a note for wg (moved to heap): ${notes}`);
		console.log(`# screenshot: ${await ui.screenshot('heap-notes')}`);
		console.log(`# screenshot: ${await ui.screenshot('editor-heap-notes', page.locator('.part.editor'))}`);
	});

	test('Toggle Heap Decorations hides the notes and brings them back', async () => {
		const { page } = ui;
		await runCommand(page, 'Go MemLens: Toggle Heap Decorations');
		await waitNoteCount(page, 'n === 0');
		await runCommand(page, 'Go MemLens: Toggle Heap Decorations');
		await waitNoteCount(page, 'n > 0');
	});

	test('Show Compiler Output opens the -m=2 text as a memlens-escape document', async () => {
		const { page } = ui;
		await runCommand(page, 'Go MemLens: Show Compiler Output');
		await page.waitForSelector('.tab[data-resource-name^="compiler output"]', { timeout: 20_000 });
		await page.locator('.monaco-editor .view-lines .view-line').filter({ hasText: /moved\s+to\s+heap:\s+wg/ }).first().waitFor({ timeout: 20_000 });
		await page.waitForSelector('[id="status.editor.mode"][aria-label*="Go Escape Analysis Output"]', { timeout: 20_000 });
		console.log(`# screenshot: ${await ui.screenshot('compiler-output')}`);
		// Close it (the output editor is active), back to the Go file alone for the next tests.
		await page.keyboard.press('Control+W');
		await page.waitForSelector('.tab[data-resource-name^="compiler output"]', { state: 'detached' });
	});

	test('hovering a heap fact shows what the compiler decided and why', async () => {
		const { page } = ui;
		await page.mouse.move(5, 5);
		const wg = line(page, 'var wg').locator('span > span', { hasText: /^wg$/ });
		await wg.hover();
		const hover = page.locator('.monaco-hover:not(.hidden) .rendered-markdown').filter({ hasText: /heap/ });
		await hover.first().waitFor({ timeout: 20_000 });
		const text = await hover.first().innerText();
		console.log(`# hover: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
		assert.match(text, /moved to heap|heap/);
		console.log(`# screenshot: ${await ui.screenshot('hover')}`);
		await page.keyboard.press('Escape');
	});

	test('the quick fix from Ctrl+. rewrites the code and the finding goes away', async () => {
		const { page } = ui;
		await page.mouse.move(5, 5);
		// Put the cursor on the captured `u` in `fetch(u)`.
		await line(page, 'fetch(u)').locator('span > span', { hasText: /^u$/ }).click();
		await page.keyboard.press('Control+.');
		const fix = page.locator('.action-widget .monaco-list-row').filter({ hasText: /per iteration/ });
		await fix.first().waitFor({ timeout: 20_000 });
		console.log(`# screenshot: ${await ui.screenshot('quick-fix-menu')}`);
		// The menu blocks pointer events while it animates in: choose with the keyboard.
		for (let i = 0; i < 10 && !(await fix.first().getAttribute('class'))?.includes('focused'); i++) await page.keyboard.press('ArrowDown');
		await page.keyboard.press('Enter');
		await line(page, 'u := u').first().waitFor({ timeout: 20_000 });
		await page.waitForFunction(() => document.querySelectorAll('.monaco-editor .squiggly-error').length === 0, null, { timeout: 30_000 });
		console.log(`# screenshot: ${await ui.screenshot('after-fix')}`);
	});

	test('a build error makes the package stale; Show Build Error opens it', async () => {
		const { page } = ui;
		await page.locator('.monaco-editor .view-lines').first().click();
		await page.keyboard.press('Control+End');
		// One edit: typed key by key, the half-typed line (`var _ int = "`) is a syntax error of its
		// own, and the build that showed "stale" first could be that one.
		await page.keyboard.insertText('var _ int = "x"\n');
		await waitLanguageStatus(page, 'MemLens: stale', ANALYSIS_TIMEOUT);
		await runCommand(page, 'Go MemLens: Show Build Error');
		await page.waitForSelector('.tab[data-resource-name^="build error"]', { timeout: 20_000 });
		await page.locator('.monaco-editor .view-lines .view-line').filter({ hasText: /cannot\s+use/ }).first().waitFor({ timeout: 20_000 });
		console.log(`# screenshot: ${await ui.screenshot('build-error')}`);
	});

	test('Open Rule Documentation shows the bundled page in the markdown preview', async () => {
		const { page } = ui;
		await page.keyboard.press('Control+Shift+P');
		await page.fill('.quick-input-widget input', '>Go MemLens: Open Rule Documentation');
		await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Open Rule Documentation"]');
		await page.keyboard.press('Enter');
		await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="loopvar-capture"]', { timeout: 20_000 });
		await page.fill('.quick-input-widget input', 'loopvar-capture');
		await page.keyboard.press('Enter');
		await page.waitForSelector('.tab[aria-label*="loopvar-capture"]', { timeout: 30_000 });
		// The preview is a webview: an iframe holding the rendered page in an inner frame.
		const body = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame').locator('body');
		await body.filter({ hasText: /loop variable/i }).waitFor({ timeout: 30_000 });
		console.log(`# screenshot: ${await ui.screenshot('rule-docs')}`);
	});
});

uiSuite('Go MemLens in VS Code (untrusted workspace)', { trusted: false, name: 'untrusted' }, (ui) => {

	test('no escape facts without trust, but the syntax rules still run', async () => {
		const { page } = ui;
		await syntaxRulesOnly(page, 'loopcapture.go', 'MemLens: escape analysis off');
		// Compiler facts are information squiggles; rule findings are warnings/errors.
		assert.equal(await page.locator('.monaco-editor .squiggly-info').count(), 0, 'no compiler facts');
		console.log(`# screenshot: ${await ui.screenshot('untrusted')}`);
	});

	test('granting trust starts escape analysis without a reload', async () => {
		const { page } = ui;
		await runCommand(page, 'Workspaces: Manage Workspace Trust');
		const trust = page.locator('.workspace-trust-editor .monaco-button').filter({ hasText: /^Trust/ });
		await trust.first().waitFor({ timeout: 20_000 });
		console.log(`# screenshot: ${await ui.screenshot('trust-editor')}`);
		await trust.first().click();
		await page.waitForSelector('[id="status.workspaceTrust"]', { state: 'detached', timeout: 20_000 }).catch(() => undefined);
		await page.locator('.tab[data-resource-name="loopcapture.go"]').first().click();
		await waitLanguageStatus(page, 'MemLens: up to date', ANALYSIS_TIMEOUT);
		await waitNoteCount(page, 'n > 0');
		console.log(`# screenshot: ${await ui.screenshot('trusted-later')}`);
	});
});

uiSuite('Go MemLens in VS Code (Go not found)', { trusted: true, name: 'nogo', settings: { 'goMemlens.goPath': '/nonexistent/go/bin/go' } }, (ui) => {

	test('a missing go binary is named in the status item; the syntax rules still run', async () => {
		const { page } = ui;
		await syntaxRulesOnly(page, 'loopcapture.go', 'MemLens: Go not found');
		console.log(`# screenshot: ${await ui.screenshot('go-not-found')}`);
	});
});
