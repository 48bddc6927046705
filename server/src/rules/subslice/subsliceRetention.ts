/**
 * subslice-retention (spec R15): a small sub-slice or substring (or a `strings`/`bytes` Trim of
 * one, which shares memory the same way) of a large buffer is kept after the call, so the whole
 * backing array stays alive. Severity follows the evidence (docs/rules/subslice-retention.md):
 * warning only when this call made the buffer (a whole read, a local `bytes.Buffer`, a big
 * `make`), does not keep it whole, and stores the piece where it provably outlives the call;
 * hint when one side is only likely; silent otherwise. Zero-copy views are silent: pieces of a
 * parameter stored into the receiver or another parameter (decoders filling a struct), pieces of
 * what the receiver holds (lexers, iterators), pieces of an object stored back into it.
 */
import type { Node } from '../../syntax/mirror';
import type { RuleFinding, Severity, TextEdit } from '../../model';
import { factsAt, type Rule, type RuleContext } from '../types';
import { calleeName, callArgs, contains, descendants, enclosingFunction, enclosingLoops, importEdit, rangeOf } from '../shared/ast';
import { sitesByType, topLevel } from '../scope';
import { type Binding, declaredInBody, usesOf } from '../shared/bindings';
import { localDeclarationOf } from '../shared/declarations';
import { importedNames, rootIdent, sinkOf, type Sink } from './subsliceFlow';
import { assignedValue, constInt, sourceOf, typeKind, type Kind, type Source, type SourceEnv } from './subsliceSources';

/** Calls that fill their buffer argument and return the byte count (`r.Read(buf)`, `io.ReadFull(r, buf)`, `copy(buf, src)`). */
const READS_INTO = /(^|\.)(Read\w*|copy)$/;
const TRIMS = /^(strings|bytes)\.(Trim|TrimSpace|TrimPrefix|TrimSuffix|TrimLeft|TrimRight|TrimFunc)$/;
const TRIM_START = /^(strings|bytes)\b/;

