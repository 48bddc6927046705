// package.json's `contributes.configuration` must say exactly what common/settings.ts's zod schema
// says (every key, type, default, enum and bound): the schema is the single source of truth.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { defaultSettings, settingsSchema } from '../../common/settings';

type Json = Record<string, any>;
const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
const contributed: Record<string, Json> = pkg.contributes.configuration.properties;
const schema = z.toJSONSchema(settingsSchema, { io: 'input' }) as Json;

/** Walks the schema: a nested object with fixed properties becomes dotted keys unless package.json declares the object itself. */
function expectedKeys(node: Json, prefix: string, defaults: Json, out: Map<string, { schema: Json; def: unknown }>): void {
	for (const [name, sub] of Object.entries<Json>(node.properties)) {
		const key = `${prefix}.${name}`;
		if (!(key in contributed) && sub.type === 'object' && sub.properties) expectedKeys(sub, key, defaults[name], out);
		else out.set(key, { schema: sub, def: defaults[name] });
	}
}
const expected = new Map<string, { schema: Json; def: unknown }>();
expectedKeys(schema, 'goMemlens', defaultSettings as Json, expected);

/** The parts of a JSON schema both sides must agree on (zod's unbounded ints carry MAX_SAFE_INTEGER). */
function shape(s: Json | undefined): Json | undefined {
	if (!s) return undefined;
	const out: Json = { type: s.type };
	if (s.enum) out.enum = s.enum;
	if (s.minimum !== undefined) out.minimum = s.minimum;
	if (s.maximum !== undefined && s.maximum !== Number.MAX_SAFE_INTEGER) out.maximum = s.maximum;
	if (s.items) out.items = shape(s.items);
	if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = shape(s.additionalProperties);
	if (s.properties) out.properties = Object.fromEntries(Object.entries<Json>(s.properties).map(([k, v]) => [k, { ...shape(v), default: v.default }]));
	return out;
}

test('every setting of the schema is contributed, and nothing else', () => {
	assert.deepEqual(Object.keys(contributed).sort(), [...expected.keys()].sort());
});

for (const [key, { schema: s, def }] of expected) {
	test(`${key}: type, enum, bounds and default match the schema`, () => {
		const p = contributed[key];
		assert.ok(p, `${key} is contributed`);
		assert.deepEqual(p.default, def, 'default');
		const { properties: nested, ...mine } = shape(p)!;
		const { properties: theirs, ...wanted } = shape(s)!;
		assert.deepEqual(mine, wanted);
		if (theirs) {
			// Nested defaults are the schema's output defaults, i.e. what the server uses.
			const fixed = Object.fromEntries(Object.entries<Json>(theirs).map(([k, v]) => [k, { ...v, default: (def as Json)[k] }]));
			assert.deepEqual(nested, fixed);
			assert.equal(p.additionalProperties, false, 'unknown nested keys are flagged in settings.json');
		}
		assert.ok(p.description || p.markdownDescription, 'has a description');
	});
}

test('scopes: go binary machine-overridable, trace window, remote profile hosts machine (a workspace cannot allow them), everything else resource', () => {
	for (const [key, p] of Object.entries(contributed)) {
		const want = key === 'goMemlens.goPath' ? 'machine-overridable' : key === 'goMemlens.trace.server' ? 'window' : key === 'goMemlens.profile.allowRemoteHosts' ? 'machine' : 'resource';
		assert.equal(p.scope, want, key);
	}
});

test('restricted configurations in untrusted workspaces are real settings', () => {
	const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
	assert.deepEqual([...restricted].sort(), ['goMemlens.buildFlags', 'goMemlens.env', 'goMemlens.goPath']);
	for (const key of restricted) assert.ok(key in contributed, key);
	assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
	assert.equal(pkg.capabilities.virtualWorkspaces, false);
});

test('every contributed command has the Go MemLens category and a handler name in the client', () => {
	const client = ['extension', 'commands', 'status', 'profiles'].map((f) => readFileSync(path.join(__dirname, `../../client/src/${f}.ts`), 'utf8')).join('\n');
	for (const c of pkg.contributes.commands) {
		assert.equal(c.category, 'Go MemLens', c.command);
		assert.ok(client.includes(`'${c.command}'`), `${c.command} is registered by the client`);
	}
});
