/**
 * breakglass-sentinel as a library: the offline KQL engine, so that a rule's own tests can run its
 * query over rows in any test runner. `import { evaluateQuery } from 'breakglass-sentinel'`.
 */
import type { EvaluateQueryOptions, QueryResult } from './evaluate/api-types.js';
import { evaluateIn, type QueryEnvironment } from './evaluate/evaluate-api.js';
import { LOG_ANALYTICS_TABLES, WATCHLIST_FUNCTION_COLUMNS, workspaceGlobals } from './validate/kusto-schema.js';

export { EvaluationError, type EvaluationErrorCode, type QueryDiagnostic } from './evaluate/evaluation-error.js';
export type { EvaluateQueryOptions, InputRecords, QueryResult } from './evaluate/api-types.js';
export type { ColumnSchema, TableSchemas } from './evaluate/api-types.js';

let shipped: Kusto.Language.GlobalState | undefined;

/** The workspace this package ships: the Log Analytics tables its rules read and `_GetWatchlist`. */
const WORKSPACE: QueryEnvironment = {
  schemas: LOG_ANALYTICS_TABLES,
  watchlistColumns: WATCHLIST_FUNCTION_COLUMNS,
  globals: (schemas) => (schemas === LOG_ANALYTICS_TABLES ? (shipped ??= workspaceGlobals()) : workspaceGlobals(schemas)),
};

/** The tables `evaluateQuery` knows, with their columns (the Azure Monitor table reference). */
export const workspaceTables = LOG_ANALYTICS_TABLES;

/**
 * Runs one KQL query offline over the rows given per table (tables not given are empty) and returns
 * the result with JSON-shaped values. Rejects with an EvaluationError: `code: 'unsupported'` names a
 * construct the engine does not implement, `code: 'invalid'` carries Kusto's diagnostics.
 */
export async function evaluateQuery(text: string, options: EvaluateQueryOptions = {}): Promise<QueryResult> {
  return evaluateIn(WORKSPACE, text, options);
}
