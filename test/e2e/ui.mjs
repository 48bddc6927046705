// Helpers shared by the real-UI tests: a describe block with its own code-server + chromium
// (uiSuite), and the DOM hooks of VS Code 1.100 (/work/shared/e2e.md) the tests wait on.
import { after, before, describe } from 'node:test';
import { packageExtension, startUi, uiAvailable } from './harness.mjs';

export const skip = uiAvailable() ? false : 'code-server or chromium missing: run `bash test/e2e/setup.sh`';
// The first escape analysis may compile fmt/sync into a cold build cache on a busy machine.
export const ANALYSIS_TIMEOUT = 240_000;

export async function openFile(page, name) {
	await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
	await page.click('.monaco-workbench');
	await page.keyboard.press('Control+P');
	await page.fill('.quick-input-widget input', name);
	await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`);
	await page.keyboard.press('Enter');
	await page.waitForSelector(`.tab[data-resource-name="${name}"]`);
	await page.waitForSelector('.monaco-editor .view-lines .view-line');
}

/** The language status item's text, as in the status bar's accessible label. */
export function languageStatus(page) {
	return page.locator('[id="status.languageStatus"]').getAttribute('aria-label');
}

export async function waitLanguageStatus(page, text, timeout) {
	try {
		await page.waitForFunction(
			(t) => (document.getElementById('status.languageStatus')?.getAttribute('aria-label') ?? '').includes(t),
			text,
			{ timeout },
		);
	} catch (e) {
		// Say what the status item showed instead: a bare timeout tells nothing.
		throw new Error(`language status never showed "${text}"; it shows: ${await languageStatus(page).catch(() => '(none)')}`, { cause: e });
	}
}

/** The `view-line` element whose text starts with `prefix` (after indentation). */
export function line(page, prefix) {
	// The editor renders spaces as U+00A0.
	const pattern = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
	return page.locator('.monaco-editor .view-lines .view-line').filter({ hasText: new RegExp(`^\\s*${pattern}`) });
}

/** Heap notes drawn by decorations.ts: `after` decorations render their text as CSS ::after content or injected text. */
export function heapNotes(page) {
	return page.evaluate(() => {
		const out = [];
		for (const el of document.querySelectorAll('.monaco-editor .view-lines .view-line span')) {
			const after = getComputedStyle(el, '::after').content;
			if (after && after.includes('heap')) out.push(after);
			else if (el.children.length === 0 && el.textContent?.startsWith('↑ ')) out.push(el.textContent);
		}
		return out;
	});
}

export async function runCommand(page, title) {
	await page.keyboard.press('Control+Shift+P');
	await page.fill('.quick-input-widget input', `>${title}`);
	await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`);
	await page.keyboard.press('Enter');
	await page.waitForSelector('.quick-input-widget', { state: 'hidden' });
}

export async function waitNoteCount(page, predicate, timeout = 30_000) {
	await page.waitForFunction(
		(src) => {
			const n = [...document.querySelectorAll('.monaco-editor .view-lines .view-line span')].filter((el) => getComputedStyle(el, '::after').content.includes('heap')).length;
			return new Function('n', `return ${src}`)(n);
		},
		predicate,
		{ timeout },
	);
}

/**
 * A describe block with its own code-server + chromium, started before its tests and stopped
 * after them. `body` gets a handle whose `page`, `workspace` and `screenshot` are the running UI's.
 */
export function uiSuite(title, opts, body) {
	describe(title, { skip }, () => {
		let running;
		const ui = {
			get page() {
				return running.page;
			},
			get workspace() {
				return running.workspace;
			},
			screenshot: (...args) => running.screenshot(...args),
		};
		before(async () => {
			packageExtension();
			running = await startUi(opts);
		});
		after(async () => {
			await running?.stop();
		});
		body(ui);
	});
}
