/**
 * lock-copy-by-value (spec R16): a value of a type that must not be copied (sync.Mutex, RWMutex,
 * WaitGroup, Once, Cond, Pool, Map, the typed atomics, same-file `noCopy`-style types, and structs
 * or arrays containing them by value) is copied by a value receiver, a parameter, a range value or
 * an assignment from a variable. The copy has its own lock state, so locking it protects nothing.
 * Mirrors `go vet` copylocks (checked against vet of Go 1.26). Names resolve with Go's scope rules
 * (declarations.ts); on its own the rule knows only the types this file declares. With the
 * package's typed results (`ctx.typed`, go vet itself) it is confirmed, retracted or completed
 * (lockCopyTyped.ts): a struct from another file or package, a generated protobuf message.
 */
import type { Node } from '../../syntax/mirror';
import type { RuleFinding, Severity } from '../../model';
import type { Rule, RuleContext } from '../types';
import { byType, callArgs, calleeName, descendants, enclosingFunction, FUNCTION_TYPES, importSpecs, imports, rangeOf } from '../shared/ast';
import { memoized, sitesByType, topLevel } from '../scope';
import { resolve } from '../shared/declarations';
import { elementType, strip, TypeOf } from '../shared/staticTypes';
import { refineWithTyped } from './lockCopyTyped';
import type { CopylocksReport } from '../../typed/copylocks';

const SYNC_TYPES = new Set(['Mutex', 'RWMutex', 'WaitGroup', 'Once', 'Cond', 'Pool', 'Map']);
// atomic.Value is deliberately absent: vet does not report it (golang/go#21504).
const ATOMIC_TYPES = new Set(['Int32', 'Int64', 'Uint32', 'Uint64', 'Uintptr', 'Bool', 'Pointer']);
const SEVERE = /sync\.(Mutex|RWMutex|WaitGroup|Cond)$/;

/** Lock path, e.g. ['Outer', 'Counter', 'sync.Mutex']. */
type LockPath = string[];

interface Env {
	syncPkg?: string;
	atomicPkg?: string;
	/** Same-file named types that carry a lock, with their path. */
	local: Map<string, LockPath>;
}

/** The lock path of a type node, when copying a value of that type copies a lock. */
function lockPath(t: Node | null, env: Env): LockPath | undefined {
	if (!t) return undefined;
	switch (t.type) {
		case 'qualified_type': {
			const pkg = t.childForFieldName('package')?.text;
			const name = t.childForFieldName('name')?.text ?? '';
			if (pkg && pkg === env.syncPkg && SYNC_TYPES.has(name)) return [`sync.${name}`];
			if (pkg && pkg === env.atomicPkg && ATOMIC_TYPES.has(name)) return [`atomic.${name}`];
			return undefined;
		}
		case 'generic_type':
			return lockPath(t.childForFieldName('type'), env);
		case 'type_identifier': {
			const p = env.local.get(t.text);
			// A type parameter or a local type of the same name shadows the file's type.
			return p && resolve(t)?.pkg ? p : undefined;
		}
		case 'array_type':
			return lockPath(t.childForFieldName('element'), env);
		case 'parenthesized_type':
			return lockPath(t.namedChild(0), env);
		default:
			return undefined;
	}
}

/** Fixpoint over the file's struct types (and `noCopy`-style types with Lock and Unlock methods). */
/** Method name → declared with a pointer receiver?, per receiver base type. */
function methodSets(decls: readonly Node[]): Map<string, Map<string, boolean>> {
	const methods = new Map<string, Map<string, boolean>>();
	for (const m of decls) {
		if (m.type !== 'method_declaration') continue;
		const recvType = m.childForFieldName('receiver')?.namedChildren.find((c) => c?.type === 'parameter_declaration')?.childForFieldName('type');
		const base = recvType ? baseTypeName(recvType) : undefined;
		const name = m.childForFieldName('name')?.text;
		if (base && name) methods.set(base, (methods.get(base) ?? new Map()).set(name, recvType?.type === 'pointer_type'));
	}
	return methods;
}

