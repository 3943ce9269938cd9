/**
 * The service's validations of analytics rules (generator/validate/service-rules.ts; sources in
 * test/fixtures/specs/SENTINEL-RULE-VALIDATIONS.md) are enforced twice from the one table: by
 * `validate`, at the place in the rule file or manifest, and by the Resource Manager emulator, with
 * HTTP 400 and the service's message. This walks the table: a rule of it that either side does not
 * enforce fails here.
 */
import { request } from 'node:https';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderedRule } from '../generator/render/sentinel-rule.js';
import { checkSentinelLimits } from '../generator/validate/sentinel-limits.js';
import { countPlaceholders, SERVICE_RULES } from '../generator/validate/service-rules.js';
import { ArmEmulator, TOKEN } from './emulator/arm-emulator.js';
import { loadContent, type Content } from './helpers/content.js';
import { runCli, tempDir } from './helpers/harness.js';

type Props = Record<string, unknown>;
type Breaker = (p: Props) => void;

const map = (p: Props, i = 0) => (p['entityMappings'] as { entityType: string; fieldMappings: { identifier: string; columnName: string }[] }[])[i]!;
const grouping = (p: Props) => ((p['incidentConfiguration'] as Props)['groupingConfiguration'] as Props);
const bigDetails = (p: Props) => (p['customDetails'] = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`Detail${i}`, 'AccountUPN'])));

