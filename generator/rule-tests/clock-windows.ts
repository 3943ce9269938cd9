import type { Table } from '../evaluate/table.js';
import type { ReplayPlan } from './replay-plan.js';
import { NRT_RUN_MS } from './run-schedule.js';
import type { StreamRow } from './stream-rows.js';

/** How a table is read: by a near-real-time rule (the minute before the clock), and how far back scheduled rules look. */
interface TableReach {
  nrt: boolean;
  lookBackMs: number;
}

/**
 * The records one run of each rule reads at a clock (replay without --history), kept from records
 * streamed in any order: a record is kept only while it can still be in some rule's window at the
 * clock. With --now the clock is known; without, it is the newest time of all records, so a record
 * is kept while it is within the longest look-back of the newest time seen so far (the clock can
 * only be later). Memory: the records of the look-back windows, not the export. Pure.
 */
export class ClockWindows {
  private readonly reach = new Map<string, TableReach>();
  private readonly rows = new Map<string, StreamRow[]>();
  private newest = Number.NEGATIVE_INFINITY;
  private kept = 0;
  private compactAt = 1 << 16;

  constructor(
    plan: ReplayPlan,
    private readonly clock: number | undefined,
    private readonly columnsOf: (table: string) => string[],
  ) {
    for (const { schedule, tables } of plan.rules) {
      for (const table of tables) {
        const reach = this.reach.get(table) ?? { nrt: false, lookBackMs: Number.NEGATIVE_INFINITY };
        if (schedule.by === 'ingestion') reach.nrt = true;
        else reach.lookBackMs = Math.max(reach.lookBackMs, schedule.lookBackMs);
        this.reach.set(table, reach);
      }
    }
  }

  /** A record, in file order (records of every table, so the clock can be the newest of all). */
  push(row: StreamRow): void {
    if (row.ingested > this.newest) this.newest = row.ingested;
    if (row.generated > this.newest) this.newest = row.generated;
    if (!row.row || !this.seen(row, this.clock ?? this.newest, this.clock !== undefined)) return;
    const list = this.rows.get(row.table);
    if (list) list.push(row);
    else this.rows.set(row.table, [row]);
    if (++this.kept >= this.compactAt && this.clock === undefined) this.compact();
  }

  /** The clock (--now, else the newest time of any record), and the records kept per table in file order. */
  finish(): { clock: number; events: Map<string, Table> } {
    const clock = this.clock ?? (this.newest === Number.NEGATIVE_INFINITY ? 0 : this.newest);
    const events = new Map<string, Table>();
    for (const [table, rows] of this.rows) events.set(table, { columns: this.columnsOf(table), rows: rows.filter((row) => this.seen(row, clock, true)).map((row) => row.row!) });
    return { clock, events };
  }

  /**
   * Whether the record can be in a window at `clock` (exact), or at any clock from `clock` on
   * (`exact` false: the clock is not known yet, only that it is no earlier).
   */
  private seen(row: StreamRow, clock: number, exact: boolean): boolean {
    const reach = this.reach.get(row.table);
    if (!reach) return false;
    if (exact && row.ingested > clock) return false;
    if (reach.nrt && row.ingested > clock - NRT_RUN_MS) return true;
    return row.generated > clock - reach.lookBackMs && (!exact || row.generated <= clock);
  }

  private compact(): void {
    this.kept = 0;
    for (const [table, rows] of this.rows) {
      const left = rows.filter((row) => this.seen(row, this.newest, false));
      this.rows.set(table, left);
      this.kept += left.length;
    }
    this.compactAt = Math.max(1 << 16, 2 * this.kept);
  }
}
