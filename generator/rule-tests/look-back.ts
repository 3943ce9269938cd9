import type { Table } from '../evaluate/table.js';
import { KDateTime } from '../evaluate/values.js';

/**
 * The rows a scheduled run at `now` reads: TimeGenerated in (now - period, now]. Sentinel bounds a
 * rule's query to its look-back period this way, so an old event must not make a rule fire.
 */
export function lookBack(tables: ReadonlyMap<string, Table>, now: number, periodMs: number): Map<string, Table> {
  const from = now - periodMs;
  const result = new Map<string, Table>();
  for (const [name, table] of tables) {
    const rows = table.rows.filter((row) => {
      const time = row['TimeGenerated'];
      return time instanceof KDateTime && time.ms > from && time.ms <= now;
    });
    result.set(name, { columns: table.columns, rows });
  }
  return result;
}

/** The newest TimeGenerated of all rows: the clock of a replay or a case that sets none. */
export function newestTime(tables: ReadonlyMap<string, Table>): number | undefined {
  let newest: number | undefined;
  for (const table of tables.values()) {
    for (const row of table.rows) {
      const time = row['TimeGenerated'];
      if (time instanceof KDateTime && (newest === undefined || time.ms > newest)) newest = time.ms;
    }
  }
  return newest;
}
