/**
 * Plain-words explanations of compiler facts. Pure: everything said here is read off the fact and
 * the reason chain the compiler printed (`-m=2`), told in the terms of the source (sourceTerms.ts:
 * no `~r0`, `.autotmp_6`, `fmt.a := ... argument` or `bytes.b.buf`); the compiler's own line stays
 * in `fact.message` for whoever shows it verbatim.
 */
import type { EscapeFact, Flow, FlowStep, GoPos } from '../model';
import { calleeOfCall, chainCauses, isMethodValue, statementKeywordAt, type EscapeCause } from './causes';
import {
	argumentList,
	code,
	describeExpr,
	funcName,
	hasInternalNames,
	inlinedOwner,
	nounOf,
	resultOf,
	variadicCallee,
	sourceIdentifier,
	stripInlined,
	type SourceLookup,
} from './sourceTerms';
import { plain, stepPhrase, stepText } from './stepWords';

export type { SourceLookup } from './sourceTerms';

/** What a hover or a diagnostic says about one fact. */
export interface FactExplanation {
	/** e.g. "`buf` is moved to the heap". */
	headline: string;
	/** e.g. "because its address is taken (`&buf`) at line 13 and passed to `(*sync.Pool).Put` at line 13". */
	why: string;
	/** The compiler's steps, one line each, with their positions (the first MAX_STEPS). */
	steps: { text: string; pos: GoPos }[];
	/** Steps past MAX_STEPS, not in `steps`. */
	moreSteps?: number;
	/** Heap facts: why the value is on the heap (causes.ts), the deciding one first. */
	causes?: EscapeCause[];
}

const MAX_LABEL = 60;
/**
 * Steps explained at most per fact: a variable captured by 500 goroutines has a 1,000-step chain
 * (one diagnostic of 350 KB, sent again with each publish); the rest is in the compiler's output.
 */
export const MAX_STEPS = 25;

/** Explains a fact in plain words, from the compiler's own reasons; `src` lets it speak in source terms. */
export function explainFact(fact: EscapeFact, src?: SourceLookup): FactExplanation {
	const hint = hintOf(fact);
	const all = allSteps(fact);
	const steps = all.slice(0, MAX_STEPS).map((s) => ({ text: `${s.reason}: ${stepText(s, src, hint)}`, pos: s.pos }));
	const chains = chainCauses(fact, src);
	const out: FactExplanation = { headline: headline(fact, src), why: why(fact, chains, src, hint), steps };
	if (all.length > steps.length) out.moreSteps = all.length - steps.length;
	if (chains.length) out.causes = chains.map((c) => c.cause);
	return out;
}

/**
 * The one sentence diagnostics and the CLI show: what the compiler decided, its cause's title and,
 * from the chain, why ("`c` is moved to the heap (returned to the caller) because …").
 */
export function factSentence(fact: EscapeFact, e: Pick<FactExplanation, 'headline' | 'why' | 'causes'>): string {
	const cause = e.causes?.[0];
	const head = (e.headline || fact.message) + (cause && cause.id !== 'other' ? ` (${cause.title})` : '');
	if (!e.why) return head;
	return /^(because|since|as) /.test(e.why) ? `${head} ${e.why}` : `${head}: ${e.why}`;
}

/** A short end-of-line label (≤ 60 chars), e.g. "heap: buf — address passed to (*sync.Pool).Put". */
export function shortLabel(fact: EscapeFact, src?: SourceLookup): string {
	const subject = clip(plain(subjectTerm(fact, src, true)), 24);
	let head: string;
	switch (fact.kind) {
		case 'moved-to-heap':
		case 'escapes-to-heap':
			head = `heap: ${subject}`;
			break;
		case 'leaking-param': {
			const to = resultName(fact.detail);
			head = to ? `leaks: ${subject} → ${to}` : `leaks: ${subject}`;
			break;
		}
		case 'leaking-param-content':
			head = `leaks content: ${subject}`;
			break;
		case 'does-not-escape':
			head = `stack: ${subject}`;
			break;
		default:
			head = fact.detail?.startsWith('cannot') ? `no inline: ${subject}` : `inline: ${subject}`;
	}
	const reason = shortReason(fact, src);
	return clip(reason ? `${head} — ${reason}` : head, MAX_LABEL);
}

/** The variadic callee the fact's chain names, for telling its `... argument` (sourceTerms.argumentList). */
function hintOf(fact: EscapeFact): string | undefined {
	if (!fact.subject.includes('... argument') && !fact.flows.some((f) => f.steps.some((s) => s.expr.includes('... argument')))) return undefined;
	return variadicCallee([fact.subject, ...allSteps(fact).map((s) => s.expr)]);
}

