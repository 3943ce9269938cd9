import { aggregationKind, incidentGrouping } from '../catalog/incident-grouping.js';
import type { TriggerOperator } from '../catalog/rule-template.js';
import { isoDuration } from './durations.js';
import { managedDescription } from './ownership.js';
import type { RenderedQuery } from './query-template.js';
import type { ResolvedRule } from './resolve-rules.js';
import type { NrtRuleProperties, ScheduledRuleProperties } from './sentinel-types.js';

export type { NrtRuleProperties, ScheduledRuleProperties } from './sentinel-types.js';

export interface RenderedRule extends ResolvedRule {
  query: RenderedQuery;
  /** Sentinel's kind for the rule resource. */
  apiKind: 'Scheduled' | 'NRT';
  properties: ScheduledRuleProperties | NrtRuleProperties;
}

const TRIGGER_OPERATORS: Record<TriggerOperator, ScheduledRuleProperties['triggerOperator']> = {
  gt: 'GreaterThan',
  lt: 'LessThan',
  eq: 'Equal',
  ne: 'NotEqual',
};

/** The rule's Sentinel properties as typed model objects; the same object feeds ARM and the API. */
export function sentinelRule(rule: ResolvedRule, query: RenderedQuery, namespace: string): RenderedRule {
  const t = rule.template;
  // The API takes techniques (T1078) and sub-techniques (T1078.004) in two lists; the rule file
  // lists both in relevantTechniques, as Azure-Sentinel's YAML does.
  const techniques = [...new Set(t.relevantTechniques.map((id) => id.split('.')[0]!))];
  const subTechniques = [...new Set(t.relevantTechniques.filter((id) => id.includes('.')))];
  // One use of an account is one incident: the rule's grouping (generator/catalog/incident-grouping.ts).
  const grouping = incidentGrouping(t);
  const common = {
    displayName: t.name,
    description: managedDescription(t.description, namespace, t.id, t.version),
    severity: rule.severity,
    enabled: rule.enabled,
    query: query.text,
  };
  const detection: Omit<NrtRuleProperties, keyof typeof common> = {
    suppressionDuration: 'PT5H',
    suppressionEnabled: false,
    tactics: t.tactics,
    techniques,
    ...(subTechniques.length > 0 ? { subTechniques } : {}),
    incidentConfiguration: {
      createIncident: t.createIncident ?? true,
      groupingConfiguration: {
        enabled: grouping.enabled,
        reopenClosedIncident: grouping.reopenClosedIncident,
        lookbackDuration: isoDuration(grouping.lookbackDuration),
        matchingMethod: grouping.matchingMethod,
        groupByEntities: [...grouping.groupByEntities],
        groupByAlertDetails: grouping.groupByAlertDetails,
        groupByCustomDetails: grouping.groupByCustomDetails,
      },
    },
    eventGroupingSettings: { aggregationKind: aggregationKind(t) },
    ...(t.alertDetailsOverride ? { alertDetailsOverride: { ...t.alertDetailsOverride } } : {}),
    customDetails: { ...(t.customDetails ?? {}) },
    entityMappings: t.entityMappings.map((m) => ({
      entityType: m.entityType,
      fieldMappings: m.fieldMappings.map((f) => ({ identifier: f.identifier, columnName: f.columnName })),
    })),
  };
  if (rule.kind === 'nrt') {
    const properties: NrtRuleProperties = { ...common, ...detection };
    return { ...rule, query, apiKind: 'NRT', properties };
  }
  const properties: ScheduledRuleProperties = {
    ...common,
    queryFrequency: isoDuration(rule.queryFrequency),
    queryPeriod: isoDuration(rule.queryPeriod),
    triggerOperator: TRIGGER_OPERATORS[t.triggerOperator],
    triggerThreshold: t.triggerThreshold,
    ...detection,
  };
  return { ...rule, query, apiKind: 'Scheduled', properties };
}
