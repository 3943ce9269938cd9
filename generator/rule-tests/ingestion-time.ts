import { InputRowError } from '../evaluate/input-rows.js';
import { INGESTION_TIME, type Table } from '../evaluate/table.js';
import { KDateTime, parseDateTime, type KValue } from '../evaluate/values.js';

/**
 * Columns an export may carry the ingestion time in: `IngestionTime` is what
 * `| extend IngestionTime = ingestion_time()` adds to a Log Analytics query before exporting;
 * `_TimeReceived` is the standard column of when the record reached the ingestion endpoint
 * (learn.microsoft.com/azure/azure-monitor/logs/log-standard-columns), a few seconds earlier.
 */
export const INGESTION_TIME_COLUMNS = ['IngestionTime', '_TimeReceived'] as const;

/**
 * Sets every row's hidden $IngestionTime (what ingestion_time() reads and replay's windows use):
 * from the first ingestion-time column the row carries, else its TimeGenerated, that is, as if
 * ingested the moment it was generated. A value that is not a datetime, or earlier than the
 * record's TimeGenerated, stops with the file and record named. Changes the rows in place: they
 * are the loader's own, made moments before.
 */
export function attachIngestionTimes(table: Table, source: string): void {
  table.rows.forEach((row, index) => {
    row[INGESTION_TIME] = ingestionTime(row, row['TimeGenerated'] ?? null, (column) => `${source}[${index}].${column}`);
  });
}

/**
 * A record's ingestion time, from the first of INGESTION_TIME_COLUMNS it has a value in (`given`
 * holds the record's values: a typed row, or the export's record as read), else its TimeGenerated.
 * Throws InputRowError naming the column (by `where`) for a value that is not a datetime or is
 * earlier than `generated`.
 */
export function ingestionTime(given: Readonly<Record<string, unknown>>, generated: KValue, where: (column: string) => string): KDateTime | null {
  for (const column of INGESTION_TIME_COLUMNS) {
    const value = given[column];
    if (value === undefined || value === null || value === '') continue;
    const parsed = value instanceof KDateTime ? value : typeof value === 'string' ? parseDateTime(value) : null;
    if (!parsed) throw new InputRowError(where(column), `${JSON.stringify(value)} is not a datetime (use ISO 8601, e.g. 2026-11-25T09:58:00Z)`);
    if (generated instanceof KDateTime && parsed.ms < generated.ms) {
      throw new InputRowError(where(column), `the record was ingested (${parsed.toJSON()}) before it was generated (${generated.toJSON()}); the columns may be swapped`);
    }
    return parsed;
  }
  return generated instanceof KDateTime ? generated : null;
}

/** When a row was ingested: its $IngestionTime, else its TimeGenerated; undefined when it has neither. */
export function ingestedAt(row: Readonly<Record<string, unknown>>): number | undefined {
  const ingested = row[INGESTION_TIME];
  if (ingested instanceof KDateTime) return ingested.ms;
  const generated = row['TimeGenerated'];
  return generated instanceof KDateTime ? generated.ms : undefined;
}
