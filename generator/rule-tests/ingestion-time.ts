import { InputRowError } from '../evaluate/input-rows.js';
import { INGESTION_TIME, type Table } from '../evaluate/table.js';
import { KDateTime, parseDateTime } from '../evaluate/values.js';

/**
 * Columns an export may carry the ingestion time in: `IngestionTime` is what
 * `| extend IngestionTime = ingestion_time()` adds to a Log Analytics query before exporting;
 * `_TimeReceived` is the standard column of when the record reached the ingestion endpoint
 * (learn.microsoft.com/azure/azure-monitor/logs/log-standard-columns), a few seconds earlier.
 */
export const INGESTION_TIME_COLUMNS = ['IngestionTime', '_TimeReceived'] as const;

/**
 * Sets every row's hidden $IngestionTime (what ingestion_time() reads and replay's windows use):
 * from the first ingestion-time column the records carry, else its TimeGenerated, that is, as if
 * ingested the moment it was generated. A value that is not a datetime, or earlier than the
 * record's TimeGenerated, stops with the file and record named. Returns the column used, if any.
 * Changes the rows in place: they are the loader's own, made moments before.
 */
export function attachIngestionTimes(table: Table, source: string): string | undefined {
  const column = INGESTION_TIME_COLUMNS.find((name) => table.rows.some((row) => row[name] !== undefined && row[name] !== null && row[name] !== ''));
  table.rows.forEach((row, index) => {
    const generated = row['TimeGenerated'];
    const given = column === undefined ? undefined : row[column];
    if (given === undefined || given === null || given === '') {
      row[INGESTION_TIME] = generated instanceof KDateTime ? generated : null;
      return;
    }
    const parsed = given instanceof KDateTime ? given : typeof given === 'string' ? parseDateTime(given) : null;
    if (!parsed) throw new InputRowError(`${source}[${index}].${column}`, `${JSON.stringify(given)} is not a datetime (use ISO 8601, e.g. 2026-11-25T09:58:00Z)`);
    if (generated instanceof KDateTime && parsed.ms < generated.ms) {
      throw new InputRowError(`${source}[${index}].${column}`, `the record was ingested (${parsed.toJSON()}) before it was generated (${generated.toJSON()}); the columns may be swapped`);
    }
    row[INGESTION_TIME] = parsed;
  });
  return column;
}

/** When a row was ingested: its $IngestionTime, else its TimeGenerated; undefined when it has neither. */
export function ingestedAt(row: Readonly<Record<string, unknown>>): number | undefined {
  const ingested = row[INGESTION_TIME];
  if (ingested instanceof KDateTime) return ingested.ms;
  const generated = row['TimeGenerated'];
  return generated instanceof KDateTime ? generated.ms : undefined;
}
