import type { Manifest } from '../manifest/types.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import type { AccountUse } from './account-uses.js';
import { modelAlerts, type ModelledAlert } from './alert-model.js';
import { modelIncidents, type ModelledIncident } from './incident-model.js';
import type { HistoryResult } from './replay-history.js';

/** What one account (or, for changes that name none, the tenant) got over a replay. */
export interface AccountSummary {
  /** The account's user principal name; undefined for alerts that name no break-glass account. */
  account?: string;
  objectId?: string;
  uses: number;
  alerts: number;
  incidents: number;
  notifications: number;
}

export interface RuleSummary {
  ruleId: string;
  alerts: number;
  incidents: number;
  notifications: number;
}

export interface HistoryModel {
  alerts: ModelledAlert[];
  incidents: ModelledIncident[];
  uses: AccountUse[];
  rules: RuleSummary[];
  accounts: AccountSummary[];
}

/** The manifest accounts (object ids, lower case) an alert names in its Account entities. */
export function breakGlassAccountsOf(alert: ModelledAlert, manifest: Manifest): string[] {
  const found = new Set<string>();
  for (const entity of alert.entities) {
    if (entity.type !== 'Account') continue;
    const id = entity.identifiers['AadUserId']?.toLowerCase();
    const upn = (entity.identifiers['FullName'] ?? (entity.identifiers['UPNSuffix'] ? `${entity.identifiers['Name']}@${entity.identifiers['UPNSuffix']}` : undefined))?.toLowerCase();
    for (const account of manifest.accounts) {
      if (account.objectId.toLowerCase() === id || account.userPrincipalName.toLowerCase() === upn) found.add(account.objectId.toLowerCase());
    }
  }
  return [...found];
}

/**
 * Replay's history turned into what people would see: the alerts each run raises, the incidents
 * Sentinel folds them into and the notifications the playbook sends, per rule and per account, next
 * to the uses of each account in the records (account-uses.ts: accountUses over tables in memory,
 * AccountUseTracker over records streamed). Pure.
 */
export function modelHistory(rules: readonly RenderedRule[], manifest: Manifest, history: HistoryResult, uses: readonly AccountUse[]): HistoryModel {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const alerts = history.rules.flatMap((h) => (byId.has(h.ruleId) && h.error === undefined ? modelAlerts(byId.get(h.ruleId)!, h) : []));
  const incidents = modelIncidents(rules, alerts);
  const ruleSummaries = history.rules.map((h): RuleSummary => {
    const own = incidents.filter((i) => i.ruleId === h.ruleId);
    return { ruleId: h.ruleId, alerts: alerts.filter((a) => a.ruleId === h.ruleId).length, incidents: own.length, notifications: own.reduce((n, i) => n + i.notifications.length, 0) };
  });
  const summaries = new Map<string, AccountSummary>();
  const summaryOf = (objectId: string | undefined): AccountSummary => {
    const key = objectId ?? '';
    let summary = summaries.get(key);
    if (!summary) {
      const account = manifest.accounts.find((a) => a.objectId.toLowerCase() === objectId);
      summary = { ...(account ? { account: account.userPrincipalName, objectId } : {}), uses: 0, alerts: 0, incidents: 0, notifications: 0 };
      summaries.set(key, summary);
    }
    return summary;
  };
  for (const account of manifest.accounts) summaryOf(account.objectId.toLowerCase());
  for (const use of uses) summaryOf(use.objectId).uses++;
  for (const alert of alerts) {
    const named = breakGlassAccountsOf(alert, manifest);
    for (const objectId of named.length > 0 ? named : [undefined]) summaryOf(objectId).alerts++;
  }
  for (const incident of incidents) {
    const named = [...new Set(incident.alerts.flatMap((a) => breakGlassAccountsOf(a, manifest)))];
    for (const objectId of named.length > 0 ? named : [undefined]) {
      const summary = summaryOf(objectId);
      summary.incidents++;
      summary.notifications += incident.notifications.length;
    }
  }
  return { alerts, incidents, uses: [...uses], rules: ruleSummaries, accounts: [...summaries.values()] };
}

/** Notifications per use of a break-glass account over the whole replay (the goal is 1); undefined without uses. */
export function notificationsPerUse(model: HistoryModel): number | undefined {
  const accounts = model.accounts.filter((a) => a.objectId !== undefined && a.uses > 0);
  const uses = accounts.reduce((n, a) => n + a.uses, 0);
  return uses === 0 ? undefined : accounts.reduce((n, a) => n + a.notifications, 0) / uses;
}
