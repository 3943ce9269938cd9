/**
 * `breakglass replay` over export files of any size: records stream from disk one by one
 * (replay-input/export-file.ts), each is mapped and typed with only the columns the rules read
 * (rule-tests/stream-rows.ts), and goes either to one run of each rule at a clock
 * (rule-tests/clock-windows.ts) or, with --history, to every run as time passes
 * (rule-tests/history-stream.ts). Memory holds the rules' look-back windows, not the files.
 * With --history the records must reach the runs in time order: files nearly in order are put in
 * order as they stream (rule-tests/ordered-rows.ts); when a record comes too late for that, the
 * replay starts again and sorts the records on disk first (rule-tests/external-sort.ts).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputRowError } from '../evaluate/input-rows.js';
import type { Table } from '../evaluate/table.js';
import type { Manifest } from '../manifest/types.js';
import { exportRecords } from '../replay-input/export-file.js';
import { recordTable } from '../replay-input/read-records.js';
import { recordError, withLine } from '../replay-input/record-place.js';
import { toLogAnalyticsRow, type SourceShape } from '../replay-input/source-records.js';
import type { AccountUse } from '../rule-tests/account-uses.js';
import { ClockWindows } from '../rule-tests/clock-windows.js';
import { SortedChunks, RowCodec } from '../rule-tests/external-sort.js';
import { HistoryStream } from '../rule-tests/history-stream.js';
import { mergeOrdered, OutOfOrder, reordered, type ReorderLimits } from '../rule-tests/ordered-rows.js';
import type { HistoryResult } from '../rule-tests/replay-history.js';
import { typedColumns, type ReplayPlan } from '../rule-tests/replay-plan.js';
import type { TableStats } from '../rule-tests/replay.js';
import { sequence, StreamRowTyper, type StreamRow } from '../rule-tests/stream-rows.js';
import type { TableSchemas } from '../validate/kusto-schema.js';

export interface ReplaySource {
  /** The table given before `=`, if any. */
  table?: string;
  /** The file as the user wrote it (for messages). */
  file: string;
}

/** How a streaming replay holds records; the defaults suit any export, tests make them small. */
export interface StreamTuning extends ReorderLimits {
  /** Records per sorted chunk on disk when the records are not in time order. */
  chunkRows: number;
  /** Characters read from a file at a time. */
  chunkBytes: number;
  /** Where the sorted chunks go (default: the system's temporary folder). */
  tmpdir?: string;
}

/**
 * Records may arrive up to 15 minutes behind newer ones (a storage account's blobs and event hub
 * batches interleave by minutes) and still be put in place, holding at most 250,000 records while
 * waiting; sorting on disk holds 100,000 records at a time.
 */
export const DEFAULT_TUNING: StreamTuning = { slackMs: 15 * 60_000, maxPending: 250_000, chunkRows: 100_000, chunkBytes: 1 << 20 };

export interface StreamContext {
  cwd: string;
  sources: readonly ReplaySource[];
  plan: ReplayPlan;
  manifest: Manifest;
  schemas: TableSchemas;
  tuning: StreamTuning;
  /** Lets Ctrl-C stop the replay between pieces of a file. */
  checkpoint: () => Promise<void>;
  progress: (label: string, done: number, total: number) => void;
}

/** What was read: records per table, how they came, what was left out, and their span in time. */
export interface ReadSummary {
  /** Records per table of the workspace schema, with their TimeGenerated range, in the order first met. */
  tables: Map<string, TableStats>;
  shapes: Map<SourceShape, number>;
  /** Records of tables the rules do not read, per table. */
  skipped: Map<string, number>;
  /** Oldest and newest time of any record (TimeGenerated or ingestion time). */
  span?: { oldest: number; newest: number };
  /** The records were not in time order (--history): the first record found out of place, and the chunks sorted on disk. */
  sorted?: { file: string; record: number; chunks: number };
}

/** Counts per key in the order keys were first met in the files (a file's records, then the next file's). */
class FirstMet<T> {
  private readonly entries = new Map<string, { value: T; first: number }>();
  constructor(private readonly make: () => T) {}
  at(key: string, seq: number): T {
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = { value: this.make(), first: seq }));
    else if (seq < entry.first) entry.first = seq;
    return entry.value;
  }
  ordered(): Map<string, T> {
    return new Map([...this.entries].sort(([, a], [, b]) => a.first - b.first).map(([key, { value }]) => [key, value]));
  }
}

