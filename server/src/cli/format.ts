/** Text and JSON output of `memlens check` (pure: findings in, string out). */
import path from 'node:path';
import type { Severity } from '../model';
import type { Finding } from './analyze';
import { costSuffix, type FindingCost } from './profileFormat';
import type { CauseId } from '../escape/causes';

/** The `--format json` document: exactly one object, version 1. */
export interface JsonReport {
	version: 1;
	findings: {
		rule: string;
		file: string;
		line: number;
		column: number;
		endLine: number;
		endColumn: number;
		severity: Severity;
		message: string;
		source: 'compiler' | 'syntax';
		flow: { message: string; file: string; line: number; column: number }[];
		/** With `--profile`: the line's measured cost (compiler facts only). */
		profile?: FindingCost;
		/** Compiler findings: the compiler's own line (`message` tells it in source terms). */
		compiler?: string;
		/** Heap facts (moved-to-heap, escapes-to-heap): the cause id (docs/escape/causes.md). */
		cause?: CauseId;
	}[];
}

/** Path as shown to the user: relative to `cwd`, with forward slashes. */
export function displayPath(file: string, cwd: string): string {
	return displayPathOf(file, cwd);
}

function displayPathOf(file: string, cwd: string): string {
	const rel = path.relative(cwd, file) || path.basename(file);
	return rel.split(path.sep).join('/');
}

export function toJson(findings: Finding[], cwd: string): JsonReport {
	// std's 24,000 findings name ~2,000 files some 150,000 times: each made relative once.
	const shown = new Map<string, string>();
	const displayPath = (file: string, base: string) => {
		let d = shown.get(file);
		if (d === undefined) shown.set(file, (d = displayPathOf(file, base)));
		return d;
	};
	return {
		version: 1,
		findings: findings.map((f) => ({
			rule: f.rule,
			file: displayPath(f.file, cwd),
			line: f.line,
			column: f.column,
			endLine: f.endLine,
			endColumn: f.endColumn,
			severity: f.severity,
			message: f.message,
			source: f.source,
			flow: f.flow.map((s) => ({ message: s.message, file: displayPath(s.file, cwd), line: s.line, column: s.column })),
			...(f.profile ? { profile: f.profile } : {}),
			...(f.compiler !== undefined ? { compiler: f.compiler } : {}),
			...(f.cause ? { cause: f.cause } : {}),
		})),
	};
}

export function formatJson(findings: Finding[], cwd: string): string {
	return JSON.stringify(toJson(findings, cwd), null, 2) + '\n';
}

const ORDER: Severity[] = ['error', 'warning', 'information', 'hint'];

/** `file:line:col: severity: message [rule]`, flow steps indented, then a summary line. */
export function formatText(findings: Finding[], cwd: string, summary: { files: number; packages: number }): string {
	const out: string[] = [];
	for (const f of findings) {
		out.push(`${displayPath(f.file, cwd)}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.rule}${f.cause ? `, cause: ${f.cause}` : ''}]${costSuffix(f)}`);
		for (const s of f.flow) out.push(`    ${displayPath(s.file, cwd)}:${s.line}:${s.column}: ${s.message}`);
	}
	const counts = ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
	const by = counts.length ? ` (${counts.map(([s, n]) => `${n} ${s}`).join(', ')})` : '';
	const n = findings.length;
	out.push(`${n} finding${n === 1 ? '' : 's'}${by} in ${summary.files} file${summary.files === 1 ? '' : 's'}, ${summary.packages} package${summary.packages === 1 ? '' : 's'}`);
	return out.join('\n') + '\n';
}

/** Does any finding reach the `--fail-on` threshold? */
export function failsOn(findings: Finding[], failOn: Severity | 'none'): boolean {
	if (failOn === 'none') return false;
	const limit = ORDER.indexOf(failOn);
	return findings.some((f) => ORDER.indexOf(f.severity) <= limit);
}
