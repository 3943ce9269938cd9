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

/** The columns a record's actor is read from, per table: what a streaming reader must keep to find uses. */
export const ACTOR_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  SigninLogs: ['UserId', 'UserPrincipalName'],
  AADNonInteractiveUserSignInLogs: ['UserId', 'UserPrincipalName'],
  AuditLogs: ['InitiatedBy'],
};

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

/** Finds the manifest account (object id, lower case) a record is the activity of, if any. */
export function actorFinder(manifest: Manifest): (table: string, row: Row) => string | undefined {
  const byId = new Set(manifest.accounts.map((a) => a.objectId.toLowerCase()));
  const byUpn = new Map(manifest.accounts.map((a) => [a.userPrincipalName.toLowerCase(), a.objectId.toLowerCase()]));
  return (table, row) => {
    const [id, upn] = SIGNIN_TABLES.includes(table)
      ? [text(row['UserId']), text(row['UserPrincipalName'])]
      : table === 'AuditLogs'
        ? [text(property(row['InitiatedBy'], 'user', 'id')), text(property(row['InitiatedBy'], 'user', 'userPrincipalName'))]
        : ['', ''];
    if (byId.has(id)) return id;
    return byUpn.get(upn);
  };
}

/**
 * The uses of the accounts from their activity given in time order, one record at a time: what a
 * replay that streams its records keeps instead of the records (a few numbers per use).
 */
export class AccountUseTracker {
  private readonly current = new Map<string, AccountUse>();
  private readonly all: AccountUse[] = [];

  /** Activity of the account `objectId` at `time` (ms), no earlier than the activity given before. */
  add(objectId: string, time: number): void {
    const current = this.current.get(objectId);
    if (current && time - current.end <= USE_GAP_MINUTES * 60_000) {
      current.end = time;
      current.records++;
      return;
    }
    const use = { objectId, start: time, end: time, records: 1 };
    this.current.set(objectId, use);
    this.all.push(use);
  }

  /** Every use so far, by start (then account). */
  uses(): AccountUse[] {
    return [...this.all].sort((a, b) => a.start - b.start || a.objectId.localeCompare(b.objectId));
  }
}

/**
 * Every use of every manifest account in the records, independent of any rule: what the
 * notifications are measured against (one per use is the goal). Pure.
 */
export function accountUses(manifest: Manifest, events: ReadonlyMap<string, Table>): AccountUse[] {
  const actorOf = actorFinder(manifest);
  const activity: { objectId: string; time: number }[] = [];
  for (const [table, { rows }] of events) {
    for (const row of rows) {
      const actor = actorOf(table, row);
      const time = row['TimeGenerated'];
      if (actor !== undefined && time instanceof KDateTime) activity.push({ objectId: actor, time: time.ms });
    }
  }
  const tracker = new AccountUseTracker();
  for (const { objectId, time } of activity.sort((a, b) => a.time - b.time)) tracker.add(objectId, time);
  return tracker.uses();
}
