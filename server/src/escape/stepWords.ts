/**
 * The compiler's reason steps (`from EXPR (REASON) at POS`) in words, told in source terms
 * (sourceTerms.ts): one phrase per step for explanations, one line per step for lists. Pure.
 */
import path from 'node:path';
import type { FlowStep, GoPos } from '../model';
import { calleeOfCall, statementKeywordAt } from './causes';
import { argumentList, code, describeExpr, funcName, hasInternalNames, inlinedOwner, resultOf, snippet, stripInlined, type SourceLookup } from './sourceTerms';

function where(pos: GoPos, factPos: GoPos): string {
	if (!pos.line) return '';
	return pos.file === factPos.file ? ` at line ${pos.line}` : ` at ${path.basename(pos.file)}:${pos.line}`;
}

/** A step's expression for plain-text lists: the compiler's own when the developer wrote it. */
export function stepText(step: FlowStep, src: SourceLookup | undefined, hint: string | undefined): string {
	if (!hasInternalNames(step.expr, src)) return step.expr + plain(inlinedHere(step.expr, step.pos, src));
	return plain(stepExpr(step, src, hint, Infinity));
}

/** A step's expression in source terms (inline code or words). */
function stepExpr(step: FlowStep, src: SourceLookup | undefined, hint?: string, max = 40): string {
	const e = step.expr;
	if (!hasInternalNames(e, src)) return code(e, max) + inlinedHere(e, step.pos, src);
	if (/^\.\.\. argument$/.test(e) || (step.reason === 'assign-pair' && / :?= .*\.\.\. argument$/.test(e))) return argumentList(step.pos, src, hint);
	const goDefer = statementKeyword(step, src);
	if (goDefer && /\.autotmp_\d+/.test(e)) {
		const stmt = src?.line(step.pos.file, step.pos.line)?.trim().replace(/\s*\{$/, '') ?? goDefer;
		return `what the \`${goDefer}\` statement keeps for later (${code(stmt)})`;
	}
	if (step.reason === 'assign-pair' && /^(?:[\p{L}_][\p{L}\p{N}_]*\.)?~r\d+(?:, [^=]*)? = /u.test(e)) return resultOf(step.pos, src, inlinedOwner(e, step.pos, src));
	if (step.reason === 'call parameter') {
		const callee = calleeOfCall(e);
		if (callee) {
			const owner = inlinedOwner(e, step.pos, src);
			const shown = stripInlined(callee, src);
			const s = snippet(step.pos, src);
			const note = owner && funcName(owner) !== shown ? ` (in \`${funcName(owner)}\`, inlined${s?.kind === 'call' ? ` at \`${s.text}\`` : ''})` : '';
			if (!hasInternalNames(shown, src)) return `a call to \`${shown}\`${note}`;
		}
	}
	return describeExpr(e, step.pos, src, hint);
}

/** " (in `F`, inlined)" for an expression of an inlined body the line does not spell (`t := &t` of an inlined `remember(&t)`). */
function inlinedHere(expr: string, pos: GoPos, src: SourceLookup | undefined): string {
	const owner = inlinedOwner(expr, pos, src);
	if (!owner) return '';
	const line = src?.line(pos.file, pos.line);
	// The compiler prints with its own spacing (`buf[:n / 2]`): compare without spaces.
	if (line === undefined || line.replace(/\s+/g, '').includes(expr.replace(/\s+/g, ''))) return '';
	return ` (in \`${funcName(owner)}\`, inlined)`;
}

function statementKeyword(step: FlowStep, src: SourceLookup | undefined): 'go' | 'defer' | undefined {
	return statementKeywordAt(step.pos, src);
}

