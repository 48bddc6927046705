/**
 * R4 pool-get-without-reset: the object from `P.Get()` (or a getter) is first *appended to*
 * (Write*, Fprintf, json.NewEncoder, append…) before any reset, and no Put of that pool resets it.
 * sync.Pool hands back objects exactly as they were Put, so the previous user's content is still
 * there (verified: bytes.Buffer written "abc", Put, Get → Len() == 3 when nothing resets it).
 * Read destinations (`r.Read(*bp)`) and uses other than accumulating writes are not reported.
 */
import type { Node } from '../../syntax/mirror';
import type { Fix, RuleFinding } from '../../model';
import { callArgs, calleeName, descendants, lineIndent, rangeOf } from '../shared/ast';
import type { Rule } from '../types';
import { calledName, fieldsAssigned, getBindings, isResetOf, poolCall, poolIndex, statementOf, type GetBinding, type PoolIndex } from './poolShared';

const WRITE_METHODS = new Set(['Write', 'WriteString', 'WriteByte', 'WriteRune', 'ReadFrom']);
const WRITER_FUNCS = new Set(['fmt.Fprint', 'fmt.Fprintf', 'fmt.Fprintln', 'json.NewEncoder', 'io.Copy', 'io.CopyN', 'io.WriteString', 'binary.Write', 'gob.NewEncoder', 'xml.NewEncoder', 'csv.NewWriter', 'bytes.NewBuffer']);
const RESETTABLE = new Set(['*bytes.Buffer', '*strings.Builder']);
const PUTS_KEY = 'pool-get-without-reset:puts';

interface PutResets {
	/** No Put of the pool in the file (a New-only pool, or Puts in other files). */
	none: boolean;
	/** Every Put resets the whole object first. */
	allReset: boolean;
	/** Fields every Put assigns first (`ae.entries = nil; aePool.Put(ae)`). */
	fields: Set<string>;
}

/** What the statements before a Put of `arg` (in its block) reset. */
function resetBefore(stmt: Node, arg: string): { whole: boolean; fields: Set<string> } {
	const fields = new Set<string>();
	for (let s = stmt.previousNamedSibling; s; s = s.previousNamedSibling) {
		if (isResetOf(s, arg)) return { whole: true, fields };
		for (const f of fieldsAssigned(s, arg)) fields.add(f);
	}
	return { whole: false, fields };
}

/** Whether every Put of `pool` in the file resets first (or there is none): then Get needs no reset. */
function putsReset(idx: PoolIndex, pool: string): PutResets {
	let count = 0;
	let reset = 0;
	let fields: Set<string> | undefined;
	const meet = (fs: Set<string>) => (fields = fields ? new Set([...fields].filter((f) => fs.has(f))) : new Set(fs));
	for (const c of idx.calls) {
		if (poolCall(idx, c, 'Put') === pool) {
			count++;
			// `Put(&buf)` after `buf = buf[:0]`: the reset is of buf.
			const arg = (callArgs(c)[0]?.text ?? '').replace(/^&/, '');
			const r = resetBefore(statementOf(c), arg);
			if (r.whole) reset++;
			else meet(r.fields);
			continue;
		}
		const putter = idx.putters.get(calledName(c) ?? '');
		if (putter && putter.pool === pool) {
			count++;
			if (putter.resets) reset++;
			else meet(new Set());
		}
	}
	return { none: count === 0, allReset: count > 0 && reset === count, fields: fields ?? new Set() };
}

/** Is the use `u` of x an accumulating write? What it writes to, and the field for `x.f = append(x.f, …)`. */
function accumulating(u: Node, x: string): { use: string; field?: string } | undefined {
	let e: Node = u;
	if (e.parent?.type === 'unary_expression' && e.parent.childForFieldName('operator')?.text === '*') e = e.parent;
	while (e.parent?.type === 'parenthesized_expression') e = e.parent;
	const p = e.parent;
	if (p?.type === 'selector_expression' && p.childForFieldName('operand')?.id === e.id) {
		const m = p.childForFieldName('field')?.text ?? '';
		if (WRITE_METHODS.has(m) && p.parent?.type === 'call_expression') return { use: `${x}.${m}(…)` };
		// x.f = append(x.f, …)
		const args = p.parent?.type === 'argument_list' ? p.parent : null;
		if (args && args.parent && calleeName(args.parent) === 'append' && args.namedChild(0)?.id === p.id) return { use: `append(${p.text}, …)`, field: m };
		return undefined;
	}
	if (p?.type === 'argument_list' && p.namedChild(0)?.id === e.id && p.parent?.type === 'call_expression') {
		const name = calleeName(p.parent) ?? '';
		if (name === 'append' || WRITER_FUNCS.has(name)) return { use: `${name}(${e.text}, …)` };
	}
	return undefined;
}