function localLockTypes(ctx: RuleContext, env: Env, typeSpecs: Node[]): void {
	// Methods live in other declarations than the one a keystroke re-checks: kept from the last whole-file run.
	const methods = memoized(ctx, 'lock-copy-by-value:methods', () => methodSets(topLevel(ctx))) ?? methodSets(topLevel(ctx));
	const specs = typeSpecs.filter((s) => !enclosingFunction(s));
	for (const s of specs) {
		const name = s.childForFieldName('name')?.text;
		const m = name ? methods.get(name) : undefined;
		// vet's test: *T is a sync.Locker but T is not (value-receiver Lock+Unlock types may be copied).
		if (name && m?.has('Lock') && m.has('Unlock') && (m.get('Lock') || m.get('Unlock'))) env.local.set(name, [name]);
	}
	for (let changed = true; changed; ) {
		changed = false;
		for (const s of specs) {
			const name = s.childForFieldName('name')?.text;
			const body = s.childForFieldName('type');
			if (!name || env.local.has(name) || body?.type !== 'struct_type') continue;
			for (const f of descendants(body, 'field_declaration')) {
				if (!f.parent?.parent?.equals(body)) continue; // fields of this struct, not of nested struct types
				if (f.children.some((c) => c?.type === '*')) continue; // embedded *T holds a pointer
				const p = lockPath(f.childForFieldName('type'), env);
				if (p) {
					env.local.set(name, [name, ...p]);
					changed = true;
					break;
				}
			}
		}
	}
}

/** `T`, `T[X]` → `T`; pointers and everything else → undefined. */
function baseTypeName(t: Node): string | undefined {
	if (t.type === 'type_identifier') return t.text;
	if (t.type === 'generic_type') return t.childForFieldName('type')?.text;
	if (t.type === 'pointer_type') {
		const inner = t.namedChild(0);
		return inner ? baseTypeName(inner) : undefined;
	}
	return undefined;
}

function describe(path: LockPath): string {
	return path.map((p) => `\`${p}\``).join(' contains ');
}

function severityOf(path: LockPath): Severity {
	return SEVERE.test(path[path.length - 1]) ? 'error' : 'warning';
}

function finding(node: Node, path: LockPath, message: string, fixes?: RuleFinding['fixes']): RuleFinding {
	return { rule: 'lock-copy-by-value', range: rangeOf(node), severity: severityOf(path), message, fixes };
}

/** Rule R16 `lock-copy-by-value`; see docs/rules/lock-copy-by-value.md. */
export const lockCopyByValue: Rule = {
	id: 'lock-copy-by-value',
	doc: { summary: 'a value containing a sync lock, WaitGroup, Pool, typed atomic or noCopy is copied (vet copylocks)', severity: 'error', usesEscape: false, usesTyped: true },
	check(ctx) {
		const found = syntaxFindings(ctx);
		return ctx.typed ? refineWithTyped(ctx, found, exemptCopy) : found;
	},
};

/** A copy vet reports that the rule leaves out on purpose: the copy's lock is reset right after. */
function exemptCopy(node: Node, r: CopylocksReport): boolean {
	if (r.site !== 'assignment' || node.parent?.type !== 'expression_list') return false;
	const stmt = node.parent.parent;
	if (stmt?.type !== 'short_var_declaration' && stmt?.type !== 'assignment_statement') return false;
	const i = node.parent.namedChildren.findIndex((c) => c?.equals(node));
	const lhs = stmt.childForFieldName('left')?.namedChildren[i];
	return !!lhs && reinitialised(stmt, lhs, r.path);
}