/** For every rule of the table, a change to a valid body that breaks exactly that rule. */
const BREAKERS: Record<string, Breaker> = {
  'required-displayName': (p) => delete p['displayName'],
  'required-enabled': (p) => delete p['enabled'],
  'required-severity': (p) => delete p['severity'],
  'required-query': (p) => delete p['query'],
  'required-suppressionEnabled': (p) => delete p['suppressionEnabled'],
  'required-suppressionDuration': (p) => delete p['suppressionDuration'],
  'required-queryFrequency': (p) => delete p['queryFrequency'],
  'required-queryPeriod': (p) => delete p['queryPeriod'],
  'required-triggerOperator': (p) => delete p['triggerOperator'],
  'required-triggerThreshold': (p) => delete p['triggerThreshold'],
  'display-name-length': (p) => (p['displayName'] = 'x'.repeat(257)),
  'description-length': (p) => (p['description'] = 'x'.repeat(5001)),
  'query-length': (p) => (p['query'] = ''),
  severity: (p) => (p['severity'] = 'Critical'),
  tactic: (p) => (p['tactics'] = [...(p['tactics'] as string[]), 'Probing']),
  'suppression-duration': (p) => (p['suppressionDuration'] = '5 hours'),
  'technique-format': (p) => (p['techniques'] = ['T1078.004']),
  'sub-technique-format': (p) => (p['subTechniques'] = ['T1078']),
  'technique-tactic': (p) => (p['techniques'] = ['T1110']),
  'custom-details-count': bigDetails,
  'custom-details-key-length': (p) => ((p['customDetails'] as Props)['A'.repeat(21)] = 'AccountUPN'),
  'custom-details-value-length': (p) => ((p['customDetails'] as Props)['Long'] = 'A'.repeat(501)),
  'custom-details-key': (p) => ((p['customDetails'] as Props)['1stDetail'] = 'AccountUPN'),
  'custom-details-column': (p) => ((p['customDetails'] as Props)['Bad'] = 'Account-UPN'),
  'entity-mappings-count': (p) => (p['entityMappings'] = Array.from({ length: 11 }, () => ({ entityType: 'IP', fieldMappings: [{ identifier: 'Address', columnName: 'IPAddress' }] }))),
  'entity-type': (p) => (map(p).entityType = 'Spaceship'),
  'field-mappings-count': (p) => map(p).fieldMappings.push({ identifier: 'FullName', columnName: 'AccountUPN' }),
  'entity-identifier': (p) => (map(p).fieldMappings[0]!.identifier = 'Nickname'),
  'entity-identifier-unique': (p) => (map(p).fieldMappings[1]!.identifier = map(p).fieldMappings[0]!.identifier),
  'entity-column-length': (p) => (map(p).fieldMappings[0]!.columnName = 'A'.repeat(501)),
  'entity-column-name': (p) => (map(p).fieldMappings[0]!.columnName = 'Account-Id'),
  'entity-required-identifiers': (p) => (map(p).fieldMappings = [{ identifier: 'UPNSuffix', columnName: 'AccountUPNSuffix' }]),
  'alert-name-placeholders': (p) => ((p['alertDetailsOverride'] as Props)['alertDisplayNameFormat'] = '{{A}} {{A}} {{B}} {{}}'),
  'alert-name-blank': (p) => ((p['alertDetailsOverride'] as Props)['alertDisplayNameFormat'] = '   '),
  'alert-name-length': (p) => ((p['alertDetailsOverride'] as Props)['alertDisplayNameFormat'] = 'x'.repeat(257)),
  'alert-description-placeholders': (p) => ((p['alertDetailsOverride'] as Props)['alertDescriptionFormat'] = '{{AccountUPN}} {{IPAddress}} {{Country}} {{AccountUPN}}'),
  'alert-description-blank': (p) => ((p['alertDetailsOverride'] as Props)['alertDescriptionFormat'] = ''),
  'alert-description-length': (p) => ((p['alertDetailsOverride'] as Props)['alertDescriptionFormat'] = 'x'.repeat(5001)),
  'alert-dynamic-property': (p) => ((p['alertDetailsOverride'] as Props)['alertDynamicProperties'] = [{ alertProperty: 'Nope', value: 'AccountUPN' }]),
  'template-version-format': (p) => Object.assign(p, { alertRuleTemplateName: '2b8fa4da-0000-4000-8000-000000000001', templateVersion: '1.0' }),
  'template-version-without-template': (p) => (p['templateVersion'] = '1.0.0'),
  'event-grouping': (p) => (p['eventGroupingSettings'] = { aggregationKind: 'Sometimes' }),
  'frequency-range': (p) => (p['queryFrequency'] = 'PT1M'),
  'period-range': (p) => (p['queryPeriod'] = 'P15D'),
  'period-covers-frequency': (p) => Object.assign(p, { queryFrequency: 'PT1H', queryPeriod: 'PT30M' }),
  'long-period-frequency': (p) => Object.assign(p, { queryFrequency: 'PT30M', queryPeriod: 'P2D' }),
  'trigger-threshold': (p) => (p['triggerThreshold'] = 10001),
  'trigger-operator': (p) => (p['triggerOperator'] = 'gt'),
  'legacy-entity-columns': (p) => (p['query'] = `${String(p['query'])}\n| extend AccountCustomEntity = AccountUPN`),
  'incident-create-required': (p) => (p['incidentConfiguration'] = {}),
  'grouping-required': (p) => delete grouping(p)['lookbackDuration'],
  'grouping-lookback': (p) => (grouping(p)['lookbackDuration'] = '5 hours'),
  'grouping-matching-method': (p) => (grouping(p)['matchingMethod'] = 'Maybe'),
  'grouping-selected': (p) => Object.assign(grouping(p), { matchingMethod: 'Selected', groupByEntities: [], groupByAlertDetails: [], groupByCustomDetails: [] }),
  'grouping-entities': (p) => (grouping(p)['groupByEntities'] = ['Host']),
  'grouping-alert-details': (p) => (grouping(p)['groupByAlertDetails'] = ['Title']),
  'grouping-custom-details': (p) => (grouping(p)['groupByCustomDetails'] = ['NoSuchDetail']),
};

let content: Content;
let nrt: RenderedRule;
let scheduled: RenderedRule;
let emulator: ArmEmulator;

beforeAll(async () => {
  content = await loadContent();
  const result = content.build(content.example.replace('rules:\n', 'rules:\n  account-updated:\n    kind: scheduled\n    queryFrequency: 5m\n    queryPeriod: 5m\n'));
  nrt = result.rendered!.rules.find((r) => r.id === 'signin-success')!;
  scheduled = result.rendered!.rules.find((r) => r.id === 'account-updated')!;
  emulator = new ArmEmulator();
  await emulator.start();
});
afterAll(async () => emulator.stop());