export class ReadTally {
  readonly tables = new FirstMet<TableStats>(() => ({ records: 0, oldest: Infinity, newest: -Infinity }));
  readonly shapes = new FirstMet<{ n: number }>(() => ({ n: 0 }));
  readonly skipped = new FirstMet<{ n: number }>(() => ({ n: 0 }));
  oldest = Infinity;
  newest = -Infinity;

  add(row: StreamRow): void {
    const stats = this.tables.at(row.table, row.seq);
    stats.records++;
    if (row.generated < stats.oldest) stats.oldest = row.generated;
    if (row.generated > stats.newest) stats.newest = row.generated;
    if (row.generated < this.oldest) this.oldest = row.generated;
    if (row.ingested > this.newest) this.newest = row.ingested;
  }

  summary(): ReadSummary {
    const count = (tally: FirstMet<{ n: number }>) => new Map([...tally.ordered()].map(([key, { n }]) => [key, n]));
    return {
      tables: this.tables.ordered(),
      shapes: count(this.shapes) as Map<SourceShape, number>,
      skipped: count(this.skipped),
      ...(this.oldest <= this.newest ? { span: { oldest: this.oldest, newest: this.newest } } : {}),
    };
  }
}

/** The columns a kept row of `table` holds, as its Table lists them. */
export function keptColumns(plan: ReplayPlan, schemas: TableSchemas): (table: string) => string[] {
  return (table) => typedColumns(plan, table, schemas) ?? (schemas[table] ?? []).map((c) => c.name);
}

/** Progress over all files, by bytes read. */
class BytesRead {
  private readonly read: number[];
  private readonly sizes: number[];
  constructor(
    private readonly ctx: StreamContext,
    private readonly label: string,
  ) {
    this.read = ctx.sources.map(() => 0);
    this.sizes = ctx.sources.map(() => 0);
  }
  update(position: number, read: number, size: number): void {
    this.read[position] = read;
    this.sizes[position] = size;
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.ctx.progress(this.label, Math.round(this.read.reduce((a, b) => a + b, 0) / 1e6), Math.round(total / 1e6));
  }
}

/**
 * The stream rows of one export file, a batch per piece of text, in file order: each record mapped
 * (source-records.ts), sent to its table (read-records.ts: the one given, or the one it names),
 * and typed (stream-rows.ts); records of tables outside `schemas` are counted in `tally` and left out.
 * InputRowError names the file, the record and its line.
 */
export async function* exportRows(
  path: string,
  source: ReplaySource,
  position: number,
  typer: StreamRowTyper,
  schemas: TableSchemas,
  options: { tally?: ReadTally; chunkBytes?: number; onBytes?: (read: number, size: number) => void } = {},
): AsyncGenerator<StreamRow[]> {
  const ours = Object.keys(schemas);
  const known = new Set(ours);
  const file = source.file;
  const tally = options.tally;
  for await (const batch of exportRecords(path, file, { ...(options.chunkBytes ? { chunkBytes: options.chunkBytes } : {}), ...(options.onBytes ? { onBytes: options.onBytes } : {}) })) {
    const rows: StreamRow[] = [];
    for (let k = 0; k < batch.records.length; k++) {
      const index = batch.first + k;
      const line = batch.lines[k];
      const seq = sequence(position, index);
      const mapped = toLogAnalyticsRow(batch.records[k]);
      if ('problem' in mapped) throw recordError(file, index, line, mapped.problem);
      if (tally) tally.shapes.at(mapped.shape, seq).n++;
      const table = recordTable(mapped, file, index, source.table, ours);
      if (!known.has(table)) {
        if (tally) tally.skipped.at(table, seq).n++;
        continue;
      }
      let row: StreamRow;
      try {
        row = typer.row(table, mapped.row, file, index, seq);
      } catch (error) {
        throw error instanceof InputRowError ? withLine(error, line) : error;
      }
      tally?.add(row);
      rows.push(row);
    }
    yield rows;
  }
}

/** exportRows of the context's file at `position`, with progress, stopping between pieces on Ctrl-C. */
async function* sourceRows(ctx: StreamContext, position: number, tally: ReadTally, typer: StreamRowTyper, bytes: BytesRead): AsyncGenerator<StreamRow[]> {
  const source = ctx.sources[position]!;
  for await (const rows of exportRows(resolve(ctx.cwd, source.file), source, position, typer, ctx.schemas, { tally, chunkBytes: ctx.tuning.chunkBytes, onBytes: (read, size) => bytes.update(position, read, size) })) {
    yield rows;
    await ctx.checkpoint();
  }
}

