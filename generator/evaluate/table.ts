import type { KValue } from './values.js';

export type Row = Record<string, KValue>;

/**
 * The hidden column Kusto keeps the ingestion time in (`$IngestionTime`), read by ingestion_time().
 * It is never one of a table's `columns`, so results and reports do not show it; whoever loads the
 * rows sets it (a replay reads it from the export, a case from its TimeGenerated).
 */
export const INGESTION_TIME = '$IngestionTime';

/**
 * A Kusto table in memory: column names in order, rows keyed by column name. Operators always
 * give `types`; a table handed in from outside may leave them out (its schema gives them).
 * `serialized`: the rows have an order window functions may rely on (after sort, serialize, ...).
 */
export interface Table {
  columns: string[];
  /** Kusto types of the columns, in the same order, when known. */
  types?: string[];
  rows: Row[];
  serialized?: boolean;
}

export function emptyTable(columns: string[]): Table {
  return { columns, types: columns.map(() => 'dynamic'), rows: [] };
}

/** A column's type; 'dynamic' when the table does not say. */
export function columnType(table: Table, name: string): string {
  const index = table.columns.indexOf(name);
  return index === -1 ? 'dynamic' : (table.types?.[index] ?? 'dynamic');
}

export function typesOf(table: Table): string[] {
  return table.types ?? table.columns.map(() => 'dynamic');
}
