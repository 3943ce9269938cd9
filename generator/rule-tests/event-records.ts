import { InputRowError, parseCsv, tableFromRecords } from '../evaluate/input-rows.js';
import type { Table } from '../evaluate/table.js';
import { closestMatch } from '../suggest.js';
import type { TableSchemas } from '../validate/kusto-schema.js';

/** A `--events Table=file` argument that names no known table or is not written that way. */
export class EventsSpecError extends Error {}

export interface EventsSpec {
  table: string;
  file: string;
}

export function parseEventsSpec(spec: string, schemas: TableSchemas): EventsSpec {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(spec);
  if (!match) throw new EventsSpecError(`--events ${spec}: write it as Table=file, e.g. --events SigninLogs=signins.json`);
  const [, table = '', file = ''] = match;
  if (!schemas[table]) {
    const guess = closestMatch(table, Object.keys(schemas));
    throw new EventsSpecError(`--events ${spec}: no table ${table}${guess ? ` (did you mean ${guess}?)` : ''}; tables: ${Object.keys(schemas).join(', ')}`);
  }
  return { table, file };
}

/**
 * Records of an export: a JSON array of rows keyed by column name (as a query result export
 * gives them), a Log Analytics API response ({ tables: [{ columns, rows }] }), or CSV with a
 * header row. Pure: `file` is only used in messages.
 */
export function recordsFromText(text: string, file: string): unknown[] {
  if (/\.csv$/i.test(file)) return parseCsv(text.replace(/^\uFEFF/, ''), file);
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputRowError(file, `not valid JSON (${error instanceof Error ? error.message : String(error)}); give a JSON array of rows or a CSV file named *.csv`);
  }
  if (Array.isArray(value)) return value;
  const tables = (value as { tables?: unknown } | null)?.tables;
  if (Array.isArray(tables) && tables.length > 0) {
    const first = tables[0] as { columns?: { name?: unknown }[]; rows?: unknown[][] };
    if (Array.isArray(first.columns) && Array.isArray(first.rows)) {
      const names = first.columns.map((c) => String(c.name));
      return first.rows.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]])));
    }
  }
  throw new InputRowError(file, 'expected a JSON array of rows (column name -> value) or a Log Analytics response with tables[0].columns and rows');
}

/** The records as a typed table; each must carry TimeGenerated, which the look-back windows need. */
export function eventsTable(records: readonly unknown[], table: string, schemas: TableSchemas, file: string): Table {
  const typed = tableFromRecords(records, schemas[table] ?? [], file);
  typed.rows.forEach((row, index) => {
    if (row['TimeGenerated'] === null || row['TimeGenerated'] === undefined) throw new InputRowError(`${file}[${index}]`, 'the record has no TimeGenerated; the rules\' look-back windows are measured on it');
  });
  return typed;
}

/** Tables given more than once (several files) become one table. */
export function mergeTables(parts: readonly { table: string; rows: Table }[]): Map<string, Table> {
  const merged = new Map<string, Table>();
  for (const { table, rows } of parts) {
    const previous = merged.get(table);
    merged.set(table, previous ? { columns: previous.columns, rows: [...previous.rows, ...rows.rows] } : rows);
  }
  return merged;
}