/** Fields of x assigned after the Get and before `use` (`x.entries = entries`, `x.a, x.b = …`). */
function fieldsSet(g: GetBinding, use: Node): Set<string> {
	const out = new Set(g.getter?.fields ?? []);
	for (const s of descendants(g.func, 'assignment_statement')) {
		if (s.startIndex < g.stmt.endIndex || s.endIndex > use.startIndex) continue;
		for (const f of fieldsAssigned(s, g.name)) out.add(f);
	}
	return out;
}

function resetText(g: GetBinding, use: string, field?: string): { text: string; safe: boolean } {
	// `x.f = append(x.f, …)`: the field is the slice to empty (offered, not applied in bulk: the
	// struct's other fields are not looked at).
	if (field) return { text: `${g.name}.${field} = ${g.name}.${field}[:0]`, safe: false };
	const t = (g.assertedType ?? g.getter?.type)?.replace(/\s+/g, '');
	if (g.deref || t?.startsWith('[]')) return { text: `${g.name} = ${g.name}[:0]`, safe: true };
	if (t?.startsWith('*[]')) return { text: `*${g.name} = (*${g.name})[:0]`, safe: true };
	if (!t && use.startsWith('append(')) return { text: `${g.name} = ${g.name}[:0]`, safe: false };
	return { text: `${g.name}.Reset()`, safe: !!t && RESETTABLE.has(t) };
}

export const poolGetWithoutReset: Rule = {
	id: 'pool-get-without-reset',
	doc: { summary: 'object from sync.Pool.Get is appended to before any reset: the previous user\'s data leaks into the output', severity: 'warning', usesEscape: false },
	check(ctx) {
		const idx = poolIndex(ctx);
		if (idx.vars.size + idx.fields.size === 0) return [];
		const out: RuleFinding[] = [];
		// Whether every Put resets is a file-wide fact: a scoped run takes it from the last whole-file run.
		const known = ctx.scope ? (ctx.memo?.get(PUTS_KEY) as Map<string, PutResets> | undefined) : undefined;
		const puts = new Map<string, PutResets>(known);
		if (!ctx.scope) ctx.memo?.set(PUTS_KEY, puts);
		for (const g of getBindings(ctx)) {
			if (g.getter?.resets) continue;
			let pr = puts.get(g.pool);
			if (!pr) puts.set(g.pool, (pr = putsReset(idx, g.pool)));
			if (pr.none || pr.allReset) continue;
			// The first use of x after the Get, ignoring deferred statements (they run at return).
			const first = descendants(g.func, 'identifier').find((u) => {
				if (u.text !== g.name || u.startIndex < g.stmt.endIndex) return false;
				// `*x = append(*x, …)`: the left side is not the first use, the append is.
				const st = statementOf(u);
				const left = st.type === 'assignment_statement' ? st.childForFieldName('left') : null;
				if (left && u.startIndex < left.endIndex && !isResetOf(st, g.name)) return false;
				for (let p = u.parent; p && p.id !== g.func.id; p = p.parent) if (p.type === 'defer_statement') return false;
				return true;
			});
			if (!first || isResetOf(statementOf(first), g.name)) continue;
			const acc = accumulating(first, g.name);
			if (!acc) continue;
			// A field every Put clears, or that was just assigned, holds nothing old.
			if (acc.field && (pr.fields.has(acc.field) || fieldsSet(g, first).has(acc.field))) continue;
			const use = acc.use;
			const { text, safe } = resetText(g, use, acc.field);
			const at = { line: g.stmt.endPosition.row, character: g.stmt.endPosition.column };
			// A Get in an `if`/`switch` header has no statement line after it to insert into.
			const fix: Fix | undefined =
				g.stmt.parent?.type === 'statement_list' ? { title: `Reset ${g.name} right after Get (${text})`, edits: [{ range: { start: at, end: at }, newText: `\n${lineIndent(ctx.text, g.stmt)}${text}` }], isPreferred: true, safe } : undefined;
			const src = g.getter ? `${g.getter.name}()` : `${g.pool}.Get()`;
			out.push({
				rule: 'pool-get-without-reset',
				range: rangeOf(first.parent?.type === 'unary_expression' ? first.parent : first),
				severity: 'warning',
				message: `\`${g.name}\` comes from \`${src}\` and is appended to (\`${use}\`) before any reset. sync.Pool returns objects as they were Put, and no Put of \`${g.pool}\` in this file resets them, so a previous user's content stays in front. Reset it after Get (\`${text}\`).`,
				fixes: fix ? [fix] : [],
				related: [{ range: rangeOf(g.call), message: 'the object comes from here' }],
			});
		}
		return out;
	},
};
