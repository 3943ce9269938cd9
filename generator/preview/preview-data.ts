/**
 * What the preview page shows, computed without I/O: the rules' test rows become one small
 * workspace (with the incidents the rules raise over it), the workbook's queries run over it on
 * the offline evaluator, and every rule carries its cases' outcomes. The clock is the newest row,
 * so the page is the same on every run.
 */
import type { Catalog } from '../catalog/rule-template.js';

import { EvaluationError } from '../evaluate/evaluation-error.js';
import type { Table } from '../evaluate/table.js';
import { KDateTime, formatDateTime } from '../evaluate/values.js';
import type { Manifest } from '../manifest/types.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { compiledQuery } from '../rule-tests/compiled-queries.js';
import { mergeTables } from '../rule-tests/event-records.js';
import { newestTime } from '../rule-tests/look-back.js';
import { prepareCases, resultRows, type CaseResult, type ResultRows } from '../rule-tests/rule-cases.js';
import { testRules } from '../rule-tests/test-rules.js';
import { watchlistTables } from '../rule-tests/watchlist-tables.js';
import type { TableSchemas } from '../validate/kusto-schema.js';
import type { RenderedWorkbookQuery } from '../workbook/render-workbook.js';
import type { WorkbookItemTemplate, WorkbookTemplate } from '../workbook/workbook-template.js';
import type { ColumnKind } from './charts.js';
import { simulatedIncidents } from './simulated-incidents.js';

export interface PreviewSection {
  item: WorkbookItemTemplate;
  /** Text sections: the rendered markdown. */
  markdown?: string;
  /** Query sections: the query as run (parameters filled in) and its result or why it failed. */
  query?: string;
  result?: ResultRows;
  /** What the values of each result column are, from the evaluator's typed rows. */
  kinds?: Record<string, ColumnKind>;
  error?: string;
}

export interface PreviewRule {
  rule: RenderedRule;
  cases: CaseResult[];
}

export interface PreviewData {
  manifest: Manifest;
  workbook: WorkbookTemplate;
  /** The time range the workbook queries cover: the oldest to the newest test row. */
  from: number;
  now: number;
  /** Rows per table in the preview workspace. */
  rowCounts: Record<string, number>;
  /** SecurityIncident rows made from the alerts the rules raise over the test rows. */
  simulatedIncidents: number;
  sections: PreviewSection[];
  rules: PreviewRule[];
}

export interface PreviewInput {
  manifest: Manifest;
  catalog: Catalog;
  rules: readonly RenderedRule[];
  workbook: WorkbookTemplate;
  workbookQueries: readonly RenderedWorkbookQuery[];
  /** Item index -> markdown, for text items. */
  workbookText: ReadonlyMap<number, string>;
  globals: Kusto.Language.GlobalState;
  schemas: TableSchemas;
}

export function previewData(input: PreviewInput): PreviewData {
  const { manifest, globals } = input;
  const parts: { table: string; rows: Table }[] = [];
  for (const rule of input.rules) {
    for (const prepared of prepareCases(rule, manifest, input.schemas)) {
      if (prepared.state !== 'ready') continue;
      for (const [table, rows] of prepared.input.tables) if (rows.rows.length > 0) parts.push({ table, rows });
    }
  }
  const tables = mergeTables(parts);
  let simulated = 0;
  if (!tables.get('SecurityIncident')?.rows.length) {
    const incidents = simulatedIncidents(input.rules, manifest, tables, globals, input.schemas);
    tables.set('SecurityIncident', incidents);
    simulated = incidents.rows.length;
  }
  // An incident comes from the scheduled run after its rows, a few minutes past the newest row.
  const now = newestTime(tables) ?? 0;
  const from = oldestTime(tables) ?? now;
  const watchlists = watchlistTables(manifest);
  const queries = new Map(input.workbookQueries.map((q) => [q.index, q]));
  const sections = input.workbook.items.map((item, index): PreviewSection => {
    if (item.type === 'text') return { item, markdown: input.workbookText.get(index) ?? '' };
    const rendered = queries.get(index);
    if (item.type !== 'query' || !rendered) return { item };
    const query = fillTimeRange(rendered.query.text, from, now);
    try {
      const table = compiledQuery(query, globals).run({ tables, watchlists, now });
      return { item, query, result: resultRows(table), kinds: columnKinds(table) };
    } catch (error) {
      if (error instanceof EvaluationError) return { item, query, error: error.message };
      throw error;
    }
  });
  const cases = testRules(manifest, input.catalog, globals, input.schemas);
  const rules = input.rules.map((rule) => ({ rule, cases: cases.filter((c) => c.ruleId === rule.id) }));
  const rowCounts = Object.fromEntries([...tables].sort(([a], [b]) => a.localeCompare(b)).map(([name, t]) => [name, t.rows.length]));
  return { manifest, workbook: input.workbook, from, now, rowCounts, simulatedIncidents: simulated, sections, rules };
}

/** The kind of each column's values (the first value that is not null decides). */
export function columnKinds(table: Table): Record<string, ColumnKind> {
  const kinds: Record<string, ColumnKind> = {};
  for (const column of table.columns) {
    const value = table.rows.map((row) => row[column]).find((v) => v !== null && v !== undefined && v !== '');
    kinds[column] =
      value instanceof KDateTime ? 'datetime' : typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'bool' : typeof value === 'object' && value !== null ? 'dynamic' : 'string';
  }
  return kinds;
}

function oldestTime(tables: ReadonlyMap<string, Table>): number | undefined {
  let oldest: number | undefined;
  for (const table of tables.values()) {
    for (const row of table.rows) {
      const time = row['TimeGenerated'];
      if (time instanceof KDateTime && (oldest === undefined || time.ms < oldest)) oldest = time.ms;
    }
  }
  return oldest;
}

/** Round bins a time chart can use, smallest first. */
const GRAINS: readonly [string, number][] = [
  ['1m', 60_000],
  ['5m', 300_000],
  ['15m', 900_000],
  ['30m', 1_800_000],
  ['1h', 3_600_000],
  ['6h', 21_600_000],
  ['1d', 86_400_000],
  ['7d', 604_800_000],
];

/** A chart of more bins than this is hard to read. */
const MAX_BINS = 48;

/**
 * The workbook's parameters as the workbook fills them for a custom range that covers every test
 * row: `{TimeRange}` is a between, and the grain is the smallest round bin that keeps a chart to
 * at most 48 buckets.
 */
export function fillTimeRange(query: string, from: number, now: number): string {
  const span = now - from;
  const grain = (GRAINS.find(([, ms]) => span / ms <= MAX_BINS) ?? GRAINS[GRAINS.length - 1]!)[0];
  const start = `datetime(${formatDateTime(new KDateTime(from))})`;
  const end = `datetime(${formatDateTime(new KDateTime(now))})`;
  return query
    .replaceAll('{TimeRange:start}', start)
    .replaceAll('{TimeRange:end}', end)
    .replaceAll('{TimeRange:grain}', grain)
    .replaceAll('{TimeRange}', `between (${start} .. ${end})`);
}
