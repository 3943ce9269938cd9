import { compileQuery } from './evaluate-query.js';
import { EvaluationError } from './evaluation-error.js';
import { InputRowError, tableFromRecords } from './input-rows.js';
import type { EvaluateQueryOptions, InputRecords, QueryResult } from './api-types.js';
import { queryResult } from './query-result.js';
import type { TableSchemas } from './schema.js';
import type { Table } from './table.js';
import { KDateTime, parseDateTime } from './values.js';

/** What a query runs against: the tables Kusto.Language knows, and its global state for them. */
export interface QueryEnvironment {
  schemas: TableSchemas;
  /** Columns of the rows `_GetWatchlist(alias)` returns, when the environment offers it. */
  watchlistColumns?: TableSchemas[string];
  /** The global state for these tables (the environment's own, or with a caller's tables added). */
  globals(schemas: TableSchemas): Kusto.Language.GlobalState;
}

/** Global states per caller schema object: building one costs more than most queries. */
const extended = new WeakMap<object, { base: TableSchemas; schemas: TableSchemas; globals: Kusto.Language.GlobalState }>();

function environmentFor(environment: QueryEnvironment, extra: Readonly<TableSchemas> | undefined): { schemas: TableSchemas; globals: Kusto.Language.GlobalState } {
  if (!extra) return { schemas: environment.schemas, globals: environment.globals(environment.schemas) };
  if (typeof extra !== 'object' || Array.isArray(extra)) throw new EvaluationError('schemas: expected an object of table name -> [{ name, type }]', { code: 'invalid' });
  const known = extended.get(extra);
  if (known && known.base === environment.schemas) return known;
  for (const [name, columns] of Object.entries(extra)) {
    if (!Array.isArray(columns) || columns.some((c) => typeof c?.name !== 'string' || typeof c?.type !== 'string')) {
      throw new EvaluationError(`schemas.${name}: expected an array of { name, type } columns`, { code: 'invalid' });
    }
  }
  const schemas = { ...environment.schemas, ...extra };
  const entry = { base: environment.schemas, schemas, globals: environment.globals(schemas) };
  extended.set(extra, entry);
  return entry;
}

/**
 * Parses, analyses and runs one query over in-memory rows. Every failure is an EvaluationError
 * with a code: `unsupported` (the construct is named), `invalid` (Kusto's diagnostics) or
 * `internal`; a bad input row is `invalid`, naming the table, the row and the column.
 */
export function evaluateIn(environment: QueryEnvironment, text: string, options: EvaluateQueryOptions = {}): QueryResult {
  if (typeof text !== 'string') throw new EvaluationError('the query must be a string', { code: 'invalid' });
  const now = clock(options.now);
  const { schemas, globals } = environmentFor(environment, options.schemas);
  const tables = new Map<string, Table>();
  for (const [name, records] of Object.entries(options.tables ?? {})) {
    const schema = schemas[name];
    if (!schema) throw new EvaluationError(`rows were given for the table '${name}', which the workspace schema does not know (known tables: ${Object.keys(schemas).join(', ')}; declare others with the schemas option)`, { code: 'invalid' });
    tables.set(name, typed(records, schema, name));
  }
  const watchlists = new Map<string, Table>();
  for (const [alias, records] of Object.entries(options.watchlists ?? {})) watchlists.set(alias, typed(records, environment.watchlistColumns ?? [], `watchlist ${alias}`));
  const compiled = compileQuery(text, globals);
  return queryResult(compiled.run({ tables, watchlists, now }), compiled.columns);
}

function typed(records: InputRecords, schema: TableSchemas[string], source: string): Table {
  if (!Array.isArray(records)) throw new EvaluationError(`${source}: the rows must be an array of objects`, { code: 'invalid' });
  try {
    return tableFromRecords(records, schema, source);
  } catch (error) {
    if (error instanceof InputRowError) throw new EvaluationError(error.message, { code: 'invalid' });
    throw error;
  }
}

function clock(now: string | Date | undefined): KDateTime {
  if (now === undefined) return new KDateTime(Date.now());
  if (now instanceof Date) {
    if (Number.isNaN(now.getTime())) throw new EvaluationError('now: the Date is not valid', { code: 'invalid' });
    return new KDateTime(now.getTime());
  }
  const parsed = typeof now === 'string' ? parseDateTime(now) : null;
  if (!parsed) throw new EvaluationError(`now: ${JSON.stringify(now)} is not an ISO 8601 datetime (e.g. 2026-11-20T10:00:00Z)`, { code: 'invalid' });
  return parsed;
}
