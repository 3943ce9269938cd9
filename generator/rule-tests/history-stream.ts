import type { CompiledQuery } from '../evaluate/evaluate-query.js';
import { EvaluationError } from '../evaluate/evaluation-error.js';
import type { Row, Table } from '../evaluate/table.js';
import type { Manifest } from '../manifest/types.js';
import { AccountUseTracker, type AccountUse } from './account-uses.js';
import { compiledQuery } from './compiled-queries.js';
import { fires } from './expectation.js';
import type { ReplayPlan, PlannedRule } from './replay-plan.js';
import { MAX_RUNS, overflowError, type HistoryResult, type RuleHistory } from './replay-history.js';
import { resultRows } from './rule-cases.js';
import { NRT_RUN_MS } from './run-schedule.js';
import type { StreamRow } from './stream-rows.js';
import { watchlistTables } from './watchlist-tables.js';

interface RuleState {
  planned: PlannedRule;
  history: RuleHistory;
  query?: CompiledQuery;
  every: number;
  lookBack: number;
  /** The first run, and the next run not yet considered (multiples of `every`). */
  first: number;
  cursor: number;
  /** The last run: known at the start with --now, else when the records end. */
  last: number;
  /** What a run whose window holds no record gives: not known until the first such run. */
  empty: 'unknown' | 'silent' | 'fires';
  /** No further run is evaluated (an error, or too many runs for a rule that fires on silence). */
  done: boolean;
  overflow: boolean;
}

/** The rows of one table that some run still to come may read. */
interface TableBuffer {
  columns: string[];
  /** Rows in order of TimeGenerated (then file order), for the scheduled rules: rows[head..]. */
  generated: StreamRow[];
  head: number;
  /** Rows by the near-real-time run that reads them (the end of the minute they were ingested in). */
  runs: Map<number, RunRows>;
}

interface RunRows {
  entries: StreamRow[];
  /** The rows in order of ingestion (then file order), once a run has read them. */
  rows?: Row[];
}

/**
 * replay --history over records that arrive one by one in order of TimeGenerated (then file order),
 * in memory bounded by the rules' look-back windows instead of by the export: each rule's runs are
 * evaluated as soon as no record still to come can be in their window (a record generated after a
 * run is never ingested by it), and a record is dropped once no run still to come can read it.
 * Gives what replayHistory (replay-history.ts) gives for the same records in memory, run for run:
 * the same windows in the same row order (run-schedule.ts), the same runs evaluated (those with a
 * record of a table the rule reads, and the empty ones when the first empty one fires), the same
 * limit on a rule that fires on silence. Pure.
 */
export class HistoryStream {
  private readonly rules: RuleState[];
  private readonly buffers = new Map<string, TableBuffer>();
  private readonly watchlists: Map<string, Table>;
  private readonly tracker = new AccountUseTracker();
  private start: number | undefined;
  /** The TimeGenerated of the last record pushed: no record still to come is older. */
  private watermark = Number.NEGATIVE_INFINITY;
  private pushed = 0;

  constructor(
    plan: ReplayPlan,
    manifest: Manifest,
    globals: Kusto.Language.GlobalState,
    private readonly until: number | undefined,
    private readonly columnsOf: (table: string) => string[],
  ) {
    this.watchlists = watchlistTables(manifest);
    this.rules = plan.rules.map((planned): RuleState => {
      const { rule, schedule } = planned;
      const history: RuleHistory = { ruleId: rule.id, kind: schedule.kind, frequencyMs: schedule.everyMs, periodMs: schedule.lookBackMs, by: schedule.by, runs: 0, alerts: [] };
      const state: RuleState = { planned, history, every: schedule.everyMs, lookBack: schedule.lookBackMs, first: 0, cursor: 0, last: Number.POSITIVE_INFINITY, empty: 'unknown', done: false, overflow: false };
      try {
        state.query = compiledQuery(rule.query.text, globals);
      } catch (error) {
        if (!(error instanceof EvaluationError)) throw error;
        history.error = `${rule.id}: ${error.message}`;
        state.done = true;
      }
      return state;
    });
  }

  /** Records pushed so far. */
  get count(): number {
    return this.pushed;
  }

  /** Records held now for runs still to come (a record read by both kinds of rule counts twice). */
  get held(): number {
    let held = 0;
    for (const buffer of this.buffers.values()) {
      held += buffer.generated.length - buffer.head;
      for (const run of buffer.runs.values()) held += run.entries.length;
    }
    return held;
  }

