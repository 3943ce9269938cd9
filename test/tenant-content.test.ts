import fc from 'fast-check';
import { desiredState } from '../generator/deploy/desired-state.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from '../generator/build.js';
import { parseDynamicRuleList, ssprExclusionRule } from '../generator/render/sspr-exclusion-rule.js';
import { substituteWorkbookParameters } from '../generator/workbook/render-workbook.js';
import { parseWorkbookTemplate } from '../generator/workbook/workbook-template.js';
import { sharedGlobals } from './helpers/harness.js';
import { jsonFile, loadContent, type Content } from './helpers/content.js';

interface Resource {
  type: string;
  name: string;
  kind?: string;
  location?: string;
  scope?: string;
  dependsOn?: string[];
  properties: Record<string, unknown>;
}
interface Template {
  $schema: string;
  parameters: Record<string, { defaultValue?: unknown }>;
  resources: Resource[];
}

let content: Content;
beforeAll(async () => {
  content = await loadContent();
});

const withWatchlist = () => `${content.example}\naccountSource: watchlist\n`;

describe('automation rule', () => {
  it('runs the playbook for incidents of every rule, NRT and scheduled alike', () => {
    const text = content.example.replace('rules:\n', 'rules:\n  account-updated:\n    kind: scheduled\n').replace('# Per-rule', 'playbook:\n  automationRuleOrder: 7\n\n# Per-rule');
    const result = content.build(text);
    const [rule] = jsonFile<Template>(result, 'arm/automation-rule.json').resources;
    expect(rule!.type).toBe('Microsoft.OperationalInsights/workspaces/providers/automationRules');
    const props = rule!.properties as {
      order: number;
      triggeringLogic: { isEnabled: boolean; triggersOn: string; triggersWhen: string; conditions: { conditionProperties: { propertyName: string; operator: string; propertyValues: string[] } }[] };
      actions: { actionType: string; actionConfiguration: { logicAppResourceId: string } }[];
    };
    expect(props.order).toBe(7);
    expect(props.triggeringLogic).toMatchObject({ isEnabled: true, triggersOn: 'Incidents', triggersWhen: 'Created' });
    const condition = props.triggeringLogic.conditions[0]!.conditionProperties;
    expect(condition).toMatchObject({ propertyName: 'IncidentRelatedAnalyticRuleIds', operator: 'Contains' });
    const rules = result.rendered!.rules;
    expect(new Set(rules.map((r) => r.apiKind))).toEqual(new Set(['NRT', 'Scheduled']));
    expect(condition.propertyValues).toEqual(rules.map((r) => `[resourceId('Microsoft.OperationalInsights/workspaces/providers/alertRules', parameters('workspace'), 'Microsoft.SecurityInsights', '${r.guid}')]`));
    expect(props.actions).toEqual([expect.objectContaining({ actionType: 'RunPlaybook', actionConfiguration: expect.objectContaining({ logicAppResourceId: "[parameters('PlaybookResourceId')]" }) })]);
  });
});

