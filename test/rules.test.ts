import fc from 'fast-check';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from '../generator/build.js';
import type { Catalog } from '../generator/catalog/rule-template.js';
import type { Manifest } from '../generator/manifest/types.js';
import { armTemplateText } from '../generator/arm/arm-json.js';
import { ALERT_RULE_RESOURCE_TYPE, armRuleTemplate } from '../generator/render/arm-rule-template.js';
import { renderRules } from '../generator/render/render-rules.js';
import { sentinelYamlRule } from '../generator/render/sentinel-yaml.js';
import { syntaxShape } from '../generator/validate/analyze-query.js';
import type { PlaybookSource } from '../generator/playbook/playbook-definition.js';
import type { ParsedWorkbook } from '../generator/workbook/workbook-template.js';
import { builtInCatalog, builtInPlaybook, builtInWorkbook, exampleManifestText, sharedGlobals } from './helpers/harness.js';

const REQUIRED_RULES = [
  'signin-success',
  'signin-failure',
  'signin-interrupted',
  'account-updated',
  'role-changed',
  'group-membership-changed',
  'auth-methods-changed',
  'auth-methods-policy-changed',
  'admin-sspr-enabled',
  'exclusion-group-changed',
  'ca-exclusion-removed',
  'ca-block-policy',
  'account-disabled-or-deleted',
];

interface ArmRuleJson {
  $schema: string;
  contentVersion: string;
  parameters: { workspace: { type: string } };
  resources: { type: string; name: string; apiVersion: string; kind: string; properties: Record<string, unknown> }[];
}

let catalog: Catalog;
let exampleText: string;
let playbook: PlaybookSource;
let workbook: ParsedWorkbook;
beforeAll(async () => {
  catalog = await builtInCatalog();
  exampleText = await exampleManifestText();
  playbook = await builtInPlaybook();
  workbook = await builtInWorkbook();
});

/** The example with one rule switched to scheduled, so both kinds are rendered. */
function withScheduledRule(): string {
  return exampleText.replace('rules:\n', 'rules:\n  account-updated:\n    kind: scheduled\n    queryFrequency: 5m\n    queryPeriod: 5m\n');
}

function buildExample(text = exampleText) {
  return build({ manifestText: text, manifestFile: 'examples/accounts.yaml', catalog, playbook, workbook, globals: sharedGlobals() });
}

describe('the rule catalog', () => {
  it('has every rule the product promises', () => {
    expect(catalog.rules.map((r) => r.template.id)).toEqual(expect.arrayContaining(REQUIRED_RULES));
  });

  it('renders and validates every rule for the example, inline and from a watchlist', () => {
    const offenders: string[] = [];
    for (const source of ['inline', 'watchlist'] as const) {
      const text = `${exampleText}\naccountSource: ${source}\n`;
      const result = buildExample(text);
      for (const f of result.findings) if (f.severity !== 'notice') offenders.push(`[${source}] ${f.location?.file}:${f.location?.line} ${f.code} ${f.message}`);
      expect(result.rendered?.accountSource).toBe(source);
    }
    expect(offenders).toEqual([]);
  });

  it('gives every rule what a responder needs: description, MITRE, Account entity by AadUserId, title override, custom details', () => {
    const offenders: string[] = [];
    for (const { template: t } of catalog.rules) {
      if (t.description.length < 80) offenders.push(`${t.id}: description too short to act on`);
      if (t.tactics.length === 0 || t.relevantTechniques.length === 0) offenders.push(`${t.id}: no MITRE tactics/techniques`);
      const account = t.entityMappings.find((m) => m.entityType === 'Account');
      if (!account?.fieldMappings.some((f) => f.identifier === 'AadUserId')) offenders.push(`${t.id}: no Account entity by AadUserId`);
      if (!account?.fieldMappings.some((f) => f.identifier === 'UPNSuffix')) offenders.push(`${t.id}: no Account UPNSuffix`);
      if (!t.alertDetailsOverride?.alertDisplayNameFormat?.includes('{{')) offenders.push(`${t.id}: no alert title override with a placeholder`);
      if (Object.keys(t.customDetails ?? {}).length === 0) offenders.push(`${t.id}: no custom details`);
    }
    expect(offenders).toEqual([]);
  });
});

