import type { QueryResult } from './api-types.js';
import type { ResultColumn } from './syntax.js';
import type { Table } from './table.js';
import { jsonValue } from './values.js';

/** The table with its column types (the analyser's where it knows them) and JSON-shaped rows. */
export function queryResult(table: Table, analysed: readonly ResultColumn[]): QueryResult {
  const types = new Map(analysed.map((c) => [c.name, c.type]));
  const columns = table.columns.map((name, i) => ({ name, type: table.types?.[i] ?? types.get(name) ?? 'dynamic' }));
  return { columns, rows: table.rows.map((row) => table.columns.map((name) => jsonValue(row[name] ?? null))) };
}
