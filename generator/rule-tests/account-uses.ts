import type { Row, Table } from '../evaluate/table.js';
import { isBag, KDateTime, type KValue } from '../evaluate/values.js';
import type { Manifest } from '../manifest/types.js';

/**
 * A use of a break-glass account is a stretch of its own activity (its sign-ins, whatever their
 * result, and the directory changes it made) with no silence longer than this. An hour: an
 * emergency session keeps signing in (token refreshes come at least hourly while a portal stays
 * open, since Entra access tokens live 60 to 90 minutes), so a longer silence means the session
 * ended and the next activity is a new use.
 */
export const USE_GAP_MINUTES = 60;

export interface AccountUse {
  /** The account's object id (lower case). */
  objectId: string;
  start: number;
  end: number;
  /** Its sign-in and audit records in the use. */
  records: number;
}

const SIGNIN_TABLES = ['SigninLogs', 'AADNonInteractiveUserSignInLogs'];

function text(value: KValue | undefined): string {
  return typeof value === 'string' ? value.toLowerCase() : '';
}

function property(value: KValue | undefined, ...path: string[]): KValue | undefined {
  let at: KValue | undefined = value;
  for (const key of path) {
    if (at === undefined || at === null || !isBag(at)) return undefined;
    at = at[key];
  }
  return at;
}

/** The manifest account (object id) a record is the activity of, if any. */
function actorOf(table: string, row: Row, byId: Set<string>, byUpn: Map<string, string>): string | undefined {
  const [id, upn] = SIGNIN_TABLES.includes(table)
    ? [text(row['UserId']), text(row['UserPrincipalName'])]
    : table === 'AuditLogs'
      ? [text(property(row['InitiatedBy'], 'user', 'id')), text(property(row['InitiatedBy'], 'user', 'userPrincipalName'))]
      : ['', ''];
  if (byId.has(id)) return id;
  return byUpn.get(upn);
}

/**
 * Every use of every manifest account in the records, independent of any rule: what the
 * notifications are measured against (one per use is the goal). Pure.
 */
export function accountUses(manifest: Manifest, events: ReadonlyMap<string, Table>): AccountUse[] {
  const byId = new Set(manifest.accounts.map((a) => a.objectId.toLowerCase()));
  const byUpn = new Map(manifest.accounts.map((a) => [a.userPrincipalName.toLowerCase(), a.objectId.toLowerCase()]));
  const times = new Map<string, number[]>();
  for (const [table, { rows }] of events) {
    for (const row of rows) {
      const actor = actorOf(table, row, byId, byUpn);
      const time = row['TimeGenerated'];
      if (actor === undefined || !(time instanceof KDateTime)) continue;
      const list = times.get(actor);
      if (list) list.push(time.ms);
      else times.set(actor, [time.ms]);
    }
  }
  const gap = USE_GAP_MINUTES * 60_000;
  const uses: AccountUse[] = [];
  for (const [objectId, list] of times) {
    list.sort((a, b) => a - b);
    let current: AccountUse | undefined;
    for (const time of list) {
      if (current && time - current.end <= gap) {
        current.end = time;
        current.records++;
      } else {
        current = { objectId, start: time, end: time, records: 1 };
        uses.push(current);
      }
    }
  }
  return uses.sort((a, b) => a.start - b.start || a.objectId.localeCompare(b.objectId));
}