describe('output shapes', () => {
  it('writes each rule as the ARM template Sentinel Analytics > Import accepts', () => {
    const result = buildExample(withScheduledRule());
    expect(new Set(result.rendered!.rules.map((r) => r.apiKind))).toEqual(new Set(['NRT', 'Scheduled']));
    for (const rule of result.rendered!.rules) {
      const arm = JSON.parse(armTemplateText(armRuleTemplate(rule))) as ArmRuleJson;
      expect(arm.$schema).toBe('https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#');
      expect(arm.contentVersion).toBe('1.0.0.0');
      expect(arm.parameters.workspace.type).toBe('String');
      expect(arm.resources).toHaveLength(1);
      const [resource] = arm.resources;
      expect(resource!.type).toBe(ALERT_RULE_RESOURCE_TYPE);
      expect(resource!.name).toBe(`[concat(parameters('workspace'),'/Microsoft.SecurityInsights/${rule.guid}')]`);
      expect(resource!.apiVersion).toMatch(/-preview$/);
      expect(resource!.kind).toBe(rule.kind === 'nrt' ? 'NRT' : 'Scheduled');
      const p = resource!.properties;
      expect(p).toMatchObject({ displayName: rule.template.name, enabled: true, query: rule.query.text, suppressionEnabled: false });
      expect(p['incidentConfiguration']).toMatchObject({ createIncident: true });
      // One use of an account is one incident: grouped by the Account entity for a day (ISO 8601 for the API).
      expect(p['incidentConfiguration']).toMatchObject({ groupingConfiguration: { enabled: true, lookbackDuration: 'P1D', matchingMethod: 'Selected', groupByEntities: ['Account'] } });
      expect(p['eventGroupingSettings']).toEqual({ aggregationKind: 'AlertPerResult' });
      if (rule.kind === 'nrt') {
        expect(p).not.toHaveProperty('queryFrequency');
        expect(p).not.toHaveProperty('triggerOperator');
      } else {
        expect(p['queryFrequency']).toMatch(/^PT?\d+[MHD]$/);
        expect(p['triggerOperator']).toBe('GreaterThan');
      }
    }
  });

  it('writes each rule in the Azure-Sentinel detection YAML format', () => {
    const result = buildExample(withScheduledRule());
    expect(result.rendered!.rules.filter((r) => r.kind === 'scheduled').map((r) => r.id).sort()).toEqual(['account-updated', 'signin-interrupted']);
    const signin = result.files.find((f) => f.path === 'yaml/signin-success.yaml')!;
    const doc = parse(signin.content) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(
      expect.arrayContaining(['id', 'name', 'description', 'severity', 'requiredDataConnectors', 'tactics', 'relevantTechniques', 'query', 'entityMappings', 'version', 'kind']),
    );
    expect(doc['kind']).toBe('NRT');
    // The grouping goes with the rule, in the repository's own words (lookbackDuration: 24h).
    expect(doc['incidentConfiguration']).toEqual({
      createIncident: true,
      groupingConfiguration: { enabled: true, reopenClosedIncident: false, lookbackDuration: '24h', matchingMethod: 'Selected', groupByEntities: ['Account'], groupByAlertDetails: [], groupByCustomDetails: [] },
    });
    expect(doc['eventGroupingSettings']).toEqual({ aggregationKind: 'AlertPerResult' });
    for (const rule of result.rendered!.rules.filter((r) => r.kind === 'scheduled')) {
      const y = sentinelYamlRule(rule);
      expect(y).toMatchObject({ queryFrequency: rule.queryFrequency, queryPeriod: rule.queryPeriod, triggerOperator: 'gt', triggerThreshold: 0, kind: 'Scheduled' });
    }
  });

  it('applies manifest overrides', () => {
    const text = exampleText.replace('  signin-failure:\n    severity: High\n', '  signin-failure:\n    severity: Low\n    kind: scheduled\n    queryFrequency: 10m\n    queryPeriod: 1h\n  group-membership-changed:\n    enabled: false\n');
    const rules = buildExample(text).rendered!.rules;
    const failure = rules.find((r) => r.id === 'signin-failure')!;
    expect(failure).toMatchObject({ severity: 'Low', apiKind: 'Scheduled' });
    expect(failure.properties).toMatchObject({ queryFrequency: 'PT10M', queryPeriod: 'PT1H', severity: 'Low' });
    expect(rules.find((r) => r.id === 'group-membership-changed')!.properties.enabled).toBe(false);
  });

  it('reports a bad schedule override at the manifest line that set it', () => {
    const text = exampleText.replace('  signin-failure:\n    severity: High\n', '  account-updated:\n    kind: scheduled\n    queryFrequency: 2h\n    queryPeriod: 1h\n  role-changed:\n    kind: scheduled\n    queryFrequency: 5m\n    queryPeriod: 3d\n');
    const errors = buildExample(text).findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.path} line ${f.location?.line}: ${f.message}`)).toEqual([
      expect.stringMatching(/^rules\.account-updated\.queryPeriod line \d+: account-updated: Sentinel refuses this rule: Invalid Properties for Scheduled alert rule: 'queryPeriod' should be greater than or equal to 'queryFrequency' \(queryFrequency PT2H is longer than queryPeriod PT1H/),
      expect.stringMatching(/^rules\.role-changed\.queryFrequency line \d+: role-changed: Sentinel refuses this rule: .*a 'queryPeriod' of 2 days or more requires a 'queryFrequency' of at least 1 hour \(queryPeriod P3D, queryFrequency PT5M\)/),
    ]);
  });
});

describe('safety: manifest values never change the shape of a query', () => {
  const hostileText = fc.oneof(
    fc.string({ minLength: 1 }),
    fc.constantFrom('x" | take 1 //', "o'brien", 'a\\', '{{> accounts}}', '}}\n| union *', '"\n| where 1==1 | project-away *', 'é😀\u2028'),
  );

  it('renders hostile UPNs, ids and group names into queries that parse to the same syntax tree (property)', () => {
    const base = buildExample().manifest!;
    const plain = renderRules(base, catalog, 'm.yaml');
    const plainShapes = plain.rules.map((r) => syntaxShape(r.query.text));
    fc.assert(
      fc.property(hostileText, hostileText, hostileText, (upn, id, group) => {
        // Straight to the renderer: the schema would refuse these, the renderer must not depend on that.
        const manifest: Manifest = {
          ...base,
          accounts: [{ ...base.accounts[0]!, userPrincipalName: upn, objectId: id }, base.accounts[1]!],
          exclusionGroup: { objectId: group, displayName: group },
        };
        const hostile = renderRules(manifest, catalog, 'm.yaml');
        expect(hostile.findings.filter((f) => f.severity === 'error')).toEqual([]);
        hostile.rules.forEach((rule, i) => expect(syntaxShape(rule.query.text), rule.id).toEqual(plainShapes[i]));
      }),
      { numRuns: 40 },
    );
  });
});

describe('many accounts', () => {
  it('switches to the watchlist, with a notice, when inline lists would pass 10,000 characters', () => {
    const accounts = Array.from({ length: 500 }, (_, i) => {
      const hex = i.toString(16).padStart(12, '0');
      return `  - objectId: 00000000-0000-4000-8000-${hex}\n    userPrincipalName: bg-${i}@contoso.onmicrosoft.com\n    kind: global-admin\n`;
    }).join('');
    const text = exampleText.replace(/accounts:\n[\s\S]*?\n\n/, `accounts:\n${accounts}\n`);
    const result = buildExample(text);
    expect(result.manifest?.accounts).toHaveLength(500);
    expect(result.findings.filter((f) => f.severity !== 'notice')).toEqual([]);
    expect(result.findings).toContainEqual(expect.objectContaining({ severity: 'notice', code: 'render/watchlist-chosen' }));
    expect(result.rendered!.accountSource).toBe('watchlist');
    for (const rule of result.rendered!.rules) expect(rule.query.text).toContain("_GetWatchlist(\"BreakGlassAccounts\")");
    const csv = result.files.find((f) => f.path === 'watchlist/BreakGlassAccounts.csv')!;
    expect(csv.content.split('\r\n')[0]).toBe('ObjectId,UserPrincipalName,AccountUPN,UserId,DisplayName,Kind,Role');
    expect(csv.content.split('\r\n')).toHaveLength(502);
  });
});

describe('documentation', () => {
  it('lists every catalog rule, with its default kind and severity, in the README', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const missing = catalog.rules
      .map(({ template: t }) => `| \`${t.id}\` |`)
      .filter((row, i) => {
        const line = readme.split('\n').find((l) => l.startsWith(row));
        const t = catalog.rules[i]!.template;
        return !line || !line.includes(`| ${t.kind === 'nrt' ? 'NRT' : 'Scheduled'} | ${t.severity} |`);
      });
    expect(missing).toEqual([]);
  });
});
