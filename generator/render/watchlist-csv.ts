import type { Manifest } from '../manifest/types.js';

/**
 * Columns of the accounts watchlist; `ObjectId` is its search key. The Kusto schema declares the
 * same. `AccountUPN` and `UserId` repeat the UPN and the object id under the names Microsoft's own
 * break-glass content in the Azure-Sentinel repository reads from a `BreakGlassAccounts`
 * watchlist, so those queries work with ours unchanged.
 */
export const WATCHLIST_COLUMNS = ['ObjectId', 'UserPrincipalName', 'AccountUPN', 'UserId', 'DisplayName', 'Kind', 'Role'] as const;
export const WATCHLIST_SEARCH_KEY = 'ObjectId';

export type WatchlistItem = Record<(typeof WATCHLIST_COLUMNS)[number], string>;

/** One watchlist item per account: what the CSV, the templates, push and the offline evaluator all use. */
export function watchlistItems(manifest: Manifest): WatchlistItem[] {
  return manifest.accounts.map((a) => ({
    ObjectId: a.objectId.toLowerCase(),
    UserPrincipalName: a.userPrincipalName.toLowerCase(),
    AccountUPN: a.userPrincipalName.toLowerCase(),
    UserId: a.objectId.toLowerCase(),
    DisplayName: a.displayName ?? '',
    Kind: a.kind,
    Role: a.role ?? '',
  }));
}

/**
 * The accounts as CSV. `for: 'sentinel'` is the watchlist's rawContent: the values exactly as the
 * manifest has them, because Sentinel stores what it is given and the rules compare it. `for:
 * 'people'` is the file a person opens in a spreadsheet: a cell that starts with = + - @, a tab or
 * a carriage return would run as a formula there, so it gets a leading ' (OWASP CSV injection).
 */
export function watchlistCsv(manifest: Manifest, target: 'sentinel' | 'people'): string {
  const rows = watchlistItems(manifest).map((item) => WATCHLIST_COLUMNS.map((column) => item[column]));
  return [[...WATCHLIST_COLUMNS], ...rows].map((row) => row.map((value) => csvField(value, target === 'people')).join(',')).join('\r\n') + '\r\n';
}

const FORMULA_LEAD = /^[=+\-@\t\r]/;

function csvField(value: string, guard: boolean): string {
  const safe = guard && FORMULA_LEAD.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
