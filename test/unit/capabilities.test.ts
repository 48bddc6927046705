/** Workspace trust read from `initializationOptions`: fails closed on anything but a boolean `true`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readClientCaps } from '../../server/src/lsp/capabilities';

const trustOf = (initializationOptions: unknown): boolean =>
	readClientCaps({ processId: null, rootUri: null, capabilities: {}, initializationOptions } as Parameters<typeof readClientCaps>[0]).trusted;

test('only trusted: true trusts; every other value given is untrusted', () => {
	assert.equal(trustOf({ trusted: true }), true);
	for (const v of [false, 'false', 'true', 0, 1, null, {}, []]) assert.equal(trustOf({ trusted: v }), false, JSON.stringify(v));
});

test('a client without Workspace Trust (no trusted key, no options, options not an object) is trusted', () => {
	assert.equal(trustOf(undefined), true);
	assert.equal(trustOf(null), true);
	assert.equal(trustOf({}), true);
	assert.equal(trustOf('x'), true);
	assert.equal(trustOf({ other: 1 }), true);
});
