import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileQuery } from '../generator/evaluate/evaluate-query.js';
import { tableFromRecords } from '../generator/evaluate/input-rows.js';
import { INGESTION_TIME, type Table } from '../generator/evaluate/table.js';
import { KDateTime } from '../generator/evaluate/values.js';
import { parseManifest } from '../generator/manifest/parse-manifest.js';
import type { Manifest } from '../generator/manifest/types.js';
import { DEFAULT_ACTION_GROUP_NAME } from '../generator/render/azure-monitor-alerts.js';
import { kqlLiteral } from '../generator/render/kql-literal.js';
import { renderRulesWith } from '../generator/render/render-rules.js';
import type { RenderedRule } from '../generator/render/sentinel-rule.js';
import { notificationAutomationRuleIds, watcherAlerts, watchersTemplate, type WatcherAlert } from '../generator/render/watcher-alerts.js';
import { resultRows } from '../generator/rule-tests/rule-cases.js';
import { analyzeQuery } from '../generator/validate/analyze-query.js';
import { LOG_ANALYTICS_TABLES } from '../generator/validate/kusto-schema.js';
import { armTemplateText } from '../generator/arm/arm-json.js';
import { builtInCatalog, EXAMPLE_MANIFEST, sharedGlobals } from './helpers/harness.js';

let manifest: Manifest;
let rules: RenderedRule[];
let alerts: WatcherAlert[];
const NOW = Date.parse('2026-11-20T10:00:00Z');
const PUSH = 'c0ffee00-1111-4222-8333-444455556666';
const WS = '/subscriptions/1f2e3d4c-5b6a-4789-8c0d-e1f2a3b4c5d6/resourceGroups/rg-sentinel-prod/providers/Microsoft.OperationalInsights/workspaces/law-sentinel-prod';

beforeAll(async () => {
  const catalog = await builtInCatalog();
  manifest = parseManifest(await readFile(EXAMPLE_MANIFEST, 'utf8'), EXAMPLE_MANIFEST, catalog.rules.map((r) => r.template.id)).manifest!;
  rules = renderRulesWith(manifest, catalog, 'inline').rules;
  alerts = watcherAlerts(manifest, rules);
});

/** Rows of a table, ingested the moment they were generated unless a row says otherwise. */
function table(name: string, records: Record<string, unknown>[]): [string, Table] {
  const typed = tableFromRecords(records, LOG_ANALYTICS_TABLES[name]!, name);
  typed.rows.forEach((row) => (row[INGESTION_TIME] = row['TimeGenerated'] as KDateTime));
  return [name, typed];
}

/** What the alert rule sees: the rows of its query, and whether Azure Monitor would fire on them. */
function evaluate(id: string, tables: [string, Table][]): { fires: boolean; rows: Record<string, unknown>[] } {
  const alert = alerts.find((a) => a.id === id)!;
  const result = resultRows(compileQuery(alert.query(kqlLiteral([PUSH])), sharedGlobals()).run({ tables: new Map(tables), now: NOW }));
  return { fires: alert.firesOnNoRows ? result.rows.length < 1 : result.rows.length > 0, rows: result.rows };
}

const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();
const ruleId = (id: string) => rules.find((r) => r.id === id)!.guid;

