import type { Manifest } from '../manifest/types.js';

/** Columns of the accounts watchlist; `ObjectId` is its search key. The Kusto schema declares the same. */
export const WATCHLIST_COLUMNS = ['ObjectId', 'UserPrincipalName', 'DisplayName', 'Kind', 'Role'] as const;
export const WATCHLIST_SEARCH_KEY = 'ObjectId';

/** The accounts as the CSV that Sentinel's watchlist upload takes. */
export function watchlistCsv(manifest: Manifest): string {
  const rows = manifest.accounts.map((a) => [a.objectId.toLowerCase(), a.userPrincipalName.toLowerCase(), a.displayName ?? '', a.kind, a.role ?? '']);
  return [[...WATCHLIST_COLUMNS], ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string): string {
  // A leading = + - @ would make a spreadsheet run the cell as a formula.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
