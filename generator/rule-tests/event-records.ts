import { InputRowError, tableFromRecords } from '../evaluate/input-rows.js';
import type { Table } from '../evaluate/table.js';
import { closestMatch } from '../suggest.js';
import type { TableSchemas } from '../validate/kusto-schema.js';

/** A `--events Table=file` argument that names no known table or is not written that way. */
export class EventsSpecError extends Error {}

export interface EventsSpec {
  /** The table the records are of; absent when each record names its own (diagnostic-settings records, rows with Type). */
  table?: string;
  file: string;
}

/** `Table=file`, or a file whose records each name their table. */
export function parseEventsSpec(spec: string, schemas: TableSchemas): EventsSpec {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(spec);
  if (!match) {
    if (spec.trim() === '' || spec.endsWith('=')) throw new EventsSpecError(`--events ${spec}: write it as Table=file, e.g. --events SigninLogs=signins.json, or name a file whose records say their table`);
    return { file: spec };
  }
  const [, table = '', file = ''] = match;
  if (!schemas[table]) {
    const guess = closestMatch(table, Object.keys(schemas));
    throw new EventsSpecError(`--events ${spec}: no table ${table}${guess ? ` (did you mean ${guess}?)` : ''}; tables: ${Object.keys(schemas).join(', ')}`);
  }
  return { table, file };
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
