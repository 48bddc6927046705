/**
 * R6 pool-use-after-put: a pooled object, or memory aliasing it (`b.Bytes()`, `(*bp)[:n]`,
 * strings.Builder's `String()`), used after it went back to the pool: (a) returned while a
 * deferred Put runs at return, (b) used after a plain Put, (c) used by a goroutine started before
 * the Put with no join in between. The next Get (any goroutine) then overwrites it.
 * Verified (Go 1.26): a slice from `buf.Bytes()` shows the new content after `Reset` + `WriteString`
 * ("QQQ"); `bytes.Buffer.String()` copies, so it is not an alias.
 */
import type { Node } from '../../syntax/mirror';
import type { Fix, RuleFinding, TextEdit } from '../../model';
import { descendants, importEdit, rangeOf } from '../shared/ast';
import type { Rule, RuleContext } from '../types';
import { aliasRoot, bindingsByFunc, calledName, getBindings, ownDescendants, poolIndex, putCallsOf, statementOf, type GetBinding, type PoolIndex } from './poolShared';
import { callEffect, fileFacts, involves, trackBinding } from './poolOwnership';

function inDefer(n: Node, fn: Node): boolean {
	for (let p = n.parent; p && p.id !== fn.id; p = p.parent) if (p.type === 'defer_statement') return true;
	return false;
}

const CONDITIONAL = new Set(['if_statement', 'expression_switch_statement', 'type_switch_statement', 'select_statement', 'for_statement']);

/**
 * A deferred Put that surely runs: `defer P.Put(x)`, or a Put in a deferred closure outside any
 * condition. `defer func() { if !ok { P.Put(x) } }()` is the put-back-on-error pattern: the
 * returned object is then exactly the one that is not put back.
 */
function surelyDeferred(n: Node, fn: Node): boolean {
	for (let p = n.parent; p && p.id !== fn.id; p = p.parent) {
		if (p.type === 'defer_statement') return true;
		if (CONDITIONAL.has(p.type)) return false;
	}
	return false;
}

/** x and the variables assigned an alias of x's memory (flow-insensitive, after the Get). */
function aliasSet(g: GetBinding, builders: ReadonlySet<string>): Set<string> {
	const names = new Set([g.name]);
	for (let pass = 0; pass < 2; pass++) {
		for (const d of descendants(g.func, ['short_var_declaration', 'assignment_statement'])) {
			if (d.startIndex < g.stmt.endIndex) continue;
			const left = d.childForFieldName('left')?.namedChildren ?? [];
			const right = d.childForFieldName('right')?.namedChildren ?? [];
			left.forEach((l, i) => {
				const root = right.length === left.length ? aliasRoot(right[i] ?? null, builders) : undefined;
				if (l?.type === 'identifier' && root && names.has(root) && l.text !== g.name) names.add(l.text);
			});
		}
	}
	return names;
}

function cloneFix(ctx: RuleContext, e: Node, builders: ReadonlySet<string>): Fix | undefined {
	const fn = e.type === 'call_expression' ? e.childForFieldName('function') : null;
	const m = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text : undefined;
	const minor = ctx.goVersion.minor;
	const edits: TextEdit[] = [];
	let text: string;
	if (m === 'Bytes') {
		if (minor !== undefined && minor >= 20) {
			const imp = importEdit(ctx.tree.rootNode, 'bytes');
			if (imp.edit) edits.push(imp.edit);
			text = `${imp.name}.Clone(${e.text})`;
		} else text = `append([]byte(nil), ${e.text}...)`;
	} else if (m === 'String' && builders.size && minor !== undefined && minor >= 20) {
		const imp = importEdit(ctx.tree.rootNode, 'strings');
		if (imp.edit) edits.push(imp.edit);
		text = `${imp.name}.Clone(${e.text})`;
	} else return undefined;
	edits.push({ range: rangeOf(e), newText: text });
	return { title: `Return a copy: ${text}`, edits, isPreferred: true, safe: true };
}

function isJoin(n: Node): boolean {
	if (n.type === 'call_expression') return calledName(n) === 'Wait';
	return n.type === 'unary_expression' && n.childForFieldName('operator')?.text === '<-';
}

