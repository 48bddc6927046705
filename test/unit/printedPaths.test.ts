/** Placing the paths the go command prints (escape/printedPaths.ts), in posix and win32 flavours. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { anchorFrom, chooseAnchor, fitsFile, lineByteLengths, resolvePrinted } from '../../server/src/escape/printedPaths';

const P = path.posix;
const W = path.win32;

test('resolvePrinted: relative, ./, ../, absolute and GOROOT paths (posix)', () => {
	const at = { dir: '/m', lead: [] };
	assert.equal(resolvePrinted('./log.go', at, P), '/m/log.go');
	assert.equal(resolvePrinted('sub/log.go', at, P), '/m/sub/log.go');
	assert.equal(resolvePrinted('../x/y.go', at, P), '/x/y.go');
	assert.equal(resolvePrinted('sub/../log.go', at, P), '/m/log.go');
	assert.equal(resolvePrinted('/usr/local/go/src/slices/slices.go', at, P), '/usr/local/go/src/slices/slices.go');
	assert.equal(resolvePrinted('/usr/local/go/src/sync/../internal/sync/hashtriemap.go', at, P), '/usr/local/go/src/internal/sync/hashtriemap.go');
	// From GOROOT/src/encoding/json, a body inlined from GOROOT/src/internal/sync.
	assert.equal(resolvePrinted('../../internal/sync/hashtriemap.go', { dir: '/usr/local/go/src/encoding/json', lead: [] }, P), '/usr/local/go/src/internal/sync/hashtriemap.go');
	// A backslash is a file-name character on posix, not a separator.
	assert.equal(resolvePrinted('a\\b.go', at, P), '/m/a\\b.go');
});

test('resolvePrinted: an anchor with unknown names resolves only paths that climb out of them', () => {
	// The build ran in /m/<unknown>: `../sub/log.go` named /m/sub/log.go.
	const at = { dir: '/m', lead: ['..'] };
	assert.equal(resolvePrinted('../log.go', at, P), '/m/log.go');
	assert.equal(resolvePrinted('../../lib/x.go', at, P), '/lib/x.go');
	assert.equal(resolvePrinted('./log.go', at, P), undefined);
	assert.equal(resolvePrinted('..', at, P), undefined);
});

test('resolvePrinted: drive letters, backslashes and UNC paths (win32)', () => {
	const at = { dir: 'C:\\m', lead: [] };
	assert.equal(resolvePrinted('.\\log.go', at, W), 'C:\\m\\log.go');
	assert.equal(resolvePrinted('sub\\log.go', at, W), 'C:\\m\\sub\\log.go');
	assert.equal(resolvePrinted('sub/log.go', at, W), 'C:\\m\\sub\\log.go');
	assert.equal(resolvePrinted('..\\x\\y.go', at, W), 'C:\\x\\y.go');
	assert.equal(resolvePrinted('C:\\Program Files\\Go\\src\\slices\\slices.go', at, W), 'C:\\Program Files\\Go\\src\\slices\\slices.go');
	assert.equal(resolvePrinted('C:/Go/src/slices/slices.go', at, W), 'C:\\Go\\src\\slices\\slices.go');
	assert.equal(resolvePrinted('D:\\other\\a.go', at, W), 'D:\\other\\a.go');
	assert.equal(resolvePrinted('\\\\host\\share\\a.go', at, W), '\\\\host\\share\\a.go');
	assert.equal(resolvePrinted('..\\log.go', { dir: 'C:\\m', lead: ['..'] }, W), 'C:\\m\\log.go');
});

test('anchorFrom: the base under which a printed path names a known file', () => {
	assert.deepEqual(anchorFrom('sub/log.go', '/m/sub/log.go', P), { dir: '/m', lead: [] });
	assert.deepEqual(anchorFrom('./log.go', '/m/sub/log.go', P), { dir: '/m/sub', lead: [] });
	assert.deepEqual(anchorFrom('../sub/log.go', '/m/sub/log.go', P), { dir: '/m', lead: ['..'] });
	assert.deepEqual(anchorFrom('../../m/sub/log.go', '/m/sub/log.go', P), { dir: '/', lead: ['..', '..'] });
	assert.equal(anchorFrom('/m/sub/log.go', '/m/sub/log.go', P), undefined);
	assert.equal(anchorFrom('sub/other.go', '/m/sub/log.go', P), undefined);
	assert.equal(anchorFrom('../x/../log.go', '/m/sub/log.go', P)?.lead.join('/'), '..');
	// A -trimpath build prints a module's files under its module path.
	assert.deepEqual(anchorFrom('example.com/m/sub/log.go', '/work/repo/sub/log.go', P), { dir: '/work/repo', lead: ['example.com', 'm'] });
	assert.deepEqual(anchorFrom('example.com\\m\\sub\\log.go', 'C:\\repo\\sub\\log.go', W), { dir: 'C:\\repo', lead: ['example.com', 'm'] });
	assert.deepEqual(anchorFrom('sub\\log.go', 'C:\\m\\sub\\log.go', W), { dir: 'C:\\m', lead: [] });
	assert.deepEqual(anchorFrom('..\\sub\\log.go', 'C:\\m\\sub\\log.go', W), { dir: 'C:\\m', lead: ['..'] });
});

function anchorFor(flavour: typeof P, files: string[], printed: string[], cwd: string, packageDir?: string) {
	const set = new Set(files);
	return chooseAnchor({ printed, packageDir, cwd, exists: (f) => set.has(f), flavour });
}

test('chooseAnchor: the issue 11 layout, fresh and replayed, from the root and from the package dir', () => {
	const files = ['/m/log.go', '/m/sub/log.go'];
	// Printed from the root: `sub/log.go` is sub's own, `./log.go` the root's inlined body.
	assert.deepEqual(anchorFor(P, files, ['sub/log.go', './log.go'], '/m', '/m/sub'), { dir: '/m', lead: [] });
	assert.deepEqual(anchorFor(P, files, ['sub/log.go', './log.go'], '/m/sub', '/m/sub'), { dir: '/m', lead: [] });
	// Printed from sub/: `./log.go` is sub's own, `../log.go` the root's.
	assert.deepEqual(anchorFor(P, files, ['./log.go', '../log.go'], '/m', '/m/sub'), { dir: '/m/sub', lead: [] });
	// A one-file package replayed from sub/ and read at the root, where a log.go exists too: the
	// package's own file wins the tie.
	assert.deepEqual(anchorFor(P, files, ['./log.go'], '/m', '/m/sub'), { dir: '/m/sub', lead: [] });
	// Printed from a sibling dir: its name cannot be known, and need not be.
	const a = anchorFor(P, files, ['../sub/log.go', '../log.go'], '/m', '/m/sub');
	assert.deepEqual(a, { dir: '/m', lead: ['..'] });
	assert.equal(resolvePrinted('../log.go', a, P), '/m/log.go');
});

test('chooseAnchor: absolute-only sections and unknown packages keep the go command dir', () => {
	assert.deepEqual(anchorFor(P, ['/m/a.go'], ['/m/a.go'], '/m'), { dir: '/m', lead: [] });
	assert.deepEqual(anchorFor(P, ['/m/a.go'], ['./a.go'], '/m'), { dir: '/m', lead: [] });
	assert.deepEqual(anchorFor(P, [], ['./a.go'], '/m', '/m/q'), { dir: '/m', lead: [] });
});

test('resolvePrinted and chooseAnchor: -trimpath builds print module paths', () => {
	const at = { dir: '/work/repo', lead: ['example.com', 'm'] };
	assert.equal(resolvePrinted('example.com/m/log.go', at, P), '/work/repo/log.go');
	assert.equal(resolvePrinted('example.com/m/sub/log.go', at, P), '/work/repo/sub/log.go');
	// GOROOT and module-cache files print as import paths (`slices/…`, `mod@v1.2.3/…`): not placed.
	assert.equal(resolvePrinted('slices/slices.go', at, P), undefined);
	assert.equal(resolvePrinted('../log.go', at, P), undefined);
	const files = ['/work/repo/log.go', '/work/repo/sub/log.go', '/work/repo/slices/slices.go'];
	const printed = ['example.com/m/sub/log.go', 'example.com/m/log.go', 'slices/slices.go'];
	assert.deepEqual(anchorFor(P, files, printed, '/work/repo', '/work/repo/sub'), at);
});

test('chooseAnchor: win32 replay read from another directory', () => {
	const files = ['C:\\m\\log.go', 'C:\\m\\sub\\log.go'];
	assert.deepEqual(anchorFor(W, files, ['sub\\log.go', '.\\log.go'], 'C:\\m\\sub', 'C:\\m\\sub'), { dir: 'C:\\m', lead: [] });
	assert.deepEqual(anchorFor(W, files, ['.\\log.go', '..\\log.go'], 'C:\\m', 'C:\\m\\sub'), { dir: 'C:\\m\\sub', lead: [] });
});

test('fitsFile and lineByteLengths: lines that exist, byte columns on them', () => {
	const lengths = lineByteLengths('package p\r\n\n\tx := "größe"\n');
	assert.deepEqual(lengths, [9, 0, Buffer.byteLength('\tx := "größe"'), 0]);
	assert.equal(fitsFile(1, 1, lengths), true);
	assert.equal(fitsFile(1, 9, lengths), true);
	assert.equal(fitsFile(1, 10, lengths), false);
	assert.equal(fitsFile(2, 1, lengths), true, 'an empty line has column 1');
	assert.equal(fitsFile(3, 15, lengths), true, 'columns count bytes');
	assert.equal(fitsFile(3, 16, lengths), false);
	assert.equal(fitsFile(1, 0, lengths), true, 'no column printed');
	assert.equal(fitsFile(0, 1, lengths), false);
	assert.equal(fitsFile(5, 1, lengths), false);
});
