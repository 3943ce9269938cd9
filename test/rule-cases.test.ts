import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, CatalogRule } from '../generator/catalog/rule-template.js';
import { parseManifest } from '../generator/manifest/parse-manifest.js';
import type { Manifest } from '../generator/manifest/types.js';
import { formatCaseResults } from '../generator/report/case-report.js';
import { renderRulesWith } from '../generator/render/render-rules.js';
import { mutationOutcomes } from '../generator/rule-tests/mutation-score.js';
import { BadPlaceholder, resolvePlaceholders } from '../generator/rule-tests/placeholders.js';
import { prepareCases } from '../generator/rule-tests/rule-cases.js';
import { testRules } from '../generator/rule-tests/test-rules.js';
import { watchlistTables } from '../generator/rule-tests/watchlist-tables.js';
import { LOG_ANALYTICS_TABLES } from '../generator/validate/kusto-schema.js';
import { builtInCatalog, EXAMPLE_MANIFEST, FIXTURES, sharedGlobals } from './helpers/harness.js';

let catalog: Catalog;
let example: Manifest;

async function manifestAt(path: string): Promise<Manifest> {
  const parsed = parseManifest(await readFile(path, 'utf8'), path, catalog.rules.map((r) => r.template.id));
  if (!parsed.manifest) throw new Error(`${path}: ${JSON.stringify(parsed.findings)}`);
  return parsed.manifest;
}

beforeAll(async () => {
  catalog = await builtInCatalog();
  example = await manifestAt(EXAMPLE_MANIFEST);
});

describe('every rule carries its cases', () => {
  it('has at least two cases that fire and two that stay silent', () => {
    const offenders = catalog.rules
      .map(({ template }) => ({ id: template.id, fires: (template.tests ?? []).filter((c) => c.expect.fires).length, silent: (template.tests ?? []).filter((c) => !c.expect.fires).length }))
      .filter((r) => r.fires < 2 || r.silent < 2);
    expect(offenders, 'rules with fewer than 2 positive or 2 negative cases').toEqual([]);
  });

  it('keeps the cases out of the rendered rule (they are not Sentinel content)', async () => {
    const rendered = renderRulesWith(example, catalog, 'inline').rules;
    for (const rule of rendered) expect(JSON.stringify(rule.properties)).not.toContain('"tests"');
  });
});

describe.each([
  ['the example manifest', EXAMPLE_MANIFEST],
  ['a manifest with three accounts, upper-case ids and a scheduled override', join(FIXTURES, 'manifests', 'other-tenant.yaml')],
  ['a manifest with one account', join(FIXTURES, 'manifests', 'single-account.yaml')],
])('all cases pass for %s, with the accounts inline and from the watchlist', (_, path) => {
  it('passes every case', async () => {
    const manifest = await manifestAt(path);
    const results = testRules(manifest, catalog, sharedGlobals());
    // A case may need a second account (two accounts in one run); only a one-account manifest skips it.
    const failed = results.filter((r) => r.status === 'failed' || (r.status === 'skipped' && manifest.accounts.length > 1));
    // The report names the rule, the case, what was expected and the rows that came back.
    expect(failed.length, formatCaseResults(failed)).toBe(0);
    expect(new Set(results.map((r) => r.accountSource))).toEqual(new Set(['inline', 'watchlist']));
    expect(results.length).toBe(2 * catalog.rules.reduce((n, r) => n + (r.template.tests?.length ?? 0), 0));
  });
});

describe('a case that does not hold fails, and says why', () => {
  function withCase(ruleId: string, edit: (rule: CatalogRule) => CatalogRule): Catalog {
    return { ...catalog, rules: catalog.rules.filter((r) => r.template.id === ruleId).map(edit) };
  }
  it('reports the expected and the actual rows when a positive case stays silent', () => {
    const broken = withCase('signin-success', (rule) => ({
      ...rule,
      template: { ...rule.template, tests: [{ ...rule.template.tests![0]!, expect: { fires: true, rows: [{ IPAddress: '192.0.2.1' }] } }] },
    }));
    const [result] = testRules(example, broken, sharedGlobals());
    expect(result!.status).toBe('failed');
    expect(result!.problems).toEqual([`no result row matches expected row 1: {"IPAddress":"192.0.2.1"}`]);
    const report = formatCaseResults([result!]);
    expect(report).toContain('FAILED signin-success › a routine test sign-in (interactive, then token refreshes) is one row with everything it did');
    expect(report).toContain('analytics-rules/signin-success.yaml:');
    expect(report).toContain('"IPAddress":"203.0.113.24"');
  });
  it('fails a case whose row names a column the table does not have, with a suggestion', () => {
    const broken = withCase('signin-failure', (rule) => ({
      ...rule,
      template: { ...rule.template, tests: [{ name: 'typo', rows: { SigninLogs: [{ TimeGenerated: '2026-11-20T10:00:00Z', UserPrincipleName: 'x' }] }, expect: { fires: false } }] },
    }));
    const [result] = testRules(example, broken, sharedGlobals());
    expect(result!.status).toBe('failed');
    expect(result!.problems[0]).toBe('rows.SigninLogs[0].UserPrincipleName: SigninLogs has no column UserPrincipleName (did you mean UserPrincipalName?)');
  });
  it('skips a case that names an account the manifest does not have', () => {
    const broken = withCase('signin-failure', (rule) => ({
      ...rule,
      template: { ...rule.template, tests: [{ name: 'role account', rows: { SigninLogs: [{ TimeGenerated: '2026-11-20T10:00:00Z', UserId: '${accounts[kind=privileged-role].objectId}' }] }, expect: { fires: true } }] },
    }));
    const [result] = testRules(example, broken, sharedGlobals());
    expect(result!.status).toBe('skipped');
    expect(result!.problems).toEqual(['skipped: the manifest has no privileged-role account']);
  });
});

