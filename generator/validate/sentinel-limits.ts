import type { Finding } from '../findings.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { alertRuleViolations, type BodyPath } from './service-rules.js';

/** Where a finding about a rule points: its rule file, or the manifest when the manifest set the value. */
export type Locator = (rule: RenderedRule, field: string, segments: readonly (string | number)[]) => Pick<Finding, 'location' | 'path'>;

/**
 * Where a property of the API body comes from in a rule file. Most keep their name; a few are
 * renamed (the file speaks Azure-Sentinel's YAML: `name`, `relevantTechniques`, `version`), and
 * settings without a field of their own point at the rule's `kind`.
 */
function templateSegments(path: BodyPath): (string | number)[] {
  const [, first, ...rest] = path;
  switch (first) {
    case 'displayName':
      return ['name', ...rest];
    case 'techniques':
    case 'subTechniques':
      return ['relevantTechniques'];
    case 'templateVersion':
      return ['version'];
    case 'suppressionEnabled':
    case 'suppressionDuration':
      return ['kind'];
    case undefined:
      return [];
    default:
      return [first, ...rest];
  }
}

/**
 * Microsoft Sentinel's own validations of the rule (the table in service-rules.ts, which the
 * Resource Manager emulator enforces too), each at its place in the rule file or manifest, with
 * the service's message. Every violation is reported, not only the first of each attribute.
 */
export function checkSentinelLimits(rule: RenderedRule, at: Locator): Finding[] {
  return alertRuleViolations(rule.apiKind, rule.properties).map((v) => {
    const segments = templateSegments(v.path);
    return {
      severity: 'error',
      code: `sentinel/${v.rule.id}`,
      ruleId: rule.id,
      message: `${rule.id}: Sentinel refuses this rule: ${v.message}${v.detail ? ` (${v.detail})` : ''}`,
      hint: v.rule.hint,
      ...at(rule, String(segments[0] ?? ''), segments),
    };
  });
}

/**
 * Rules must create incidents: in the Defender portal, where Sentinel moves, an alert without an
 * incident is not shown in the incident queue, and our automation rule runs only on incidents.
 * Our catalog must; a rule of a user's own folder gets a warning.
 */
export function checkCreatesIncident(rule: RenderedRule, at: Locator): Finding[] {
  if (rule.properties.incidentConfiguration?.createIncident !== false) return [];
  return [
    {
      severity: rule.builtIn ? 'error' : 'warning',
      code: 'sentinel/no-incident',
      ruleId: rule.id,
      message: `${rule.id}: createIncident is false: its alerts raise no incident, so nobody is notified and the Defender portal's incident queue never shows them`,
      hint: 'Remove createIncident: false (incidents are created by default).',
      ...at(rule, 'createIncident', ['createIncident']),
    },
  ];
}

/**
 * A near-real-time rule has no schedule (Sentinel runs it every minute over what arrived since the
 * last run): a frequency or period the manifest sets for it would silently do nothing.
 */
export function checkNrtSchedule(rule: RenderedRule, at: Locator): Finding[] {
  if (rule.kind !== 'nrt') return [];
  return (['queryFrequency', 'queryPeriod'] as const)
    .filter((field) => rule.overridden.includes(field))
    .map((field) => ({
      severity: 'error' as const,
      code: 'sentinel/nrt-schedule',
      ruleId: rule.id,
      message: `${rule.id}: ${field} ${rule[field]} has no effect: ${rule.id} is a near-real-time rule, which runs every minute over the records that arrived since its last run`,
      hint: `To run it on a schedule, add kind: scheduled to rules.${rule.id} in the manifest (Sentinel allows 5m to 14d); otherwise remove ${field}.`,
      ...at(rule, field, [field]),
    }));
}

/** A `{{Column}}` placeholder of an alert details override, as a column name (group 1). */
export const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** The `{{Column}}` placeholders of an alert details override. */
export function placeholders(format: string): string[] {
  return [...format.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
