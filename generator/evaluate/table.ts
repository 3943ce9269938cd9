import type { KValue } from './values.js';

export type Row = Record<string, KValue>;

/**
 * The hidden column Kusto keeps the ingestion time in (`$IngestionTime`), read by ingestion_time().
 * It is never one of a table's `columns`, so results and reports do not show it; whoever loads the
 * rows sets it (a replay reads it from the export, a case from its TimeGenerated).
 */
export const INGESTION_TIME = '$IngestionTime';

/** A Kusto table in memory: column names in order, rows keyed by column name. */
export interface Table {
  columns: string[];
  rows: Row[];
}

export function emptyTable(columns: string[]): Table {
  return { columns, rows: [] };
}
