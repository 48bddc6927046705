/**
 * Plain-words explanations of compiler facts. Pure: everything said here is read off the fact and
 * the reason chain the compiler printed (`-m=2`); nothing is guessed from the source.
 */
import path from 'node:path';
import type { EscapeFact, FlowStep, GoPos } from '../model';

/** What a hover or a diagnostic says about one fact. */
export interface FactExplanation {
	/** e.g. "`buf` is moved to the heap". */
	headline: string;
	/** e.g. "because its address is taken (`&buf`) at line 13 and passed to `(*sync.Pool).Put` at line 13". */
	why: string;
	/** The compiler's steps, one line each, with their positions. */
	steps: { text: string; pos: GoPos }[];
}

const MAX_LABEL = 60;

/** Explains a fact in plain words, from the compiler's own reasons. */
export function explainFact(fact: EscapeFact): FactExplanation {
	const steps = allSteps(fact).map((s) => ({ text: `${s.reason}: ${s.expr}`, pos: s.pos }));
	return { headline: headline(fact), why: why(fact), steps };
}

/** A short end-of-line label (≤ 60 chars), e.g. "heap: buf — address passed to (*sync.Pool).Put". */
export function shortLabel(fact: EscapeFact): string {
	const subject = clip(fact.subject, 24);
	let head: string;
	switch (fact.kind) {
		case 'moved-to-heap':
		case 'escapes-to-heap':
			head = `heap: ${subject}`;
			break;
		case 'leaking-param': {
			const to = /^to result (\S+)/.exec(fact.detail ?? '')?.[1];
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
	const reason = shortReason(fact);
	return clip(reason ? `${head} — ${reason}` : head, MAX_LABEL);
}

function headline(fact: EscapeFact): string {
	const s = '`' + fact.subject + '`';
	switch (fact.kind) {
		case 'moved-to-heap':
			return `${s} is moved to the heap`;
		case 'escapes-to-heap':
			if (fact.subject === 'func literal') return 'this closure (func literal) is allocated on the heap';
			if (fact.subject === 'append') return 'the backing array `append` grows here is allocated on the heap';
			return `${s} escapes to the heap (heap-allocated)`;
		case 'leaking-param': {
			const to = /^to result (\S+) level=(\d+)/.exec(fact.detail ?? '');
			if (to) return `parameter ${s} leaks to result ${to[1]}` + (to[2] === '0' ? '' : ` (level ${to[2]}: what it points to)`);
			return `parameter ${s} leaks (it may outlive the call)`;
		}
		case 'leaking-param-content':
			return `what parameter ${s} points to leaks (it may outlive the call)`;
		case 'does-not-escape':
			return `${s} stays on the stack`;
		default:
			if (fact.detail === 'inlining call') return `the call to ${s} is inlined here`;
			if (fact.detail?.startsWith('cannot inline')) return `${s} cannot be inlined`;
			return `${s} can be inlined` + (/\(cost (\d+)\)/.exec(fact.detail ?? '') ? ` (cost ${/\(cost (\d+)\)/.exec(fact.detail ?? '')![1]})` : '');
	}
}

function why(fact: EscapeFact): string {
	switch (fact.kind) {
		case 'does-not-escape':
			return 'the compiler proved it does not outlive the call';
		case 'inlining':
			if (fact.detail?.startsWith('cannot inline: ')) return `the compiler says: ${fact.detail.slice('cannot inline: '.length)}`;
			if (fact.detail === 'inlining call') return 'the compiler copied the function body into this call site';
			return "the function's body is within the compiler's inlining budget (80)";
	}
	const phrases: string[] = [];
	const seen = new Set<string>();
	for (const step of allSteps(fact)) {
		const p = stepPhrase(step, fact.pos);
		if (!p || seen.has(p)) continue;
		seen.add(p);
		phrases.push(p);
	}
	const end = destination(fact);
	if (phrases.length === 0) {
		return end ? `because it flows to ${end}` : 'the compiler printed no reason chain for this fact';
	}
	return `because ${joinPhrases(phrases)}` + (end ? `, so it flows to ${end}` : '');
}

function allSteps(fact: EscapeFact): FlowStep[] {
	return fact.flows.flatMap((f) => f.steps);
}

/** Where the last flow ends, in words; undefined when it is just another local. */
function destination(fact: EscapeFact): string | undefined {
	const last = fact.flows[fact.flows.length - 1];
	if (!last) return undefined;
	if (last.dst === '{heap}') return 'the heap';
	const r = /^~r(\d+)$/.exec(last.dst);
	if (r) return `result ${r[1]} of the function`;
	const st = /^\{storage for (.+)\}$/.exec(last.dst);
	if (st) return st[1] === 'func literal' ? 'a closure' : `the storage of \`${st[1]}\``;
	return undefined;
}

function where(pos: GoPos, factPos: GoPos): string {
	if (!pos.line) return '';
	return pos.file === factPos.file ? ` at line ${pos.line}` : ` at ${path.basename(pos.file)}:${pos.line}`;
}

function stepPhrase(step: FlowStep, factPos: GoPos): string | undefined {
	const at = where(step.pos, factPos);
	const e = '`' + clip(step.expr, 40) + '`';
	switch (step.reason) {
		case 'spill':
		case 'reference':
			return undefined; // bookkeeping steps: no information for the reader
		case 'address-of':
			return `its address is taken (${e})${at}`;
		case 'interface-converted':
			return `it is converted to an interface${at}`;
		case 'call parameter': {
			const callee = calleeOf(step.expr);
			return callee ? `it is passed to \`${clip(callee, 40)}\`${at}` : `it is passed as a call argument${at}`;
		}
		case 'return':
			return `it is returned${at}`;
		case 'assign':
		case 'assign-pair':
			return `it is assigned (${e})${at}`;
		case 'captured by a closure':
			return `it is captured by a closure${at}`;
		case 'too large for stack':
			return 'it is too large for the stack';
		case 'non-constant size':
			return 'its size is not a compile-time constant';
		case 'too aligned for stack':
			return 'its alignment is larger than the stack allows';
		case 'zero-sized element':
			return 'its elements are zero-sized (the compiler does not stack-allocate these)';
		case 'slice-literal-element':
			return `it is stored in a slice literal${at}`;
		case 'struct literal element':
			return `it is stored in a struct literal${at}`;
		case 'range-deref':
			return `it is read out of a range loop${at}`;
		case 'dot of pointer':
			return `it is reached through a pointer (${e})${at}`;
		case 'indirection':
			return `it is dereferenced (${e})${at}`;
		default:
			return `${step.reason} (${e})${at}`;
	}
}

function joinPhrases(p: string[]): string {
	if (p.length === 1) return p[0];
	return `${p.slice(0, -1).join(', ')} and ${p[p.length - 1]}`;
}

/** `(*sync.Pool).Put(pool, &buf)` → `(*sync.Pool).Put`. */
function calleeOf(expr: string): string | undefined {
	if (!expr.endsWith(')')) return undefined;
	let depth = 0;
	for (let i = expr.length - 1; i >= 0; i--) {
		const c = expr[i];
		if (c === ')') depth++;
		else if (c === '(') {
			depth--;
			if (depth === 0) return i > 0 ? expr.slice(0, i) : undefined;
		}
	}
	return undefined;
}

function shortReason(fact: EscapeFact): string | undefined {
	if (fact.kind === 'does-not-escape' || fact.kind === 'inlining') return undefined;
	const steps = allSteps(fact);
	const has = (r: string) => steps.find((s) => s.reason === r);
	const addr = has('address-of') ? 'address ' : '';
	if (has('too large for stack')) return 'too large for stack';
	if (has('non-constant size')) return 'non-constant size';
	if (has('too aligned for stack')) return 'too aligned for stack';
	if (has('zero-sized element')) return 'zero-sized elements';
	if (has('captured by a closure')) return 'captured by a closure';
	const call = has('call parameter');
	if (call) {
		const callee = calleeOf(call.expr);
		return callee ? `${addr}passed to ${callee}` : `${addr}passed to a call`;
	}
	if (has('return')) return `${addr}returned`;
	if (has('interface-converted')) return 'converted to interface';
	if (has('slice-literal-element')) return `${addr}stored in slice literal`;
	if (has('struct literal element')) return `${addr}stored in struct literal`;
	const asg = has('assign') ?? has('assign-pair');
	if (asg) return `${addr}assigned at line ${asg.pos.line}`;
	const dst = destination(fact);
	return dst ? `flows to ${dst.replace(/`/g, '')}` : undefined;
}

function clip(s: string, max: number): string {
	return s.length <= max ? s : s.slice(0, max - 1) + '…';
}
