/**
 * Everything we render or send to Microsoft.SecurityInsights, checked against Microsoft's published
 * OpenAPI contract (test/fixtures/specs, 2025-10-01-preview: AlertRules.json, AutomationRules.json,
 * Watchlists.json), not against our own reading of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../generator/build.js';
import { desiredState } from '../generator/deploy/desired-state.js';
import { SENTINEL_API_VERSION } from '../generator/render/api-versions.js';
import { AGGREGATION_KINDS, ALERT_PROPERTIES, ATTACK_TACTICS, ENTITY_TYPES, MATCHING_METHODS, SEVERITIES, TRIGGER_OPERATORS } from '../generator/validate/service-rules.js';
import { contractProblems, SENTINEL_SPEC_DIR, SENTINEL_SPECS, specApiVersion } from './contract/openapi-schema.js';
import { loadContent, type Content } from './helpers/content.js';

let content: Content;
beforeAll(async () => {
  content = await loadContent();
});

type Resource = { type: string; apiVersion: string; kind?: string; properties: Record<string, unknown>; [key: string]: unknown };

/** The request body a template resource stands for: what ARM sends to the resource provider. */
function bodyOf(resource: Resource): Record<string, unknown> {
  return { ...(resource.kind !== undefined ? { kind: resource.kind } : {}), properties: resource.properties };
}

const DEFINITION_OF: [RegExp, keyof typeof SENTINEL_SPECS, string][] = [
  [/\/alertRules$/i, 'alertRules', 'AlertRule'],
  [/\/automationRules$/i, 'automationRules', 'AutomationRule'],
  [/\/watchlistItems$/i, 'watchlists', 'WatchlistItem'],
  [/\/watchlists$/i, 'watchlists', 'Watchlist'],
];

/** Every Microsoft.SecurityInsights resource of every rendered ARM file, with the file it came from. */
function sentinelResources(result: BuildResult): { file: string; resource: Resource; spec: keyof typeof SENTINEL_SPECS; definition: string }[] {
  const out: { file: string; resource: Resource; spec: keyof typeof SENTINEL_SPECS; definition: string }[] = [];
  for (const file of result.files.filter((f) => f.path.startsWith('arm/') && f.path.endsWith('.json'))) {
    for (const resource of (JSON.parse(file.content) as { resources: Resource[] }).resources) {
      const match = DEFINITION_OF.find(([pattern]) => pattern.test(resource.type));
      if (match) out.push({ file: file.path, resource, spec: match[1], definition: match[2] });
    }
  }
  return out;
}

/** Example manifest with a scheduled override, and a manifest reading the accounts from the watchlist. */
function manifests(): [string, string][] {
  return [
    ['example (NRT, accounts inline)', content.example],
    ['scheduled fallback', content.example.replace('rules:\n', 'rules:\n  account-updated:\n    kind: scheduled\n    queryFrequency: 5m\n    queryPeriod: 5m\n  signin-success:\n    kind: scheduled\n    queryFrequency: 1h\n    queryPeriod: 14d\n')],
    ['accounts from the watchlist', `${content.example}\naccountSource: watchlist\n`],
  ];
}

