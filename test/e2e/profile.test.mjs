// Allocation profiles in a real VS Code UI (code-server + chromium, see /work/shared/e2e.md), on a
// copy of examples/: the "Profile allocations" CodeLens above a benchmark, a real run (go test
// -bench -memprofile, 50 iterations), the lens's B/op and allocs/op, the end-of-line cost notes, and
// the Allocation Hot Spots view. Every wait is on a DOM state; screenshots go to the run's temp dir.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { packageExtension, startUi, uiAvailable } from './harness.mjs';

const skip = uiAvailable() ? false : 'code-server or chromium missing: run `bash test/e2e/setup.sh`';
const ANALYSIS_TIMEOUT = 240_000;

async function openFile(page, name) {
	await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
	await page.click('.monaco-workbench');
	await page.keyboard.press('Control+P');
	await page.fill('.quick-input-widget input', name);
	await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`);
	await page.keyboard.press('Enter');
	await page.waitForSelector(`.tab[data-resource-name="${name}"]`);
	await page.waitForSelector('.monaco-editor .view-lines .view-line');
}

/** The texts of the CodeLenses in the visible editor. */
function lensTexts(page) {
	return page.evaluate(() => [...document.querySelectorAll('.monaco-editor .codelens-decoration')].map((el) => el.textContent ?? ''));
}

/** End-of-line notes with an allocation cost (decorations render them as ::after content). */
function costNotes(page) {
	return page.evaluate(() => {
		const out = [];
		for (const el of document.querySelectorAll('.monaco-editor .view-lines .view-line span')) {
			const after = getComputedStyle(el, '::after').content;
			if (after && / allocs? · /.test(after)) out.push(after);
		}
		return out;
	});
}

describe('allocation profiles in VS Code', { skip }, () => {
	let ui;
	before(async () => {
		packageExtension();
		ui = await startUi({ trusted: true, name: 'profile', settings: { 'goMemlens.profile.benchtime': '50x' } });
	});
	after(async () => {
		await ui?.stop();
	});

	test('the CodeLens runs the benchmark; the lens shows B/op and allocs/op', async () => {
		const { page } = ui;
		await openFile(page, 'allocs_test.go');
		await page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .codelens-decoration')].filter((el) => el.textContent?.includes('Profile allocations')).length >= 3, null, { timeout: ANALYSIS_TIMEOUT });
		console.log(`# lenses: ${JSON.stringify(await lensTexts(page))}`);
		console.log(`# screenshot: ${await ui.screenshot('profile-lenses')}`);
		// The second lens sits above BenchmarkLabels.
		await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Profile allocations' }).nth(1).click();
		await page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .codelens-decoration')].some((el) => /allocs\/op/.test(el.textContent ?? '')), null, { timeout: ANALYSIS_TIMEOUT });
		const lenses = await lensTexts(page);
		console.log(`# lenses after the run: ${JSON.stringify(lenses)}`);
		assert.ok(lenses.some((t) => /Profile allocations · \d+ B\/op · 69 allocs\/op/.test(t)), JSON.stringify(lenses));
		console.log(`# screenshot: ${await ui.screenshot('profile-lens-result')}`);
	});

	test('allocs.go shows the cost notes, merged with the heap note on the costly line', async () => {
		const { page } = ui;
		await openFile(page, 'allocs.go');
		await page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .view-lines .view-line span')].some((el) => / allocs? · /.test(getComputedStyle(el, '::after').content)), null, { timeout: 60_000 });
		const notes = await costNotes(page);
		console.log(`# cost notes: ${JSON.stringify(notes)}`);
		assert.ok(notes.some((n) => n.includes('heap') && /[\d.]+ [kM]?B · [\d.]+ k? ?allocs · [\d.]+ %/.test(n)), `one note says both: ${notes}`);
		console.log(`# screenshot: ${await ui.screenshot('profile-cost-notes', page.locator('.part.editor'))}`);
	});

	test('the Allocation Hot Spots view lists Labels with the compiler’s reason', async () => {
		const { page } = ui;
		await page.keyboard.press('Control+Shift+P');
		await page.fill('.quick-input-widget input', '>Focus on Allocation Hot Spots View');
		await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Allocation Hot Spots"]');
		await page.keyboard.press('Enter');
		const row = page.locator('.monaco-list-row', { hasText: /allocs\.go:\d+/ }).filter({ hasText: /escapes to heap/ });
		await row.first().waitFor({ timeout: 30_000 }).catch(async (e) => {
			console.log(`# screenshot (failed): ${await ui.screenshot('profile-hot-spots-missing')}`);
			throw e;
		});
		const fn = page.locator('.monaco-list-row', { hasText: /allocs\.Labels/ });
		assert.ok((await fn.count()) >= 1, 'grouped under allocs.Labels');
		console.log(`# hot spot: ${(await row.first().innerText()).replace(/\s+/g, ' ')}`);
		console.log(`# screenshot: ${await ui.screenshot('profile-hot-spots')}`);
	});
});