function check(ctx: RuleContext, idx: PoolIndex, g: GetBinding, out: RuleFinding[]): void {
	const builders = new Set((bindingsByFunc(ctx).get(g.func) ?? []).filter((b) => b.assertedType?.replace(/\s+/g, '') === '*strings.Builder').map((b) => b.name));
	const aliases = aliasSet(g, builders);
	const isAlias = (e: Node | null) => {
		const r = aliasRoot(e, builders);
		return !!r && aliases.has(r);
	};
	const puts = putCallsOf(idx, g.func, g.name, g.pool).filter((p) => p.startIndex >= g.stmt.endIndex);
	const deferred = puts.filter((p) => surelyDeferred(p, g.func));
	const plain = puts.filter((p) => !inDefer(p, g.func));
	const src = `${g.pool}.Get()`;
	// (a) returned while a deferred Put runs at return.
	if (deferred.length) {
		const d = deferred[0];
		for (const r of ownDescendants(g.func, 'return_statement')) {
			if (r.startIndex < d.endIndex) continue;
			for (const e of r.namedChild(0)?.namedChildren ?? []) {
				if (!e || !isAlias(e)) continue;
				const self = e.text === g.name;
				const fix = self ? undefined : cloneFix(ctx, e, builders);
				out.push({
					rule: 'pool-use-after-put',
					range: rangeOf(e),
					severity: 'error',
					message: self
						? `Returns \`${g.name}\` (from \`${src}\`) while the deferred \`${d.text}\` hands it back to the pool as this function returns: the caller holds an object the next Get (any goroutine) can take and overwrite.`
						: `\`${e.text}\` shares \`${g.name}\`'s memory, and the deferred \`${d.text}\` hands \`${g.name}\` back to the pool as this function returns: the next Get (any goroutine) overwrites what the caller reads. Return a copy.`,
					fixes: fix ? [fix] : [],
					related: [{ range: rangeOf(d), message: 'the deferred Put' }],
				});
			}
		}
	}
	// (b) used after a plain Put in the same statement list.
	for (const p of plain) {
		const ps = statementOf(p);
		let hit: Node | undefined;
		for (let s = ps.nextNamedSibling; s && !hit; s = s.nextNamedSibling) {
			if (s.type === 'comment') continue;
			const assigns = s.type === 'assignment_statement' && (s.childForFieldName('left')?.namedChildren ?? []).some((l) => l?.text === g.name);
			const ids = descendants(s, 'identifier').filter((i) => aliases.has(i.text));
			const leftEnd = assigns ? (s.childForFieldName('left')?.endIndex ?? 0) : 0;
			hit = ids.find((i) => i.startIndex >= leftEnd);
			if (assigns || s.type === 'return_statement') break;
		}
		if (hit) {
			out.push({
				rule: 'pool-use-after-put',
				range: rangeOf(hit),
				severity: 'error',
				message: `\`${hit.text}\` is used after \`${p.text}\` returned ${hit.text === g.name ? 'it' : `\`${g.name}\` (whose memory it shares)`} to the pool: another goroutine's Get may already own and overwrite it. Move the Put after the last use (or \`defer\` it).`,
				related: [{ range: rangeOf(p), message: 'put back here' }],
			});
		}
	}
	// (c) a goroutine started before the Put, with no join in between.
	for (const gs of ownDescendants(g.func, 'go_statement')) {
		if (gs.startIndex < g.stmt.endIndex) continue;
		if (putCallsOf(idx, gs, g.name, g.pool).length) continue; // the goroutine owns it
		const ref = descendants(gs, 'identifier').find((i) => aliases.has(i.text));
		if (!ref || goroutineReleases(ctx, idx, g, gs)) continue;
		const joins = ownDescendants(g.func, ['call_expression', 'unary_expression']).filter((n) => n.startIndex > gs.endIndex && isJoin(n));
		const later = plain.find((p) => p.startIndex > gs.endIndex && !joins.some((j) => j.startIndex < p.startIndex));
		const racing = later ?? (deferred.length && !joins.length ? deferred[0] : undefined);
		if (!racing) continue;
		out.push({
			rule: 'pool-use-after-put',
			range: rangeOf(ref),
			severity: 'error',
			message: `The goroutine uses \`${ref.text}\` while \`${racing.text}\` can hand \`${g.name}\` back to the pool before it finishes (no Wait or receive in between): the next Get may overwrite it under the goroutine.`,
			related: [{ range: rangeOf(racing), message: 'put back here' }],
		});
	}
}

/**
 * The goroutine puts the object back itself through a function of this file (`go serve(ctx)` whose
 * body ends with `s.releaseCtx(ctx)`): it owns the object, and a Put left here is on another path.
 */
function goroutineReleases(ctx: RuleContext, idx: PoolIndex, g: GetBinding, gs: Node): boolean {
	const f = fileFacts(idx, ctx.tree.rootNode);
	const t = trackBinding(f, g);
	return descendants(gs, 'call_expression').some((c) => involves(f, t, c) && callEffect(f, t, c) === 'release');
}

export const poolUseAfterPut: Rule = {
	id: 'pool-use-after-put',
	doc: { summary: 'pooled object (or a slice of its memory) used after Put: returned under a deferred Put, used after Put, or by a goroutine', severity: 'error', usesEscape: false },
	check(ctx) {
		const idx = poolIndex(ctx);
		if (idx.vars.size + idx.fields.size === 0) return [];
		const out: RuleFinding[] = [];
		for (const g of getBindings(ctx)) check(ctx, idx, g, out);
		return out;
	},
};
