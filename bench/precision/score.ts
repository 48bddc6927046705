/** The precision bench's pure part: labels in, findings matched to them by (repo, file, line, rule). */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { discover } from '../../server/src/cli/discover';

export interface Label {
	repo: string;
	/** Relative to the module root (GOROOT: to $GOROOT/src), `/`-separated. */
	file: string;
	line: number;
	rule: string;
	verdict: 'tp' | 'fp';
	reason: string;
	/** The trimmed source line at `line` when judged. */
	text: string;
}

export interface ScoredFinding {
	rule: string;
	file: string;
	line: number;
	severity: string;
	message: string;
}

export interface Scored {
	repo: string;
	/** Relative to the tree's root, `/`-separated. */
	file: string;
	finding: ScoredFinding;
	label?: Label;
	verdict?: 'tp' | 'fp';
	/** The label's text no longer matches the source line. */
	stale?: boolean;
}

export const labelKey = (repo: string, file: string, line: number, rule: string): string => `${repo}|${file}|${line}|${rule}`;

/** Every labels/*.json file (arrays of Label), keyed for lookup; a duplicate key keeps the last. */
export function loadLabels(dir: string): Map<string, Label> {
	const out = new Map<string, Label>();
	for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
		const arr = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Label[];
		for (const l of arr) {
			if (l.verdict !== 'tp' && l.verdict !== 'fp') throw new Error(`${name}: verdict must be tp or fp: ${JSON.stringify(l)}`);
			out.set(labelKey(l.repo, l.file, l.line, l.rule), l);
		}
	}
	return out;
}

/** The .go files `memlens check DIR` runs the syntax rules on. */
export function goFiles(dir: string): string[] {
	return discover(['.'], dir).units.flatMap((u) => u.files);
}

/**
 * Matches findings of one tree (CLI JSON: `file` relative to `root`, where the CLI ran) to labels.
 * Source lines are read to flag labels whose text no longer matches.
 */
export function score(repo: string, root: string, findings: readonly ScoredFinding[], labels: ReadonlyMap<string, Label>): Scored[] {
	const texts = new Map<string, string[]>();
	const lineOf = (file: string, line: number): string | undefined => {
		if (!texts.has(file)) {
			try {
				texts.set(file, readFileSync(path.join(root, file), 'utf8').split('\n'));
			} catch {
				texts.set(file, []);
			}
		}
		return texts.get(file)![line - 1]?.trim();
	};
	return findings.map((f) => {
		const file = f.file.split(path.sep).join('/');
		const label = labels.get(labelKey(repo, file, f.line, f.rule));
		if (!label) return { repo, file, finding: f };
		const text = lineOf(file, f.line);
		return { repo, file, finding: f, label, verdict: label.verdict, stale: text !== undefined && label.text !== undefined && text !== label.text.trim() };
	});
}
