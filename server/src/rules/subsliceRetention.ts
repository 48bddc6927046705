/**
 * subslice-retention (spec R15): a sub-slice or substring (or a `strings`/`bytes` Trim result, which
 * shares memory the same way) of a large buffer is kept somewhere that outlives the call: returned,
 * stored in a map, field or package variable, appended to an outer slice, or sent on a channel.
 * Go keeps the whole backing array alive while any slice of it is reachable, so a few bytes pin the
 * whole file. Only clearly large sources count: whole-file/stream reads, `(*bytes.Buffer).Bytes`,
 * `make([]byte, N≥4096)` (W), or parameters/fields with buffer-like names (I).
 */
import type { Node } from '../syntax/mirror';
import type { RuleFinding, Severity, TextEdit } from '../model';
import { factsAt, type Rule, type RuleContext } from './types';
import { byType, callArgs, calleeName, descendants, enclosingFunction, enclosingLoops, importEdit, rangeOf } from './ast';
import { packageVars, sitesByType } from './scope';

type Kind = 'bytes' | 'string';

interface Source {
	kind: Kind;
	strong: boolean;
	/** Why it is large, for the message. */
	why: string;
	/** Declaring identifier (for escape facts on parameters). */
	decl?: Node;
}

const BUFFER_NAMES = /^(raw|data|body|content|contents|buf|payload|input|text|src|file)$/i;
const WHOLE_READS = /^(os\.ReadFile|ioutil\.ReadFile|io\.ReadAll|ioutil\.ReadAll)$/;
const TRIMS = /^(strings|bytes)\.(Trim|TrimSpace|TrimPrefix|TrimSuffix|TrimLeft|TrimRight|TrimFunc)$/;

function typeKind(t: Node | null): Kind | undefined {
	if (!t) return undefined;
	if (t.type === 'type_identifier' && t.text === 'string') return 'string';
	if (t.type === 'slice_type' && t.childForFieldName('element')?.text === 'byte') return 'bytes';
	return undefined;
}

/** Same-file struct fields with buffer-like names and a string/[]byte type (name → kind, if unambiguous). */
function bufferFields(fieldDecls: Node[]): Map<string, Kind | null> {
	const out = new Map<string, Kind | null>();
	for (const f of fieldDecls) {
		const k = typeKind(f.childForFieldName('type'));
		for (const n of f.childrenForFieldName('name')) {
			if (!n || !BUFFER_NAMES.test(n.text)) continue;
			const prev = out.get(n.text);
			out.set(n.text, prev === undefined ? k ?? null : prev === k ? k : null);
		}
	}
	return out;
}

/** Large sources bound in `fn` itself (not in nested literals). */
function sourcesOf(fn: Node): Map<string, Source> {
	const out = new Map<string, Source>();
	for (const p of descendants(fn.childForFieldName('parameters') ?? fn, 'parameter_declaration')) {
		if (!p.parent?.parent?.equals(fn)) continue;
		const k = typeKind(p.childForFieldName('type'));
		for (const n of p.childrenForFieldName('name')) {
			if (n && k && BUFFER_NAMES.test(n.text)) out.set(n.text, { kind: k, strong: false, why: `the parameter \`${n.text}\` (a buffer-like name; its size is unknown here)`, decl: n });
		}
	}
	for (const d of descendants(fn, ['short_var_declaration', 'assignment_statement', 'var_spec'])) {
		if (!enclosingFunction(d)?.equals(fn)) continue;
		const left = d.type === 'var_spec' ? d.childrenForFieldName('name').filter((x): x is Node => x !== null) : (d.childForFieldName('left')?.namedChildren ?? []).filter((x): x is Node => x !== null);
		const rhs = (d.type === 'var_spec' ? d.childForFieldName('value') : d.childForFieldName('right'))?.namedChildren ?? [];
		const first = left[0];
		const value = rhs[0];
		if (!first || first.type !== 'identifier' || !value || value.type !== 'call_expression') continue;
		const name = calleeName(value) ?? '';
		const args = callArgs(value);
		let src: Source | undefined;
		if (WHOLE_READS.test(name)) src = { kind: 'bytes', strong: true, why: `\`${first.text}\` (everything \`${name}\` read)` };
		else if (/\.Bytes$/.test(name) && args.length === 0 && !/[Ss]canner|\bsc\b|\bs\b/.test(name)) src = { kind: 'bytes', strong: true, why: `\`${first.text}\` (the whole buffer \`${name}()\` returned)` };
		else if (name === 'make' && args[0]?.type === 'slice_type' && args[0].text === '[]byte') {
			const n = args.slice(1).map((a) => (a.type === 'int_literal' ? Number(a.text.replaceAll('_', '')) : 0));
			if (Math.max(0, ...n) >= 4096) src = { kind: 'bytes', strong: true, why: `\`${first.text}\` (a ${Math.max(...n)}-byte buffer)` };
		} else if (name === 'string' && args[0]?.type === 'identifier' && out.get(args[0].text)?.strong) {
			src = { ...out.get(args[0].text)!, kind: 'string', why: `\`${first.text}\` (a string copy of a large buffer)` };
		}
		if (src) out.set(first.text, src);
	}
	return out;
}

