/**
 * Where the memory behind a sub-slice comes from, for subslice-retention, and how much we know
 * about it: a local variable holding a whole read (`os.ReadFile`, `io.ReadAll`), a local
 * `bytes.Buffer`'s contents or a constant-size `make([]byte, N ≥ 4096)` (large and owned by this
 * call); a parameter (the caller's buffer, size unknown); a field reached from a parameter or from
 * the receiver (an object that holds the buffer). Names are never evidence: only how the value
 * was made.
 */
import type { Node } from '../../syntax/mirror';
import { callArgs, calleeName, enclosingFunction } from '../shared/ast';
import { type Binding, declaredInBody, usesOf } from '../shared/bindings';
import { localDeclarationOf } from '../shared/declarations';
import { rootIdent, type FlowEnv } from './subsliceFlow';

export type Kind = 'bytes' | 'string';

/**
 * `large`: a local the function filled with a whole read, buffer or big make.
 * `param`: a parameter of unknown size (the caller owns it).
 * `held`: the receiver or one of its fields (a block the object holds).
 * `paramField`: a field of a non-receiver parameter.
 */
export type Level = 'large' | 'param' | 'held' | 'paramField';

export interface Source {
	level: Level;
	kind: Kind;
	/** For the message. */
	why: string;
	/** The local or parameter named by the operand (large, param). */
	binding?: Binding;
	/** The receiver or parameter that holds the memory (param, held, paramField). */
	owner?: Binding;
}

export interface SourceEnv extends FlowEnv {
	/** Same-file struct fields of type string or []byte: name → kind (null when declared with both). */
	fields: ReadonlyMap<string, Kind | null>;
	/** Package-level constants of the file: name → value expression. */
	consts: ReadonlyMap<string, Node>;
}

const WHOLE_READS = /^(os\.ReadFile|ioutil\.ReadFile|io\.ReadAll|ioutil\.ReadAll)$/;
const LARGE_MAKE = 4096;
const BUFFER_CTORS = /^(bytes\.NewBuffer|bytes\.NewBufferString|new)$/;

export function typeKind(t: Node | null | undefined): Kind | undefined {
	if (!t) return undefined;
	if (t.type === 'type_identifier' && t.text === 'string') return 'string';
	if (t.type === 'slice_type' && t.childForFieldName('element')?.text === 'byte') return 'bytes';
	return undefined;
}

/** The value of a constant integer expression (literals, + - * / << >>, named constants), if known. */
export function constInt(n: Node | null | undefined, env: SourceEnv, depth = 0): number | undefined {
	if (!n || depth > 4) return undefined;
	switch (n.type) {
		case 'int_literal': {
			const t = n.text.replaceAll('_', '').toLowerCase();
			const v = /^0[0-7]+$/.test(t) ? parseInt(t.slice(1), 8) : t.startsWith('0o') ? parseInt(t.slice(2), 8) : t.startsWith('0b') ? parseInt(t.slice(2), 2) : Number(t);
			return Number.isFinite(v) ? v : undefined;
		}
		case 'parenthesized_expression':
			return constInt(n.namedChild(0), env, depth + 1);
		case 'binary_expression': {
			const a = constInt(n.childForFieldName('left'), env, depth + 1);
			const b = constInt(n.childForFieldName('right'), env, depth + 1);
			if (a === undefined || b === undefined) return undefined;
			switch (n.childForFieldName('operator')?.text) {
				case '+': return a + b;
				case '-': return a - b;
				case '*': return a * b;
				case '/': return b ? Math.trunc(a / b) : undefined;
				case '<<': return b < 63 ? a * 2 ** b : undefined;
				case '>>': return Math.trunc(a / 2 ** b);
				default: return undefined;
			}
		}
		case 'identifier': {
			const b = localDeclarationOf(n);
			if (b) return b.decl.type === 'const_spec' ? constInt(b.value, env, depth + 1) : undefined;
			return constInt(env.consts.get(n.text), env, depth + 1);
		}
		default:
			return undefined;
	}
}

function isBytesBuffer(b: Binding | undefined): boolean {
	if (!b || !declaredInBody(b)) return false;
	if (b.type) return b.type.text === 'bytes.Buffer';
	const v = b.value;
	if (!v) return false;
	if (v.type === 'composite_literal') return v.childForFieldName('type')?.text === 'bytes.Buffer';
	if (v.type === 'unary_expression') return v.childForFieldName('operand')?.childForFieldName('type')?.text === 'bytes.Buffer';
	if (v.type !== 'call_expression' || !BUFFER_CTORS.test(calleeName(v) ?? '')) return false;
	return calleeName(v) !== 'new' || callArgs(v)[0]?.text === 'bytes.Buffer';
}

