import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefreshJobs, type RefreshMode } from '../../server/src/lsp/refreshJobs';

test('jobs: one per document, modes merged (a whole-file run covers a scoped one), oldest first', async () => {
	const ran: string[] = [];
	const jobs = new RefreshJobs(async (uri, mode) => void ran.push(`${uri}:${mode}`), () => undefined);
	const all = [jobs.schedule('a', 'edit'), jobs.schedule('b'), jobs.schedule('a', 'settle'), jobs.schedule('a', 'edit'), jobs.schedule('b', 'edit')];
	await Promise.all(all);
	assert.deepEqual(ran, ['a:settle', 'b:default']);
	assert.ok(jobs.isIdle());
});

test("ready(): a keystroke's job runs at once; any other job is not waited for", async () => {
	const ran: string[] = [];
	let release!: () => void;
	const slow = new Promise<void>((r) => (release = r));
	const jobs = new RefreshJobs(async (uri, mode: RefreshMode) => {
		ran.push(`${uri}:${mode}`);
		if (uri === 'big') await slow;
	}, () => undefined);
	void jobs.schedule('big');
	void jobs.schedule('typed', 'edit');
	void jobs.schedule('opened');
	await jobs.ready('opened');
	assert.ok(!ran.includes('opened:default'), 'an open\'s job is not run for a request');
	const r = jobs.ready('typed');
	await new Promise((res) => setImmediate(res));
	release();
	await r;
	assert.ok(ran.includes('typed:edit'), 'the keystroke\'s job ran before the request was answered');
	jobs.drop('opened');
	await new Promise((res) => setTimeout(res, 10));
	assert.ok(!ran.includes('opened:default'), 'a dropped job never runs');
});
