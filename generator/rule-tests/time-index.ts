import type { Row, Table } from '../evaluate/table.js';
import { KDateTime } from '../evaluate/values.js';
import { ingestedAt } from './ingestion-time.js';
import type { RunSchedule } from './run-schedule.js';

interface SortedRows {
  rows: Row[];
  /** The sort key of rows[i], ascending. */
  times: number[];
}

interface IndexedTable {
  columns: string[];
  /** By TimeGenerated. */
  generated: SortedRows;
  /** By ingestion time ($IngestionTime, else TimeGenerated). */
  ingested: SortedRows;
}

function sortedBy(rows: readonly Row[], key: (row: Row) => number | undefined): SortedRows {
  const timed = rows
    .map((row) => ({ row, time: key(row) }))
    .filter((entry): entry is { row: Row; time: number } => entry.time !== undefined)
    .sort((a, b) => a.time - b.time);
  return { rows: timed.map((e) => e.row), times: timed.map((e) => e.time) };
}

/**
 * The records of every table sorted once by TimeGenerated and once by ingestion time, so that
 * each of many thousands of runs reads its window by binary search instead of scanning every
 * record. Rows without a TimeGenerated are never in a window, as in lookBack().
 */
export class TimeIndex {
  private readonly tables: Map<string, IndexedTable>;

  constructor(tables: ReadonlyMap<string, Table>) {
    this.tables = new Map();
    for (const [name, table] of tables) {
      const dated = table.rows.filter((row) => row['TimeGenerated'] instanceof KDateTime);
      this.tables.set(name, {
        columns: table.columns,
        generated: sortedBy(dated, (row) => (row['TimeGenerated'] as KDateTime).ms),
        ingested: sortedBy(dated, ingestedAt),
      });
    }
  }

  /** What a run at `at` reads (see RunSchedule): by ingestion time, or by TimeGenerated among the records ingested by then. */
  runWindow(schedule: RunSchedule, at: number): Map<string, Table> {
    const from = at - schedule.lookBackMs;
    if (schedule.by === 'ingestion') {
      return this.map((table) => table.ingested.rows.slice(firstAbove(table.ingested.times, from), firstAbove(table.ingested.times, at)));
    }
    return this.map((table) => {
      const rows = table.generated.rows.slice(firstAbove(table.generated.times, from), firstAbove(table.generated.times, at));
      return rows.every((row) => (ingestedAt(row) ?? at) <= at) ? rows : rows.filter((row) => (ingestedAt(row) ?? at) <= at);
    });
  }

  /**
   * The runs in [first, last] (multiples of the schedule's period) whose window holds a record of
   * `tables` (default: any), ascending: found from the records, so that a long replay need not
   * visit its empty runs.
   */
  runsWithRecords(schedule: RunSchedule, first: number, last: number, tables?: ReadonlySet<string>): number[] {
    const every = schedule.everyMs;
    const runs = new Set<number>();
    const add = (at: number) => {
      if (at >= first && at <= last) runs.add(at);
    };
    for (const [name, { generated }] of this.tables) {
      if (tables && !tables.has(name)) continue;
      generated.rows.forEach((row, i) => {
        const made = generated.times[i]!;
        const ingested = ingestedAt(row) ?? made;
        if (schedule.by === 'ingestion') {
          add(Math.ceil(ingested / every) * every);
          return;
        }
        // In the window (T - lookBack, T] of every run T >= TimeGenerated, once it is ingested.
        for (let at = Math.ceil(Math.max(made, ingested) / every) * every; at < made + schedule.lookBackMs; at += every) add(at);
      });
    }
    return [...runs].sort((a, b) => a - b);
  }

  /** Oldest and newest time over all tables, TimeGenerated and ingestion alike; undefined when no row has one. */
  span(): { oldest: number; newest: number } | undefined {
    let oldest = Number.POSITIVE_INFINITY;
    let newest = Number.NEGATIVE_INFINITY;
    for (const { generated, ingested } of this.tables.values()) {
      for (const { times } of [generated, ingested]) {
        if (times.length === 0) continue;
        oldest = Math.min(oldest, times[0]!);
        newest = Math.max(newest, times[times.length - 1]!);
      }
    }
    return oldest <= newest ? { oldest, newest } : undefined;
  }

  private map(rowsOf: (table: IndexedTable) => Row[]): Map<string, Table> {
    const result = new Map<string, Table>();
    for (const [name, table] of this.tables) result.set(name, { columns: table.columns, rows: rowsOf(table) });
    return result;
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
