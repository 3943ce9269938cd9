import { incidentGrouping, type IncidentGrouping } from '../catalog/incident-grouping.js';
import { NOTIFY_AGAIN_AFTER_MINUTES } from '../playbook/notification-policy.js';
import { durationMinutes } from '../render/durations.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import type { ModelledAlert } from './alert-model.js';

/** Sentinel puts no more than this many alerts in one incident; the next one opens a new incident. */
export const MAX_ALERTS_PER_INCIDENT = 150;

export interface ModelledIncident {
  ruleId: string;
  /** 1, 2, ... in order of creation over all rules. */
  number: number;
  createdAt: number;
  title: string;
  alerts: ModelledAlert[];
  /** When people were told (ms since the epoch): on creation, and for alerts added later. */
  notifications: number[];
}

/**
 * What makes two alerts of a rule belong together (Sentinel's matchingMethod): every entity
 * (AllEntities), nothing (AnyAlert), or the selected entity types, alert details and custom details
 * (Selected). Undefined when a selected entity type is missing from the alert: then it cannot match
 * and opens an incident of its own (the cautious reading: it never hides an alert in another's incident).
 */
export function groupingKey(alert: ModelledAlert, grouping: IncidentGrouping): string | undefined {
  const entities = (types?: readonly string[]) =>
    alert.entities
      .filter((e) => !types || types.includes(e.type))
      .map((e) => `${e.type}:${e.key}`)
      .sort();
  switch (grouping.matchingMethod) {
    case 'AnyAlert':
      return '';
    case 'AllEntities':
      return JSON.stringify(entities());
    case 'Selected': {
      const parts: unknown[] = [];
      for (const type of grouping.groupByEntities) {
        const ofType = entities([type]);
        if (ofType.length === 0) return undefined;
        parts.push(ofType);
      }
      for (const detail of grouping.groupByAlertDetails) parts.push(detail === 'DisplayName' ? alert.title : alert.severity);
      for (const key of grouping.groupByCustomDetails) parts.push(alert.customDetails[key] ?? '');
      return JSON.stringify(parts);
    }
  }
}

/**
 * Sentinel's incidents over the alerts of every rule, with the notifications the playbook sends.
 * - Grouping is per rule (Sentinel groups only the alerts of one analytics rule): an alert joins the
 *   rule's open incident with the same grouping key while that incident is younger than the rule's
 *   lookbackDuration (measured from its creation, the cautious reading: a long use is split rather
 *   than hidden) and holds fewer than 150 alerts; otherwise it opens a new incident. Nobody closes
 *   incidents here, so reopenClosedIncident never comes into play.
 * - Notifications (generator/playbook/notification-policy.ts): one when an incident is created; one
 *   for an alert added to it only when the last notification of that incident is at least
 *   NOTIFY_AGAIN_AFTER_MINUTES old.
 * Pure.
 */
export function modelIncidents(rules: readonly RenderedRule[], alerts: readonly ModelledAlert[]): ModelledIncident[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const again = NOTIFY_AGAIN_AFTER_MINUTES * 60_000;
  const ordered = alerts.map((alert, i) => ({ alert, i })).sort((a, b) => a.alert.at - b.alert.at || a.i - b.i);
  const incidents: ModelledIncident[] = [];
  const open = new Map<string, ModelledIncident>();
  for (const { alert } of ordered) {
    const rule = byId.get(alert.ruleId);
    const grouping = rule ? incidentGrouping(rule.template) : undefined;
    const key = grouping?.enabled ? groupingKey(alert, grouping) : undefined;
    const slot = key === undefined ? undefined : `${alert.ruleId}\u0000${key}`;
    const current = slot === undefined ? undefined : open.get(slot);
    const lookback = grouping ? durationMinutes(grouping.lookbackDuration) * 60_000 : 0;
    if (current && alert.at - current.createdAt <= lookback && current.alerts.length < MAX_ALERTS_PER_INCIDENT) {
      current.alerts.push(alert);
      if (alert.at - current.notifications[current.notifications.length - 1]! >= again) current.notifications.push(alert.at);
      continue;
    }
    const incident: ModelledIncident = { ruleId: alert.ruleId, number: incidents.length + 1, createdAt: alert.at, title: alert.title, alerts: [alert], notifications: [alert.at] };
    incidents.push(incident);
    if (slot !== undefined) open.set(slot, incident);
  }
  return incidents;
}
