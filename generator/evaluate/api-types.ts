/**
 * The types of the engine's public entry (`evaluateQuery`). They name no Kusto.Language type, so
 * that a user's TypeScript sees the whole API without Microsoft's language service typings.
 */

/** Rows of one table as an export or a test gives them: column name -> value. */
export type InputRecords = readonly Readonly<Record<string, unknown>>[];

export interface EvaluateQueryOptions {
  /** Rows per table; a table of the schema that is not given is empty. */
  tables?: Readonly<Record<string, InputRecords>>;
  /**
   * Columns of tables the shipped workspace schema does not have (IdentityInfo, DeviceInfo, a
   * custom table): name -> [{ name, type }]. A table named here replaces the shipped one.
   */
  schemas?: Readonly<TableSchemas>;
  /** Rows per watchlist alias, for Sentinel's `_GetWatchlist(alias)`. */
  watchlists?: Readonly<Record<string, InputRecords>>;
  /** The query's clock (ago(), now()): an ISO 8601 text or a Date; the machine's clock when left out. */
  now?: string | Date;
}

/**
 * A result table. Values are JSON-shaped: datetimes as ISO 8601 with seven fractional digits and Z,
 * timespans as [-][d.]hh:mm:ss[.fffffff], dynamic as plain JSON, a long beyond 2^53 as its exact
 * decimal text, real NaN and infinities as "NaN", "Infinity" and "-Infinity" (as Kusto's JSON has them).
 */
export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

/** One column of a table, as Kusto declares it: a name and a scalar type (string, long, dynamic, ...). */
export interface ColumnSchema {
  name: string;
  type: string;
}

/** Columns per table name. */
export type TableSchemas = Record<string, readonly ColumnSchema[]>;
