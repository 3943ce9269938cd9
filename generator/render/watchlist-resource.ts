import { arm, DEPLOYMENT_TEMPLATE_SCHEMA, type ArmValue } from '../arm/arm-json.js';
import type { Manifest } from '../manifest/types.js';
import { SENTINEL_API_VERSION } from './api-versions.js';
import { queryContext } from './query-context.js';
import { managedWatchlistDescription } from './ownership.js';
import { watchlistCsv, WATCHLIST_SEARCH_KEY } from './watchlist-csv.js';

/**
 * The watchlist's own settings (its items are the accounts), as push sends them and compares them
 * with what the service returns: only fields the service gives back. Microsoft's GET and PUT
 * responses (Watchlists.json examples GetWatchlistByAlias, CreateWatchlist,
 * CreateWatchlistAndWatchlistItems) never return rawContent, contentType or numberOfLinesToSkip:
 * those describe an upload, and are sent only with the accounts as CSV (watchlistResource).
 */
export function watchlistProperties(manifest: Manifest) {
  const alias = queryContext(manifest).watchlist.alias;
  return {
    watchlistAlias: alias,
    displayName: 'Break-glass accounts',
    description: managedWatchlistDescription(manifest.idNamespace),
    provider: 'breakglass-sentinel',
    source: `${alias}.csv`,
    sourceType: 'Local',
    itemsSearchKey: WATCHLIST_SEARCH_KEY,
  };
}

/** The accounts as a Sentinel watchlist uploaded as CSV (the templates); rules with `accountSource: watchlist` read it. */
export function watchlistResource(manifest: Manifest): ArmValue {
  const properties = watchlistProperties(manifest);
  return {
    type: 'Microsoft.OperationalInsights/workspaces/providers/Watchlists',
    apiVersion: SENTINEL_API_VERSION,
    name: arm(`concat(parameters('workspace'),'/Microsoft.SecurityInsights/${properties.watchlistAlias}')`),
    properties: { ...properties, contentType: 'text/csv', numberOfLinesToSkip: 0, rawContent: watchlistCsv(manifest, 'sentinel') },
  };
}

export function watchlistTemplate(manifest: Manifest): ArmValue {
  return {
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: { workspace: { type: 'string', metadata: { description: 'Name of the Log Analytics workspace that Microsoft Sentinel runs on.' } } },
    resources: [watchlistResource(manifest)],
  };
}