describe('workbook', () => {
  it('is a shared Sentinel workbook in Notebook/1.0 form with a time range and the promised sections', () => {
    const [wb] = jsonFile<Template>(content.build(), 'arm/workbook.json').resources;
    expect(wb).toMatchObject({ type: 'Microsoft.Insights/workbooks', kind: 'shared', properties: { category: 'sentinel', version: '1.0' } });
    // One workbook per workspace: ARM derives the name from the manifest's workbook id and the workspace.
    expect(wb!.name).toMatch(/^\[guid\('[0-9a-f-]{36}', resourceId\('Microsoft\.OperationalInsights\/workspaces', parameters\('workspace'\)\)\)\]$/);
    const notebook = JSON.parse(wb!.properties['serializedData'] as string) as { version: string; items: { type: number; name: string; content: Record<string, unknown> }[] };
    expect(notebook.version).toBe('Notebook/1.0');
    const params = notebook.items.find((i) => i.type === 9)!.content['parameters'] as { name: string; type: number }[];
    expect(params).toEqual([expect.objectContaining({ name: 'TimeRange', type: 4 })]);
    const queries = notebook.items.filter((i) => i.type === 3).map((i) => i.content as { query: string; visualization: string });
    expect(queries.map((q) => q.visualization)).toEqual(['table', 'timechart', 'barchart', 'piechart', 'table', 'table', 'table']);
    const lastSignIn = queries[0]!.query;
    expect(lastSignIn).toContain('let IntervalDays = long(90);');
    expect(lastSignIn).toContain('"Test overdue"');
    expect(queries[6]!.query).toContain('SecurityIncident');
    for (const guid of content.build().rendered!.rules.map((r) => r.guid)) expect(queries[6]!.query).toContain(guid);
  });

  it('uses the manifest validation interval', () => {
    const [wb] = jsonFile<Template>(content.build(`${content.example}\nvalidationIntervalDays: 30\n`), 'arm/workbook.json').resources;
    expect(wb!.properties['serializedData']).toContain('let IntervalDays = long(30);');
    expect(wb!.properties['serializedData']).toContain('every **30 days**');
  });

  it('validates every workbook query with Kusto after its parameters are stood in for, at the template line', () => {
    const broken = parseWorkbookTemplate(
      'id: broken\ndisplayName: Broken\nversion: 1.0.0\ndefaultTimeRangeDays: 30\nitems:\n  - type: query\n    name: typo\n    query: |\n      SigninLogs\n      | where TimeGenerated {TimeRange}\n      | where UserId == {Account}\n      | summarize count() by UserPrincipalNam\n',
      'workbooks/broken.yaml',
    );
    const result = build({ manifestText: content.example, manifestFile: 'm.yaml', catalog: content.catalog, playbook: content.playbook, workbook: broken, globals: sharedGlobals() });
    const problems = result.findings.filter((f) => f.location?.file === 'workbooks/broken.yaml').map((f) => `${f.code} line ${f.location?.line}`);
    expect(problems).toEqual(expect.arrayContaining(['workbook/unknown-parameter line 9', 'kql/KS142 line 12']));
    expect(result.files).toEqual([]);
  });

  it('stands in for known parameters and reports unknown ones', () => {
    expect(substituteWorkbookParameters('T | where TimeGenerated {TimeRange} | summarize count() by bin(TimeGenerated, {TimeRange:grain}) | extend x = {Nope}')).toEqual({
      text: 'T | where TimeGenerated > ago(30d) | summarize count() by bin(TimeGenerated, 1h) | extend x = {Nope}',
      unknown: ['{Nope}'],
    });
    expect(substituteWorkbookParameters('print d = dynamic({"a": 1})').unknown).toEqual([]);
  });
});

