import { InputRowError, recordTyper } from '../evaluate/input-rows.js';
import { INGESTION_TIME, type Row } from '../evaluate/table.js';
import { KDateTime } from '../evaluate/values.js';
import type { Manifest } from '../manifest/types.js';
import { MAX_DATETIME_TICKS, MIN_DATETIME_TICKS, TICKS_PER_MS } from '../evaluate/values.js';
import { MAX_NESTING, nestsDeeperThan } from '../replay-input/json-records.js';
import type { TableSchemas } from '../validate/kusto-schema.js';
import { actorFinder } from './account-uses.js';
import { ingestionTime } from './ingestion-time.js';
import { typedColumns, type ReplayPlan } from './replay-plan.js';

/** One record as a streaming replay holds it: its times, its place in the files, and what the rules read of it. */
export interface StreamRow {
  table: string;
  /** TimeGenerated and ingestion time (ms since the epoch). */
  generated: number;
  ingested: number;
  /** File order (the file's position on the command line, then the record's): ties in time keep it. */
  seq: number;
  /** The row with the columns the rules read, and its ingestion time; undefined for a table no rule reads. */
  row?: Row | undefined;
  /** The manifest account (object id, lower case) the record is the activity of. */
  actor?: string | undefined;
}

/**
 * Kusto's datetime range, in whole milliseconds, from the engine's (one source): 0001-01-01 to
 * 9999-12-31 23:59:59.9999999 (learn.microsoft.com/kusto/query/scalar-data-types/datetime).
 */
export const MIN_DATETIME_MS = Number(MIN_DATETIME_TICKS / TICKS_PER_MS);
export const MAX_DATETIME_MS = Number(MAX_DATETIME_TICKS / TICKS_PER_MS);

/** `seq` of record `index` of the file at `position` on the command line. */
export function sequence(position: number, index: number): number {
  return position * 2 ** 40 + index;
}

interface TableTyping {
  type: (record: Readonly<Record<string, unknown>>, where: (column: string) => string) => Row;
  /** Columns read of each record: undefined for all of them. */
  columns?: string[];
  datetimes: string[];
  kept: boolean;
}

/**
 * Types the mapped records of an export as a streaming replay keeps them: only the columns the plan
 * keeps (and those the account uses are read from), each checked as the whole-file reader checks
 * it (eventsTable, attachIngestionTimes), and also refused when a time is outside Kusto's range or
 * JSON text nests deeper than MAX_NESTING (either would break the code that reads it later). Pure.
 */
export class StreamRowTyper {
  private readonly typings = new Map<string, TableTyping>();
  private readonly actorOf: ReturnType<typeof actorFinder>;

  constructor(
    private readonly plan: ReplayPlan,
    manifest: Manifest,
    private readonly schemas: TableSchemas,
  ) {
    this.actorOf = actorFinder(manifest);
  }

  private typing(table: string): TableTyping {
    let typing = this.typings.get(table);
    if (!typing) {
      const schema = this.schemas[table] ?? [];
      const columns = typedColumns(this.plan, table, this.schemas);
      const types = new Map(schema.map((c) => [c.name, c.type]));
      typing = {
        type: recordTyper(schema, columns),
        ...(columns ? { columns } : {}),
        datetimes: (columns ?? schema.map((c) => c.name)).filter((name) => types.get(name) === 'datetime'),
        kept: this.plan.tables.has(table),
      };
      this.typings.set(table, typing);
    }
    return typing;
  }

  /**
   * The record `mapped` (a Log Analytics row of `table`) as a stream row; InputRowError names
   * `file[index]` and its column for a value that cannot be read.
   */
  row(table: string, mapped: Readonly<Record<string, unknown>>, file: string, index: number, seq: number): StreamRow {
    const typing = this.typing(table);
    const where = (column: string) => `${file}[${index}].${column}`;
    for (const name of typing.columns ?? Object.keys(mapped)) {
      if (tooDeep(mapped[name])) throw new InputRowError(where(name), `JSON nests deeper than ${MAX_NESTING} levels: not an export value`);
    }
    const row = typing.type(mapped, where);
    const generated = row['TimeGenerated'];
    if (!(generated instanceof KDateTime)) throw new InputRowError(`${file}[${index}]`, "the record has no TimeGenerated; the rules' look-back windows are measured on it");
    for (const name of typing.datetimes) {
      const value = row[name];
      if (value instanceof KDateTime && !inRange(value.ms)) throw new InputRowError(where(name), outOfRange(mapped[name]));
    }
    const ingested = ingestionTime(mapped, generated, where);
    row[INGESTION_TIME] = ingested;
    const actor = this.actorOf(table, row);
    // One shape for every stream row (absent fields undefined): the engines' hot loops stay monomorphic.
    return { table, generated: generated.ms, ingested: ingested?.ms ?? generated.ms, seq, row: typing.kept ? row : undefined, actor };
  }
}

const inRange = (ms: number) => Number.isFinite(ms) && ms >= MIN_DATETIME_MS && ms <= MAX_DATETIME_MS;

function outOfRange(value: unknown): string {
  return `${JSON.stringify(value)} is outside the range of a Kusto datetime (0001-01-01 to 9999-12-31)`;
}

/** A value whose JSON (or JSON text in a string anywhere in it) nests deeper than MAX_NESTING. */
function tooDeep(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return nestsDeeperThan(value, MAX_NESTING - depth);
  if (typeof value !== 'object' || value === null) return false;
  if (depth >= MAX_NESTING) return true;
  for (const inner of Array.isArray(value) ? value : Object.values(value)) if (tooDeep(inner, depth + 1)) return true;
  return false;
}