/**
 * replay --history over the files: the records in time order through the runs of every rule.
 * When they are not in time order (beyond the tuning's slack), the replay starts again, sorting
 * them on disk first.
 */
export async function streamHistory(ctx: StreamContext, globals: Kusto.Language.GlobalState, until: number | undefined): Promise<{ history: HistoryResult; uses: AccountUse[]; summary: ReadSummary }> {
  const columnsOf = keptColumns(ctx.plan, ctx.schemas);
  const typer = new StreamRowTyper(ctx.plan, ctx.manifest, ctx.schemas);
  const replay = async (rows: AsyncIterable<StreamRow[]>, tally: ReadTally) => {
    const engine = new HistoryStream(ctx.plan, ctx.manifest, globals, until, columnsOf);
    for await (const batch of rows) for (const row of batch) engine.push(row);
    const summary = tally.summary();
    return { ...engine.finish(summary.span), summary };
  };
  try {
    const tally = new ReadTally();
    const bytes = new BytesRead(ctx, 'replaying every run of each rule (MB read)');
    return await replay(mergeOrdered(ctx.sources.map((_, position) => reordered(sourceRows(ctx, position, tally, typer, bytes), ctx.tuning))), tally);
  } catch (error) {
    if (!(error instanceof OutOfOrder)) throw error;
    const position = Math.floor(error.row.seq / 2 ** 40);
    const record = error.row.seq - position * 2 ** 40;
    // Sorting reads the files again: a pipe cannot be read twice, and must not be read as empty.
    for (const source of ctx.sources) {
      const regular = await stat(resolve(ctx.cwd, source.file)).then((s) => s.isFile(), () => false);
      if (!regular) throw new InputRowError(source.file, `the records are not in time order (${ctx.sources[position]!.file}[${record}] is older than records before it), and ${source.file} is not a file that can be read again to sort them on disk: save it to a file, or sort it by TimeGenerated, and replay that`);
    }
    const tally = new ReadTally();
    const chunks = await SortedChunks.create(new RowCodec(ctx.schemas, columnsOf), ctx.tuning.chunkRows, ctx.tuning.tmpdir);
    try {
      const bytes = new BytesRead(ctx, 'records not in time order: sorting them on disk (MB read)');
      for (let p = 0; p < ctx.sources.length; p++) for await (const batch of sourceRows(ctx, p, tally, typer, bytes)) await chunks.add(batch);
      await chunks.close();
      const result = await replay(progressOf(chunks.merged(), ctx, tally), tally);
      return { ...result, summary: { ...result.summary, sorted: { file: ctx.sources[position]!.file, record, chunks: chunks.written } } };
    } finally {
      await chunks.remove();
    }
  }
}

/** The merged chunks, with progress by records replayed. */
async function* progressOf(rows: AsyncIterable<StreamRow[]>, ctx: StreamContext, tally: ReadTally): AsyncGenerator<StreamRow[]> {
  const total = [...tally.tables.ordered().values()].reduce((n, t) => n + t.records, 0);
  let done = 0;
  for await (const batch of rows) {
    yield batch;
    done += batch.length;
    ctx.progress('replaying every run of each rule (records)', done, total);
    await ctx.checkpoint();
  }
}

/** replay without --history: the records one run of each rule reads at the clock (--now, else the newest record). */
export async function streamClock(ctx: StreamContext, until: number | undefined): Promise<{ clock: number; events: Map<string, Table>; summary: ReadSummary }> {
  const columnsOf = keptColumns(ctx.plan, ctx.schemas);
  const typer = new StreamRowTyper(ctx.plan, ctx.manifest, ctx.schemas);
  const windows = new ClockWindows(ctx.plan, until, columnsOf);
  const tally = new ReadTally();
  const bytes = new BytesRead(ctx, 'reading the records (MB)');
  for (let position = 0; position < ctx.sources.length; position++) {
    for await (const batch of sourceRows(ctx, position, tally, typer, bytes)) for (const row of batch) windows.push(row);
  }
  return { ...windows.finish(), summary: tally.summary() };
}