/** What the file alone shows. */
function syntaxFindings(ctx: RuleContext): RuleFinding[] {
	const root = ctx.tree.rootNode;
	const imp = imports(root);
	const env: Env = { syncPkg: imp.get('sync'), atomicPkg: imp.get('sync/atomic'), local: new Map() };
	// Without sync or sync/atomic, only a type with Lock and Unlock methods can carry a lock.
	if (!env.syncPkg && !env.atomicPkg && !/\bUnlock\b/.test(ctx.text)) return [];
	const nodes = sitesByType(ctx, ['type_spec', 'method_declaration', 'function_declaration', 'func_literal', 'parameter_declaration', 'var_spec', 'range_clause', 'short_var_declaration', 'assignment_statement', 'return_statement', 'call_expression']);
	localLockTypes(ctx, env, nodes.get('type_spec')!);
	if (!env.syncPkg && !env.atomicPkg && env.local.size === 0) return [];
	const out: RuleFinding[] = [];
	const why = 'the copy gets its own lock state, so locking or waiting on it does not synchronise with the original';
	for (const fn of [...FUNCTION_TYPES].flatMap((t) => nodes.get(t)!)) {
		const fname = fn.childForFieldName('name')?.text ?? 'func literal';
		const recv = fn.type === 'method_declaration' ? fn.childForFieldName('receiver') : null;
		for (const p of recv?.namedChildren ?? []) {
			if (p?.type !== 'parameter_declaration') continue;
			const t = p.childForFieldName('type');
			const path = lockPath(t, env);
			if (!t || !path) continue;
			out.push(
				finding(t, path, `\`${fname}\` passes lock by value: ${describe(path)}; the method works on a copy of the receiver and ${why}. Use a pointer receiver (go vet copylocks reports this too).`, [
					{
						title: `Use a pointer receiver (*${t.text})`,
						edits: [{ range: { start: rangeOf(t).start, end: rangeOf(t).start }, newText: '*' }],
						isPreferred: true,
						safe: false,
					},
				]),
			);
		}
		const params = fn.childForFieldName('parameters');
		for (const p of params?.namedChildren ?? []) {
			if (p?.type !== 'parameter_declaration') continue;
			const t = p.childForFieldName('type');
			const path = lockPath(t, env);
			if (t && path) out.push(finding(t, path, `\`${fname}\` passes lock by value: ${describe(path)}; ${why}. Pass a pointer instead.`));
		}
	}
	// Names declared (anywhere) with a lock type, a pointer to one or a collection of them: a
	// cheap filter before resolving each candidate use to its declaration (declarations.ts).
	const lockNames = candidateNames(nodes, env);
	if (lockNames.size === 0) return out;
	const types = new TypeOf();
	for (const rc of nodes.get('range_clause')!) {
		const right = rc.childForFieldName('right');
		if (right?.type !== 'identifier' || !lockNames.has(right.text)) continue;
		const value = rc.childForFieldName('left')?.namedChildren.filter((n) => n?.type === 'identifier')[1];
		if (!value || value.text === '_') continue;
		const coll = types.ofUse(right);
		if (!coll || coll.ptr !== 0) continue;
		const path = lockPath(elementType(coll.node), env);
		if (path) out.push(finding(value, path, `range var \`${value.text}\` copies lock: ${describe(path)}; ${why}. Range over the index and use \`&${right.text}[i]\`.`));
	}
	/** Lock path of a copied value: a variable of a lock type, or `*p` with p a pointer to one. */
	const exprPath = (r: Node): LockPath | undefined => {
		if (!lockNames.has(r.text.replace(/^\*/, ''))) return undefined;
		const t = r.type === 'identifier' || (r.type === 'unary_expression' && r.childForFieldName('operator')?.text === '*') ? types.ofValue(r) : undefined;
		return t && t.ptr === 0 ? lockPath(t.node, env) : undefined;
	};
	for (const a of [...nodes.get('short_var_declaration')!, ...nodes.get('assignment_statement')!]) {
		const rhs = a.childForFieldName('right')?.namedChildren ?? [];
		if (!rhs.some((r) => r && lockNames.has(r.text.replace(/^\*/, '')))) continue;
		const lhs = a.childForFieldName('left')?.namedChildren ?? [];
		if (!enclosingFunction(a) || rhs.length !== lhs.length) continue;
		rhs.forEach((r, i) => {
			if (!r || !lhs[i]) return;
			const path = exprPath(r);
			if (!path || reinitialised(a, lhs[i]!, path)) return;
			out.push(finding(r, path, `assignment copies lock value to \`${lhs[i]!.text}\`: ${describe(path)}; ${why}. Copy a pointer, or copy the fields you need.`));
		});
	}
	for (const v of nodes.get('var_spec')!) {
		const names = v.childrenForFieldName('name');
		const values = v.childForFieldName('value')?.namedChildren ?? [];
		if (!enclosingFunction(v) || names.length !== values.length) continue;
		values.forEach((r, i) => {
			const path = r ? exprPath(r) : undefined;
			if (path) out.push(finding(r!, path, `variable declaration copies lock value to \`${names[i]?.text}\`: ${describe(path)}; ${why}. Copy a pointer.`));
		});
	}
	for (const ret of nodes.get('return_statement')!) {
		const list = ret.namedChildren.find((c) => c?.type === 'expression_list');
		for (const r of list?.namedChildren ?? []) {
			const path = r ? exprPath(r) : undefined;
			if (path) out.push(finding(r!, path, `return copies lock value: ${describe(path)}; ${why}. Return a pointer.`));
		}
	}
	// Every name `unsafe` is imported under (a file may import it more than once).
	const unsafeNames = importSpecs(root)
		.filter((i) => i.childForFieldName('path')?.text === '"unsafe"')
		.map((i) => i.childForFieldName('name')?.text ?? 'unsafe');
	const unsafeOps = new Set(unsafeNames.flatMap((u) => ['Sizeof', 'Offsetof', 'Alignof'].map((op) => (u === '.' ? op : `${u}.${op}`))));
	for (const call of nodes.get('call_expression')!) {
		const args = callArgs(call);
		if (!args.some((r) => lockNames.has(r.text.replace(/^\*/, '')))) continue;
		const name = calleeName(call) ?? call.childForFieldName('function')?.text ?? 'call';
		// vet skips these builtins: they do not copy their argument.
		if (/^(len|cap)$/.test(name) || unsafeOps.has(name)) continue;
		for (const r of args) {
			const path = exprPath(r);
			if (path) out.push(finding(r, path, `call of \`${name}\` copies lock value: ${describe(path)}; ${why}. Pass a pointer.`));
		}
	}
	return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

/** `c.mu = sync.Mutex{}` after the copy `c := *p`: the copy's lock is reset (golang/go#20261), not reported. */
function reinitialised(copy: Node, lhs: Node, path: readonly string[]): boolean {
	const fn = enclosingFunction(copy);
	if (path.length < 2 || !fn || lhs.type !== 'identifier') return false;
	const target = copy.type === 'short_var_declaration' ? lhs : resolve(lhs)?.id;
	if (!target) return false;
	return descendants(fn, 'assignment_statement').some((s) => {
		if (s.startIndex < copy.endIndex) return false;
		const l = s.childForFieldName('left')?.namedChild(0);
		const r = s.childForFieldName('right')?.namedChild(0);
		const x = l?.type === 'selector_expression' ? l.childForFieldName('operand') : null;
		return x?.type === 'identifier' && x.text === lhs.text && r?.type === 'composite_literal' && !!resolve(x)?.id.equals(target);
	});
}

/**
 * Names that may hold a lock value: declared with a lock type, a pointer to one or a collection of
 * them, or initialised from such a value. A cheap filter by name before resolving each use.
 */
function candidateNames(nodes: Map<string, Node[]>, env: Env): Set<string> {
	const out = new Set<string>();
	const lockish = (t: Node | null | undefined): boolean => {
		const s = t ? strip(t) : undefined;
		if (!s) return false;
		const elem = elementType(s.node);
		return !!lockPath(s.node, env) || (!!elem && !!lockPath(strip(elem)?.node ?? null, env));
	};
	const lockValue = (v: Node | null | undefined): boolean => {
		if (!v) return false;
		if (v.type === 'composite_literal') return lockish(v.childForFieldName('type'));
		if (v.type === 'unary_expression') return lockValue(v.childForFieldName('operand')) || out.has(v.childForFieldName('operand')?.text ?? '');
		if (v.type === 'call_expression' && v.childForFieldName('function')?.text === 'new') return lockish(callArgs(v)[0]);
		if (v.type === 'parenthesized_expression') return lockValue(v.namedChild(0));
		return v.type === 'identifier' && out.has(v.text);
	};
	for (const d of [...nodes.get('parameter_declaration')!, ...nodes.get('var_spec')!]) {
		if (lockish(d.childForFieldName('type'))) for (const n of d.childrenForFieldName('name')) if (n) out.add(n.text);
	}
	// Names initialised from lock values, and range elements of lock collections: a few rounds (`a := b; c := a`).
	for (let round = 0, before = -1; round < 4 && out.size !== before; round++) {
		before = out.size;
		for (const d of [...nodes.get('short_var_declaration')!, ...nodes.get('var_spec')!]) {
			const names = d.type === 'var_spec' ? d.childrenForFieldName('name') : (d.childForFieldName('left')?.namedChildren ?? []);
			const values = (d.type === 'var_spec' ? d.childForFieldName('value') : d.childForFieldName('right'))?.namedChildren ?? [];
			if (names.length === values.length) names.forEach((n, i) => n && lockValue(values[i]) && out.add(n.text));
		}
		for (const rc of nodes.get('range_clause')!) {
			const value = rc.childForFieldName('left')?.namedChildren[1];
			if (value?.type === 'identifier' && out.has(rc.childForFieldName('right')?.text ?? '')) out.add(value.text);
		}
	}
	return out;
}