export function stepPhrase(step: FlowStep, factPos: GoPos, src: SourceLookup | undefined, hint?: string): string | undefined {
	const at = where(step.pos, factPos);
	const e = () => stepExpr(step, src, hint);
	switch (step.reason) {
		case 'spill':
		case 'reference':
			return undefined; // bookkeeping steps: no information for the reader
		case 'address-of':
			return `its address is taken (${e()})${at}`;
		case 'interface-converted':
			return `it is converted to an interface${at}`;
		case 'call parameter': {
			const callee = calleeOfCall(step.expr);
			if (!callee) return `it is passed as a call argument${at}`;
			const shown = stripInlined(callee, src);
			if (hasInternalNames(shown, src)) return `it is passed to ${e()}${at}`;
			const owner = inlinedOwner(step.expr, step.pos, src);
			const note = owner && funcName(owner) !== shown ? ` (in \`${funcName(owner)}\`, inlined)` : '';
			return `it is passed to \`${clip(shown, 40)}\`${note}${at}`;
		}
		case 'return':
			return `it is returned${at}`;
		case 'assign':
		case 'assign-pair': {
			if (/\.\.\. argument/.test(step.expr)) return `it is put in ${argumentList(step.pos, src, hint)}${at}`;
			const kw = /\.autotmp_\d+/.test(step.expr) ? statementKeyword(step, src) : undefined;
			if (kw) return `the \`${kw}\` statement keeps it for later${at}`;
			if (/^(?:[\p{L}_][\p{L}\p{N}_]*\.)?~r\d+(?:, [^=]*)? = /u.test(step.expr)) return `it becomes ${resultOf(step.pos, src, inlinedOwner(step.expr, step.pos, src))}${at}`;
			const lhs = /^([\p{L}_][\p{L}\p{N}_.]*) :?= /u.exec(step.expr)?.[1];
			if (lhs && hasInternalNames(step.expr, src) && !hasInternalNames(lhs, src)) return `it is assigned to \`${lhs}\`${at}`;
			return `it is assigned (${e()})${at}`;
		}
		case 'captured by a closure': {
			const kw = /\.autotmp_\d+/.test(step.expr) ? statementKeyword(step, src) : undefined;
			if (kw) return `the \`${kw}\` statement keeps it for later${at}`;
			return `it is captured by a closure${at}`;
		}
		case 'too large for stack':
			return 'it is too large for the stack';
		case 'non-constant size':
			return 'its size is not a compile-time constant';
		case 'too aligned for stack':
			return 'its alignment is larger than the stack allows';
		case 'zero-sized element':
			return 'its elements are zero-sized (the compiler does not stack-allocate these)';
		case 'slice-literal-element':
			if (/^\.\.\. argument$/.test(step.expr)) return `it is put in ${argumentList(step.pos, src, hint)}${at}`;
			return `it is stored in a slice literal${at}`;
		case 'struct literal element':
			return `it is stored in a struct literal${at}`;
		case 'range-deref':
			return `it is read out of a range loop${at}`;
		case 'dot of pointer':
			return `it is reached through a pointer (${e()})${at}`;
		case 'indirection':
			return `it is dereferenced (${e()})${at}`;
		case 'dot':
			return `it is a field of ${e()}${at}`;
		case 'slice':
			return `it is sliced (${e()})${at}`;
		case 'fixed-array-index-of':
			return `it is an element of ${e()}${at}`;
		case 'send':
			return `it is sent on a channel (${e()})${at}`;
		case 'key of map put':
			return `it is used as a map key (${e()})${at}`;
		case 'map literal key':
		case 'map literal value':
		case 'array literal element':
			return `it is stored in a ${step.reason.replace(/ (key|value|element)$/, '')}${at}`;
		case 'assign-pair-dot-type':
		case 'switch case':
			return `it goes through a type assertion (${e()})${at}`;
		case 'assign-pair-receive':
			return `it is received from a channel (${e()})${at}`;
		case 'assign-pair-mapr':
			return `it is read from a map (${e()})${at}`;
		case 'appendee slice':
		case 'copied slice':
		case 'appended slice...':
			return `its elements are passed to \`${step.reason === 'copied slice' ? 'copy' : 'append'}\`${at}`;
		case 'callee operand':
			return `it is called as a function value${at}`;
		default:
			return `${step.reason} (${e()})${at}`;
	}
}

/** Inline code marks dropped, for plain-text places (labels, related information). */
export function plain(s: string): string {
	return s.replace(/`` | ``|`/g, '');
}

function clip(s: string, max: number): string {
	return s.length <= max ? s : s.slice(0, max - 1) + '…';
}
