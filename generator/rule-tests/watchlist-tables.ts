import type { Manifest } from '../manifest/types.js';
import { queryContext } from '../render/query-context.js';
import { watchlistItems, WATCHLIST_SEARCH_KEY } from '../render/watchlist-csv.js';
import type { Table } from '../evaluate/table.js';
import { WATCHLIST_FUNCTION_COLUMNS } from '../validate/kusto-schema.js';

/** The accounts watchlist as `_GetWatchlist(alias)` returns it in the workspace, from the manifest. */
export function watchlistTables(manifest: Manifest): Map<string, Table> {
  const rows = watchlistItems(manifest).map((item, index) => ({
    _DTItemId: `item-${index}`,
    LastUpdatedTimeUTC: null,
    SearchKey: item[WATCHLIST_SEARCH_KEY],
    WatchlistItem: { ...item },
    ...item,
  }));
  return new Map([[queryContext(manifest).watchlist.alias, { columns: WATCHLIST_FUNCTION_COLUMNS.map((c) => c.name), rows }]]);
}
