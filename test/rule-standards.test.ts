import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { incidentGrouping } from '../generator/catalog/incident-grouping.js';
import type { Catalog } from '../generator/catalog/rule-template.js';
import { build } from '../generator/build.js';
import { parseManifest } from '../generator/manifest/parse-manifest.js';
import type { Manifest } from '../generator/manifest/types.js';
import { isoDuration } from '../generator/render/durations.js';
import { renderRulesWith } from '../generator/render/render-rules.js';
import { testRules } from '../generator/rule-tests/test-rules.js';
import { builtInCatalog, builtInPlaybook, builtInWorkbook, EXAMPLE_MANIFEST, exampleManifestText, sharedGlobals } from './helpers/harness.js';

// The catalog's own standards, over every rule at once (every offender collected, then one failure).
// Service limits are from ../shared/specs/SENTINEL-RULE-VALIDATIONS.md (Microsoft.SecurityInsights).

let catalog: Catalog;
let example: Manifest;
beforeAll(async () => {
  catalog = await builtInCatalog();
  const parsed = parseManifest(await readFile(EXAMPLE_MANIFEST, 'utf8'), EXAMPLE_MANIFEST, catalog.rules.map((r) => r.template.id));
  example = parsed.manifest!;
});

/** A placeholder as the service counts it: every `{{...}}` without braces inside, repeats included. */
const SERVICE_PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

describe('every rule stays within what Sentinel accepts', () => {
  it('titles and descriptions hold at most 3 placeholders each; at most 10 entity mappings of 1 to 3 identifiers; at most 20 custom details', () => {
    const offenders: string[] = [];
    for (const { template: t } of catalog.rules) {
      for (const field of ['alertDisplayNameFormat', 'alertDescriptionFormat'] as const) {
        const count = [...(t.alertDetailsOverride?.[field] ?? '').matchAll(SERVICE_PLACEHOLDER)].length;
        if (count > 3) offenders.push(`${t.id}: ${field} has ${count} placeholders`);
      }
      if (t.entityMappings.length > 10) offenders.push(`${t.id}: ${t.entityMappings.length} entity mappings`);
      t.entityMappings.forEach((m, i) => {
        if (m.fieldMappings.length < 1 || m.fieldMappings.length > 3) offenders.push(`${t.id}: entity mapping ${i} has ${m.fieldMappings.length} identifiers`);
      });
      if (Object.keys(t.customDetails ?? {}).length > 20) offenders.push(`${t.id}: more than 20 custom details`);
    }
    expect(offenders).toEqual([]);
  });

  it('groups alerts into incidents as the service allows: a lookback, a matching method, and only mapped entity types and defined custom details', () => {
    const offenders: string[] = [];
    for (const { template: t } of catalog.rules) {
      const g = incidentGrouping(t);
      if (!/^P(T?\d+[MHD])$/.test(isoDuration(g.lookbackDuration))) offenders.push(`${t.id}: lookbackDuration ${g.lookbackDuration}`);
      if (g.matchingMethod === 'Selected' && g.groupByEntities.length + g.groupByAlertDetails.length + g.groupByCustomDetails.length === 0) offenders.push(`${t.id}: Selected with nothing selected`);
      const mapped = new Set(t.entityMappings.map((m) => m.entityType));
      for (const type of g.groupByEntities) if (!mapped.has(type)) offenders.push(`${t.id}: groups by ${type}, which it does not map`);
      for (const key of g.groupByCustomDetails) if (!(key in (t.customDetails ?? {}))) offenders.push(`${t.id}: groups by custom detail ${key}, which it does not define`);
      if (!g.enabled) offenders.push(`${t.id}: grouping off: every alert would be its own incident and notification`);
    }
    expect(offenders).toEqual([]);
  });
});

describe('say true things', () => {
  it('a rule about a change names who made it as its own Account entity, apart from the break-glass account', () => {
    const offenders = catalog.rules
      .map(({ template: t }) => t)
      .filter((t) => t.requiredDataConnectors.some((c) => c.dataTypes.includes('AuditLogs')) && !t.requiredDataConnectors.some((c) => c.dataTypes.includes('SigninLogs')))
      .filter((t) => !t.entityMappings.some((m) => m.entityType === 'Account' && m.fieldMappings.some((f) => f.columnName === 'InitiatorObjectId')))
      .map((t) => t.id);
    expect(offenders).toEqual([]);
  });

  it('no alert title comes out blank: every row a case raises fills every placeholder of the title', () => {
    const offenders: string[] = [];
    for (const result of testRules(example, catalog, sharedGlobals())) {
      const rule = catalog.rules.find((r) => r.template.id === result.ruleId)!.template;
      const format = rule.alertDetailsOverride?.alertDisplayNameFormat ?? '';
      for (const row of result.actual?.rows ?? []) {
        for (const [, column] of format.matchAll(SERVICE_PLACEHOLDER)) {
          const value = row[column!.trim()];
          if (value === null || value === undefined || String(value).trim() === '') offenders.push(`${result.ruleId} › ${result.caseName}: {{${column}}} is empty`);
        }
      }
    }
    expect([...new Set(offenders)]).toEqual([]);
  });
});

describe('late records', () => {
  it('a rule switched to scheduled reads each record by ingestion time and looks back further than it runs; near-real-time rules leave that to Sentinel', async () => {
    const scheduledIds = catalog.rules.filter((r) => !r.template.allowedKinds || r.template.allowedKinds.includes('scheduled')).map((r) => r.template.id);
    const text = `${await exampleManifestText()}\n${['accountSource: inline', 'rules:', ...scheduledIds.flatMap((id) => [`  ${id}:`, '    kind: scheduled'])].join('\n')}\n`.replace('\nrules:\n  signin-failure:\n    severity: High\n', '\n');
    const manifest = parseManifest(text, 'scheduled.yaml', catalog.rules.map((r) => r.template.id)).manifest!;
    const offenders: string[] = [];
    for (const rule of renderRulesWith(manifest, catalog, 'inline').rules) {
      if (rule.kind !== 'scheduled') offenders.push(`${rule.id}: not scheduled`);
      if (!rule.query.text.includes('ingestion_time()')) offenders.push(`${rule.id}: the scheduled query does not read ingestion_time()`);
      if (rule.queryPeriod === rule.queryFrequency) offenders.push(`${rule.id}: looks back exactly its frequency (${rule.queryPeriod})`);
    }
    for (const rule of renderRulesWith(example, catalog, 'inline').rules.filter((r) => r.kind === 'nrt')) {
      if (rule.query.text.includes('ingestion_time()')) offenders.push(`${rule.id}: the NRT query filters on ingestion_time() (Sentinel already does)`);
    }
    expect(offenders).toEqual([]);
  });

  it('refuses to switch a rule written for scheduled runs to near-real-time, at the manifest line', async () => {
    const text = (await exampleManifestText()).replace('rules:\n', 'rules:\n  signin-interrupted:\n    kind: nrt\n');
    const result = build({ manifestText: text, manifestFile: 'examples/accounts.yaml', catalog, playbook: await builtInPlaybook(), workbook: await builtInWorkbook(), globals: sharedGlobals() });
    const finding = result.findings.find((f) => f.code === 'catalog/kind-not-allowed');
    expect(finding).toMatchObject({ severity: 'error', ruleId: 'signin-interrupted', path: 'rules.signin-interrupted.kind', location: { file: 'examples/accounts.yaml' } });
    expect(finding!.message).toBe('signin-interrupted: the rule is written for scheduled only and cannot run as nrt');
  });
});