  /** The next record: none pushed before it is newer (by TimeGenerated, then file order). */
  push(row: StreamRow): void {
    if (this.start === undefined) this.begin(row.generated);
    if (row.generated < this.watermark) throw new Error(`replay history: records out of order (${row.generated} after ${this.watermark})`);
    this.pushed++;
    if (row.generated > this.watermark) {
      this.advance(row.generated);
      this.watermark = row.generated;
    }
    if (row.actor !== undefined) this.tracker.add(row.actor, row.generated);
    if (row.row) this.keep(row);
  }

  /** The runs left after the last record, up to the newest record (or --now); `span` covers every record read. */
  finish(span: { oldest: number; newest: number } | undefined): { history: HistoryResult; uses: AccountUse[] } {
    const end = this.until ?? span?.newest ?? 0;
    if (this.start === undefined) this.begin(Math.min(span?.oldest ?? end, end));
    for (const state of this.rules) {
      state.last = Math.ceil(end / state.every) * state.every;
      while (!state.done && state.cursor <= state.last) this.step(state, Number.POSITIVE_INFINITY);
      const history = state.history;
      if (history.error !== undefined && state.query === undefined) continue;
      history.runs = (state.last - state.first) / state.every + 1;
      if (state.empty === 'fires' && (state.overflow || history.runs > MAX_RUNS)) {
        state.history = { ...history, runs: 0, alerts: [], error: overflowError(state.planned.rule.id, this.start!, end, state.every) };
      }
    }
    return { history: { from: this.start!, until: end, rules: this.rules.map((s) => s.history) }, uses: this.tracker.uses() };
  }

  private begin(oldest: number): void {
    const start = this.until === undefined ? oldest : Math.min(oldest, this.until);
    this.start = start;
    for (const state of this.rules) {
      state.first = Math.ceil(start / state.every) * state.every;
      state.cursor = state.first;
      if (this.until !== undefined) state.last = Math.ceil(this.until / state.every) * state.every;
    }
  }

  /** Evaluates every run before `limit`: no record still to come (generated at `limit` or later) is in its window. */
  private advance(limit: number): void {
    let moved = false;
    for (const state of this.rules) {
      while (!state.done && state.cursor < limit && state.cursor <= state.last) {
        this.step(state, limit);
        moved = true;
      }
      // Past its last run (known with --now), a rule needs no record any more.
      if (state.cursor > state.last && !state.done) this.retire(state);
    }
    if (moved) this.evict();
  }

  /** The run at the rule's cursor; then the cursor moves to the next run that can matter. */
  private step(state: RuleState, limit: number): void {
    const at = state.cursor;
    if (state.empty === 'fires' && (at - state.first) / state.every + 1 > MAX_RUNS) {
      state.overflow = true;
      this.retire(state);
      return;
    }
    const has = this.hasRecords(state, at);
    if (has || state.empty !== 'silent') {
      const fired = this.evaluate(state, at);
      if (fired === undefined) return;
      if (!has && state.empty === 'unknown') state.empty = fired ? 'fires' : 'silent';
    }
    state.cursor = state.empty === 'silent' ? this.nextRun(state, at + state.every, limit) : at + state.every;
  }

  /** Whether the window of the rule's run at `at` holds a record of a table it reads. */
  private hasRecords(state: RuleState, at: number): boolean {
    for (const table of state.planned.tables) {
      const buffer = this.buffers.get(table);
      if (!buffer) continue;
      if (state.planned.schedule.by === 'ingestion') {
        if ((buffer.runs.get(at)?.entries.length ?? 0) > 0) return true;
        continue;
      }
      const rows = buffer.generated;
      for (let i = firstAbove(rows, at - state.lookBack, buffer.head); i < rows.length && rows[i]!.generated <= at; i++) if (rows[i]!.ingested <= at) return true;
    }
    return false;
  }

  /**
   * For a rule silent on empty windows: the first run from `from` on whose window may hold a record.
   * Records still to come are generated at `limit` or later, so their runs come no earlier than the
   * first run at or after `limit`.
   */
  private nextRun(state: RuleState, from: number, limit: number): number {
    const later = limit === Number.POSITIVE_INFINITY ? limit : Math.max(from, Math.ceil(limit / state.every) * state.every);
    let next = later;
    for (const table of state.planned.tables) {
      const buffer = this.buffers.get(table);
      if (!buffer) continue;
      if (state.planned.schedule.by === 'ingestion') {
        for (const [run, rows] of buffer.runs) if (run >= from && run < next && rows.entries.length > 0) next = run;
      } else if (buffer.head < buffer.generated.length) return from;
    }
    return next;
  }

