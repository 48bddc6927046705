// The packaged .vsix holds exactly what .vscodeignore whitelists: the three bundles, the wasm
// files, media, grammar, docs, manifest, README and LICENSE (no sources, maps, tests or node_modules).
// vsce stores README.md as readme.md and LICENSE as LICENSE.txt.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { packageExtension, vsixPath } from './harness.mjs';

/** File names in a zip, read from its central directory. */
function zipEntries(buf) {
	let eocd = -1;
	for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
		if (buf.readUInt32LE(i) === 0x06054b50) {
			eocd = i;
			break;
		}
	}
	assert.ok(eocd >= 0, 'zip end-of-central-directory record');
	const count = buf.readUInt16LE(eocd + 10);
	let p = buf.readUInt32LE(eocd + 16);
	const names = [];
	for (let n = 0; n < count; n++) {
		assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory entry');
		const nameLen = buf.readUInt16LE(p + 28);
		const extraLen = buf.readUInt16LE(p + 30);
		const commentLen = buf.readUInt16LE(p + 32);
		names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
		p += 46 + nameLen + extraLen + commentLen;
	}
	return names;
}

let files;
before(() => {
	packageExtension();
	files = zipEntries(readFileSync(vsixPath))
		.filter((f) => f.startsWith('extension/'))
		.map((f) => f.slice('extension/'.length));
});

test('the vsix holds only whitelisted files', () => {
	const allowed = [/^dist\/(client|server|cli)\.js$/, /^dist\/[\w-]+\.wasm$/, /^media\//, /^syntaxes\//, /^docs\//, /^package\.json$/, /^readme\.md$/i, /^LICENSE(\.txt)?$/];
	const stray = files.filter((f) => !allowed.some((re) => re.test(f)));
	assert.deepEqual(stray, [], 'files outside the whitelist');
});

test('the vsix has what the extension needs at run time', () => {
	for (const f of ['dist/client.js', 'dist/server.js', 'dist/cli.js', 'dist/web-tree-sitter.wasm', 'dist/tree-sitter-go.wasm', 'package.json', 'readme.md', 'LICENSE.txt', 'media/icon.png', 'media/gutter-light.svg', 'media/gutter-dark.svg', 'syntaxes/memlens-escape.tmLanguage.json']) {
		assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
	}
	assert.ok(!files.some((f) => f.endsWith('.map')), 'no source maps in a production package');
});