describe('watch the watchers: the queries', () => {
  it('analyse with Kusto against the tables they read, which the workspace schema lists', () => {
    const offenders: string[] = [];
    for (const alert of alerts) {
      for (const t of alert.tables) if (!LOG_ANALYTICS_TABLES[t]) offenders.push(`${alert.id}: table ${t} is not in schemas/log-analytics-tables.json`);
      for (const d of analyzeQuery(alert.query(kqlLiteral([PUSH, 'admin@contoso.com'])), sharedGlobals()).diagnostics) if (d.severity === 'error') offenders.push(`${alert.id}: ${d.code} ${d.message}`);
    }
    expect(offenders).toEqual([]);
  });

  it('content-changed: a rule disabled in the portal, the watchlist or the automation rule deleted, the playbook edited or switched off fire; push, other rules and Logic Apps and failed calls do not', () => {
    const activity = (minutes: number, operation: string, resource: string, caller: string, status = 'Success') => ({
      TimeGenerated: minutesAgo(minutes),
      OperationNameValue: operation,
      ActivityStatusValue: status,
      _ResourceId: `${WS}/providers/Microsoft.SecurityInsights/${resource}`.toLowerCase(),
      Caller: caller,
      CallerIpAddress: '203.0.113.77',
      CorrelationId: 'aa11bb22-cc33-4d44-8e55-ff6677889900',
    });
    const edits = table('AzureActivity', [
      activity(2, 'MICROSOFT.SECURITYINSIGHTS/ALERTRULES/WRITE', `alertRules/${ruleId('signin-success')}`, 'it-admin@contoso.com'),
      activity(3, 'MICROSOFT.SECURITYINSIGHTS/WATCHLISTS/DELETE', 'watchlists/BreakGlassAccounts', 'it-admin@contoso.com'),
      activity(4, 'MICROSOFT.SECURITYINSIGHTS/AUTOMATIONRULES/DELETE', `automationRules/${notificationAutomationRuleIds(manifest)[0]!}`, 'it-admin@contoso.com'),
    ]);
    expect(evaluate('content-changed', [edits]).rows.map((r) => [r['What'], r['Caller']])).toEqual([
      ['analytics rule', 'it-admin@contoso.com'],
      ['watchlist', 'it-admin@contoso.com'],
      ['automation rule', 'it-admin@contoso.com'],
    ]);
    // The Logic Apps: a notification playbook edited to mail someone else still runs cleanly, so only its write tells.
    const logicApp = (minutes: number, operation: string, workflow: string, caller: string) => ({
      ...activity(minutes, operation, '', caller),
      _ResourceId: `/subscriptions/1f2e3d4c-5b6a-4789-8c0d-e1f2a3b4c5d6/resourceGroups/rg-sentinel-prod/providers/Microsoft.Logic/workflows/${workflow}`.toLowerCase(),
    });
    const playbookEdits = table('AzureActivity', [
      logicApp(2, 'MICROSOFT.LOGIC/WORKFLOWS/WRITE', 'BreakGlass-Notify', 'it-admin@contoso.com'),
      logicApp(3, 'MICROSOFT.LOGIC/WORKFLOWS/DISABLE/ACTION', 'BreakGlass-Notify-ValidationReminder', 'it-admin@contoso.com'),
    ]);
    expect(evaluate('content-changed', [playbookEdits]).rows.map((r) => [r['What'], r['Operation']])).toEqual([
      ['playbook', 'MICROSOFT.LOGIC/WORKFLOWS/WRITE'],
      ['playbook', 'MICROSOFT.LOGIC/WORKFLOWS/DISABLE/ACTION'],
    ]);
    const quietPlaybooks = table('AzureActivity', [
      logicApp(2, 'MICROSOFT.LOGIC/WORKFLOWS/WRITE', 'BreakGlass-Notify', PUSH),
      logicApp(2, 'MICROSOFT.LOGIC/WORKFLOWS/WRITE', 'Another-Logic-App', 'it-admin@contoso.com'),
      logicApp(2, 'MICROSOFT.LOGIC/WORKFLOWS/RUN/ACTION', 'BreakGlass-Notify', 'it-admin@contoso.com'),
    ]);
    expect(evaluate('content-changed', [quietPlaybooks])).toEqual({ fires: false, rows: [] });
    const quiet = table('AzureActivity', [
      activity(2, 'MICROSOFT.SECURITYINSIGHTS/ALERTRULES/WRITE', `alertRules/${ruleId('signin-success')}`, PUSH),
      activity(2, 'MICROSOFT.SECURITYINSIGHTS/ALERTRULES/WRITE', 'alertRules/0f0e0d0c-0b0a-4909-8807-060504030201', 'it-admin@contoso.com'),
      activity(2, 'MICROSOFT.SECURITYINSIGHTS/ALERTRULES/DELETE', `alertRules/${ruleId('role-changed')}`, 'it-admin@contoso.com', 'Failure'),
      activity(2, 'MICROSOFT.SECURITYINSIGHTS/ALERTRULES/READ', `alertRules/${ruleId('role-changed')}`, 'it-admin@contoso.com'),
      // Ingested before the last run: judged then.
      activity(20, 'MICROSOFT.SECURITYINSIGHTS/ALERTRULES/DELETE', `alertRules/${ruleId('role-changed')}`, 'it-admin@contoso.com'),
    ]);
    expect(evaluate('content-changed', [quiet])).toEqual({ fires: false, rows: [] });
  });

  it('notifications-failing: a failed automation rule run or a failed playbook run fires; successes and other Logic Apps do not', () => {
    const health = (status: string, automation = notificationAutomationRuleIds(manifest)[0]!) => ({
      TimeGenerated: minutesAgo(5),
      OperationName: 'Automation rule run',
      SentinelResourceId: `${WS}/providers/Microsoft.SecurityInsights/automationRules/${automation}`,
      SentinelResourceType: 'Automation rule',
      Status: status,
      Description: 'Playbook could not be triggered: the Logic App is disabled',
      ExtendedProperties: { IncidentNumber: '42', TriggeredWhen: 'Created', TriggeredOn: 'Incident' },
    });
    const run = (workflow: string, status: string) => ({
      TimeGenerated: minutesAgo(4),
      ResourceProvider: 'MICROSOFT.LOGIC',
      Category: 'WorkflowRuntime',
      OperationName: 'Microsoft.Logic/workflows/workflowRunCompleted',
      resource_workflowName_s: workflow,
      resource_runId_s: '08584724917352648961012345678CU01',
      status_s: status,
      error_code_s: 'ActionFailed',
      error_message_s: 'An action failed. No dependent actions succeeded.',
    });
    const failing = evaluate('notifications-failing', [table('SentinelHealth', [health('Partial success'), health('Success')]), table('AzureDiagnostics', [run('BreakGlass-Notify', 'Failed'), run('BreakGlass-Notify', 'Succeeded'), run('BreakGlass-Notify-ValidationReminder', 'Failed')])]);
    // The validation reminder is watched too: a reminder that fails every day tells nobody a test is due.
    expect(failing.rows.map((r) => [r['What'], r['Status']])).toEqual([
      ['automation rule', 'Partial success'],
      ['playbook', 'Failed'],
      ['playbook', 'Failed'],
    ]);
    const quiet = evaluate('notifications-failing', [table('SentinelHealth', [health('Failure', '5f5f5f5f-0000-4000-8000-000000000000')]), table('AzureDiagnostics', [run('Another-Logic-App', 'Failed')])]);
    expect(quiet.fires).toBe(false);
  });

  it('notifications-missing: an incident of our rules with no automation rule run fires once; one that was notified, or of another rule, or while health is off, does not', () => {
    const incident = (n: number, minutes: number, rule: string) => ({
      TimeGenerated: minutesAgo(minutes),
      CreatedTime: minutesAgo(minutes),
      IncidentNumber: n,
      Title: `Incident ${n}`,
      RelatedAnalyticRuleIds: [`${WS}/providers/Microsoft.SecurityInsights/alertRules/${rule}`],
    });
    const ran = (n: number) => ({
      TimeGenerated: minutesAgo(19),
      OperationName: 'Automation rule run',
      SentinelResourceId: `${WS}/providers/Microsoft.SecurityInsights/automationRules/${notificationAutomationRuleIds(manifest)[0]!}`,
      Status: 'Success',
      ExtendedProperties: { IncidentNumber: String(n) },
    });
    const incidents = table('SecurityIncident', [
      incident(41, 20, ruleId('signin-success')),
      incident(42, 22, ruleId('role-changed')),
      incident(43, 21, '0f0e0d0c-0b0a-4909-8807-060504030201'),
      // Too young to judge, and long judged.
      incident(44, 5, ruleId('signin-success')),
      incident(45, 120, ruleId('signin-success')),
    ]);
    expect(evaluate('notifications-missing', [incidents, table('SentinelHealth', [ran(41)])]).rows.map((r) => r['IncidentNumber'])).toEqual([42]);
    expect(evaluate('notifications-missing', [incidents, table('SentinelHealth', [])]).fires).toBe(false);
  });

  it('rule-runs-failing: a failed run of one of our rules fires, of another rule not', () => {
    const failure = (rule: string) => ({ TimeGenerated: minutesAgo(3), OperationName: 'NRT analytics rule run', Status: 'Failure', SentinelResourceName: rule, SentinelResourceId: `${WS}/providers/Microsoft.SecurityInsights/alertRules/${rule}`, Description: 'The query timed out', ExtendedProperties: { RuleId: rule } });
    expect(evaluate('rule-runs-failing', [table('SentinelHealth', [failure(ruleId('ca-block-policy'))])]).fires).toBe(true);
    expect(evaluate('rule-runs-failing', [table('SentinelHealth', [failure('0f0e0d0c-0b0a-4909-8807-060504030201')])]).fires).toBe(false);
  });

  it('the silence alerts fire when no record has arrived within the limit, and not while records arrive', () => {
    const signIn = (minutes: number) => ({ TimeGenerated: minutesAgo(minutes), UserPrincipalName: 'adele.vance@contoso.com', ResultType: '0' });
    expect(evaluate('signin-logs-silent', [table('SigninLogs', []), table('AADNonInteractiveUserSignInLogs', [signIn(90)])]).fires).toBe(false);
    expect(evaluate('signin-logs-silent', [table('SigninLogs', [signIn(150)]), table('AADNonInteractiveUserSignInLogs', [])]).fires).toBe(true);
    expect(evaluate('audit-logs-silent', [table('AuditLogs', [{ TimeGenerated: minutesAgo(600), OperationName: 'Update device' }])]).fires).toBe(false);
    expect(evaluate('audit-logs-silent', [table('AuditLogs', [])]).fires).toBe(true);
  });
});