/** The fact's subject in source terms; `short` for labels (no "(inlined …)" notes). */
function subjectTerm(fact: EscapeFact, src: SourceLookup | undefined, short = false): string {
	const s = fact.subject;
	if (fact.kind === 'inlining') return code(funcName(s));
	if (fact.kind === 'leaking-param' || fact.kind === 'leaking-param-content') {
		if (!hasInternalNames(s, src) && !s.includes('~')) return code(s);
		return code(sourceIdentifier(fact.pos, src) ?? stripInlined(s, src).replace(/^go\.shape\./, ''));
	}
	if (!hasInternalNames(s, src)) {
		const owner = short ? undefined : inlinedOwner(s, fact.pos, src);
		// `&SyntaxError{...}` made inside an inlined `s.error(…)`: say where it comes from.
		if (owner && !sourceHas(fact, src)) return `${code(s)} (in \`${funcName(owner)}\`, inlined here)`;
		return code(s);
	}
	const bare = stripInlined(s, src);
	if (/^\.\.\. argument$/.test(bare)) {
		const list = argumentList(fact.pos, src, hintOf(fact));
		return short ? list.replace(/^the argument list of `(.*)`$/, '$1 args').replace(/`/g, '') : list;
	}
	const owner = inlinedOwner(s, fact.pos, src);
	if (/^~r\d+$/.test(bare) || resultOfInlined(fact)) {
		const r = resultOf(fact.pos, src, owner, /^~r\d+$/.test(bare) ? 'result' : nounOf(bare));
		if (!short) return r;
		const call = /`([^`]+)`/.exec(r)?.[1];
		return call ? `${call} result` : r;
	}
	const d = describeExpr(s, fact.pos, src, hintOf(fact));
	return short ? d.replace(/ \((?:in|inlined from) .*\)$/, '') : d;
}

/** Is the value assigned to an inlined function's result right where it is made (`~r0 = string(…)`)? */
function resultOfInlined(fact: EscapeFact): boolean {
	const first = fact.flows[0];
	return !!first && /^(?:[\p{L}_][\p{L}\p{N}_]*\.)?~r\d+$/u.test(first.dst) && first.steps.some((s) => s.reason === 'assign-pair' && /~r\d+(?:, [^=]*)? = /.test(s.expr));
}

function sourceHas(fact: EscapeFact, src: SourceLookup | undefined): boolean {
	const line = src?.line(fact.pos.file, fact.pos.line);
	if (line === undefined) return true;
	const needle = fact.subject.includes('...') ? fact.subject.slice(0, fact.subject.indexOf('...')) : fact.subject;
	return line.includes(needle);
}

function headline(fact: EscapeFact, src: SourceLookup | undefined): string {
	const s = subjectTerm(fact, src);
	switch (fact.kind) {
		case 'moved-to-heap':
			return `${s} is moved to the heap`;
		case 'escapes-to-heap':
			if (fact.subject === 'func literal') return 'this closure (func literal) is allocated on the heap';
			if (fact.subject === 'append') return 'the backing array `append` grows here is allocated on the heap';
			return `${s} escapes to the heap`;
		case 'leaking-param': {
			const to = /^to result (\S+) level=(\d+)/.exec(fact.detail ?? '');
			if (to) return `parameter ${s} leaks to ${resultWords(to[1])}` + (to[2] === '0' ? '' : ` (level ${to[2]}: what it points to)`);
			return `parameter ${s} leaks (it may outlive the call)`;
		}
		case 'leaking-param-content':
			return `what parameter ${s} points to leaks (it may outlive the call)`;
		case 'does-not-escape':
			return `${s} stays on the stack`;
		default: {
			if (fact.detail === 'inlining call') return `the call to ${s} is inlined here`;
			if (fact.detail?.startsWith('cannot inline')) return `${s} cannot be inlined`;
			const cost = /\(cost (\d+)\)/.exec(fact.detail ?? '');
			return `${s} can be inlined` + (cost ? ` (cost ${cost[1]})` : '');
		}
	}
}

/** `~r0` → "the function's result", `~r1` → "the function's result 2", `err` → "result `err`". */
function resultWords(name: string): string {
	const r = /~r(\d+)$/.exec(name);
	if (!r) return `result ${code(name)}`;
	return r[1] === '0' ? "the function's result" : `the function's result ${Number(r[1]) + 1}`;
}

/** For labels: `result`, `result 2`, or the named result. */
function resultName(detail: string | undefined): string | undefined {
	const to = /^to result (\S+)/.exec(detail ?? '')?.[1];
	if (!to) return undefined;
	const r = /~r(\d+)$/.exec(to);
	return r ? (r[1] === '0' ? 'result' : `result ${Number(r[1]) + 1}`) : to;
}

function why(fact: EscapeFact, chains: { cause: EscapeCause; chain: Flow[] }[], src: SourceLookup | undefined, hint: string | undefined): string {
	switch (fact.kind) {
		case 'does-not-escape':
			return 'the compiler proved it does not outlive the call';
		case 'inlining':
			if (fact.detail?.startsWith('cannot inline: ')) return `the compiler says: ${fact.detail.slice('cannot inline: '.length)}`;
			if (fact.detail === 'inlining call') return 'the compiler copied the function body into this call site';
			return "the function's body is within the compiler's inlining budget (80)";
	}
	// Heap facts are told along the chain of their deciding cause; the other paths are named after it.
	const flows = chains.length && chains[0].chain.length ? chains[0].chain : fact.flows;
	const phrases: string[] = [];
	const seen = new Set<string>();
	for (const step of flows.flatMap((f) => f.steps)) {
		const p = stepPhrase(step, fact.pos, src, hint);
		if (!p || seen.has(p)) continue;
		seen.add(p);
		phrases.push(p);
	}
	const end = destination(flows, fact, src, hint);
	const id = chains[0]?.cause.id;
	if (!phrases.length && fact.subject === 'func literal' && (id === 'sent-or-goroutine' || id === 'deferred-in-loop')) {
		phrases.push(id === 'sent-or-goroutine' ? 'a `go` statement runs it as a new goroutine' : 'it is deferred inside a loop');
	}
	let text = phrases.length === 0 ? (end ? `because it flows to ${end}` : 'the compiler printed no reason chain for this fact') : `because ${joinPhrases(phrases)}` + (end ? `, so it flows to ${end}` : '');
	if (chains.length > 1) text += `; also ${joinPhrases(chains.slice(1).map((c) => c.cause.title))}`;
	return text;
}

function allSteps(fact: EscapeFact): FlowStep[] {
	return fact.flows.flatMap((f) => f.steps);
}

/** Where the last flow ends, in words; undefined when it is just another local. */
function destination(flows: readonly Flow[], fact: EscapeFact, src: SourceLookup | undefined, hint?: string): string | undefined {
	const last = flows[flows.length - 1];
	if (!last) return undefined;
	if (last.dst === '{heap}') return 'the heap';
	if (/^(?:[\p{L}_][\p{L}\p{N}_]*\.)?~r\d+$/u.test(last.dst)) return resultWords(last.dst);
	const st = /^\{storage for (.+)\}$/.exec(last.dst);
	// Any other root is a variable that outlives the call itself: a named result, or a variable on the heap.
	if (!st) {
		if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(last.dst)) return undefined;
		if (resultName(fact.detail) === last.dst) return resultWords(last.dst);
		return `\`${last.dst}\`, which outlives the call`;
	}
	if (st[1] === 'func literal') {
		// A `go`/`defer` statement's own closure (it keeps the call's function and arguments).
		const kept = flows.flatMap((f) => f.steps).find((x) => x.reason === 'captured by a closure' && /\.autotmp_\d+/.test(x.expr));
		const kw = kept && statementKeywordAt(kept.pos, src);
		return kw ? `the closure the \`${kw}\` statement runs later` : 'a closure';
	}
	if (st[1] === '... argument') return argumentList(fact.pos, src, hint);
	if (isMethodValue(last.dst)) return `the method value ${describeExpr(st[1], fact.pos, src, hint)}, a closure bound to it`;
	return `the storage of ${describeExpr(st[1], fact.pos, src, hint)}`;
}

function joinPhrases(p: string[]): string {
	if (p.length === 1) return p[0];
	return `${p.slice(0, -1).join(', ')} and ${p[p.length - 1]}`;
}

function shortReason(fact: EscapeFact, src: SourceLookup | undefined): string | undefined {
	if (fact.kind === 'does-not-escape' || fact.kind === 'inlining') return undefined;
	const chains = chainCauses(fact, src);
	const steps = (chains[0]?.chain.length ? chains[0].chain : fact.flows).flatMap((f) => f.steps);
	const has = (r: string) => steps.find((s) => s.reason === r);
	const addr = has('address-of') ? 'address ' : '';
	if (has('too large for stack')) return 'too large for stack';
	if (has('non-constant size')) return 'non-constant size';
	if (has('too aligned for stack')) return 'too aligned for stack';
	if (has('zero-sized element')) return 'zero-sized elements';
	const cause = chains[0]?.cause.id;
	if (cause === 'sent-or-goroutine' && !has('send')) return `${addr}kept by a go statement`;
	if (cause === 'deferred-in-loop') return `${addr}kept by a defer in a loop`;
	if (has('captured by a closure')) return 'captured by a closure';
	const call = [...steps].reverse().find((s) => s.reason === 'call parameter');
	if (call) {
		const callee = calleeOfCall(call.expr);
		const shown = callee && stripInlined(callee, src);
		return shown && !hasInternalNames(shown, src) ? `${addr}passed to ${shown}` : `${addr}passed to a call`;
	}
	if (has('return') || cause === 'returned') return `${addr}returned`;
	if (has('send')) return `${addr}sent on a channel`;
	if (has('interface-converted')) return 'converted to interface';
	if (has('slice-literal-element')) return `${addr}stored in slice literal`;
	if (has('struct literal element')) return `${addr}stored in struct literal`;
	const asg = has('assign') ?? has('assign-pair');
	if (asg) return `${addr}assigned at line ${asg.pos.line}`;
	const dst = destination(chains[0]?.chain.length ? chains[0].chain : fact.flows, fact, src);
	return dst ? `flows to ${plain(dst)}` : undefined;
}

function clip(s: string, max: number): string {
	return s.length <= max ? s : s.slice(0, max - 1) + '…';
}
