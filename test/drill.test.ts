import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillQueries } from '../generator/drill/drill-queries.js';
import { NOTIFICATION_COMMENT_MARKER } from '../generator/drill/drill-evidence.js';
import { analyzeQuery } from '../generator/validate/analyze-query.js';
import { LogAnalyticsEmulator } from './emulator/log-analytics-emulator.js';
import { loadContent } from './helpers/content.js';
import { EXAMPLE_MANIFEST, ROOT, sharedGlobals, tempDir } from './helpers/harness.js';
import { spawnCli } from './helpers/spawn-cli.js';

const WORKSPACE = '/subscriptions/1f2e3d4c-5b6a-4789-8c0d-e1f2a3b4c5d6/resourceGroups/rg-sentinel-prod/providers/Microsoft.OperationalInsights/workspaces/law-sentinel-prod';
const BG1 = { id: '34bbde15-5585-4333-a9d6-fd1b529ab024', upn: 'bg-emergency-01@contoso.onmicrosoft.com' };
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

let logs: LogAnalyticsEmulator;
let ruleGuid: string;
beforeAll(async () => {
  logs = new LogAnalyticsEmulator();
  await logs.start();
  const content = await loadContent();
  ruleGuid = content.build().rendered!.rules.find((r) => r.id === 'signin-success')!.guid;
});
afterAll(async () => {
  await logs.stop();
});

/** A workspace where the test sign-in 20 minutes ago was alerted on, made an incident and notified. */
function drilledWorkspace(options: { comment?: boolean } = {}) {
  const alertId = 'a1b2c3d4-0000-4000-8000-00000000a1e7';
  return {
    SigninLogs: [
      { TimeGenerated: minutesAgo(22), UserId: BG1.id, UserPrincipalName: BG1.upn, ResultType: '50126', ResultDescription: 'Invalid username or password.', IPAddress: '203.0.113.7', AppDisplayName: 'Azure Portal', Location: 'NL', CorrelationId: 'c-1', Id: 's-1' },
      { TimeGenerated: minutesAgo(20), UserId: BG1.id, UserPrincipalName: BG1.upn, ResultType: '0', IPAddress: '203.0.113.7', AppDisplayName: 'Azure Portal', Location: 'NL', AuthenticationRequirement: 'multiFactorAuthentication', ConditionalAccessStatus: 'notApplied', CorrelationId: 'c-2', Id: 's-2' },
      { TimeGenerated: minutesAgo(5), UserId: 'ffffffff-0000-4000-8000-00000000ffff', UserPrincipalName: 'someone@contoso.com', ResultType: '0', IPAddress: '198.51.100.1', AppDisplayName: 'Outlook', Id: 's-3' },
    ],
    SecurityAlert: [
      {
        TimeGenerated: minutesAgo(17),
        AlertName: `Break-glass account ${BG1.upn} signed in from 203.0.113.7`,
        AlertSeverity: 'High',
        ProviderName: 'ASI Scheduled Alerts',
        SystemAlertId: alertId,
        StartTime: minutesAgo(20),
        ExtendedProperties: JSON.stringify({ 'Analytic Rule Ids': JSON.stringify([ruleGuid]), 'Analytic Rule Name': 'Break-glass account signed in' }),
        Entities: JSON.stringify([{ $id: '3', Type: 'account', AadUserId: BG1.id, Name: 'bg-emergency-01', UPNSuffix: 'contoso.onmicrosoft.com' }]),
      },
    ],
    SecurityIncident: [
      {
        TimeGenerated: minutesAgo(15),
        IncidentName: 'inc-0001',
        IncidentNumber: 4711,
        Title: `Break-glass account ${BG1.upn} signed in from 203.0.113.7`,
        Severity: 'High',
        Status: 'New',
        CreatedTime: minutesAgo(16),
        IncidentUrl: 'https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/inc-0001',
        AlertIds: [alertId],
        RelatedAnalyticRuleIds: [`${WORKSPACE}/providers/Microsoft.SecurityInsights/alertRules/${ruleGuid}`],
        Comments: options.comment === false ? [] : [{ message: `<p><b>${NOTIFICATION_COMMENT_MARKER}</b> by the Break-glass playbook.</p>`, createdTimeUtc: minutesAgo(15), author: { name: 'BreakGlass-Notify' } }],
      },
    ],
    SentinelHealth: [
      { TimeGenerated: minutesAgo(15.5), SentinelResourceType: 'Automation rule', SentinelResourceName: 'Break-glass: notify people on every break-glass incident (breakglass-sentinel)', OperationName: 'Automation rule run', Status: 'Success', Description: '', ExtendedProperties: { TriggeredPlaybooks: [{ Name: 'BreakGlass-Notify', ExecutionStatus: 'Success' }] } },
    ],
  };
}

