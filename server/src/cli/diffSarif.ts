/**
 * SARIF for `memlens diff`: one result per new or changed fact, at HEAD, built by the same code as
 * `memlens check --format sarif`; `baselineState` says `new` or `updated` (SARIF's words for a
 * result absent from, or changed since, the baseline run). Gone facts have no place at HEAD:
 * they are listed in `run.properties.gone`.
 */
import type { Log } from 'sarif';
import { toSarif } from './sarif';
import { displayPath } from './format';
import type { DiffDisplay, DiffReport } from './diffFormat';

export function formatDiffSarif(r: DiffReport, d: DiffDisplay): string {
	const shown = r.entries.filter((e) => e.head);
	const log = toSarif(
		shown.map((e) => e.head!),
		r.head.root,
		d.version,
	) as Log;
	const run = log.runs[0];
	(run.results ?? []).forEach((res, i) => {
		const e = shown[i];
		res.baselineState = e.change === 'new' ? 'new' : 'updated';
		res.properties = { ...res.properties, change: e.change, package: e.pkg, function: e.function, subject: e.subject, ...(e.base ? { baseKind: e.base.rule } : {}) };
		if (e.change === 'changed') res.message = { text: `${res.message.text} (was: ${e.base!.message})` };
	});
	run.properties = {
		...run.properties,
		base: { rev: r.base.rev, commit: r.base.commit },
		head: r.head.rev !== undefined ? { rev: r.head.rev, commit: r.head.commit } : { workingTree: true },
		gone: r.entries
			.filter((e) => !e.head)
			.map((e) => ({ kind: e.base!.rule, package: e.pkg, function: e.function, subject: e.subject, file: displayPath(e.base!.file, r.base.root), line: e.base!.line, message: e.base!.message })),
	};
	return JSON.stringify(log, null, 2) + '\n';
}
