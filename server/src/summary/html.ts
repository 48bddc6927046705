/**
 * `memlens report --format html`: one self-contained HTML file. Tables are plain HTML (readable
 * without scripts); the charts are drawn by Chart.js, inlined with the data, and a Content Security
 * Policy forbids every fetch, so the page needs no network when it is viewed. Pure.
 */
import { chartLibrary } from './chartLibrary';
import type { SummaryModel } from './types';
import { causeList, COUNTS_NOTE, heading, INLINED_NOTE, packageLabel, plural, totalsLine } from './words';

function esc(s: string | number): string {
	return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function table(head: string[], rows: (string | number)[][], numeric: number, cls = ''): string {
	const th = head.map((h, i) => `<th${i < numeric ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
	const tr = rows.map((r) => `<tr>${r.map((v, i) => `<td${i < numeric ? ' class="n"' : ''}>${esc(v)}</td>`).join('')}</tr>`).join('\n');
	return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

/** JSON that cannot end the script element it sits in. */
function scriptJson(v: unknown): string {
	return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** What the page's script draws: small, derived from the model. */
export function chartData(m: SummaryModel) {
	const causeIds = m.causes.map((c) => c.id);
	const title = new Map(m.causes.map((c) => [c.id, c.title]));
	const pkgs = m.packages.filter((p) => p.heap > 0).slice(0, 20);
	return {
		causes: { labels: m.causes.map((c) => c.title), moved: m.causes.map((c) => c.moved), escapes: m.causes.map((c) => c.escapes) },
		packages: {
			labels: pkgs.map((p) => p.id),
			series: causeIds.map((id) => ({ label: title.get(id) ?? id, data: pkgs.map((p) => p.causes.find((c) => c.id === id)?.count ?? 0) })),
		},
		rules: { labels: m.rules.map((r) => r.rule), counts: m.rules.map((r) => r.count), severities: m.rules.map((r) => r.severity) },
	};
}

// Runs in the page. Each canvas gets data-drawn="true" once Chart.js has rendered it (the tests wait for it).
const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('memlens-data').textContent);
  var palette = ['#4e79a7','#f28e2b','#e15759','#76b7b2','#59a14f','#edc948','#b07aa1','#ff9da7','#9c755f','#bab0ac','#86bcb6','#d37295','#8cd17d'];
  var severityColour = { error: '#d62728', warning: '#e6a100', information: '#1f77b4', hint: '#7f7f7f' };
  var drawn = { id: 'memlensDrawn', afterRender: function (chart) { chart.canvas.setAttribute('data-drawn', 'true'); } };
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  function bar(id, labels, datasets, stacked, horizontal) {
    var el = document.getElementById(id);
    if (!el) return;
    new Chart(el, {
      type: 'bar',
      data: { labels: labels, datasets: datasets },
      options: { indexAxis: horizontal ? 'y' : 'x', responsive: true,
        scales: { x: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: datasets.length > 1 } } },
      plugins: [drawn]
    });
  }
  bar('chart-causes', data.causes.labels, [
    { label: 'moved to heap', data: data.causes.moved, backgroundColor: '#e15759' },
    { label: 'escapes to heap', data: data.causes.escapes, backgroundColor: '#4e79a7' }], true, true);
  bar('chart-packages', data.packages.labels, data.packages.series.map(function (s, i) {
    return { label: s.label, data: s.data, backgroundColor: palette[i % palette.length] }; }), true, true);
  bar('chart-rules', data.rules.labels, [{ label: 'findings', data: data.rules.counts,
    backgroundColor: data.rules.severities.map(function (s) { return severityColour[s]; }) }], false, true);
})();
`;

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #1d2b3a; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0 16px; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th.n, td.n { text-align: right; font-variant-numeric: tabular-nums; width: 1%; white-space: nowrap; }
code, td.mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
.chart { position: relative; width: 100%; }
.note { color: #555; font-size: 12.5px; }
details { margin: 4px 0; } summary { cursor: pointer; }
.advice { color: #333; }
`;

function chartBox(id: string, rows: number): string {
	// Horizontal bars: the height follows the number of bars, so labels stay readable.
	const h = Math.max(140, Math.min(640, 40 + rows * 26));
	return `<div class="chart" style="height:${h}px"><canvas id="${id}" role="img"></canvas></div>`;
}

export function renderHtml(m: SummaryModel): string {
	const data = chartData(m);
	const b: string[] = [];
	b.push(`<h1>${esc(heading(m))}</h1>`, `<p>${esc(totalsLine(m))}</p>`, `<p class="note">${esc(COUNTS_NOTE)}</p>`);

	b.push('<h2 id="causes">Heap allocation sites by cause</h2>');
	if (m.causes.length === 0) b.push('<p>None.</p>');
	else {
		b.push(chartBox('chart-causes', m.causes.length));
		b.push(
			'<table class="causes"><thead><tr><th class="n">sites</th><th class="n">moved</th><th class="n">escapes</th><th class="n">packages</th><th>cause</th><th>advice</th><th>examples</th></tr></thead><tbody>',
			...m.causes.map(
				(c) =>
					`<tr data-cause="${esc(c.id)}"><td class="n">${c.count}</td><td class="n">${c.moved}</td><td class="n">${c.escapes}</td><td class="n">${c.packages}</td>` +
					`<td>${esc(c.title)}${c.expected ? ' <em>(expected: the value outlives the call)</em>' : ''}</td><td class="advice">${esc(c.advice ?? '')}</td>` +
					`<td class="mono">${c.examples.map((e) => `${esc(`${e.file}:${e.line}:${e.column}`)} ${esc(e.message)}${e.func ? ` <em>in ${esc(e.func)}</em>` : ''}`).join('<br>')}</td></tr>`,
			),
			'</tbody></table>',
		);
	}

	b.push('<h2 id="packages">Packages</h2>');
	if (data.packages.labels.length) b.push(chartBox('chart-packages', data.packages.labels.length));
	b.push(
		table(
			['heap sites', 'moved', 'escapes', 'rule findings', 'files', 'package', 'causes'],
			m.packages.map((p) => [p.compiled ? p.heap : '–', p.compiled ? p.moved : '–', p.compiled ? p.escapes : '–', p.findings.length, p.inlinedOnly ? '–' : p.files, packageLabel(p), causeList(p.causes, m.causes, 4)]),
			5,
			'packages',
		),
	);
	if (m.packages.some((p) => p.inlinedOnly)) b.push(`<p class="note">${esc(INLINED_NOTE)}</p>`);

	b.push('<h2 id="functions">Functions with most heap allocation sites</h2>');
	b.push(
		m.topFunctions.length
			? table(['sites', 'moved', 'escapes', 'function', 'at', 'causes'], m.topFunctions.map((f) => [f.heap, f.moved, f.escapes, f.name, `${f.file}:${f.line}`, causeList(f.causes, m.causes, 3)]), 3, 'functions')
			: '<p>None.</p>',
	);
	b.push('<h2 id="files">Files with most heap allocation sites</h2>');
	b.push(m.topFiles.length ? table(['sites', 'rule findings', 'file'], m.topFiles.map((f) => [f.heap, f.findings, f.file]), 2, 'files') : '<p>None.</p>');

	b.push('<h2 id="rules">Rule findings</h2>');
	if (m.rules.length === 0) b.push('<p>None.</p>');
	else {
		b.push(chartBox('chart-rules', m.rules.length));
		b.push(table(['findings', 'packages', 'severity', 'rule', 'what it finds'], m.rules.map((r) => [r.count, r.packages, r.severity, r.rule, r.summary]), 2, 'rules'));
		for (const p of m.packages) {
			if (!p.findings.length) continue;
			b.push(
				`<details><summary>${esc(p.id)}: ${esc(plural(p.findings.length, 'rule finding'))}</summary>`,
				table(['line', 'severity', 'rule', 'file', 'message'], p.findings.map((f) => [f.line, f.severity, f.rule, `${f.file}:${f.line}:${f.column}`, f.message]), 1, 'findings'),
				'</details>',
			);
		}
	}

	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(m.meta.tool)}">
<title>${esc(heading(m))}</title>
<style>${STYLE}</style>
</head>
<body>
${b.join('\n')}
<script type="application/json" id="memlens-data">${scriptJson(data)}</script>
<script>
${chartLibrary()}
</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
