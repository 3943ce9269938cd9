import type { Manifest } from '../manifest/types.js';

/** Columns of the accounts watchlist; `ObjectId` is its search key. The Kusto schema declares the same. */
export const WATCHLIST_COLUMNS = ['ObjectId', 'UserPrincipalName', 'DisplayName', 'Kind', 'Role'] as const;
export const WATCHLIST_SEARCH_KEY = 'ObjectId';

export type WatchlistItem = Record<(typeof WATCHLIST_COLUMNS)[number], string>;

/** One watchlist item per account: what the CSV, push and the offline evaluator all use. */
export function watchlistItems(manifest: Manifest): WatchlistItem[] {
  return manifest.accounts.map((a) => ({
    ObjectId: a.objectId.toLowerCase(),
    UserPrincipalName: a.userPrincipalName.toLowerCase(),
    DisplayName: a.displayName ?? '',
    Kind: a.kind,
    Role: a.role ?? '',
  }));
}

/** The accounts as the CSV that Sentinel's watchlist upload takes. */
export function watchlistCsv(manifest: Manifest): string {
  const rows = watchlistItems(manifest).map((item) => WATCHLIST_COLUMNS.map((column) => item[column]));
  return [[...WATCHLIST_COLUMNS], ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string): string {
  // A leading = + - @ would make a spreadsheet run the cell as a formula.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
