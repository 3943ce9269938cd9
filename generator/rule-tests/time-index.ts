import type { Row, Table } from '../evaluate/table.js';
import { KDateTime } from '../evaluate/values.js';

interface SortedTable {
  columns: string[];
  rows: Row[];
  /** TimeGenerated of rows[i], ascending. */
  times: number[];
}

/**
 * The records of every table sorted once by TimeGenerated, so that each of thousands of scheduled
 * runs reads its window by binary search instead of scanning every record. Rows without a
 * TimeGenerated are never in a window, as in lookBack().
 */
export class TimeIndex {
  private readonly tables: Map<string, SortedTable>;

  constructor(tables: ReadonlyMap<string, Table>) {
    this.tables = new Map();
    for (const [name, table] of tables) {
      const timed = table.rows
        .map((row) => ({ row, time: row['TimeGenerated'] }))
        .filter((entry): entry is { row: Row; time: KDateTime } => entry.time instanceof KDateTime)
        .sort((a, b) => a.time.ms - b.time.ms);
      this.tables.set(name, { columns: table.columns, rows: timed.map((e) => e.row), times: timed.map((e) => e.time.ms) });
    }
  }

  /** The rows with TimeGenerated in (from, to], per table. */
  window(from: number, to: number): Map<string, Table> {
    const result = new Map<string, Table>();
    for (const [name, table] of this.tables) {
      result.set(name, { columns: table.columns, rows: table.rows.slice(firstAbove(table.times, from), firstAbove(table.times, to)) });
    }
    return result;
  }

  /** Oldest and newest TimeGenerated over all tables; undefined when no row has one. */
  span(): { oldest: number; newest: number } | undefined {
    let oldest = Number.POSITIVE_INFINITY;
    let newest = Number.NEGATIVE_INFINITY;
    for (const { times } of this.tables.values()) {
      if (times.length === 0) continue;
      oldest = Math.min(oldest, times[0]!);
      newest = Math.max(newest, times[times.length - 1]!);
    }
    return oldest <= newest ? { oldest, newest } : undefined;
  }
}

/** The index of the first time strictly greater than `value`. */
function firstAbove(times: readonly number[], value: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}