describe("our reading of Microsoft's contract", () => {
  it("accepts Microsoft's own request examples for every resource we send", () => {
    const example = (path: string) => (JSON.parse(readFileSync(join(SENTINEL_SPEC_DIR, 'examples', path), 'utf8')) as { parameters: Record<string, unknown> }).parameters;
    // Resource Manager ignores read-only fields in a request (the automation rule example sends its id).
    expect(contractProblems(SENTINEL_SPECS.alertRules, 'AlertRule', example('alertRules/CreateScheduledAlertRule.json')['alertRule'], 'ignore')).toEqual([]);
    expect(contractProblems(SENTINEL_SPECS.alertRules, 'AlertRule', example('alertRules/CreateNrtAlertRule.json')['alertRule'], 'ignore')).toEqual([]);
    expect(contractProblems(SENTINEL_SPECS.automationRules, 'AutomationRule', example('automationRules/AutomationRules_CreateOrUpdate.json')['automationRule'], 'ignore')).toEqual([]);
    expect(contractProblems(SENTINEL_SPECS.watchlists, 'Watchlist', example('watchlists/CreateWatchlistAndWatchlistItems.json')['watchlist'], 'ignore')).toEqual([]);
    expect(contractProblems(SENTINEL_SPECS.watchlists, 'WatchlistItem', example('watchlists/CreateWatchlistItem.json')['watchlistItem'], 'ignore')).toEqual([]);
  });

  it('refuses an unknown property, a wrong enum, a missing required field, a read-only field and the wrong discriminator', () => {
    const valid = { kind: 'NRT', properties: { displayName: 'r', enabled: true, severity: 'High', query: 'SigninLogs', suppressionEnabled: false, suppressionDuration: 'PT5H' } };
    expect(contractProblems(SENTINEL_SPECS.alertRules, 'AlertRule', valid)).toEqual([]);
    const problems = (change: (body: { kind: string; properties: Record<string, unknown> }) => void) => {
      const body = structuredClone(valid);
      change(body);
      return contractProblems(SENTINEL_SPECS.alertRules, 'AlertRule', body).join('\n');
    };
    expect(problems((b) => (b.properties['templateVersionX'] = '1.0.0'))).toContain("'templateVersionX' is not in the contract");
    expect(problems((b) => (b.properties['severity'] = 'Critical'))).toContain('/properties/severity: must be equal to one of the allowed values');
    expect(problems((b) => delete b.properties['suppressionDuration'])).toContain("must have required property 'suppressionDuration'");
    expect(problems((b) => (b.properties['lastModifiedUtc'] = '2026-01-01T00:00:00Z'))).toContain('/properties/lastModifiedUtc: is read-only');
    expect(problems((b) => (b.properties['suppressionDuration'] = '5 hours'))).toContain('must match format "duration"');
    // A Scheduled rule needs its schedule; NRT properties have none.
    expect(problems((b) => (b.kind = 'Scheduled'))).toContain("must have required property 'queryFrequency'");
    expect(problems((b) => (b.properties['queryFrequency'] = 'PT5M'))).toContain("'queryFrequency' is not in the contract");
  });

  it('the enums the validator and the renderer use are exactly the contract\'s', () => {
    const rules = JSON.parse(readFileSync(SENTINEL_SPECS.alertRules, 'utf8')) as { definitions: Record<string, { enum?: string[]; properties?: Record<string, { enum?: string[] }> }> };
    const types = JSON.parse(readFileSync(join(SENTINEL_SPEC_DIR, 'common', 'AlertTypes.json'), 'utf8')) as { definitions: Record<string, { enum: string[] }> };
    const sorted = (values: readonly string[] | undefined) => [...(values ?? [])].sort();
    expect(sorted(ATTACK_TACTICS)).toEqual(sorted(types.definitions['AttackTactic']!.enum));
    expect(sorted(SEVERITIES)).toEqual(sorted(types.definitions['AlertSeverityEnum']!.enum));
    expect(sorted(TRIGGER_OPERATORS)).toEqual(sorted(rules.definitions['AlertRuleTriggerOperator']!.enum));
    expect(sorted(AGGREGATION_KINDS)).toEqual(sorted(rules.definitions['EventGroupingAggregationKind']!.enum));
    expect(sorted(ALERT_PROPERTIES)).toEqual(sorted(rules.definitions['AlertProperty']!.enum));
    expect(sorted(MATCHING_METHODS)).toEqual(sorted(rules.definitions['GroupingConfiguration']!.properties!['matchingMethod']!.enum));
    expect(sorted(Object.keys(ENTITY_TYPES))).toEqual(sorted(rules.definitions['EntityMappingType']!.enum));
  });

  it('speaks the API version the contract describes, in the templates and in push', () => {
    expect(SENTINEL_API_VERSION).toBe(specApiVersion(SENTINEL_SPECS.alertRules));
    expect(specApiVersion(SENTINEL_SPECS.automationRules)).toBe(SENTINEL_API_VERSION);
    expect(specApiVersion(SENTINEL_SPECS.watchlists)).toBe(SENTINEL_API_VERSION);
    const result = content.build();
    for (const { file, resource } of sentinelResources(result)) expect(`${file} ${resource.type}: ${resource.apiVersion}`).toBe(`${file} ${resource.type}: ${SENTINEL_API_VERSION}`);
  });
});

