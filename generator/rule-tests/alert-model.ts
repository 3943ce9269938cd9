import { aggregationKind } from '../catalog/incident-grouping.js';
import type { EntityMappingTemplate } from '../catalog/rule-template.js';
import type { Severity } from '../manifest/types.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { PLACEHOLDER } from '../validate/sentinel-limits.js';
import type { RuleHistory } from './replay-history.js';

/** One entity of an alert: its type, the identifiers the row gave it, and what makes two the same. */
export interface AlertEntity {
  type: string;
  identifiers: Record<string, string>;
  /** Sentinel merges entities on their strong identifiers; two entities with one key are one. */
  key: string;
  /** How a report names it. */
  label: string;
}

/** One alert as Sentinel would raise it from a run's result. */
export interface ModelledAlert {
  ruleId: string;
  /** When the run that raised it happened (ms since the epoch). */
  at: number;
  title: string;
  severity: Severity;
  entities: AlertEntity[];
  customDetails: Record<string, string>;
  /** The result rows the alert carries: one (AlertPerResult), or every row of the run (SingleAlert, or the summary alert past the cap). */
  rows: Record<string, unknown>[];
}

/**
 * How many alerts one run of AlertPerResult may raise: past it, the last alert summarises the rest.
 * NRT: "an alert for each event for up to 30 events ... single-event alerts for the first 29 events,
 * and a 30th alert will summarize all the events" (learn.microsoft.com/azure/sentinel/create-nrt-rules);
 * scheduled rules the same at 150 (learn.microsoft.com/azure/sentinel/scheduled-rules-overview).
 */
export const ALERTS_PER_RUN = { nrt: 30, scheduled: 150 } as const;

/** Strong identifiers per entity type, strongest first: the first one present is the entity's key. */
const ENTITY_KEYS: Record<string, readonly (readonly string[])[]> = {
  Account: [['AadUserId'], ['Sid'], ['ObjectGuid'], ['PUID'], ['FullName'], ['Name', 'UPNSuffix'], ['Name']],
  IP: [['Address']],
  SecurityGroup: [['ObjectGuid'], ['SID'], ['DistinguishedName']],
  CloudApplication: [['AppId'], ['Name']],
};

/** The entity a mapping makes of a row; none when the row leaves every identifying column empty. */
export function rowEntity(mapping: EntityMappingTemplate, row: Readonly<Record<string, unknown>>): AlertEntity | undefined {
  const identifiers: Record<string, string> = {};
  for (const field of mapping.fieldMappings) {
    const value = row[field.columnName];
    if (value !== null && value !== undefined && String(value) !== '') identifiers[field.identifier] = String(value);
  }
  const candidates = ENTITY_KEYS[mapping.entityType] ?? [mapping.fieldMappings.map((f) => f.identifier)];
  const strong = candidates.find((ids) => ids.every((id) => identifiers[id] !== undefined));
  if (!strong) return undefined;
  const key = strong.map((id) => identifiers[id]!.toLowerCase()).join('@');
  const upn = identifiers['Name'] !== undefined && identifiers['UPNSuffix'] !== undefined ? `${identifiers['Name']}@${identifiers['UPNSuffix']}` : undefined;
  return { type: mapping.entityType, identifiers, key, label: upn ?? identifiers['Name'] ?? identifiers['FullName'] ?? identifiers['Address'] ?? key };
}

/** An alert details format (`{{Column}}` placeholders) with a row's values, as Sentinel fills it. */
export function formatAlertText(format: string, row: Readonly<Record<string, unknown>>): string {
  return format.replace(PLACEHOLDER, (_, column: string) => {
    const value = row[column];
    if (value === null || value === undefined) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

function alertOf(rule: RenderedRule, at: number, rows: Record<string, unknown>[]): ModelledAlert {
  const t = rule.template;
  const first = rows[0] ?? {};
  const entities = new Map<string, AlertEntity>();
  for (const row of rows) {
    for (const mapping of t.entityMappings) {
      const entity = rowEntity(mapping, row);
      if (entity && !entities.has(`${entity.type}:${entity.key}`)) entities.set(`${entity.type}:${entity.key}`, entity);
    }
  }
  const customDetails = Object.fromEntries(Object.entries(t.customDetails ?? {}).map(([key, column]) => [key, formatAlertText(`{{${column}}}`, first)]));
  const format = t.alertDetailsOverride?.alertDisplayNameFormat;
  return { ruleId: rule.id, at, title: format ? formatAlertText(format, first) : t.name, severity: rule.severity, entities: [...entities.values()], customDetails, rows };
}

/**
 * The alerts Sentinel raises from each run that fired: one per result row up to the cap, the last
 * one summarising every row of the run (AlertPerResult), or one per run (SingleAlert). Pure.
 */
export function modelAlerts(rule: RenderedRule, history: RuleHistory): ModelledAlert[] {
  const alerts: ModelledAlert[] = [];
  const perResult = aggregationKind(rule.template) === 'AlertPerResult';
  const cap = ALERTS_PER_RUN[rule.kind];
  for (const run of history.alerts) {
    const rows = run.result.rows;
    if (!perResult || rows.length === 0) {
      alerts.push(alertOf(rule, run.at, rows));
      continue;
    }
    const single = rows.length <= cap ? rows : rows.slice(0, cap - 1);
    for (const row of single) alerts.push(alertOf(rule, run.at, [row]));
    if (rows.length > cap) alerts.push(alertOf(rule, run.at, rows));
  }
  return alerts;
}
