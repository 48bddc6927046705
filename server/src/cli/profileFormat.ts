/**
 * The profile join in the CLI's output (pure): costs attached to compiler findings, the hot-spot
 * table (costliest lines with the compiler's reason), and what the profile held that no workspace
 * line took (outside, stale), always said.
 */
import path from 'node:path';
import type { EscapeFact } from '../model';
import { lineIndex, type LineCost, type ProfileJoin } from '../profile/join';
import { costLabel, formatBytes, formatCount, formatShare } from '../profile/units';
import type { Finding } from './analyze';
import { displayPath } from './format';

/** What a compiler finding's line cost in the profile (JSON `profile`, SARIF `properties.profile`). */
export interface FindingCost {
	sampleType: string;
	/** Bytes and objects allocated on the line (directly or in calls into other packages: `own`). */
	bytes: number;
	objects: number;
	/** Of the profile's total of the chosen sample type, 0..1. */
	share: number;
	/** Allocated by the line itself (leaf frame). */
	flatBytes: number;
	flatObjects: number;
}

const HEAP = new Set(['moved-to-heap', 'escapes-to-heap']);

/**
 * Compiler findings with their line's cost; with `minShare` > 0 the compiler findings below it
 * are left out (rule findings always stay). Costliest first, then the others in their order.
 */
export function withCosts(findings: Finding[], join: ProfileJoin, minShare: number): Finding[] {
	const byLine = lineIndex(join);
	const costed: Finding[] = [];
	const rest: Finding[] = [];
	for (const f of findings) {
		if (f.source !== 'compiler') {
			rest.push(f);
			continue;
		}
		const c = byLine.get(`${f.file}\u0000${f.line}`);
		const share = c && join.total.value > 0 ? c.own.value / join.total.value : 0;
		if (minShare > 0 && share < minShare) continue;
		if (!c || c.own.value === 0) {
			rest.push(f);
			continue;
		}
		costed.push({ ...f, profile: { sampleType: join.sampleType, bytes: c.own.bytes, objects: c.own.objects, share, flatBytes: c.flat.bytes, flatObjects: c.flat.objects } });
	}
	costed.sort((a, b) => b.profile!.share - a.profile!.share || b.profile!.bytes - a.profile!.bytes);
	return [...costed, ...rest];
}

/** " · 1.2 MB · 201 allocs · 31 %" after a costed finding's text line. */
export function costSuffix(f: Finding): string {
	return f.profile ? ` · ${costLabel({ value: 0, bytes: f.profile.bytes, objects: f.profile.objects }, f.profile.share)}` : '';
}

/** The compiler's heap reasons on each line: file + NUL + line → messages. */
export function reasonsByLine(facts: readonly Pick<EscapeFact, 'kind' | 'pos' | 'message'>[]): Map<string, string[]> {
	const out = new Map<string, string[]>();
	for (const f of facts) {
		if (!HEAP.has(f.kind)) continue;
		const k = `${f.pos.file}\u0000${f.pos.line}`;
		const list = out.get(k) ?? [];
		if (!list.includes(f.message)) list.push(f.message);
		out.set(k, list);
	}
	return out;
}

function shortFunc(func: string): string {
	return func.slice(func.lastIndexOf('/') + 1);
}

/** The reason column: the compiler's facts, or where a call from this line allocated. */
export function reasonText(l: LineCost, reasons: readonly string[] | undefined): string {
	if (reasons?.length) return reasons.join('; ');
	const c = l.callees[0];
	if (c && l.flat.value < l.own.value) return `no heap fact on this line: allocated in ${shortFunc(c.func)} (${path.basename(c.file)}:${c.line})`;
	return 'no heap fact on this line';
}

function pad(s: string, n: number): string {
	return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function lpad(s: string, n: number): string {
	return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

/** The hot-spot table: the `top` costliest workspace lines, with share, bytes, objects, function and reason. */
export function hotSpotTable(join: ProfileJoin, reasons: Map<string, string[]>, cwd: string, top: number): string {
	const total = join.total.value;
	const rows = join.lines.filter((l) => l.own.value > 0).slice(0, top);
	const out: string[] = [];
	const what = join.unit === 'bytes' ? formatBytes(total) : `${formatCount(total)} objects`;
	out.push(`Costliest lines (${join.sampleType}: ${what} in ${join.samples} samples):`);
	if (!rows.length) out.push('  none: no sample of the profile is on a line of this workspace');
	const locs = rows.map((l) => `${displayPath(l.file, cwd)}:${l.line}`);
	const w = Math.max(8, ...locs.map((s) => s.length));
	out.push(`  ${lpad('share', 7)}  ${lpad('bytes', 9)}  ${lpad('allocs', 8)}  ${pad('line', w)}  ${pad('function', 20)}  compiler`);
	rows.forEach((l, i) => {
		const share = total > 0 ? l.own.value / total : 0;
		out.push(`  ${lpad(formatShare(share), 7)}  ${lpad(formatBytes(l.own.bytes), 9)}  ${lpad(formatCount(l.own.objects), 8)}  ${pad(locs[i], w)}  ${pad(shortFunc(l.func), 20)}  ${reasonText(l, reasons.get(`${l.file}\u0000${l.line}`))}`);
	});
	out.push(...accountingLines(join, cwd));
	return out.join('\n') + '\n';
}

/** What no workspace line took: never dropped silently. */
export function accountingLines(join: ProfileJoin, cwd: string): string[] {
	const total = join.total.value;
	const share = (v: number) => (total > 0 ? formatShare(v / total) : '0 %');
	const out = [`Outside the workspace: ${share(join.outside.value)} (${join.outside.samples} samples with no frame in its modules: the testing package, the runtime, dependencies).`];
	if (join.stale.samples) {
		out.push(`Stale: ${share(join.stale.value)} (${join.stale.samples} samples on lines that no longer match the source; the profile is from another version of the code):`);
		for (const s of join.stale.lines.slice(0, 5)) out.push(`  ${displayPath(s.file, cwd)}:${s.profileLine} ${shortFunc(s.func)}: ${s.reason}`);
	}
	if (join.brokenSamples) out.push(`Malformed: ${join.brokenSamples} samples name locations the profile does not define (their frames are left out).`);
	return out;
}