describe('watch the watchers: out/azure-monitor/watchers.json', () => {
  it('notifies the action group of alerts.json by name (never creates another), and sends the playbook runs to the workspace', () => {
    const template = JSON.parse(armTemplateText(watchersTemplate(manifest, rules))) as {
      parameters: Record<string, { defaultValue: unknown }>;
      variables: Record<string, string>;
      resources: { type: string; name: string; properties: Record<string, unknown> }[];
    };
    expect(template.resources.filter((r) => r.type === 'Microsoft.Insights/actionGroups')).toEqual([]);
    expect(template.parameters['actionGroupName']!.defaultValue).toBe(DEFAULT_ACTION_GROUP_NAME);
    expect(template.parameters['pushCallers']!.defaultValue).toEqual([]);
    const alertsJson = template.resources.filter((r) => r.type === 'Microsoft.Insights/scheduledQueryRules');
    expect(alertsJson.map((r) => r.name)).toEqual(alerts.map((a) => `breakglass-watch-${a.id}`));
    for (const r of alertsJson) expect(r.properties['actions']).toEqual({ actionGroups: ["[resourceId('Microsoft.Insights/actionGroups', parameters('actionGroupName'))]"] });
    const changed = alertsJson.find((r) => r.name === 'breakglass-watch-content-changed')!;
    const query = (changed.properties['criteria'] as { allOf: { query: string }[] }).allOf[0]!.query;
    expect(query).toBe("[concat(variables('content-changed-query-0'), 'dynamic(', string(parameters('pushCallers')), ')', variables('content-changed-query-1'))]");
    // The deployed query, with the parameter's JSON array in place, is the one the tests above evaluate.
    expect(`${template.variables['content-changed-query-0']}dynamic(${JSON.stringify([PUSH])})${template.variables['content-changed-query-1']}`).toBe(alerts[0]!.query(`dynamic(${JSON.stringify([PUSH])})`));
    const silent = alertsJson.find((r) => r.name === 'breakglass-watch-signin-logs-silent')!;
    expect(silent.properties).toMatchObject({ autoMitigate: true, windowSize: 'PT2H', criteria: { allOf: [{ operator: 'LessThan', threshold: 1 }] } });
    const diagnostics = template.resources.filter((r) => r.type === 'Microsoft.Logic/workflows/providers/diagnosticSettings');
    expect(diagnostics.map((d) => d.name)).toEqual(["[concat(parameters('playbookName'), '/Microsoft.Insights/breakglass-watchers')]", "[concat(parameters('playbookName'), '-ValidationReminder/Microsoft.Insights/breakglass-watchers')]"]);
    for (const d of diagnostics) expect(d.properties).toEqual({ workspaceId: "[parameters('workspaceResourceId')]", logs: [{ category: 'WorkflowRuntime', enabled: true }] });
  });
});

describe('watch the watchers: documentation', () => {
  it('the README lists every watcher alert and the tables it needs', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const missing = alerts.filter((a) => {
      const line = readme.split('\n').find((l) => l.startsWith(`| \`${a.id}\``));
      return !line || a.tables.some((t) => !line.includes(t));
    });
    expect(missing.map((a) => a.id)).toEqual([]);
  });
});
