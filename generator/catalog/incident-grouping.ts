import type { AggregationKind, GroupingTemplate, RuleTemplate } from './rule-template.js';

/** A rule's incident grouping with every field set: what Sentinel gets and what replay models. */
export interface IncidentGrouping {
  enabled: boolean;
  reopenClosedIncident: boolean;
  /** Sentinel YAML style duration (24h). */
  lookbackDuration: string;
  matchingMethod: 'AllEntities' | 'AnyAlert' | 'Selected';
  groupByEntities: string[];
  groupByAlertDetails: ('DisplayName' | 'Severity')[];
  groupByCustomDetails: string[];
}

/**
 * What every rule of the catalog does unless its file says otherwise: alerts of one rule that name
 * the same accounts (the Account entities: the break-glass account, and for a change the
 * administrator who made it) go into the open incident for 24 hours.
 *
 * Why 24 hours: one use of a break-glass account is one working session. A routine test lasts
 * minutes; an emergency lasts as long as the outage that called for it, often hours and across a
 * shift change, and while its sessions stay open the account keeps refreshing tokens
 * (non-interactive sign-ins), which raise further alerts. A day keeps all of that in one incident,
 * so the responders see one story and are paged once for it. Later alerts of that use still reach
 * people: the playbook notifies again for alerts added to an open incident once the last
 * notification is NOTIFY_AGAIN_AFTER_MINUTES old (generator/playbook/notification-policy.ts). A use
 * on another day starts a new incident. Closed incidents are not reopened: once responders have
 * closed a use (a planned test, say), the next alert is news and gets an incident of its own.
 */
export const DEFAULT_INCIDENT_GROUPING: IncidentGrouping = {
  enabled: true,
  reopenClosedIncident: false,
  lookbackDuration: '24h',
  matchingMethod: 'Selected',
  groupByEntities: ['Account'],
  groupByAlertDetails: [],
  groupByCustomDetails: [],
};

/**
 * One alert per result row. Every rule of the catalog returns one row per account (or per
 * administrator) and run, with the run's records summarised (first and last time, count, addresses,
 * applications, result codes), so one row is one use of one account.
 */
export const DEFAULT_AGGREGATION_KIND: AggregationKind = 'AlertPerResult';

/** The rule's grouping: its own settings over the defaults. */
export function incidentGrouping(template: RuleTemplate): IncidentGrouping {
  const own: GroupingTemplate = template.incidentConfiguration?.groupingConfiguration ?? {};
  return {
    enabled: own.enabled ?? DEFAULT_INCIDENT_GROUPING.enabled,
    reopenClosedIncident: own.reopenClosedIncident ?? DEFAULT_INCIDENT_GROUPING.reopenClosedIncident,
    lookbackDuration: own.lookbackDuration ?? DEFAULT_INCIDENT_GROUPING.lookbackDuration,
    matchingMethod: own.matchingMethod ?? DEFAULT_INCIDENT_GROUPING.matchingMethod,
    groupByEntities: [...(own.groupByEntities ?? DEFAULT_INCIDENT_GROUPING.groupByEntities)],
    groupByAlertDetails: [...(own.groupByAlertDetails ?? DEFAULT_INCIDENT_GROUPING.groupByAlertDetails)],
    groupByCustomDetails: [...(own.groupByCustomDetails ?? DEFAULT_INCIDENT_GROUPING.groupByCustomDetails)],
  };
}

export function aggregationKind(template: RuleTemplate): AggregationKind {
  return template.eventGroupingSettings?.aggregationKind ?? DEFAULT_AGGREGATION_KIND;
}