describe('every resource we render or send conforms to the contract', () => {
  it('every Microsoft.SecurityInsights resource of every rendered template, for each kind of rule and account source', () => {
    const offenders: string[] = [];
    let checked = 0;
    const kinds = new Set<string>();
    for (const [label, text] of manifests()) {
      const result = content.build(text);
      expect(result.findings.filter((f) => f.severity === 'error'), label).toEqual([]);
      for (const { file, resource, spec, definition } of sentinelResources(result)) {
        checked += 1;
        if (resource.kind) kinds.add(resource.kind);
        for (const problem of contractProblems(SENTINEL_SPECS[spec], definition, bodyOf(resource))) offenders.push(`${label}: ${file} ${String(resource.name)}: ${problem}`);
      }
    }
    expect(offenders).toEqual([]);
    expect([...kinds].sort()).toEqual(['NRT', 'Scheduled']);
    expect(checked).toBeGreaterThan(40);
  });

  it('every request body push sends, and it is the body the templates hold (one builder, nothing dropped)', () => {
    const offenders: string[] = [];
    for (const [label, text] of manifests()) {
      const result = content.build(text);
      const manifest = result.manifest!;
      const desired = desiredState({ manifest, rendered: result.rendered!, playbook: content.playbook, workbookResource: result.workbookResource!, tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' }, manifest.workspaces[0]!);
      const templates = sentinelResources(result).filter((r) => r.file === 'arm/azuredeploy.json');
      for (const d of desired) {
        const definition = { alertRule: 'AlertRule', automationRule: 'AutomationRule', watchlist: 'Watchlist', watchlistItem: 'WatchlistItem', deployment: '' }[d.kind];
        if (!definition) continue;
        const spec = d.kind === 'alertRule' ? 'alertRules' : d.kind === 'automationRule' ? 'automationRules' : 'watchlists';
        // An update also carries the etag that was read.
        for (const problem of contractProblems(SENTINEL_SPECS[spec], definition, { ...d.body, etag: '"0000"' })) offenders.push(`${label}: ${d.label}: ${problem}`);
        if (d.kind === 'alertRule') {
          const inTemplate = templates.find((t) => JSON.stringify(t.resource['name']).includes(d.name));
          expect(d.body, `${label}: ${d.label}`).toEqual(bodyOf(inTemplate!.resource));
        }
        if (d.kind === 'watchlist') {
          const inTemplate = templates.find((t) => t.definition === 'Watchlist')!;
          // The template uploads the accounts as CSV (rawContent and how to read it); push writes them as items.
          const { rawContent, contentType, numberOfLinesToSkip, ...properties } = inTemplate.resource.properties;
          expect(typeof rawContent).toBe('string');
          expect([contentType, numberOfLinesToSkip]).toEqual(['text/csv', 0]);
          expect(d.body).toEqual({ properties });
        }
      }
      // The automation rules: the same properties, with the template's expressions standing for the ids push resolves.
      const pushed = desired.filter((d) => d.kind === 'automationRule').map((d) => normaliseIds(d.body['properties']));
      const templated = templates.filter((t) => t.definition === 'AutomationRule').map((t) => normaliseIds(t.resource.properties));
      expect(pushed, label).toEqual(templated);
    }
    expect(offenders).toEqual([]);
  });
});

/** Resource ids and ARM expressions for them reduced to the resource's last name segment, so the two forms compare. */
function normaliseIds(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value)
      .replace(/"\[resourceId\('Microsoft\.OperationalInsights\/workspaces\/providers\/alertRules', parameters\('workspace'\), 'Microsoft\.SecurityInsights', '([0-9a-f-]+)'\)\]"/g, '"rule:$1"')
      .replace(/"\/subscriptions\/[^"]*\/alertRules\/([0-9a-f-]+)"/g, '"rule:$1"')
      .replace(/"\[resourceId\('Microsoft\.Logic\/workflows', parameters\('PlaybookName'\)\)\]"/g, '"playbook"')
      .replace(/"\/subscriptions\/[^"]*\/Microsoft\.Logic\/workflows\/[^"]*"/g, '"playbook"')
      .replace(/"\[subscription\(\)\.tenantId\]"/g, '"tenant"')
      .replace(/"72f988bf-86f1-41af-91ab-2d7cd011db47"/g, '"tenant"'),
  ) as unknown;
}
