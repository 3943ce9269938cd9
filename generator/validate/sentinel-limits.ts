import { ATTACK_TACTICS } from '../catalog/rule-template.js';
import type { Finding } from '../findings.js';
import { durationMinutes } from '../render/durations.js';
import { MAX_QUERY_LENGTH } from '../render/render-rules.js';
import type { RenderedRule } from '../render/sentinel-rule.js';

/** Identifiers Sentinel accepts per entity type (for the types a break-glass rule can use). */
export const ENTITY_IDENTIFIERS: Record<string, readonly string[]> = {
  Account: ['Name', 'FullName', 'NTDomain', 'DnsDomain', 'UPNSuffix', 'Sid', 'AadTenantId', 'AadUserId', 'PUID', 'IsDomainJoined', 'DisplayName', 'ObjectGuid', 'CloudAppAccountId'],
  IP: ['Address'],
  Host: ['DnsDomain', 'NTDomain', 'HostName', 'FullName', 'NetBiosName', 'AzureID', 'OMSAgentID', 'OSFamily', 'OSVersion', 'IsDomainJoined'],
  CloudApplication: ['AppId', 'Name', 'InstanceName'],
  AzureResource: ['ResourceId'],
  SecurityGroup: ['DistinguishedName', 'SID', 'ObjectGuid'],
  URL: ['Url'],
  Mailbox: ['MailboxPrimaryAddress', 'DisplayName', 'Upn', 'ExternalDirectoryObjectId', 'RiskLevel'],
};

const MIN_MINUTES = 5;
const MAX_MINUTES = 14 * 24 * 60;
const CUSTOM_DETAIL_KEY = /^[a-zA-Z]+\w*$/;

export type Locator = (rule: RenderedRule, field: string, segments: readonly (string | number)[]) => Pick<Finding, 'location' | 'path'>;

/** Sentinel's documented limits for an analytics rule; every offender is reported, not just the first. */
export function checkSentinelLimits(rule: RenderedRule, at: Locator): Finding[] {
  const findings: Finding[] = [];
  const t = rule.template;
  const p = rule.properties;
  const fail = (code: string, message: string, field: string, segments: (string | number)[], hint?: string) =>
    findings.push({ severity: 'error', code: `sentinel/${code}`, ruleId: rule.id, message: `${rule.id}: ${message}`, ...(hint ? { hint } : {}), ...at(rule, field, segments) });

  const length = rule.query.text.length;
  if (length < 1 || length > MAX_QUERY_LENGTH) {
    fail('query-length', `the rendered query is ${length} characters; Sentinel allows 1 to ${MAX_QUERY_LENGTH}`, 'query', ['query'], 'Use accountSource: watchlist so the account lists are not written into the query.');
  }
  if ((p.displayName ?? '').length > 256) fail('name-length', `the name is ${p.displayName!.length} characters; Sentinel allows 256`, 'name', ['name']);
  if ((p.description ?? '').length > 5000) fail('description-length', `the description is ${p.description!.length} characters with the managed-by note; Sentinel allows 5000`, 'description', ['description']);

  if (rule.kind === 'nrt') {
    // A near-real-time rule has no schedule (Sentinel runs it every minute over what arrived since
    // the last run): a frequency or period set for it would silently do nothing.
    for (const field of ['queryFrequency', 'queryPeriod'] as const) {
      if (!rule.overridden.includes(field)) continue;
      fail(
        'nrt-schedule',
        `${field} ${rule[field]} has no effect: ${rule.id} is a near-real-time rule, which runs every minute over the records that arrived since its last run`,
        field,
        [field],
        `To run it on a schedule, add kind: scheduled to rules.${rule.id} in the manifest (Sentinel allows 5m to 14d); otherwise remove ${field}.`,
      );
    }
  }
  if (rule.kind === 'scheduled') {
    const frequency = durationMinutes(rule.queryFrequency);
    const period = durationMinutes(rule.queryPeriod);
    for (const [field, value, minutes] of [['queryFrequency', rule.queryFrequency, frequency], ['queryPeriod', rule.queryPeriod, period]] as const) {
      if (minutes < MIN_MINUTES || minutes > MAX_MINUTES) fail('schedule', `${field} ${value} is outside Sentinel's range of 5m to 14d`, field, [field]);
    }
    if (frequency > period) fail('schedule', `queryFrequency ${rule.queryFrequency} is longer than queryPeriod ${rule.queryPeriod}: events between runs would be missed`, 'queryFrequency', ['queryFrequency'], 'Make queryPeriod at least as long as queryFrequency.');
    if (period >= 2 * 1440 && frequency < 60) fail('schedule', `a queryPeriod of ${rule.queryPeriod} (2 days or more) needs a queryFrequency of 1h or more, not ${rule.queryFrequency}`, 'queryFrequency', ['queryFrequency']);
    if (t.triggerThreshold < 0 || t.triggerThreshold > 10000) fail('trigger-threshold', `triggerThreshold ${t.triggerThreshold} is outside 0 to 10000`, 'triggerThreshold', ['triggerThreshold']);
  }

  t.tactics.forEach((tactic, i) => {
    if (!(ATTACK_TACTICS as readonly string[]).includes(tactic)) fail('tactic', `tactic '${tactic}' is not one of Sentinel's: ${ATTACK_TACTICS.join(', ')}`, 'tactics', ['tactics', i]);
  });

  if (t.entityMappings.length > 10) fail('entity-mappings', `${t.entityMappings.length} entity mappings; Sentinel allows 10`, 'entityMappings', ['entityMappings']);
  t.entityMappings.forEach((mapping, i) => {
    const count = mapping.fieldMappings.length;
    if (count < 1 || count > 3) fail('entity-mappings', `entity mapping ${i} (${mapping.entityType}) has ${count} identifiers; Sentinel allows 1 to 3`, 'entityMappings', ['entityMappings', i]);
    const known = ENTITY_IDENTIFIERS[mapping.entityType];
    mapping.fieldMappings.forEach((field, j) => {
      if (known && !known.includes(field.identifier)) {
        fail('entity-identifier', `'${field.identifier}' is not an identifier of the ${mapping.entityType} entity (${known.join(', ')})`, 'entityMappings', ['entityMappings', i, 'fieldMappings', j, 'identifier']);
      }
    });
  });

  const details = Object.keys(t.customDetails ?? {});
  if (details.length > 20) fail('custom-details', `${details.length} custom details; Sentinel allows 20`, 'customDetails', ['customDetails']);
  for (const key of details) {
    if (!CUSTOM_DETAIL_KEY.test(key) || key.length > 20) {
      fail('custom-details', `custom detail key '${key}' must start with a letter, hold only letters, digits and _, and be at most 20 characters`, 'customDetails', ['customDetails', key]);
    }
  }

  const title = t.alertDetailsOverride?.alertDisplayNameFormat;
  if (title !== undefined && placeholders(title).length > 3) {
    fail('title-placeholders', `alertDisplayNameFormat uses ${placeholders(title).length} placeholders; Sentinel allows 3`, 'alertDetailsOverride', ['alertDetailsOverride', 'alertDisplayNameFormat']);
  }
  return findings;
}

/** A `{{Column}}` placeholder of an alert details override; the column name is group 1. */
export const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** The `{{Column}}` placeholders of an alert details override. */
export function placeholders(format: string): string[] {
  return [...format.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