describe('breakglass drill against an emulated Log Analytics query endpoint', () => {
  it('writes the evidence (Markdown and JSON): sign-in, alert, incident, playbook run, notification, minutes after sign-in', async () => {
    logs.seed(WORKSPACE, drilledWorkspace());
    const out = await tempDir();
    const run = await spawnCli(['drill', '--manifest', EXAMPLE_MANIFEST, '--account', BG1.upn.toUpperCase(), '--since', '2h', '--out', out, '--format', 'json'], logs.env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const evidence = JSON.parse(run.stdout) as { missing: string[]; steps: { step: string; minutesAfterSignIn: number | null; what: string }[]; files: string[]; signIns: unknown[] };
    expect(evidence.missing).toEqual([]);
    expect(evidence.steps.map((s) => [s.step, s.minutesAfterSignIn])).toEqual([
      ['sign-in', 0],
      ['alert', 3],
      ['incident', 4],
      ['playbook run', 4.5],
      ['notification', 5],
    ]);
    expect(evidence.steps[0]!.what).toBe('interactive sign-in to Azure Portal from 203.0.113.7 (multiFactorAuthentication)');
    expect(evidence.steps[2]!.what).toContain('incident 4711');
    expect(evidence.signIns).toHaveLength(2);
    const day = new Date(Date.now() - 20 * 60_000).toISOString().slice(0, 10);
    const markdown = await readFile(join(out, 'drill', `${day}-bg-emergency-01.md`), 'utf8');
    expect(markdown).toContain('**Passed**: the test sign-in was alerted on and notified 5 minutes after the sign-in.');
    expect(markdown).toContain('| notification |');
    expect(markdown).toContain('Break-glass notification sent by the Break-glass playbook.');
    expect(JSON.parse(await readFile(join(out, 'drill', `${day}-bg-emergency-01.json`), 'utf8'))).toMatchObject({ missing: [], account: { userPrincipalName: BG1.upn } });
    // Read-only: every call was a query over the window asked for, and every query analysed.
    expect(logs.calls.slice(-4).map((c) => [c.status, c.timespan])).toEqual(Array(4).fill([200, 'PT2H']));
  });

  it('fails (exit 1) and says which link is missing when the playbook never commented', async () => {
    logs.seed(WORKSPACE, drilledWorkspace({ comment: false }));
    const out = await tempDir();
    const run = await spawnCli(['drill', '--manifest', EXAMPLE_MANIFEST, '--account', BG1.upn, '--out', out], logs.env());
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('**Failed**: not found: notification.');
    expect(run.stdout).toMatch(/written: .*drill\/\d{4}-\d\d-\d\d-bg-emergency-01\.md/);
  });

  it('a partial answer of the workspace is a failed read (exit 1, no evidence file), not a missing link', async () => {
    logs.seed(WORKSPACE, drilledWorkspace());
    logs.partialFailure = { when: 'SecurityAlert', error: { code: 'PartialError', message: 'Query result set has exceeded the internal data size limit' } };
    try {
      const out = await tempDir();
      const run = await spawnCli(['drill', '--manifest', EXAMPLE_MANIFEST, '--account', BG1.upn, '--out', out], logs.env());
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('answered the alerts query only in part (PartialError: Query result set has exceeded the internal data size limit)');
      expect(run.stdout).not.toContain('**Failed**');
      await expect(readFile(join(out, 'drill', `${new Date(Date.now() - 20 * 60_000).toISOString().slice(0, 10)}-bg-emergency-01.md`), 'utf8')).rejects.toThrow();
    } finally {
      logs.partialFailure = undefined;
    }
  });

  it('an account the manifest does not have, or two --account, is a usage error', async () => {
    const run = await spawnCli(['drill', '--manifest', EXAMPLE_MANIFEST, '--account', 'someone@contoso.com'], logs.env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('someone@contoso.com is not an account of the manifest (accounts: bg-emergency-01@contoso.onmicrosoft.com, bg-emergency-02@contoso.onmicrosoft.com)');
    const since = await spawnCli(['drill', '--manifest', EXAMPLE_MANIFEST, '--account', BG1.upn, '--since', 'yesterday'], logs.env());
    expect(since.code).toBe(2);
    expect(since.stderr).toContain("--since must be minutes, hours or days such as 30m, 2h or 1d, not 'yesterday'");
  });

  it('every drill query analyses against the workspace tables, whatever the account name holds', () => {
    for (const upn of [BG1.upn, "o'brien\"\\|x@contoso.com"]) {
      const queries = drillQueries({ accountObjectId: BG1.id, userPrincipalName: upn, ruleGuids: [ruleGuid], playbookName: "Notify'\"", automationRuleNames: ['rule'], since: '2h' });
      for (const [name, query] of Object.entries(queries)) {
        expect(analyzeQuery(query, sharedGlobals()).diagnostics.filter((d) => d.severity === 'error'), `${name} for ${upn}`).toEqual([]);
      }
    }
  });

  it('the comment marker is the first line of the notification playbook comment template', async () => {
    expect(await readFile(join(ROOT, 'playbooks', 'messages', 'incident-comment.html.hbs'), 'utf8')).toContain(`<b>${NOTIFICATION_COMMENT_MARKER}</b>`);
  });
});
