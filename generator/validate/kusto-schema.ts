import tables from '../../schemas/log-analytics-tables.json' with { type: 'json' };
import { kustoGlobals, type ColumnSchema, type TableSchemas } from '../evaluate/schema.js';
import { WATCHLIST_COLUMNS } from '../render/watchlist-csv.js';

export type { ColumnSchema, TableSchemas } from '../evaluate/schema.js';

/** The tables our content reads, as the Azure Monitor table reference documents them. */
export const LOG_ANALYTICS_TABLES: TableSchemas = tables.tables;

/** What Sentinel's `_GetWatchlist(alias)` returns for our accounts watchlist. */
export const WATCHLIST_FUNCTION_COLUMNS: readonly ColumnSchema[] = [
  { name: '_DTItemId', type: 'string' },
  { name: 'LastUpdatedTimeUTC', type: 'datetime' },
  { name: 'SearchKey', type: 'string' },
  { name: 'WatchlistItem', type: 'dynamic' },
  ...WATCHLIST_COLUMNS.map((name) => ({ name, type: 'string' })),
];

/** A Kusto GlobalState that knows the workspace tables and Sentinel's watchlist function. */
export function workspaceGlobals(schemas: TableSchemas = LOG_ANALYTICS_TABLES): Kusto.Language.GlobalState {
  return kustoGlobals(schemas, [
    {
      name: '_GetWatchlist',
      parameters: '(watchlistAlias:string)',
      columns: WATCHLIST_FUNCTION_COLUMNS,
      description: "Sentinel's watchlist function: the rows of the watchlist with this alias.",
    },
  ]);
}