describe('placeholders', () => {
  it('resolve manifest values by position, kind and for every account', async () => {
    const manifest = await manifestAt(join(FIXTURES, 'manifests', 'other-tenant.yaml'));
    const resolved = resolvePlaceholders(
      {
        first: '${accounts[0].objectId}',
        last: '${accounts[last].userPrincipalName|lower}',
        role: '${accounts[kind=privileged-role].role}',
        suffix: '${accounts[0].upnSuffix}',
        deleted: '${accounts[1].deletedUserPrincipalName}',
        group: '${exclusionGroup.objectId}',
        nested: ['x ${accounts[1].upnPrefix|upper} y'],
        all: '[${accounts[*].objectId|json}]',
      },
      manifest,
    );
    expect(resolved).toEqual({
      first: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
      last: 'breakglass.gamma@fabrikam.com',
      role: 'Privileged Role Administrator',
      suffix: 'Fabrikam.com',
      deleted: '1a2b3c4d5e6f4a7b8c9d0e1f2a3b4c5dbreakglass.beta@fabrikam.com',
      group: 'a1b2c3d4-e5f6-4789-8abc-def012345678',
      nested: ['x BREAKGLASS.BETA y'],
      all: '["9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a","1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","7c6b5a49-3827-4165-9f4e-3d2c1b0a9f8e"]',
    });
  });
  it.each([
    ['${accounts[0].password}', 'is not a manifest reference'],
    ['${accounts[0].objectId|reverse}', "unknown filter 'reverse'"],
    ['${accounts[*].objectId}', 'end it with |json'],
  ])('reject %s', (text, message) => {
    expect(() => resolvePlaceholders(text, example)).toThrow(BadPlaceholder);
    expect(() => resolvePlaceholders(text, example)).toThrow(message);
  });
});

describe('mutation check: the cases notice when a rule is broken on purpose', () => {
  it('every rule loses at least one case to some broken filter, and every account filter is guarded', () => {
    const watchlists = watchlistTables(example);
    const offenders: string[] = [];
    let total = 0;
    let killed = 0;
    for (const rule of renderRulesWith(example, catalog, 'inline').rules) {
      const cases = prepareCases(rule, example, LOG_ANALYTICS_TABLES);
      const outcomes = mutationOutcomes({ rule, accountSource: 'inline', watchlists }, cases, sharedGlobals());
      total += outcomes.length;
      killed += outcomes.filter((o) => o.killed).length;
      if (outcomes.length === 0) offenders.push(`${rule.id}: the query has no where to break`);
      else if (!outcomes.some((o) => o.killed)) offenders.push(`${rule.id}: no case notices any of its ${outcomes.length} broken queries`);
      for (const o of outcomes.filter((o) => o.accountFilter && !o.killed)) offenders.push(`${rule.id}: no case notices the account filter at query line ${o.line} (${o.kind}): ${o.condition.replace(/\s+/g, ' ')}`);
    }
    expect(offenders).toEqual([]);
    // Surviving mutants are the redundant pre-filters (Category, OperationName); the share caught is a floor, not a goal.
    expect(killed / total).toBeGreaterThan(0.75);
  });
  it('finds the gap when a rule has only cases that fire', () => {
    const rule = renderRulesWith(example, catalog, 'inline').rules.find((r) => r.id === 'signin-success')!;
    const onlyPositive = { ...rule, template: { ...rule.template, tests: rule.template.tests!.filter((c) => c.expect.fires) } };
    const outcomes = mutationOutcomes({ rule: onlyPositive, accountSource: 'inline', watchlists: watchlistTables(example) }, prepareCases(onlyPositive, example, LOG_ANALYTICS_TABLES), sharedGlobals());
    const accountDrops = outcomes.filter((o) => o.accountFilter && o.kind === 'drop-filter');
    // Interactive sign-ins, non-interactive ones and the changes the account made: three account filters.
    expect(accountDrops.length).toBe(3);
    expect(accountDrops.every((o) => !o.killed)).toBe(true);
  });
});
