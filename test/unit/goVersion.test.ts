import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	GoModReader,
	buildConstraintMinor,
	describeGoVersion,
	effectiveGoVersion,
	parseGoMod,
} from '../../server/src/analysis/goVersion';

const fs = (files: Record<string, string>) => (p: string) => files[p];

test('go.mod go line gives the version', () => {
	const v = effectiveGoVersion('/m/pkg/a.go', 'package a\n', { readFile: fs({ '/m/go.mod': 'module m\n\ngo 1.21.3\n' }) });
	assert.equal(v.minor, 21);
	assert.equal(v.label, 'go1.21');
	assert.equal(v.source, 'go.mod');
	assert.equal(v.mainModuleMinor, 21);
	assert.equal(v.asyncTimerChan, false);
});

test('nearest go.mod wins (nested module)', () => {
	const v = effectiveGoVersion('/m/sub/a.go', '', { readFile: fs({ '/m/go.mod': 'go 1.20\n', '/m/sub/go.mod': 'go 1.23\n' }) });
	assert.equal(v.minor, 23);
});

test('go.mod without go directive → go1.16', () => {
	const v = effectiveGoVersion('/m/a.go', '', { readFile: fs({ '/m/go.mod': 'module m\n' }) });
	assert.equal(v.minor, 16);
	assert.equal(v.source, 'go.mod (no go directive)');
	assert.match(describeGoVersion(v), /1\.16/);
});

test('no module → unknown', () => {
	const v = effectiveGoVersion('/x/a.go', 'package a\n', { readFile: fs({}) });
	assert.equal(v.minor, undefined);
	assert.equal(v.label, 'unknown');
	assert.equal(v.source, 'no module');
	assert.match(describeGoVersion(v), /unknown/);
});

test('build constraint: max(go1.N, go1.21), both up and down', () => {
	const mod = fs({ '/m/go.mod': 'go 1.21\n' });
	assert.equal(effectiveGoVersion('/m/a.go', '//go:build go1.22 && linux\n\npackage a\n', { readFile: mod }).minor, 22);
	const down = effectiveGoVersion('/m/a.go', '//go:build go1.21\n\npackage a\n', { readFile: fs({ '/m/go.mod': 'go 1.22\n' }) });
	assert.equal(down.minor, 21);
	assert.equal(down.source, 'build constraint');
	assert.equal(down.mainModuleMinor, 22);
	assert.equal(effectiveGoVersion('/m/a.go', '//go:build go1.18\npackage a\n', { readFile: mod }).minor, 21);
});

test('build constraint expressions', () => {
	assert.equal(buildConstraintMinor('//go:build go1.22 && linux\npackage a'), 22);
	assert.equal(buildConstraintMinor('//go:build (go1.22 || go1.23)\npackage a'), 22);
	assert.equal(buildConstraintMinor('//go:build go1.22 || linux\npackage a'), undefined);
	assert.equal(buildConstraintMinor('//go:build !go1.22\npackage a'), undefined);
	assert.equal(buildConstraintMinor('//go:build !(!go1.23)\npackage a'), 23);
	assert.equal(buildConstraintMinor('//go:build go1.21 && (go1.23 || go1.24)\npackage a'), 23);
	assert.equal(buildConstraintMinor('// Copyright\n\n//go:build go1.22\n\npackage a'), 22);
	assert.equal(buildConstraintMinor('package a\n//go:build go1.22\n'), undefined, 'after package it is just a comment');
	assert.equal(buildConstraintMinor('//go:build go1.22 &&\npackage a'), undefined, 'syntax error');
});

test('override setting wins', () => {
	const v = effectiveGoVersion('/m/a.go', '//go:build go1.22\n', { override: '1.20', readFile: fs({ '/m/go.mod': 'go 1.23\n' }) });
	assert.equal(v.minor, 20);
	assert.equal(v.source, 'setting');
	assert.equal(v.mainModuleMinor, 23);
	assert.equal(effectiveGoVersion('/x/a.go', '', { override: 'go1.22' }).mainModuleMinor, 22);
	assert.equal(effectiveGoVersion('/x/a.go', '', { override: '  ' }).source, 'no module');
});

test('asynctimerchan from go.mod godebug (line and block) and //go:debug', () => {
	assert.equal(parseGoMod('go 1.23\ngodebug asynctimerchan=1\n').asyncTimerChan, true);
	assert.equal(parseGoMod('go 1.23\ngodebug (\n\tpanicnil=1\n\tasynctimerchan=1\n)\n').asyncTimerChan, true);
	assert.equal(parseGoMod('go 1.23\ngodebug asynctimerchan=0\n').asyncTimerChan, false);
	const v = effectiveGoVersion('/m/a.go', '//go:debug asynctimerchan=1\n\npackage main\n', { readFile: fs({ '/m/go.mod': 'go 1.23\n' }) });
	assert.equal(v.asyncTimerChan, true);
});

test('GoModReader sees go.mod edits (mtime)', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'memlens-gover-'));
	try {
		const mod = path.join(dir, 'go.mod');
		writeFileSync(mod, 'module m\n\ngo 1.21\n');
		const r = new GoModReader();
		assert.equal(r.version(path.join(dir, 'a.go'), '').minor, 21);
		writeFileSync(mod, 'module m\n\ngo 1.22\n');
		utimesSync(mod, new Date(), new Date(Date.now() + 5000));
		assert.equal(r.version(path.join(dir, 'a.go'), '').minor, 22);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
