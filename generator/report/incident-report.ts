import { incidentGrouping } from '../catalog/incident-grouping.js';
import { formatDateTime, KDateTime } from '../evaluate/values.js';
import type { Manifest } from '../manifest/types.js';
import { NOTIFY_AGAIN_AFTER_MINUTES } from '../playbook/notification-policy.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { USE_GAP_MINUTES } from '../rule-tests/account-uses.js';
import { breakGlassAccountsOf, notificationsPerUse, type AccountSummary, type HistoryModel } from '../rule-tests/history-model.js';
import type { Colors } from './text-report.js';

const time = (ms: number) => formatDateTime(new KDateTime(ms));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const NO_ACCOUNT = '(no break-glass account named)';

function accountLabel(summary: AccountSummary): string {
  return summary.account ?? NO_ACCOUNT;
}

/** What replay --history --format json adds: every incident with its alerts and notifications, and the sums. */
export function historyModelJson(model: HistoryModel, manifest: Manifest): unknown {
  const perUse = notificationsPerUse(model);
  return {
    notificationsPerUse: perUse === undefined ? null : Number(perUse.toFixed(3)),
    totals: Object.fromEntries(model.rules.map((r) => [r.ruleId, { alerts: r.alerts, incidents: r.incidents, notifications: r.notifications }])),
    accounts: model.accounts.map((a) => ({ account: accountLabel(a), objectId: a.objectId ?? null, uses: a.uses, alerts: a.alerts, incidents: a.incidents, notifications: a.notifications })),
    uses: model.uses.map((u) => ({ account: manifest.accounts.find((a) => a.objectId.toLowerCase() === u.objectId)?.userPrincipalName ?? u.objectId, from: time(u.start), until: time(u.end), records: u.records })),
    incidents: model.incidents.map((incident) => ({
      number: incident.number,
      rule: incident.ruleId,
      created: time(incident.createdAt),
      title: incident.title,
      accounts: [...new Set(incident.alerts.flatMap((a) => breakGlassAccountsOf(a, manifest)))].map((id) => manifest.accounts.find((a) => a.objectId.toLowerCase() === id)!.userPrincipalName),
      alerts: incident.alerts.map((a) => ({ at: time(a.at), title: a.title, entities: a.entities.map((e) => `${e.type}:${e.label}`) })),
      notifications: incident.notifications.map(time),
    })),
  };
}

/** The text report's closing section: per rule, per account, and notifications per use. */
export function historyModelText(model: HistoryModel, rules: readonly RenderedRule[], colors: Colors): string {
  const lines: string[] = [];
  const grouping = rules.find((r) => r.enabled) ? incidentGrouping(rules.find((r) => r.enabled)!.template) : undefined;
  lines.push(
    `what people would see: alerts (one per result row), incidents (alerts of a rule naming the same ${grouping?.groupByEntities.join(', ') ?? 'entities'} grouped for ${grouping?.lookbackDuration ?? '-'}), notifications (on creation; for alerts added, at most every ${NOTIFY_AGAIN_AFTER_MINUTES} minutes)`,
  );
  for (const rule of model.rules.filter((r) => r.alerts > 0)) {
    lines.push(`  ${rule.ruleId.padEnd(28)} ${plural(rule.alerts, 'alert')}, ${plural(rule.incidents, 'incident')}, ${colors.yellow(plural(rule.notifications, 'notification'))}`);
  }
  lines.push(`per account (a use: its own sign-ins and changes, with no silence over ${USE_GAP_MINUTES} minutes)`);
  for (const account of model.accounts) {
    if (account.objectId === undefined && account.alerts === 0) continue;
    lines.push(`  ${accountLabel(account).padEnd(40)} ${plural(account.uses, 'use')}, ${plural(account.alerts, 'alert')}, ${plural(account.incidents, 'incident')}, ${plural(account.notifications, 'notification')}`);
  }
  const perUse = notificationsPerUse(model);
  const uses = model.accounts.reduce((n, a) => n + (a.objectId ? a.uses : 0), 0);
  const notified = model.accounts.reduce((n, a) => n + (a.objectId && a.uses > 0 ? a.notifications : 0), 0);
  lines.push(perUse === undefined ? 'notifications per use of an account: no use of an account in the records' : `notifications per use of an account: ${perUse.toFixed(2)} (${plural(notified, 'notification')} for ${plural(uses, 'use')}; the goal is 1)`);
  return lines.join('\n');
}
