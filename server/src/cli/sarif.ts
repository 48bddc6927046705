/**
 * SARIF 2.1.0 output (node-sarif-builder). SARIF columns are UTF-16 code units by default and it
 * has no byte unit, so regions carry UTF-16 columns (`columnKind: utf16CodeUnits` on the run) and
 * each result keeps Go's byte columns in `properties.goByteColumn`/`goByteEndColumn`.
 */
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import type { Location, Result } from 'sarif';
import { pathToFileURL } from 'node:url';
import type { EscapeKind, Severity } from '../model';
import { ALL_RULES } from '../rules/index';
import { escapeDocUri, ruleDocUri } from '../report/docsLinks';
import type { Finding, FlowEntry } from './analyze';
import { displayPath } from './format';

/** What each compiler fact kind means (the compiler's decision, not advice). */
export const ESCAPE_KIND_DOCS: Record<EscapeKind, { short: string; full: string }> = {
	'moved-to-heap': {
		short: 'The compiler moved a variable to the heap.',
		full: 'go build -gcflags=-m printed "moved to heap: X": the variable outlives its stack frame (its address escapes), so it is allocated on the heap.',
	},
	'escapes-to-heap': {
		short: 'The compiler allocates a value on the heap.',
		full: 'go build -gcflags=-m printed "X escapes to heap": the value (an allocation, a closure, an interface conversion) flows somewhere that outlives the stack frame.',
	},
	'leaking-param': {
		short: 'A parameter leaks out of its function.',
		full: 'go build -gcflags=-m printed "leaking param: p": the pointer passed in flows somewhere that may outlive the call: the heap, or one of the function\'s results ("to result" and the result), in which case what happens to the pointee depends on what the caller does with that result.',
	},
	'leaking-param-content': {
		short: "What a parameter points to leaks out of its function.",
		full: 'go build -gcflags=-m printed "leaking param content: p": the values the parameter points to may be kept after the call.',
	},
	'does-not-escape': {
		short: 'The value stays on the stack.',
		full: 'go build -gcflags=-m printed "X does not escape": the compiler proved the value does not outlive the call.',
	},
	inlining: {
		short: 'An inlining decision of the compiler.',
		full: 'go build -gcflags=-m printed an inlining decision ("can inline", "inlining call to", "cannot inline").',
	},
};

function level(s: Severity): Result.level {
	return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}

function location(file: string, line: number, col16: number, cwd: string, endLine?: number, endCol16?: number, message?: string): Location {
	return {
		physicalLocation: {
			artifactLocation: { uri: displayPath(file, cwd), uriBaseId: '%SRCROOT%' },
			region: { startLine: line, startColumn: col16, ...(endLine ? { endLine, endColumn: endCol16 } : {}) },
		},
		...(message ? { message: { text: message } } : {}),
	};
}

function flowLocation(s: FlowEntry, cwd: string): Location {
	return location(s.file, s.line, s.column16, cwd, undefined, undefined, s.message);
}

/** The SARIF log for `findings`; paths relative to `cwd` (%SRCROOT%). */
export function toSarif(findings: Finding[], cwd: string, version: string): object {
	const run = new SarifRunBuilder().initSimple({ toolDriverName: 'memlens', toolDriverVersion: version });
	const used = new Set(findings.map((f) => f.rule));
	for (const [kind, doc] of Object.entries(ESCAPE_KIND_DOCS)) {
		if (!used.has(kind)) continue;
		const r = new SarifRuleBuilder().initSimple({ ruleId: kind, shortDescriptionText: doc.short, fullDescriptionText: doc.full, helpUri: escapeDocUri(kind) });
		r.rule.help = { text: doc.full };
		r.rule.properties = { source: 'compiler' };
		run.addRule(r);
	}
	for (const rule of ALL_RULES) {
		// A rule still without its summary is named by its id rather than left blank.
		const summary = rule.doc.summary || `Memory pattern rule ${rule.id}.`;
		const r = new SarifRuleBuilder().initSimple({ ruleId: rule.id, shortDescriptionText: summary, fullDescriptionText: summary, helpUri: ruleDocUri(rule.id) });
		r.rule.help = { text: `${summary} Suppress one finding with //memlens:ignore ${rule.id} <reason>.` };
		r.rule.defaultConfiguration = { level: level(rule.doc.severity) };
		r.rule.properties = { source: 'syntax', usesEscapeAnalysis: rule.doc.usesEscape };
		run.addRule(r);
	}
	for (const f of findings) {
		const b = new SarifResultBuilder().initSimple({ level: level(f.severity), messageText: f.message, ruleId: f.rule });
		const res = b.result;
		res.locations = [location(f.file, f.line, f.column16, cwd, f.endLine, f.endColumn16)];
		res.properties = {
			severity: f.severity,
			source: f.source,
			goByteColumn: f.column,
			goByteEndColumn: f.endColumn,
			...(f.compiler !== undefined ? { compilerMessage: f.compiler } : {}),
			...(f.cause ? { cause: f.cause } : {}),
			...(f.profile ? { profile: f.profile } : {}),
		};
		if (f.flow.length && f.source === 'compiler') {
			res.codeFlows = [{ message: { text: "the compiler's reason chain (-gcflags=-m=2)" }, threadFlows: [{ locations: f.flow.map((s) => ({ location: flowLocation(s, cwd) })) }] }];
		} else if (f.flow.length) {
			res.relatedLocations = f.flow.map((s, i) => ({ id: i, ...flowLocation(s, cwd) }));
		}
		run.addResult(b);
	}
	const log = new SarifBuilder();
	log.addRun(run);
	const out = log.buildSarifOutput();
	const r0 = out.runs[0];
	r0.columnKind = 'utf16CodeUnits';
	r0.originalUriBaseIds = { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith('/') ? cwd : cwd + '/').href } };
	r0.properties = { columnUnit: 'region columns are 1-based UTF-16 code units (columnKind); Go byte columns are in result.properties.goByteColumn' };
	return out;
}