/** Why `v` is a large buffer this call made, if it is. */
function largeValue(v: Node, env: SourceEnv, depth: number): { kind: Kind; why: string } | undefined {
	if (v.type !== 'call_expression' || depth > 3) return undefined;
	const name = calleeName(v) ?? '';
	const args = callArgs(v);
	if (WHOLE_READS.test(name)) return { kind: 'bytes', why: `everything \`${name}\` read` };
	if (name === 'make' && args[0]?.type === 'slice_type' && args[0].childForFieldName('element')?.text === 'byte') {
		const n = Math.max(0, ...args.slice(1).map((a) => constInt(a, env) ?? 0));
		return n >= LARGE_MAKE ? { kind: 'bytes', why: `a ${n}-byte buffer` } : undefined;
	}
	const fn = v.childForFieldName('function');
	if (fn?.type === 'selector_expression' && fn.childForFieldName('field')?.text === 'Bytes' && args.length === 0) {
		const x = fn.childForFieldName('operand');
		if (x?.type === 'identifier' && isBytesBuffer(localDeclarationOf(x))) return { kind: 'bytes', why: `the whole contents of the \`bytes.Buffer\` \`${x.text}\`` };
	}
	if (name === 'string' && args.length === 1 && args[0].type === 'identifier') {
		const inner = largeLocal(localDeclarationOf(args[0]), env, depth + 1);
		if (inner?.kind === 'bytes') return { kind: 'string', why: `a string copy of ${inner.why}` };
	}
	return undefined;
}

/** The large buffer a local holds, when every value it is given is one (or a piece of itself). */
export function largeLocal(b: Binding | undefined, env: SourceEnv, depth = 0): { kind: Kind; why: string } | undefined {
	if (!b || !declaredInBody(b) || b.decl.type === 'const_spec') return undefined;
	// `data, err := os.ReadFile(p)`: the buffer is the first result.
	const firstName = b.decl.type === 'var_spec' ? b.decl.childrenForFieldName('name')[0] : b.decl.childForFieldName('left')?.namedChild(0);
	const v = b.value ?? (b.multiValue && firstName?.equals(b.id) ? b.multiValue : undefined);
	const r = v && largeValue(v, env, depth);
	if (!r) return undefined;
	for (const use of usesOf(b)) {
		const rhs = assignedValue(use);
		if (rhs === undefined) continue;
		if (rhs && (rootIdent(rhs)?.text === b.name || (rhs.type === 'call_expression' && calleeName(rhs) === 'append' && callArgs(rhs)[0]?.text === b.name))) continue;
		if (rhs && largeValue(rhs, env, depth + 1)) continue;
		return undefined;
	}
	return r;
}

/**
 * When `id` is assigned to as a whole (`id = rhs`, `id, err = f()`), the value it gets (null when
 * it is one result of a multi-value call); undefined when `id` is only read here.
 */
export function assignedValue(id: Node): Node | null | undefined {
	const list = id.parent;
	const st = list?.parent;
	if (list?.type !== 'expression_list' || !st || !['assignment_statement', 'short_var_declaration'].includes(st.type)) return undefined;
	const left = st.childForFieldName('left');
	if (!left?.equals(list)) return undefined;
	const rhs = st.childForFieldName('right')?.namedChildren ?? [];
	if (rhs.length !== list.namedChildCount) return rhs.length === 1 && rhs[0]?.type === 'call_expression' ? rhs[0] : null;
	return rhs[list.namedChildren.findIndex((n) => n?.equals(id))] ?? null;
}

/** The memory behind a slice operand and what we know about it. */
export function sourceOf(operand: Node, env: SourceEnv): Source | undefined {
	if (operand.type === 'parenthesized_expression') return operand.namedChild(0) ? sourceOf(operand.namedChild(0)!, env) : undefined;
	if (operand.type === 'identifier') {
		const b = localDeclarationOf(operand);
		if (!b) return undefined;
		if (declaredInBody(b)) {
			// A buffer captured from an enclosing function is held by the closure, not made by this call.
			if (!enclosingFunction(b.decl)?.equals(enclosingFunction(operand)!)) return undefined;
			const big = largeLocal(b, env);
			return big && { level: 'large', kind: big.kind, why: `\`${b.name}\` (${big.why})`, binding: b };
		}
		const kind = typeKind(b.type);
		if (!kind) return undefined;
		if (b.kind === 'param') return { level: 'param', kind, why: `the parameter \`${b.name}\` (its size is unknown here)`, binding: b, owner: b };
		if (b.kind === 'receiver') return { level: 'held', kind, why: `the receiver \`${b.name}\``, owner: b };
		return undefined;
	}
	if (operand.type === 'selector_expression') {
		const kind = env.fields.get(operand.childForFieldName('field')?.text ?? '');
		const r = rootIdent(operand);
		const b = r && localDeclarationOf(r);
		if (!kind || !b) return undefined;
		if (b.kind === 'receiver') return { level: 'held', kind, why: `the field \`${operand.text}\` of the receiver`, owner: b };
		if (b.kind === 'param') return { level: 'paramField', kind, why: `the field \`${operand.text}\` of the parameter \`${b.name}\``, owner: b };
	}
	return undefined;
}
