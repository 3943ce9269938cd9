import { aggregationKind, incidentGrouping, type IncidentGrouping } from '../catalog/incident-grouping.js';
import type { RenderedRule } from './sentinel-rule.js';

/** A rule in the Azure-Sentinel repository's detection YAML format (Detections/*.yaml). */
export interface SentinelYamlRule {
  id: string;
  name: string;
  description: string;
  severity: string;
  status: 'Available';
  requiredDataConnectors: { connectorId: string; dataTypes: string[] }[];
  queryFrequency?: string;
  queryPeriod?: string;
  triggerOperator?: string;
  triggerThreshold?: number;
  tactics: string[];
  relevantTechniques: string[];
  query: string;
  entityMappings: { entityType: string; fieldMappings: { identifier: string; columnName: string }[] }[];
  customDetails?: Record<string, string>;
  alertDetailsOverride?: { alertDisplayNameFormat?: string; alertDescriptionFormat?: string };
  incidentConfiguration: { createIncident: boolean; groupingConfiguration: IncidentGrouping };
  eventGroupingSettings: { aggregationKind: string };
  version: string;
  kind: 'Scheduled' | 'NRT';
}

export function sentinelYamlRule(rule: RenderedRule): SentinelYamlRule {
  const t = rule.template;
  // NRT rules run on ingestion: the repository's NRT templates carry no schedule or trigger.
  const schedule =
    rule.kind === 'scheduled'
      ? { queryFrequency: rule.queryFrequency, queryPeriod: rule.queryPeriod, triggerOperator: t.triggerOperator, triggerThreshold: t.triggerThreshold }
      : {};
  return {
    id: rule.guid,
    name: t.name,
    description: rule.properties.description ?? t.description,
    severity: rule.severity,
    status: 'Available',
    requiredDataConnectors: t.requiredDataConnectors.map((c) => ({ connectorId: c.connectorId, dataTypes: [...c.dataTypes] })),
    ...schedule,
    tactics: [...t.tactics],
    relevantTechniques: [...t.relevantTechniques],
    query: rule.query.text,
    entityMappings: t.entityMappings.map((m) => ({
      entityType: m.entityType,
      fieldMappings: m.fieldMappings.map((f) => ({ identifier: f.identifier, columnName: f.columnName })),
    })),
    ...(t.customDetails ? { customDetails: { ...t.customDetails } } : {}),
    ...(t.alertDetailsOverride ? { alertDetailsOverride: { ...t.alertDetailsOverride } } : {}),
    // The repository's templates write grouping as the rule files do (lookbackDuration: 24h).
    incidentConfiguration: { createIncident: true, groupingConfiguration: incidentGrouping(t) },
    eventGroupingSettings: { aggregationKind: aggregationKind(t) },
    version: t.version,
    kind: rule.apiKind,
  };
}