/** The source behind a slice operand or Trim argument (identifier or buffer-like field). */
function sourceOf(node: Node, sources: Map<string, Source>, fields: Map<string, Kind | null>): Source | undefined {
	if (node.type === 'identifier') return sources.get(node.text);
	if (node.type === 'selector_expression') {
		const f = node.childForFieldName('field')?.text ?? '';
		const k = fields.get(f);
		if (k) return { kind: k, strong: false, why: `the field \`${node.text}\` (a buffer-like name; its size is unknown here)` };
	}
	if (node.type === 'parenthesized_expression' && node.namedChild(0)) return sourceOf(node.namedChild(0)!, sources, fields);
	return undefined;
}

/** Slices that keep (nearly) all of the buffer are not a retention problem. */
function wholeish(slice: Node): boolean {
	const start = slice.childForFieldName('start');
	const end = slice.childForFieldName('end');
	if (!end) return !start || start.type === 'int_literal';
	// `b[:0]` is the reuse idiom, not a small piece of the data.
	return /^len\(/.test(end.text) || end.text === '0';
}

/** The alias expression's source, when `e` shares a large source's memory. */
function aliasSource(e: Node, sources: Map<string, Source>, fields: Map<string, Kind | null>): Source | undefined {
	if (e.type === 'slice_expression') {
		const op = e.childForFieldName('operand');
		return op && !wholeish(e) ? sourceOf(op, sources, fields) : undefined;
	}
	if (e.type === 'call_expression' && TRIMS.test(calleeName(e) ?? '')) {
		const a = callArgs(e)[0];
		const s = a ? sourceOf(a, sources, fields) ?? aliasSource(a, sources, fields) : undefined;
		return s ? { ...s, kind: calleeName(e)!.startsWith('bytes') ? 'bytes' : 'string' } : undefined;
	}
	return undefined;
}

function isPackageVar(pkgVars: ReadonlySet<string>, name: string): boolean {
	return pkgVars.has(name);
}

/** Where `node`'s value is kept beyond the call, if it is (follows up to two local variables). */
function sinkOf(node: Node, fn: Node, root: ReadonlySet<string>, depth = 0): { what: string; at: Node; viaLiteral?: boolean } | undefined {
	const p = node.parent;
	if (!p) return undefined;
	switch (p.type) {
		case 'parenthesized_expression':
		case 'literal_element':
		case 'keyed_element':
		case 'literal_value':
			return sinkOf(p, fn, root, depth);
		case 'composite_literal': {
			const r = sinkOf(p, fn, root, depth);
			return r ? { ...r, viaLiteral: true } : undefined;
		}
		case 'unary_expression':
			return p.childForFieldName('operator')?.text === '&' ? sinkOf(p, fn, root, depth) : undefined;
		case 'send_statement':
			return p.childForFieldName('value')?.equals(node) ? { what: 'sent on a channel', at: p } : undefined;
		case 'expression_list': {
			const st = p.parent;
			if (st?.type === 'return_statement') return { what: 'returned', at: st };
			if (st?.type !== 'assignment_statement' && st?.type !== 'short_var_declaration') return undefined;
			if (!st.childForFieldName('right')?.equals(p)) return undefined;
			// `s += piece` concatenates: a copy.
			if (st.type === 'assignment_statement' && st.childForFieldName('operator')?.text !== '=') return undefined;
			const idx = p.namedChildren.findIndex((c) => c?.equals(node));
			const lhs = st.childForFieldName('left')?.namedChildren[idx];
			if (!lhs) return undefined;
			if (lhs.type === 'index_expression') return { what: `stored in \`${lhs.text}\``, at: st };
			if (lhs.type === 'selector_expression') return { what: `stored in the field \`${lhs.text}\``, at: st };
			if (lhs.type !== 'identifier' || lhs.text === '_') return undefined;
			if (isPackageVar(root, lhs.text) && st.type === 'assignment_statement') return { what: `stored in the package variable \`${lhs.text}\``, at: st };
			if (depth >= 2) return undefined;
			for (const use of descendants(fn, 'identifier')) {
				if (use.text !== lhs.text || use.startIndex <= st.endIndex) continue;
				const s = sinkOf(use, fn, root, depth + 1);
				if (s) return s;
			}
			return undefined;
		}
		case 'argument_list': {
			const call = p.parent;
			if (!call || calleeName(call) !== 'append') return undefined;
			const args = callArgs(call);
			const target = args[0];
			if (!target || target.equals(node)) return undefined;
			const outer = enclosingLoops(call).at(-1);
			if (target.type === 'selector_expression' || target.type === 'index_expression') return { what: `appended to \`${target.text}\``, at: call };
			if (target.type === 'identifier' && isPackageVar(root, target.text)) return { what: `appended to the package variable \`${target.text}\``, at: call };
			if (target.type === 'identifier' && outer && declaredBefore(fn, target.text, outer)) {
				return { what: `appended to \`${target.text}\`, which outlives the loop`, at: call };
			}
			return undefined;
		}
		default:
			return undefined;
	}
}

function declaredBefore(fn: Node, name: string, loop: Node): boolean {
	return descendants(fn, 'identifier').some(
		(n) => n.text === name && n.endIndex <= loop.startIndex && (n.parent?.type === 'var_spec' || n.parent?.parent?.parent?.type === 'short_var_declaration' || n.parent?.type === 'parameter_declaration'),
	);
}

function cloneFix(ctx: RuleContext, e: Node, kind: Kind): { title: string; edits: TextEdit[] } {
	const r = rangeOf(e);
	const minor = ctx.goVersion.minor;
	if (minor !== undefined && minor >= 20) {
		const imp = importEdit(ctx.tree.rootNode, kind === 'bytes' ? 'bytes' : 'strings');
		const edits: TextEdit[] = [{ range: r, newText: `${imp.name}.Clone(${e.text})` }];
		if (imp.edit) edits.push(imp.edit);
		return { title: `Keep a copy: ${imp.name}.Clone(…)`, edits };
	}
	// bytes.Clone / strings.Clone need go1.20.
	const newText = kind === 'bytes' ? `append([]byte(nil), ${e.text}...)` : `string([]byte(${e.text}))`;
	return { title: `Keep a copy: ${kind === 'bytes' ? 'append([]byte(nil), …...)' : 'string([]byte(…))'}`, edits: [{ range: r, newText }] };
}

/** Rule R15 `subslice-retention`; see docs/rules/subslice-retention.md. */
export const subsliceRetention: Rule = {
	id: 'subslice-retention',
	doc: { summary: 'a small sub-slice/substring of a large buffer is kept long-term and pins the whole backing array', severity: 'warning', usesEscape: true },
	check(ctx) {
		const root = ctx.tree.rootNode;
		const nodes = sitesByType(ctx, ['field_declaration', 'slice_expression', 'call_expression']);
		const pkgVars = packageVars(ctx);
		const fields = bufferFields(nodes.get('field_declaration')!);
		const out: RuleFinding[] = [];
		const hasFields = [...fields.values()].some(Boolean);
		const sourceCache = new Map<number, Map<string, Source>>();
		// One pass over candidate expressions; sources are computed only for functions that have some.
		const candidates = [...nodes.get('slice_expression')!, ...nodes.get('call_expression')!].sort((a, b) => a.startIndex - b.startIndex);
		for (const e of candidates) {
			if (e.type === 'call_expression' && !TRIMS.test(calleeName(e) ?? '')) continue;
			const fn = enclosingFunction(e);
			if (!fn) continue;
			let sources = sourceCache.get(fn.id);
			if (!sources) sourceCache.set(fn.id, (sources = sourcesOf(fn)));
			if (sources.size === 0 && !hasFields) continue;
			{
				const src = aliasSource(e, sources, fields);
				if (!src) continue;
				// Report the outermost aliasing expression only (`strings.TrimSpace(raw[a:b])`).
				if (e.parent?.type === 'argument_list' && e.parent.parent && aliasSource(e.parent.parent, sources, fields)) continue;
				const sink = sinkOf(e, fn, pkgVars);
				if (!sink) continue;
				// For buffer-like names of unknown size, returning a piece (the caller still holds the
				// buffer) or keeping an open-ended tail is ordinary Go: only report bounded pieces stored away.
				if (!src.strong && ((sink.what === 'returned' && !sink.viaLiteral) || (e.type === 'slice_expression' && !e.childForFieldName('end')))) continue;
				// `x.buf = x.buf[a:b]` re-slices the buffer in place: nothing new is retained.
				const operand = e.type === 'slice_expression' ? e.childForFieldName('operand')?.text : undefined;
				if (operand && sink.at.type === 'assignment_statement' && sink.at.childForFieldName('left')?.text === operand) continue;
				const leak = src.decl ? factsAt(ctx, src.decl).find((f) => f.kind === 'leaking-param') : undefined;
				const severity: Severity = src.strong ? 'warning' : 'information';
				const fix = cloneFix(ctx, e, src.kind);
				out.push({
					rule: 'subslice-retention',
					range: rangeOf(e),
					severity,
					message:
						`\`${e.text.length > 50 ? e.text.slice(0, 47) + '…' : e.text}\` shares memory with ${src.why} and is ${sink.what}: ` +
						`while it is reachable the whole backing array stays alive, not just the part you keep.` +
						(leak ? ` The compiler reports \`${leak.message}\`.` : '') +
						' Keep a copy instead.',
					related: [{ range: rangeOf(sink.at), message: `kept here (${sink.what})` }],
					fixes: [{ ...fix, isPreferred: true, safe: false }],
				});
			}
		}
		return out;
	},
};
