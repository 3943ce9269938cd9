import type { KValue } from './values.js';

export type Row = Record<string, KValue>;

/** A Kusto table in memory: column names in order, rows keyed by column name. */
export interface Table {
  columns: string[];
  /** Kusto types of the columns, in the same order, when known. */
  types?: string[];
  rows: Row[];
}

export function emptyTable(columns: string[]): Table {
  return { columns, rows: [] };
}
