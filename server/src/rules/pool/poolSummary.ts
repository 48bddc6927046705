/**
 * What a function or method of this file does with one parameter (or its receiver): puts it back,
 * hands it off, gives it to code the file cannot see, or nothing; and whether it returns it.
 * Read a bounded number of calls deep (MAX_DEPTH; deeper is unknown). A summary is a pure function
 * of its declaration, the declarations it looked up by name and the file's pools and imports, so
 * it is kept across runs (a keystroke elsewhere reuses it) and checked against those before use:
 * the mirror replaces a top-level declaration whose text changed, never edits one.
 */
import type { Node } from '../../syntax/mirror';
import { descendants } from '../shared/ast';
import { poolCall } from './poolShared';
import { resolveLocal } from '../shared/declarations';
import { type Effect, type FileFacts, type Tracked, callEffect, carries, involves, localAliases, mentions, storeEffect, worst } from './poolOwnership';

/** The rules read callees this many calls deep. */
export const MAX_DEPTH = 3;

export function receiverName(d: Node): string | undefined {
	const p = d.childForFieldName('receiver')?.namedChildren.find((c) => c?.type === 'parameter_declaration');
	return p?.childForFieldName('name')?.text;
}

/** The name of parameter `i` of a function declaration (variadic tails included). */
export function paramName(d: Node, i: number): string | undefined {
	const names: string[] = [];
	for (const p of d.childForFieldName('parameters')?.namedChildren ?? []) {
		if (p?.type !== 'parameter_declaration' && p?.type !== 'variadic_parameter_declaration') continue;
		const ids = p.childrenForFieldName('name');
		if (!ids.length) names.push('_');
		for (const id of ids) names.push(id?.text ?? '_');
		if (p.type === 'variadic_parameter_declaration') return names[Math.min(i, names.length - 1)];
	}
	return names[i];
}

export interface Summary {
	/** What the function does with the parameter: release, handoff, unknown (calls it cannot see into), none. */
	fate: Effect;
	/** It returns the parameter or memory it owns. */
	returns: boolean;
}

const UNKNOWN: Summary = { fate: 'unknown', returns: true };
const NONE: Summary = { fate: 'none', returns: false };

/** A name looked up while summarising, with what it found then. */
interface Dep {
	method: boolean;
	name: string;
	found: readonly Node[];
}

interface Kept {
	summary: Summary;
	deps: Dep[];
	signature: string;
}

const kept = new WeakMap<Node, Map<string, Kept>>();
/** The lookups of the summaries being computed, innermost last. */
const recording: Dep[][] = [];

function note(deps: readonly Dep[]): void {
	recording[recording.length - 1]?.push(...deps);
}

/** This file's function `name` (recorded for the summary being computed). */
export function funcDecl(f: FileFacts, name: string): Node | undefined {
	const d = f.funcs.get(name);
	note([{ method: false, name, found: d ? [d] : [] }]);
	return d;
}

/** This file's methods called `name`, any receiver type (recorded for the summary being computed). */
export function methodDecls(f: FileFacts, name: string): readonly Node[] {
	const ds = f.methods.get(name) ?? [];
	note([{ method: true, name, found: ds }]);
	return ds;
}

function stillValid(f: FileFacts, k: Kept): boolean {
	if (k.signature !== f.signature) return false;
	return k.deps.every((dep) => {
		const now = dep.method ? (f.methods.get(dep.name) ?? []) : [f.funcs.get(dep.name)].filter((d): d is Node => !!d);
		return now.length === dep.found.length && now.every((n, i) => n === dep.found[i]);
	});
}

/** What function/method `d` does with its parameter (or receiver) `name`, reading callees `budget` calls deep. */
export function summary(f: FileFacts, d: Node, name: string | undefined, budget = MAX_DEPTH): Summary {
	if (!name || name === '_') return NONE;
	if (budget <= 0) return UNKNOWN;
	const key = `${name}:${budget}`;
	let byKey = kept.get(d);
	const hit = byKey?.get(key);
	if (hit && stillValid(f, hit)) {
		note(hit.deps);
		return hit.summary;
	}
	recording.push([]);
	let result: Summary;
	let deps: Dep[];
	try {
		result = summarise(f, d, name, budget);
	} finally {
		deps = recording.pop()!;
	}
	if (!byKey) kept.set(d, (byKey = new Map()));
	byKey.set(key, { summary: result, deps, signature: f.signature });
	note(deps);
	return result;
}

function summarise(f: FileFacts, d: Node, name: string, budget: number): Summary {
	const body = d.childForFieldName('body');
	if (!body) return UNKNOWN;
	const type = resolveLocal(body, name, d)?.type?.text;
	const t: Tracked = { names: localAliases(f, body, d, new Set([name]), { type, builders: new Set(), budget: budget - 1 }), fn: d, pool: '', type, builders: new Set(), budget: budget - 1 };
	const effects: Effect[] = [];
	let returns = false;
	for (const c of descendants(body, 'call_expression')) {
		if (!involves(f, t, c)) continue;
		const e = callEffect(f, t, c);
		// Any pool's Put counts here: the summary says "puts its parameter back".
		effects.push(e === 'handoff' && poolCall(f.idx, c, 'Put') ? 'release' : e);
		if (effects[effects.length - 1] === 'release') break; // nothing outranks it
	}
	for (const s of descendants(body, ['return_statement', 'send_statement', 'go_statement', 'assignment_statement', 'func_literal'])) {
		if (s.type === 'return_statement') returns ||= (s.namedChild(0)?.namedChildren ?? []).some((e) => carries(f, t, e));
		else if (s.type === 'send_statement') effects.push(carries(f, t, s.childForFieldName('value')) ? 'handoff' : 'none');
		else if (s.type === 'go_statement' || s.type === 'func_literal') effects.push(mentions(t, s) ? 'unknown' : 'none');
		else effects.push(storeEffect(f, t, s, d));
	}
	return { fate: worst(effects), returns };
}