/** `len(x)`, `cap(x)`, `len(x) - k`: an end bound that keeps (nearly) all of `x`. */
function nearLen(end: Node, env: SourceEnv, depth = 0): boolean {
	if (/^(len|cap)\(/.test(end.text) && end.type === 'call_expression') return true;
	if (end.type === 'binary_expression' && end.childForFieldName('operator')?.text === '-') {
		const left = end.childForFieldName('left');
		const right = end.childForFieldName('right');
		return !!left && !!right && left.type === 'call_expression' && /^(len|cap)$/.test(calleeName(left) ?? '') && right.type === 'int_literal';
	}
	if (end.type === 'identifier' && depth === 0) {
		const b = localDeclarationOf(end);
		if (b && declaredInBody(b) && b.value && !usesOf(b).some((u) => assignedValue(u) !== undefined)) return nearLen(b.value, env, 1);
	}
	return false;
}

/** Slices that keep (nearly) all of the buffer are not a retention problem. */
function wholeish(slice: Node, env: SourceEnv): boolean {
	const start = slice.childForFieldName('start');
	const end = slice.childForFieldName('end');
	if (!end) return !start || constInt(start, env) !== undefined;
	// `b[:0]` is the reuse idiom, not a small piece of the data.
	return end.text === '0' || nearLen(end, env);
}

/** `buf[:n]` where `n` counts what a call wrote into `buf` (`n, err := r.Read(buf)`): the data, not a small piece of it. */
function filledPortion(slice: Node, env: SourceEnv): boolean {
	const start = slice.childForFieldName('start');
	const end = slice.childForFieldName('end');
	const buf = slice.childForFieldName('operand')?.text;
	if ((start && start.text !== '0') || end?.type !== 'identifier') return false;
	const b = localDeclarationOf(end);
	if (!b) return false;
	const values = [b.value ?? b.multiValue, ...usesOf(b).map(assignedValue)];
	return values.some((v) => v?.type === 'call_expression' && READS_INTO.test(calleeName(v) ?? '') && callArgs(v).some((a) => rootIdent(a)?.text === buf));
}

/** Does the function keep the buffer whole somewhere too (so a piece of it pins nothing more)? */
function keptWhole(b: Binding, env: SourceEnv): boolean {
	const uses = usesOf(b);
	// After `b = b[i:j]` the name holds the piece.
	const reslice = uses.find((u) => {
		const v = assignedValue(u);
		return v?.type === 'slice_expression' && !wholeish(v, env);
	});
	for (const use of uses) {
		if (reslice && use.startIndex >= reslice.startIndex) break;
		if (assignedValue(use) !== undefined) continue;
		let n = use;
		if (use.parent?.type === 'slice_expression' && use.parent.childForFieldName('operand')?.equals(use)) {
			if (!wholeish(use.parent, env)) continue;
			n = use.parent;
		}
		if (sinkOf(n, env)) return true;
	}
	return false;
}

/** The slice a candidate expression takes (itself, or the slice inside a Trim), if it is a piece of something. */
function pieceOf(e: Node, env: SourceEnv): Node | undefined {
	if (e.type === 'slice_expression') return wholeish(e, env) ? undefined : e;
	if (e.type === 'call_expression' && TRIMS.test(calleeName(e) ?? '')) {
		const a = callArgs(e)[0];
		return a ? pieceOf(a, env) : undefined;
	}
	if (e.type === 'parenthesized_expression' && e.namedChild(0)) return pieceOf(e.namedChild(0)!, env);
	return undefined;
}

function carvedInLoop(slice: Node, src: Source): boolean {
	return !!src.binding && enclosingLoops(slice).some((l) => !contains(l, src.binding!.decl));
}

/** Severity from the evidence on both sides; undefined = stay silent. */
function judge(src: Source, sink: Sink, slice: Node, env: SourceEnv): Severity | undefined {
	// An open-ended tail (`data[i:]`) is "the rest": it may be most of the buffer.
	if (!slice.childForFieldName('end')) return undefined;
	switch (src.level) {
		case 'large': {
			if (filledPortion(slice, env) || keptWhole(src.binding!, env)) return undefined;
			// One piece per iteration of a loop over the buffer: together they may cover it (a slab).
			const carved = carvedInLoop(slice, src);
			// Provably long-lived: package-level, or a map/slice of an object from before the call
			// (a collection accumulates pieces of many buffers). A single field of such an object
			// lives as long as the object, which may be short-lived.
			const kept = sink.place === 'package' || (sink.place === 'object' && sink.collection);
			return kept && !carved ? 'warning' : 'hint';
		}
		case 'param':
		case 'held':
			// Into the receiver or another parameter: a decoder filling its struct, a reader
			// handing out views of its block. Only a package-level home is evidence of retention.
			return sink.place === 'package' ? 'hint' : undefined;
		case 'paramField': {
			if (sink.place === 'package') return 'hint';
			// A substring of a string another object carries, moved into a new value that leaves,
			// or into a different long-lived object (betterleaks#307: findings kept lines of every
			// scanned file). []byte pieces are skipped: they alias writable memory, which code does on purpose.
			if (src.kind !== 'string') return undefined;
			if ((sink.place === 'return' || sink.place === 'send') && sink.newValue) return 'hint';
			if (sink.place === 'object' && sink.root && src.owner && sink.root.id.startIndex !== src.owner.id.startIndex) return 'hint';
			return undefined;
		}
	}
}

function explain(src: Source, sink: Sink, slice: Node, severity: Severity): string {
	if (src.level === 'large' && severity === 'warning') return 'while it is reachable the whole backing array stays alive, not just the part you keep. Keep a copy instead.';
	if (src.level === 'large' && carvedInLoop(slice, src) && (sink.place === 'package' || sink.place === 'object')) return 'each piece taken in this loop keeps the whole backing array alive. Unless the pieces together cover the buffer, keep copies instead.';
	if (src.level === 'large' && sink.place === 'object') return 'while the object holding it is reachable, the whole backing array stays alive, not just this part. If that object lives long, keep a copy instead.';
	if (src.level === 'large') return 'whoever keeps it keeps the whole backing array alive, not just this part. If it is kept long-term, keep a copy instead.';
	if (sink.place === 'package') return 'it lives as long as the program, and if the buffer it points into is large, all of it stays alive with it. If so, keep a copy instead.';
	const owner = src.owner?.name ?? 'it';
	return `if it outlives \`${owner}\`, it keeps the whole string alive, not just this part. If so, keep a copy instead.`;
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

function fieldKinds(fieldDecls: Node[]): Map<string, Kind | null> {
	const out = new Map<string, Kind | null>();
	for (const f of fieldDecls) {
		const k = typeKind(f.childForFieldName('type')) ?? null;
		for (const n of f.childrenForFieldName('name')) {
			if (!n) continue;
			const prev = out.get(n.text);
			out.set(n.text, prev === undefined || prev === k ? k : null);
		}
	}
	return out;
}

function packageConsts(ctx: RuleContext): Map<string, Node> {
	const out = new Map<string, Node>();
	for (const d of topLevel(ctx)) {
		if (d.type !== 'const_declaration') continue;
		for (const spec of descendants(d, 'const_spec')) {
			const values = spec.childForFieldName('value')?.namedChildren ?? [];
			spec.childrenForFieldName('name').forEach((n, i) => n && values[i] && out.set(n.text, values[i]!));
		}
	}
	return out;
}

/** Rule R15 `subslice-retention`; see docs/rules/subslice-retention.md. */
export const subsliceRetention: Rule = {
	id: 'subslice-retention',
	doc: { summary: 'a small sub-slice/substring of a large buffer is kept long-term and pins the whole backing array', severity: 'warning', usesEscape: true },
	check(ctx) {
		const root = ctx.tree.rootNode;
		const nodes = sitesByType(ctx, ['field_declaration', 'slice_expression', 'call_expression']);
		const env: SourceEnv = { root, pkgNames: importedNames(root), fields: fieldKinds(nodes.get('field_declaration')!), consts: packageConsts(ctx) };
		const out: RuleFinding[] = [];
		// A trim's callee starts where its call does: the text there rules out most calls without reading their nodes.
		const trims = nodes.get('call_expression')!.filter((c) => TRIM_START.test(ctx.text.slice(c.startIndex, c.startIndex + 8)) && TRIMS.test(calleeName(c) ?? ''));
		const candidates = [...nodes.get('slice_expression')!, ...trims].sort((a, b) => a.startIndex - b.startIndex);
		for (const e of candidates) {
			if (!enclosingFunction(e)) continue;
			const slice = pieceOf(e, env);
			// Report the outermost aliasing expression only (`strings.TrimSpace(raw[a:b])`).
			if (!slice || (e.parent?.type === 'argument_list' && e.parent.parent && pieceOf(e.parent.parent, env))) continue;
			const operand = slice.childForFieldName('operand');
			const src = operand && sourceOf(operand, env);
			if (!src) continue;
			const sink = sinkOf(e, env);
			if (!sink) continue;
			// `x.buf = x.buf[a:b]` re-slices the buffer in place: nothing new is retained.
			if (sink.at.type === 'assignment_statement' && sink.at.childForFieldName('left')?.text === operand.text) continue;
			const severity = judge(src, sink, slice, env);
			if (!severity) continue;
			const leak = src.level === 'param' && src.binding ? factsAt(ctx, src.binding.id).find((f) => f.kind === 'leaking-param') : undefined;
			const kind = e.type === 'call_expression' ? (calleeName(e)!.startsWith('bytes') ? 'bytes' : 'string') : src.kind;
			const fix = cloneFix(ctx, e, kind);
			out.push({
				rule: 'subslice-retention',
				range: rangeOf(e),
				severity,
				message:
					`\`${e.text.length > 50 ? e.text.slice(0, 47) + '…' : e.text}\` shares memory with ${src.why} and is ${sink.what}: ` +
					explain(src, sink, slice, severity) +
					(leak ? ` The compiler reports \`${leak.message}\`.` : ''),
				related: [{ range: rangeOf(sink.at), message: `kept here (${sink.what})` }],
				// A string copy is indistinguishable from the original except for memory; a []byte copy
				// stops sharing writes with the buffer, which code that means to alias relies on.
				fixes: [{ ...fix, isPreferred: true, safe: kind === 'string' && severity === 'warning' }],
			});
		}
		return out;
	},
};