function broken(id: string): RenderedRule {
  const rule = SERVICE_RULES.find((r) => r.id === id)!;
  const base = rule.kinds.includes('NRT') ? nrt : scheduled;
  const properties = structuredClone(base.properties) as unknown as Props;
  // Every rule has grouping settings to break (the catalog's rules may leave them out).
  properties['incidentConfiguration'] ??= { createIncident: true };
  (properties['incidentConfiguration'] as Props)['groupingConfiguration'] ??= { enabled: true, reopenClosedIncident: false, lookbackDuration: 'PT5H', matchingMethod: 'AllEntities' };
  BREAKERS[id]!(properties);
  return { ...base, properties: properties as unknown as RenderedRule['properties'] };
}

function put(path: string, body: unknown): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${emulator.url}${path}?api-version=2025-10-01-preview`);
    const req = request(url, { method: 'PUT', ca: emulator.caPem, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as { error?: { code: string; message: string } }) : {} }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const RULES_PATH = '/subscriptions/1f2e3d4c-5b6a-4789-8c0d-e1f2a3b4c5d6/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law/providers/Microsoft.SecurityInsights/alertRules';

describe("the service's validations, one table enforced twice", () => {
  it('has a breaking change for every rule of the table, and no other', () => {
    expect(Object.keys(BREAKERS).sort()).toEqual(SERVICE_RULES.map((r) => r.id).sort());
    expect(new Set(SERVICE_RULES.map((r) => r.id)).size).toBe(SERVICE_RULES.length);
  });

  it('the rendered rules break none of them', () => {
    for (const rule of [nrt, scheduled]) expect(checkSentinelLimits(rule, () => ({}))).toEqual([]);
  });

  it('validate refuses each, with the service message, at a place in the rule file or manifest', () => {
    const missed: string[] = [];
    for (const entry of SERVICE_RULES) {
      const rule = broken(entry.id);
      const findings = checkSentinelLimits(rule, (r, _field, segments) => ({ path: segments.join('.'), location: { file: r.source.file, line: r.source.lineOf(segments) } }));
      const found = findings.find((f) => f.code === `sentinel/${entry.id}`);
      if (!found) missed.push(`${entry.id}: got ${findings.map((f) => f.code).join(', ') || 'nothing'}`);
      else {
        expect(found.location?.file, entry.id).toBe(rule.source.file);
        expect(found.location?.line, entry.id).toBeGreaterThan(0);
        expect(found.hint, entry.id).toBeTruthy();
        expect(found.message, entry.id).toContain('Sentinel refuses this rule');
      }
    }
    expect(missed).toEqual([]);
  });

  it('the Resource Manager emulator refuses each with HTTP 400 and the same message, and accepts the valid rule', async () => {
    const accepted = await put(`${RULES_PATH}/0a1b2c3d-0000-4000-8000-000000000001`, { kind: nrt.apiKind, properties: nrt.properties });
    expect(accepted.status).toBe(201);
    const missed: string[] = [];
    for (const entry of SERVICE_RULES) {
      const rule = broken(entry.id);
      const violation = checkSentinelLimits(rule, () => ({})).find((f) => f.code === `sentinel/${entry.id}`)!;
      const answer = await put(`${RULES_PATH}/0a1b2c3d-0000-4000-8000-000000000002`, { kind: rule.apiKind, properties: rule.properties });
      const serviceMessage = violation.message.replace(/^.*?Sentinel refuses this rule: /, '').replace(/ \([^()]*\)$/, '');
      if (answer.status !== 400 || !answer.body.error?.message.startsWith('Invalid data model.') || !answer.body.error.message.includes(serviceMessage)) {
        missed.push(`${entry.id}: HTTP ${answer.status} ${answer.body.error?.message ?? ''}`);
      }
    }
    expect(missed).toEqual([]);
  });

  it('the emulator also refuses what breaks the published contract, for every kind of resource push writes', async () => {
    const base = RULES_PATH.replace(/\/alertRules$/, '');
    const cases: [string, unknown, string][] = [
      [`${RULES_PATH}/0a1b2c3d-0000-4000-8000-000000000005`, { kind: 'NRT', properties: { ...nrt.properties, queryFrequency: 'PT5M' } }, "/properties: 'queryFrequency' is not in the contract"],
      [`${base}/automationRules/0a1b2c3d-0000-4000-8000-000000000006`, { properties: { displayName: 'x', order: 1001, triggeringLogic: { isEnabled: true, triggersOn: 'Incidents', triggersWhen: 'Created' }, actions: [] } }, '/properties/order: must be <= 1000'],
      [`${base}/watchlists/Bad`, { properties: { displayName: 'x', provider: 'y' } }, "must have required property 'itemsSearchKey'"],
      [`${base}/watchlists/Bad/watchlistItems/0a1b2c3d-0000-4000-8000-000000000007`, { properties: { itemsKeyValue: 'not an object' } }, '/properties/itemsKeyValue: must be object'],
    ];
    for (const [path, body, expected] of cases) {
      const answer = await put(path, body);
      expect(answer.status, path).toBe(400);
      expect(answer.body.error?.message, path).toContain(expected);
    }
  });

  it('counts placeholders as the service does: every occurrence, repeats and empty ones too', () => {
    expect(countPlaceholders('{{A}} {{A}} {{}}')).toBe(3);
    expect(countPlaceholders('{{a{b}}}')).toBe(0);
    expect(countPlaceholders('{{ Spaced }} and {{x}}')).toBe(2);
  });

  it('reports only the first error of one validation attribute to the client, as the service does', async () => {
    const rule = broken('entity-type');
    BREAKERS['entity-column-name']!(rule.properties as unknown as Props);
    const answer = await put(`${RULES_PATH}/0a1b2c3d-0000-4000-8000-000000000003`, { kind: rule.apiKind, properties: rule.properties });
    expect(answer.status).toBe(400);
    expect(answer.body.error!.message).toContain("Error converting value \"Spaceship\" to type 'EntityMappingType'");
    expect(answer.body.error!.message).not.toContain('The ColumnName');
  });
});

describe("the service's message when one attribute is broken in several places", () => {
  const answer = async (change: (p: Props) => void) => {
    const properties = structuredClone(nrt.properties) as unknown as Props;
    change(properties);
    return (await put(`${RULES_PATH}/0a1b2c3d-0000-4000-8000-000000000004`, { kind: nrt.apiKind, properties })).body.error?.message ?? '';
  };

  it('names the error its walk meets first: entity mapping by entity mapping, field by field (ValidEntityMappingsAttribute)', async () => {
    const message = await answer((p) => {
      p['entityMappings'] = [
        { entityType: 'Account', fieldMappings: [{ identifier: 'UPNSuffix', columnName: 'AccountUPN' }] },
        { entityType: 'IP', fieldMappings: Array.from({ length: 4 }, () => ({ identifier: 'Address', columnName: 'IPAddress' })) },
      ];
    });
    expect(message).toContain("Missing required identifiers in 'EntityMappings' for type 'Account'");
    expect(message).not.toContain("Invalid length of '4' for 'FieldMappings'");
  });

  it('checks each custom detail key, then its value, before the next one (DictionaryMaxKeyAndValueLengthsAttribute)', async () => {
    const message = await answer((p) => (p['customDetails'] = { Long: 'A'.repeat(501), ['K'.repeat(21)]: 'AccountUPN' }));
    expect(message).toContain("Maximum length of value 'AAAA");
    expect(message).not.toContain('Maximum length of key');
  });

  it('an empty alert description breaks both its non-empty and its length attribute (StringLength(5000, MinimumLength = 1))', async () => {
    const message = await answer((p) => ((p['alertDetailsOverride'] as Props)['alertDescriptionFormat'] = ''));
    expect(message).toContain("'AlertDescriptionFormat' must have a non-empty value");
    expect(message).toContain('The field AlertDescriptionFormat must be a string with a minimum length of 1 and a maximum length of 5000.');
  });
});

describe("validate on a user's rule file and manifest", () => {
  it('reports each refusal that a rule file or manifest can cause at its file and line', async () => {
    const dir = await tempDir();
    const rules = join(dir, 'rules');
    await import('node:fs/promises').then((fs) => fs.mkdir(rules));
    const demo = (id: string, changes: Record<string, string>) => {
      const fields: Record<string, string> = {
        id,
        name: 'Demo rule',
        description: 'demo',
        severity: 'High',
        kind: 'nrt',
        queryFrequency: '5m',
        queryPeriod: '5m',
        triggerOperator: 'gt',
        triggerThreshold: '0',
        version: '1.0.0',
        tactics: '[InitialAccess]',
        relevantTechniques: '[T1078.004]',
        requiredDataConnectors: '\n  - connectorId: AzureActiveDirectory\n    dataTypes: [SigninLogs]',
        entityMappings: '\n  - entityType: Account\n    fieldMappings:\n      - { identifier: AadUserId, columnName: AccountObjectId }',
        customDetails: '\n  App: AppDisplayName',
        alertDetailsOverride: '\n  alertDisplayNameFormat: Break-glass account {{AccountUPN}} signed in\n  alertDescriptionFormat: Signed in to {{AppDisplayName}}',
        ...changes,
        query: '|\n  {{> accounts}}\n  SigninLogs\n  | where UserId in (BreakGlassAccountIds)\n  | project TimeGenerated, AccountObjectId = UserId, AccountUPN = UserPrincipalName, IPAddress, AppDisplayName' + (changes['query'] ?? ''),
      };
      return Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n') + '\n';
    };
    // rule id -> [field changed in the file, the table rule it breaks]
    const cases: Record<string, [Record<string, string>, string]> = {
      'long-name': [{ name: 'x'.repeat(257) }, 'display-name-length'],
      'long-description': [{ description: 'x'.repeat(5001) }, 'description-length'],
      'old-tactic': [{ tactics: '[InitialAccess, Probing]' }, 'tactic'],
      'wrong-tactic': [{ relevantTechniques: '[T1110]' }, 'technique-tactic'],
      'many-details': [{ customDetails: `\n${Array.from({ length: 21 }, (_, i) => `  Detail${i}: AppDisplayName`).join('\n')}` }, 'custom-details-count'],
      'bad-detail-key': [{ customDetails: '\n  1stApp: AppDisplayName' }, 'custom-details-key'],
      'long-detail-key': [{ customDetails: '\n  ApplicationDisplayNameX: AppDisplayName' }, 'custom-details-key-length'],
      'spaceship': [{ entityMappings: '\n  - entityType: Spaceship\n    fieldMappings:\n      - { identifier: Name, columnName: AccountUPN }' }, 'entity-type'],
      'no-required-id': [{ entityMappings: '\n  - entityType: Account\n    fieldMappings:\n      - { identifier: UPNSuffix, columnName: AccountUPN }' }, 'entity-required-identifiers'],
      'nickname': [{ entityMappings: '\n  - entityType: Account\n    fieldMappings:\n      - { identifier: Nickname, columnName: AccountUPN }' }, 'entity-identifier'],
      'twice': [{ entityMappings: '\n  - entityType: Account\n    fieldMappings:\n      - { identifier: AadUserId, columnName: AccountObjectId }\n      - { identifier: AadUserId, columnName: AccountUPN }' }, 'entity-identifier-unique'],
      'four-ids': [{ entityMappings: '\n  - entityType: Account\n    fieldMappings:\n      - { identifier: AadUserId, columnName: AccountObjectId }\n      - { identifier: Name, columnName: AccountUPN }\n      - { identifier: FullName, columnName: AccountUPN }\n      - { identifier: DisplayName, columnName: AccountUPN }' }, 'field-mappings-count'],
      'title-params': [{ alertDetailsOverride: '\n  alertDisplayNameFormat: "{{AccountUPN}} {{AccountUPN}} {{IPAddress}} {{AppDisplayName}}"' }, 'alert-name-placeholders'],
      'description-params': [{ alertDetailsOverride: '\n  alertDescriptionFormat: "{{AccountUPN}} {{IPAddress}} {{AppDisplayName}} {{AccountUPN}}"' }, 'alert-description-placeholders'],
      'blank-title': [{ alertDetailsOverride: '\n  alertDisplayNameFormat: "  "' }, 'alert-name-blank'],
      'threshold': [{ kind: 'scheduled', triggerThreshold: '10001' }, 'trigger-threshold'],
      'legacy-column': [{ kind: 'scheduled', query: '\n  | extend AccountCustomEntity = AccountUPN' }, 'legacy-entity-columns'],
      'fast-and-long': [{ kind: 'scheduled', queryFrequency: '30m', queryPeriod: '2d' }, 'long-period-frequency'],
      'period-short': [{ kind: 'scheduled', queryFrequency: '1h', queryPeriod: '30m' }, 'period-covers-frequency'],
      'too-often': [{ kind: 'scheduled', queryFrequency: '1m', queryPeriod: '5m' }, 'frequency-range'],
      'too-long': [{ kind: 'scheduled', queryFrequency: '1d', queryPeriod: '15d' }, 'period-range'],
    };
    for (const [id, [changes]] of Object.entries(cases)) await writeFile(join(rules, `${id}.yaml`), demo(id, changes));
    const run = await runCli(['validate', '--manifest', 'examples/accounts.yaml', '--rules', rules, '--format', 'json']);
    expect(run.code).toBe(1);
    const findings = (JSON.parse(run.stdout) as { findings: { code: string; ruleId?: string; location?: { file: string; line?: number } }[] }).findings;
    const missed: string[] = [];
    for (const [id, [changes, code]] of Object.entries(cases)) {
      const found = findings.find((f) => f.ruleId === id && f.code === `sentinel/${code}`);
      const field = Object.keys(changes).find((k) => k !== 'kind') ?? 'query';
      if (!found) missed.push(`${id}: no sentinel/${code} (got ${findings.filter((f) => f.ruleId === id).map((f) => f.code).join(', ')})`);
      else {
        const text = demo(id, changes).split('\n');
        const line = text.findIndex((l) => l.startsWith(`${field}:`)) + 1;
        expect(found.location?.file, id).toContain(`${id}.yaml`);
        expect(found.location?.line ?? 0, id).toBeGreaterThanOrEqual(line);
      }
    }
    expect(missed).toEqual([]);
    // The table's rules a rule file cannot break (its own schema or the renderer already rule them out):
    const reachable = new Set(Object.values(cases).map(([, code]) => code));
    const unreachable = SERVICE_RULES.map((r) => r.id).filter((id) => !reachable.has(id));
    expect(unreachable.every((id) => /^(required-|alert-dynamic|template-version|event-grouping|grouping-|incident-create|severity|suppression|sub-technique|technique-format|trigger-operator|query-length|custom-details-(value|column)|entity-(mappings-count|column)|alert-(name-length|description-(blank|length)))/.test(id)), unreachable.join(', ')).toBe(true);
  });

  it('refuses createIncident: false in our catalog and warns for a user rule', async () => {
    const result = content.build();
    const rule = result.rendered!.rules[0]!;
    const properties = { ...rule.properties, incidentConfiguration: { createIncident: false } };
    const { checkCreatesIncident } = await import('../generator/validate/sentinel-limits.js');
    const at = () => ({});
    expect(checkCreatesIncident({ ...rule, properties }, at)[0]?.severity).toBe('error');
    expect(checkCreatesIncident({ ...rule, builtIn: false, properties }, at)[0]?.severity).toBe('warning');
    expect(checkCreatesIncident(rule, at)).toEqual([]);
  });
});