  /** Evaluates the rule's run at `at`: whether it fired; undefined when it cannot be evaluated. */
  private evaluate(state: RuleState, at: number): boolean | undefined {
    const tables = new Map<string, Table>();
    for (const table of state.planned.tables) {
      const buffer = this.buffers.get(table);
      if (buffer) tables.set(table, { columns: buffer.columns, rows: this.window(buffer, state, at) });
    }
    const rule = state.planned.rule;
    try {
      const result = state.query!.run({ tables, watchlists: this.watchlists, now: at });
      const fired = fires(result.rows.length, rule.template.triggerOperator, rule.template.triggerThreshold);
      if (fired) state.history.alerts.push({ at, result: resultRows(result) });
      return fired;
    } catch (error) {
      if (!(error instanceof EvaluationError)) throw error;
      state.history.error = `${rule.id}: ${error.message}`;
      this.retire(state);
      return undefined;
    }
  }

  /** A run's rows of one table, in the order replayHistory's index gives them (time-index.ts). */
  private window(buffer: TableBuffer, state: RuleState, at: number): Row[] {
    if (state.planned.schedule.by === 'ingestion') {
      const run = buffer.runs.get(at);
      if (!run) return [];
      run.rows ??= run.entries.sort((a, b) => a.ingested - b.ingested || a.seq - b.seq).map((e) => e.row!);
      return run.rows.slice();
    }
    const rows: Row[] = [];
    const entries = buffer.generated;
    for (let i = firstAbove(entries, at - state.lookBack, buffer.head); i < entries.length && entries[i]!.generated <= at; i++) {
      if (entries[i]!.ingested <= at) rows.push(entries[i]!.row!);
    }
    return rows;
  }

  /** A rule evaluates no further run: it holds no record any more. */
  private retire(state: RuleState): void {
    state.done = true;
    this.readers.clear();
  }

  /** The rules still running that read each table (made when first asked, again after a rule retires). */
  private readonly readers = new Map<string, RuleState[]>();

  /** Keeps a record for the runs still to come that read its table. */
  private keep(row: StreamRow): void {
    let readers = this.readers.get(row.table);
    if (!readers) this.readers.set(row.table, (readers = this.rules.filter((state) => !state.done && state.planned.tables.includes(row.table))));
    let nrt = false;
    let scheduled = false;
    for (const state of readers) {
      // With --now, a record generated after a rule's last run is in none of its windows.
      if (row.generated > state.last) continue;
      if (state.planned.schedule.by === 'ingestion') nrt = true;
      else scheduled = true;
    }
    if (!nrt && !scheduled) return;
    let buffer = this.buffers.get(row.table);
    if (!buffer) {
      buffer = { columns: this.columnsOf(row.table), generated: [], head: 0, runs: new Map() };
      this.buffers.set(row.table, buffer);
    }
    if (scheduled) buffer.generated.push(row);
    if (nrt) {
      const run = Math.ceil(row.ingested / NRT_RUN_MS) * NRT_RUN_MS;
      const rows = buffer.runs.get(run);
      if (rows) {
        rows.entries.push(row);
        rows.rows = undefined;
      } else buffer.runs.set(run, { entries: [row] });
    }
  }

  /** Drops what no run still to come reads. */
  private evict(): void {
    for (const [table, buffer] of this.buffers) {
      let nrtCursor = Number.POSITIVE_INFINITY;
      let generatedFloor = Number.POSITIVE_INFINITY;
      for (const state of this.rules) {
        if (state.done || !state.planned.tables.includes(table)) continue;
        if (state.planned.schedule.by === 'ingestion') nrtCursor = Math.min(nrtCursor, state.cursor);
        else generatedFloor = Math.min(generatedFloor, state.cursor - state.lookBack);
      }
      for (const run of buffer.runs.keys()) if (run < nrtCursor) buffer.runs.delete(run);
      const rows = buffer.generated;
      while (buffer.head < rows.length && rows[buffer.head]!.generated <= generatedFloor) buffer.head++;
      if (buffer.head > 4096 && buffer.head * 2 > rows.length) {
        buffer.generated = rows.slice(buffer.head);
        buffer.head = 0;
      }
    }
  }
}

/** The index of the first row (from `from` on) generated after `time`. */
function firstAbove(rows: readonly StreamRow[], time: number, from: number): number {
  let low = from;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (rows[middle]!.generated <= time) low = middle + 1;
    else high = middle;
  }
  return low;
}
