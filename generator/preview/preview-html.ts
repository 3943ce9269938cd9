/**
 * The preview as one self-contained HTML page: no scripts, no external files, so it opens from a
 * CI artifact as it is. Every value from the manifest, the rules or a result passes through
 * `escapeHtml` on its way into the page.
 */
import { parseDateTime } from '../evaluate/values.js';
import { readableTime } from '../report/alert-summary.js';
import type { CaseResult, ResultRows } from '../rule-tests/rule-cases.js';
import { chartSvg, type ColumnKind } from './charts.js';
import { escapeHtml } from './html-text.js';
import { FLAGGED_STATUSES } from '../workbook/workbook-template.js';
import type { PreviewData, PreviewRule, PreviewSection } from './preview-data.js';

export { escapeHtml } from './html-text.js';

/** Rows a result table shows; the rest are counted. */
const MAX_ROWS = 50;

/** Characters a cell shows; the whole value is in its tooltip. */
const MAX_CELL = 120;

/** Workbook markdown as used in our template: headings, paragraphs, **bold**, *italic*. */
export function markdownToHtml(markdown: string): string {
  const blocks = markdown.split(/\n\s*\n/).map((b) => b.trim()).filter((b) => b !== '');
  const inline = (text: string): string =>
    escapeHtml(text)
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/\*([^*]+)\*/g, '<em>$1</em>');
  return blocks
    .flatMap((block) => {
      const out: string[] = [];
      let paragraph: string[] = [];
      const flush = (): void => {
        if (paragraph.length > 0) out.push(`<p>${inline(paragraph.join(' '))}</p>`);
        paragraph = [];
      };
      for (const line of block.split('\n')) {
        const heading = /^(#{1,6})\s+(.*)$/.exec(line);
        if (heading) {
          flush();
          const level = Math.min(6, heading[1]!.length + 1);
          out.push(`<h${level}>${inline(heading[2]!)}</h${level}>`);
        } else paragraph.push(line.trim());
      }
      flush();
      return out;
    })
    .join('\n');
}

