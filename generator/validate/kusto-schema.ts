import tables from '../../schemas/log-analytics-tables.json' with { type: 'json' };
import { WATCHLIST_COLUMNS } from '../render/watchlist-csv.js';
import { kustoLanguage } from './kusto-runtime.js';

export interface ColumnSchema {
  name: string;
  type: string;
}

export type TableSchemas = Record<string, readonly ColumnSchema[]>;

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

function schemaText(columns: readonly ColumnSchema[]): string {
  return `(${columns.map((c) => `['${c.name}']:${c.type}`).join(', ')})`;
}

/** A Kusto GlobalState that knows the workspace tables and Sentinel's watchlist function. */
export function workspaceGlobals(schemas: TableSchemas = LOG_ANALYTICS_TABLES): Kusto.Language.GlobalState {
  const K = kustoLanguage();
  const S = K.Symbols;
  const members: Kusto.Language.Symbols.Symbol[] = Object.entries(schemas).map(
    ([name, columns]) => new S.TableSymbol.$ctor7(name, schemaText(columns), null),
  );
  members.push(
    new S.FunctionSymbol.$ctor16(
      '_GetWatchlist',
      '(watchlistAlias:string)',
      `{ datatable${schemaText(WATCHLIST_FUNCTION_COLUMNS)}[] }`,
      "Sentinel's watchlist function: the rows of the watchlist with this alias.",
    ),
  );
  // Bridge.NET makes JavaScript arrays enumerable at run time; its typings do not know that.
  const enumerable = members as unknown as System.Collections.Generic.IEnumerable$1<Kusto.Language.Symbols.Symbol>;
  const database = new S.DatabaseSymbol.$ctor1('workspace', enumerable, false);
  const globals = K.GlobalState.Default?.WithDatabase(database);
  if (!globals) throw new Error('Kusto.Language did not create a global state');
  return globals;
}
