import { DEFAULT_WATCHLIST_ALIAS, type Manifest } from '../manifest/types.js';
import type { QueryContext } from './query-template.js';

/** The values a query template may read, normalised the way the logs write them (lower case ids). */
export function queryContext(manifest: Manifest): QueryContext {
  return {
    accounts: {
      objectIds: manifest.accounts.map((a) => a.objectId.toLowerCase()),
      userPrincipalNames: manifest.accounts.map((a) => a.userPrincipalName.toLowerCase()),
    },
    exclusionGroup: {
      objectId: manifest.exclusionGroup.objectId.toLowerCase(),
      displayName: manifest.exclusionGroup.displayName,
    },
    // Every group the accounts are in: the exclusion group first, then the manifest's accountGroups.
    accountGroups: {
      objectIds: [...new Set([manifest.exclusionGroup, ...(manifest.accountGroups ?? [])].map((g) => g.objectId.toLowerCase()))],
    },
    watchlist: { alias: manifest.watchlist?.alias ?? DEFAULT_WATCHLIST_ALIAS },
  };
}
