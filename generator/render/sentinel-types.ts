/**
 * The request bodies we send to Microsoft.SecurityInsights, as the 2025-10-01-preview contract
 * names them (AlertRules.json, AutomationRules.json, Watchlists.json). Only what we set is typed;
 * test/contract.test.ts validates every rendered and pushed body against the published OpenAPI.
 */

export interface EntityMapping {
  entityType: string;
  fieldMappings: { identifier: string; columnName: string }[];
}

export interface GroupingConfiguration {
  enabled: boolean;
  reopenClosedIncident: boolean;
  /** ISO 8601 duration. */
  lookbackDuration: string;
  matchingMethod: 'AllEntities' | 'AnyAlert' | 'Selected';
  groupByEntities?: string[];
  groupByAlertDetails?: ('DisplayName' | 'Severity')[];
  groupByCustomDetails?: string[];
}

export interface IncidentConfiguration {
  createIncident: boolean;
  groupingConfiguration?: GroupingConfiguration;
}

/** Properties shared by Scheduled and NRT rules (NrtAlertRuleProperties / ScheduledAlertRuleCommonProperties). */
export interface QueryRuleProperties {
  displayName: string;
  description?: string;
  severity: 'High' | 'Medium' | 'Low' | 'Informational';
  enabled: boolean;
  query: string;
  suppressionDuration: string;
  suppressionEnabled: boolean;
  tactics?: string[];
  techniques?: string[];
  subTechniques?: string[];
  alertRuleTemplateName?: string;
  templateVersion?: string;
  incidentConfiguration?: IncidentConfiguration;
  eventGroupingSettings?: { aggregationKind: 'SingleAlert' | 'AlertPerResult' };
  alertDetailsOverride?: { alertDisplayNameFormat?: string; alertDescriptionFormat?: string };
  customDetails?: Record<string, string>;
  entityMappings?: EntityMapping[];
}

export interface ScheduledRuleProperties extends QueryRuleProperties {
  queryFrequency: string;
  queryPeriod: string;
  triggerOperator: 'GreaterThan' | 'LessThan' | 'Equal' | 'NotEqual';
  triggerThreshold: number;
}

export type NrtRuleProperties = QueryRuleProperties;

export type AlertRuleBody = { kind: 'Scheduled'; properties: ScheduledRuleProperties } | { kind: 'NRT'; properties: NrtRuleProperties };