describe('watchlist, diagnostic settings, Azure Monitor, SSPR', () => {
  it('renders the watchlist with the accounts, searched by object id', () => {
    const [w] = jsonFile<Template>(content.build(), 'arm/watchlist.json').resources;
    expect(w).toMatchObject({ type: 'Microsoft.OperationalInsights/workspaces/providers/Watchlists', properties: { itemsSearchKey: 'ObjectId', contentType: 'text/csv', watchlistAlias: 'BreakGlassAccounts' } });
    expect((w!.properties['rawContent'] as string).split('\r\n').filter(Boolean)).toEqual([
      'ObjectId,UserPrincipalName,AccountUPN,UserId,DisplayName,Kind,Role',
      '34bbde15-5585-4333-a9d6-fd1b529ab024,bg-emergency-01@contoso.onmicrosoft.com,bg-emergency-01@contoso.onmicrosoft.com,34bbde15-5585-4333-a9d6-fd1b529ab024,Emergency access 01,global-admin,',
      '2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45,bg-emergency-02@contoso.onmicrosoft.com,bg-emergency-02@contoso.onmicrosoft.com,2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45,Emergency access 02,global-admin,',
    ]);
  });

  it("stores the manifest's values in Sentinel by every path, and guards only the CSV a person opens", () => {
    const leads = ['=SUM(A1)', '+1 555', '-Admin', '@ops', '\tTabbed', '\rReturn'];
    const text = content.example
      .replace('displayName: Emergency access 01', `displayName: ${JSON.stringify(leads[0])}`)
      .replace('displayName: Emergency access 02', `displayName: ${JSON.stringify(leads.slice(1).join(''))}`);
    const result = content.build(text);
    const manifest = result.manifest!;
    const names = manifest.accounts.map((a) => a.displayName!);
    const parse = (csv: string) => csv.split('\r\n').filter(Boolean).slice(1).map((line) => line.split(',')[4]!.replace(/^"|"$/g, '').replace(/""/g, '"'));
    // Sentinel: the watchlist template, azuredeploy.json and push all carry the values as they are.
    const [watchlist] = jsonFile<Template>(result, 'arm/watchlist.json').resources;
    const deploy = jsonFile<Template>(result, 'arm/azuredeploy.json').resources.find((r) => r.type.endsWith('/Watchlists'))!;
    expect(parse(watchlist!.properties['rawContent'] as string)).toEqual(names);
    expect(parse(deploy.properties['rawContent'] as string)).toEqual(names);
    const items = desiredState({ manifest, rendered: result.rendered!, playbook: content.playbook, workbookResource: result.workbookResource!, tenantId: manifest.idNamespace }, manifest.workspaces[0]!).filter((d) => d.kind === 'watchlistItem');
    expect(items.map((d) => ((d.body['properties'] as { itemsKeyValue: { DisplayName: string } }).itemsKeyValue.DisplayName))).toEqual(names);
    // The file a person opens in a spreadsheet: every formula lead character is guarded.
    const csv = result.files.find((f) => f.path === 'watchlist/BreakGlassAccounts.csv')!.content;
    expect(parse(csv)).toEqual(names.map((n) => `'${n}`));
  });

  it('sends the three Entra ID log categories to the workspace at tenant scope', () => {
    const t = jsonFile<Template>(content.build(), 'arm/diagnostic-settings.json');
    expect(t.$schema).toMatch(/tenantDeploymentTemplate\.json#$/);
    expect(t.resources[0]).toMatchObject({ type: 'microsoft.aadiam/diagnosticSettings', scope: '/' });
    expect((t.resources[0]!.properties['logs'] as { category: string; enabled: boolean }[]).map((l) => `${l.category}:${l.enabled}`)).toEqual(['SignInLogs:true', 'NonInteractiveUserSignInLogs:true', 'AuditLogs:true']);
    expect(t.parameters['workspaceResourceId']?.defaultValue).toBe('/subscriptions/1f2e3d4c-5b6a-4789-8c0d-e1f2a3b4c5d6/resourceGroups/rg-sentinel-prod/providers/Microsoft.OperationalInsights/workspaces/law-sentinel-prod');
  });

  it('gives tenants without Sentinel the same detections as severity-0 log alerts with inline accounts', () => {
    const t = jsonFile<Template>(content.build(withWatchlist()), 'azure-monitor/alerts.json');
    const group = t.resources.find((r) => r.type === 'Microsoft.Insights/actionGroups')!;
    const p = group.properties as { groupShortName: string; emailReceivers: { emailAddress: string }[]; smsReceivers: { phoneNumber: string }[] };
    expect(p.groupShortName.length).toBeLessThanOrEqual(12);
    expect(p.emailReceivers.map((r) => r.emailAddress)).toEqual(['soc@contoso.com', 'identity-team@contoso.com']);
    expect(p.smsReceivers.map((r) => r.phoneNumber)).toEqual(['4255550100']);
    const alerts = t.resources.filter((r) => r.type === 'Microsoft.Insights/scheduledQueryRules');
    expect(alerts).toHaveLength(content.build().rendered!.rules.length);
    for (const alert of alerts) {
      expect(alert.properties['severity']).toBe(0);
      const query = (alert.properties['criteria'] as { allOf: { query: string }[] }).allOf[0]!.query;
      expect(query).not.toContain('_GetWatchlist');
      expect(query).toContain('34bbde15-5585-4333-a9d6-fd1b529ab024');
    }
  });

  it('writes the SSPR dynamic membership rule with every UPN quoted, under a header that says what it does not do', () => {
    const result = content.build();
    const file = result.files.find((f) => f.path === 'entra/sspr-exclusion-rule.txt')!.content;
    const lines = file.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('(user.userType -eq "Member") and (user.userPrincipalName -notIn ["bg-emergency-01@contoso.onmicrosoft.com","bg-emergency-02@contoso.onmicrosoft.com"])');
    expect(lines.slice(0, -1).every((l) => l.startsWith('#'))).toBe(true);
    expect(file).toContain("What it does NOT do: keep an administrator out of SSPR.");
    expect(file).toContain('Update-MgPolicyAuthorizationPolicy -AllowedToUseSspr:$false');
    expect(file).toContain('admin-sspr-enabled');
  });

  it('quotes any UPN so that the rule reads back the same values, or refuses it (property)', () => {
    const manifest = content.build().manifest!;
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 4 }), (upns) => {
        const result = ssprExclusionRule({ ...manifest, accounts: upns.map((u, i) => ({ ...manifest.accounts[0]!, objectId: `${i}`, userPrincipalName: u })) }, 'm.yaml');
        if (upns.some((u) => /[\u0000-\u001f\u007f\u2028\u2029]/.test(u))) {
          expect(result.findings.some((f) => f.severity === 'error')).toBe(true);
        } else {
          expect(parseDynamicRuleList(result.text)).toEqual(upns);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('falls back to an attribute rule when the UPN list would pass 3072 characters', () => {
    const manifest = content.build().manifest!;
    const many = Array.from({ length: 100 }, (_, i) => ({ ...manifest.accounts[0]!, userPrincipalName: `bg-${i}@contoso.onmicrosoft.com` }));
    const result = ssprExclusionRule({ ...manifest, accounts: many }, 'm.yaml');
    expect(result.text).toContain('user.employeeType -eq "BreakGlass"');
    expect(result.findings).toEqual([expect.objectContaining({ severity: 'notice', code: 'render/sspr-rule-too-long' })]);
  });
});

describe('azuredeploy.json', () => {
  it('orders the watchlist before the rules that read it and the playbook before the automation rule', () => {
    const t = jsonFile<Template>(content.build(withWatchlist()), 'arm/azuredeploy.json');
    const types = t.resources.map((r) => r.type);
    const watchlist = types.indexOf('Microsoft.OperationalInsights/workspaces/providers/Watchlists');
    const rules = t.resources.filter((r) => r.type.endsWith('/alertRules'));
    expect(rules).toHaveLength(content.build().rendered!.rules.length);
    for (const rule of rules) {
      expect(types.indexOf(rule.type)).toBeGreaterThan(watchlist);
      expect(rule.dependsOn).toEqual(["[resourceId('Microsoft.OperationalInsights/workspaces/providers/Watchlists', parameters('workspace'), 'Microsoft.SecurityInsights', 'BreakGlassAccounts')]"]);
    }
    const playbook = types.indexOf('Microsoft.Logic/workflows');
    const automation = types.indexOf('Microsoft.OperationalInsights/workspaces/providers/automationRules');
    expect(playbook).toBeLessThan(automation);
    expect(t.resources[automation]!.dependsOn).toContain("[resourceId('Microsoft.Logic/workflows', parameters('PlaybookName'))]");
    expect(types).toContain('Microsoft.Insights/workbooks');
  });

  it('never lets a manifest value run as an ARM expression', () => {
    const text = content.example.replace('displayName: CA-Exclusion-EmergencyAccess', "displayName: \"[concat('x','y')]\"");
    const result = content.build(text);
    const wl = result.files.find((f) => f.path === 'arm/azuredeploy.json')!.content;
    expect(wl).not.toContain("\"[concat('x','y')]\"");
    const playbook = result.files.find((f) => f.path === 'arm/playbook.json')!.content;
    expect(playbook).not.toMatch(/"\[concat\('x'/);
  });
});