/** A value as a person reads it: times as dates and times, JSON for bags and lists. */
function cellText(value: unknown, kind: ColumnKind | undefined): string {
  if (value === null || value === undefined) return '';
  if (kind === 'datetime' && typeof value === 'string') {
    const time = parseDateTime(value);
    if (time) return readableTime(time.ms);
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function cell(value: unknown, kind: ColumnKind | undefined): string {
  const text = cellText(value, kind);
  if (text.length <= MAX_CELL) return escapeHtml(text);
  return `<span title="${escapeHtml(text)}">${escapeHtml(text.slice(0, MAX_CELL - 1))}…</span>`;
}

const isEmpty = (value: unknown): boolean =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0);

function resultTable(result: ResultRows, kinds: Readonly<Record<string, ColumnKind>>, statusColumn?: string): string {
  if (result.rows.length === 0) return '<p class="empty">No rows.</p>';
  // A column with no value in any row says nothing: it is named below the table instead.
  const columns = result.columns.filter((c) => result.rows.some((row) => !isEmpty(row[c])));
  const dropped = result.columns.filter((c) => !columns.includes(c));
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const rows = result.rows.slice(0, MAX_ROWS).map((row) => {
    const cells = columns.map((c) => {
      const value = row[c];
      const flagged = c === statusColumn && (FLAGGED_STATUSES as readonly unknown[]).includes(value);
      return `<td${flagged ? ' class="overdue"' : c === statusColumn ? ' class="ok"' : ''}>${cell(value, kinds[c])}</td>`;
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  const more = result.rows.length > MAX_ROWS ? `<p class="note">${result.rows.length - MAX_ROWS} more rows not shown.</p>` : '';
  const empty = dropped.length > 0 ? `<p class="note">Columns without a value in any row are not shown: ${dropped.map(escapeHtml).join(', ')}.</p>` : '';
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>${more}${empty}`;
}

const sectionTitle = (s: PreviewSection): string => s.item.title ?? s.item.name;

function section(s: PreviewSection): string {
  if (s.item.type === 'text') return `<section class="wb-text">${markdownToHtml(s.markdown ?? '')}</section>`;
  if (s.item.type === 'parameters') return '';
  const title = escapeHtml(sectionTitle(s));
  const visualization = s.item.visualization ?? 'table';
  const rows = s.result ? `${s.result.rows.length} row${s.result.rows.length === 1 ? '' : 's'}` : 'error';
  let body: string;
  if (s.error !== undefined) body = `<p class="error">The query could not be evaluated: ${escapeHtml(s.error)}</p>`;
  else if (!s.result) body = '';
  else {
    const kinds = s.kinds ?? {};
    const chart = chartSvg(visualization, sectionTitle(s), { columns: s.result.columns, rows: s.result.rows, kinds });
    const table = resultTable(s.result, kinds, s.item.statusColumn);
    // A chart is what the workbook shows; its numbers stay one click away.
    body = chart ? `<figure class="chart">${chart}</figure>\n<details class="data"><summary>Table (${rows})</summary>${table}</details>` : table;
  }
  return `<section class="wb-query" id="wb-${escapeHtml(s.item.name)}">
<h3>${title} <span class="count">${rows}</span></h3>
${body}
<details><summary>Query (${escapeHtml(visualization)})</summary><pre>${escapeHtml(s.query ?? '')}</pre></details>
</section>`;
}

function status(cases: readonly CaseResult[]): { label: string; css: string } {
  if (cases.some((c) => c.status === 'failed')) return { label: `${cases.filter((c) => c.status === 'failed').length} failed`, css: 'failed' };
  if (cases.length === 0) return { label: 'no cases', css: 'skipped' };
  return { label: `${cases.filter((c) => c.status === 'passed').length} passed`, css: 'passed' };
}

function ruleSection(r: PreviewRule): string {
  const { rule, cases } = r;
  const s = status(cases);
  const byCase = new Map<number, CaseResult[]>();
  for (const c of cases) byCase.set(c.caseIndex, [...(byCase.get(c.caseIndex) ?? []), c]);
  const caseRows = [...byCase.values()].map((runs) => {
    const first = runs[0]!;
    const outcomes = runs.map((run) => `<span class="badge ${run.status}">${escapeHtml(run.accountSource)}: ${run.status}</span>`).join(' ');
    const problems = runs.flatMap((run) => run.problems.map((p) => `<li>${escapeHtml(run.accountSource)}: ${escapeHtml(p)}</li>`));
    return `<tr><td>${escapeHtml(first.caseName)}</td><td>${first.expected.fires ? 'fires' : 'stays silent'}</td><td>${outcomes}${problems.length > 0 ? `<ul class="problems">${problems.join('')}</ul>` : ''}</td></tr>`;
  });
  const tables = [...new Set(rule.template.requiredDataConnectors.flatMap((c) => c.dataTypes))].join(', ');
  return `<section class="rule" id="rule-${escapeHtml(rule.id)}">
<h3>${escapeHtml(rule.template.name)} <span class="badge ${s.css}">${escapeHtml(s.label)}</span></h3>
<p class="meta"><code>${escapeHtml(rule.id)}</code> · ${escapeHtml(rule.apiKind)} · ${escapeHtml(rule.severity)} · ${rule.enabled ? 'enabled' : 'disabled'} · every ${escapeHtml(rule.queryFrequency)} over ${escapeHtml(rule.queryPeriod)} · ${escapeHtml(tables)}</p>
<p>${escapeHtml(rule.template.description.trim())}</p>
<table class="cases"><thead><tr><th>Case</th><th>Expected</th><th>Outcome</th></tr></thead><tbody>
${caseRows.join('\n')}
</tbody></table>
<details><summary>Query (${rule.query.text.length} characters)</summary><pre>${escapeHtml(rule.query.text)}</pre></details>
</section>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1b;background:#f5f6f8}
header{background:#0f2b46;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:20px}header p{margin:0;opacity:.85}
main{max-width:1200px;margin:0 auto;padding:8px 24px 40px}
h2{border-bottom:2px solid #0f2b46;padding-bottom:4px;margin-top:32px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:12px 16px;margin:12px 0}
h3{margin:0 0 8px;font-size:16px}.count{font-weight:normal;color:#5a6572;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e5e8ec;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5;white-space:nowrap}td{white-space:nowrap}.scroll{overflow-x:auto;max-width:100%}
figure.chart{margin:4px 0 8px}svg.chart{display:block;max-width:100%;height:auto}details.data{margin:4px 0}
nav.toc{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:8px 16px;margin:12px 0}nav.toc ol{margin:4px 0;padding-left:20px}nav.toc>ol>li{margin:2px 0}
pre{background:#f6f8fa;border:1px solid #e5e8ec;padding:8px;overflow-x:auto;font-size:12px}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600}
.passed{background:#dff3e4;color:#1a6b32}.failed{background:#fbe0e0;color:#9b1c1c}.skipped{background:#eceff3;color:#5a6572}
td.overdue{color:#9b1c1c;font-weight:600}td.ok{color:#1a6b32}table.cases td:first-child{white-space:normal}
.error{color:#9b1c1c}.empty,.note,.meta{color:#5a6572}.problems{margin:4px 0 0;color:#9b1c1c}
nav ul{columns:3;padding-left:18px}`;

/** The page. Deterministic: the only time on it is the newest test row. */
export function previewHtml(data: PreviewData): string {
  const runs = data.rules.flatMap((r) => r.cases);
  const passed = runs.filter((c) => c.status === 'passed').length;
  const failed = runs.filter((c) => c.status === 'failed').length;
  const skipped = runs.filter((c) => c.status === 'skipped').length;
  const counts = Object.entries(data.rowCounts).map(([t, n]) => `${n} ${escapeHtml(t)}`).join(', ');
  const time = (ms: number): string => escapeHtml(readableTime(ms));
  const queries = data.sections.filter((x) => x.item.type === 'query');
  const toc = `<nav class="toc" aria-label="Contents"><strong>Contents</strong><ol>
<li><a href="#workbook">Workbook: ${escapeHtml(data.workbook.displayName)}</a><ol>${queries.map((x) => `<li><a href="#wb-${escapeHtml(x.item.name)}">${escapeHtml(sectionTitle(x))}</a></li>`).join('')}</ol></li>
<li><a href="#rules">Analytics rules</a> (${data.rules.length})</li>
</ol></nav>`;
  const accounts = data.manifest.accounts.map((a) => `<li><code>${escapeHtml(a.objectId)}</code> ${escapeHtml(a.userPrincipalName)}${a.displayName ? ` (${escapeHtml(a.displayName)})` : ''}</li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Break-glass preview: ${escapeHtml(data.workbook.displayName)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Break-glass accounts: preview</h1>
<p>${data.manifest.accounts.length} account${data.manifest.accounts.length === 1 ? '' : 's'} · ${data.rules.length} rules · case runs: ${passed} passed, ${failed} failed, ${skipped} skipped</p>
</header>
<main>
${toc}
<p>The workbook below ran on the offline evaluator over the rules' test rows (${counts}), from ${time(data.from)} to ${time(data.now)}. These are test rows, not your tenant's logs.${data.simulatedIncidents > 0 ? ` The ${data.simulatedIncidents} SecurityIncident rows are the incidents the rules raise over them, run by run as time passes (one per alert, as the automation rule leaves them: New, unassigned).` : ''}</p>
<ul class="accounts">${accounts}</ul>
<h2 id="workbook">Workbook: ${escapeHtml(data.workbook.displayName)}</h2>
${data.sections.map(section).filter((s) => s !== '').join('\n')}
<h2 id="rules">Analytics rules</h2>
<nav><ul>${data.rules.map((r) => `<li><a href="#rule-${escapeHtml(r.rule.id)}">${escapeHtml(r.rule.id)}</a> <span class="badge ${status(r.cases).css}">${escapeHtml(status(r.cases).label)}</span></li>`).join('')}</ul></nav>
${data.rules.map(ruleSection).join('\n')}
</main>
</body>
</html>
`;
}
