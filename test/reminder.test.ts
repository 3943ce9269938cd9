import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentName, desiredState } from '../generator/deploy/desired-state.js';
import { INCIDENTS_API_VERSION, parseReminder, reminderQuery } from '../generator/playbook/reminder-template.js';
import { ArmEmulator } from './emulator/arm-emulator.js';
import { deployCli } from './helpers/deploy-harness.js';
import { jsonFile, loadContent, type Content } from './helpers/content.js';
import { run } from './helpers/evaluate.js';
import { EXAMPLE_MANIFEST, sharedGlobals } from './helpers/harness.js';
import { checkReminder } from '../generator/playbook/check-reminder.js';

type Json = Record<string, unknown>;
let content: Content;
beforeAll(async () => {
  content = await loadContent();
});

function reminderOf(resources: Json[]): Json {
  const found = resources.find((r) => String(r['name']).includes('-ValidationReminder'));
  if (!found) throw new Error('no validation reminder among the resources');
  return found;
}

const definition = (reminder: Json) => (reminder['properties'] as Json)['definition'] as { triggers: Json; actions: Record<string, Json & { inputs?: Json; actions?: Record<string, Json> }> };

describe('validation reminder playbook', () => {
  it('is in azuredeploy.json: a daily recurrence, a system-assigned identity, the query read with it, the notification connections reused', () => {
    const template = jsonFile<{ resources: Json[] }>(content.build(), 'arm/azuredeploy.json');
    const reminder = reminderOf(template.resources);
    expect(reminder['identity']).toEqual({ type: 'SystemAssigned' });
    expect(reminder['dependsOn']).toEqual(["[resourceId('Microsoft.Web/connections', variables('office365ConnectionName'))]", "[resourceId('Microsoft.Web/connections', variables('teamsConnectionName'))]"]);
    const d = definition(reminder);
    expect(d.triggers).toEqual({ Daily: { type: 'Recurrence', recurrence: { frequency: 'Day', interval: 1, schedule: { hours: [7], minutes: [0] }, timeZone: 'UTC' } } });
    const query = d.actions['Query_last_sign_ins']!.inputs!;
    expect(query['authentication']).toEqual({ type: 'ManagedServiceIdentity', audience: "@parameters('LogAnalyticsEndpoint')" });
    expect((query['body'] as Json)['timespan']).toBe('P120D');
    const mail = d.actions['If_tests_due']!.actions!['Send_reminder_email']!['inputs'] as Json;
    expect((mail['body'] as Json)['To']).toBe("@{'soc@contoso.com;identity-team@contoso.com'}");
    expect(Object.keys(d.actions['If_tests_due']!.actions!)).toEqual(['Send_reminder_email', 'Post_reminder_to_Teams']);
  });

  it('raises an overdue incident through Sentinel\'s incidents API with the required title, severity and status, only when none exists for that account and due date', () => {
    const d = definition(reminderOf(jsonFile<{ resources: Json[] }>(content.build(), 'arm/azuredeploy.json').resources));
    const loop = d.actions['For_each_overdue_account']!;
    const get = loop.actions!['Get_overdue_incident']!['inputs'] as Json;
    expect(get['method']).toBe('GET');
    const ifNone = loop.actions!['If_no_incident_yet'] as Json & { actions: Record<string, { inputs: Json }> };
    // Created unless the GET found it: a 404, and also a refused GET (403, the identity lacks the
    // Sentinel role), whose PUT then fails the run where the run history shows it; with `== 404`
    // a 403 ended the run Succeeded with no incident.
    expect(ifNone['expression']).toEqual({ and: [{ not: { equals: ["@outputs('Get_overdue_incident')?['statusCode']", 200] } }] });
    expect(ifNone['runAfter']).toEqual({ Get_overdue_incident: ['Succeeded', 'Failed'] });
    const put = ifNone.actions['Create_overdue_incident']!.inputs;
    expect(put['method']).toBe('PUT');
    expect(put['uri']).toBe(get['uri']);
    expect(String(put['uri'])).toContain(`/providers/Microsoft.SecurityInsights/incidents/@{items('For_each_overdue_account')?['IncidentId']}?api-version=${INCIDENTS_API_VERSION}`);
    const properties = (put['body'] as { properties: Json }).properties;
    // Incidents.json (2024-09-01): IncidentProperties requires title, severity and status.
    expect(Object.keys(properties)).toEqual(expect.arrayContaining(['title', 'severity', 'status']));
    expect(['High', 'Medium', 'Low', 'Informational']).toContain(properties['severity']);
    expect(['New', 'Active', 'Closed']).toContain(properties['status']);
  });

  it('is part of what push deploys: the same resource-group deployment as the notification playbook and workbook', () => {
    const result = content.build();
    const deployment = desiredState({ manifest: result.manifest!, rendered: result.rendered!, playbook: content.playbook, workbookResource: result.workbookResource!, tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' }, result.manifest!.workspaces[0]!).find((r) => r.kind === 'deployment')!;
    expect(deployment.name).toBe(deploymentName(result.manifest!, result.manifest!.workspaces[0]!));
    const resources = ((deployment.body['properties'] as Json)['template'] as { resources: Json[] }).resources;
    expect(definition(reminderOf(resources)).triggers).toHaveProperty('Daily');
  });

  it('its query finds the last interactive successful sign-in per account: overdue, due within 14 days, tested; the incident id stays the same from day to day', () => {
    const template = parseReminder(content.playbook.reminder).template!;
    const query = reminderQuery(content.build().manifest!, template).text;
    const now = Date.parse('2026-11-20T07:00:00Z');
    const day = 86_400_000;
    const signIn = (userId: string, daysAgo: number, resultType = '0') => ({ TimeGenerated: new Date(now - daysAgo * day).toISOString(), UserId: userId.toUpperCase(), ResultType: resultType });
    const tables = {
      SigninLogs: [signIn('34bbde15-5585-4333-a9d6-fd1b529ab024', 100), signIn('34bbde15-5585-4333-a9d6-fd1b529ab024', 3, '50126'), signIn('2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45', 80), signIn('2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45', 200)],
    };
    const accounts = (at: number) => (run(query, tables, at)[0]!['Accounts'] as Json[]).map((a) => [a['AccountUPN'], a['Status'], a['DaysLeft'], a['IncidentId']]);
    const today = accounts(now);
    expect(today.map((a) => a.slice(0, 3))).toEqual([
      ['bg-emergency-01@contoso.onmicrosoft.com', 'Overdue', -10],
      ['bg-emergency-02@contoso.onmicrosoft.com', 'DueSoon', 10],
    ]);
    expect(today[0]![3]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(accounts(now + day)[0]![3]).toBe(today[0]![3]);
    const tested = run(query, { SigninLogs: [signIn('34bbde15-5585-4333-a9d6-fd1b529ab024', 1), signIn('2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45', 30)] }, now)[0]!['Accounts'] as Json[];
    expect(tested.map((a) => a['Status'])).toEqual(['Tested', 'Tested']);
  });

  it('a broken reminder query is reported at its line in playbooks/validation-reminder.yaml, like a rule', () => {
    const manifest = content.build().manifest!;
    const withText = (change: (text: string) => string) => ({ ...content.playbook, reminder: { ...content.playbook.reminder, text: change(content.playbook.reminder.text) } });
    const unknown = checkReminder(manifest, withText((t) => t.replace('{{kql dueWithinDays}}', '{{kql dueWithinDay}}')), sharedGlobals());
    expect(unknown.map((f) => [f.code, f.location?.file, f.location?.line])).toEqual([['render/unknown-value', 'playbooks/validation-reminder.yaml', 22]]);
    const kql = checkReminder(manifest, withText((t) => t.replace('tolower(UserId)', 'tolower(UserIdd)')), sharedGlobals());
    expect(kql.map((f) => [f.code.startsWith('kql/'), f.location?.line])).toContainEqual([true, 27]);
    // The title reaches the e-mail as text only: an expression-like title cannot break the workflow.
    expect(checkReminder(manifest, withText((t) => t.replace('title: Break-glass validation reminder', "title: \"@{bad(\"")), sharedGlobals())).toEqual([]);
    expect(checkReminder(manifest, content.playbook, sharedGlobals())).toEqual([]);
  });
});


describe('validation reminder in a push to the Resource Manager emulator', () => {
  let arm: ArmEmulator;
  beforeAll(async () => {
    arm = new ArmEmulator();
    await arm.start();
  });
  afterAll(async () => {
    await arm.stop();
  });

  it('deploys with the notification playbook in one deployment', async () => {
    const push = await deployCli(arm, ['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    expect(push.code).toBe(0);
    const deployments = arm.under('/subscriptions/1f2e3d4c-5b6a-4789-8c0d-e1f2a3b4c5d6/resourceGroups/rg-sentinel-prod/providers/Microsoft.Resources/deployments/');
    expect(deployments).toHaveLength(1);
    const [, deployment] = deployments[0]!;
    const resources = ((deployment['properties'] as Json)['template'] as { resources: Json[] }).resources;
    expect(resources.map((r) => r['type'])).toContain('Microsoft.Logic/workflows');
    expect(definition(reminderOf(resources)).actions).toHaveProperty('For_each_overdue_account');
  });
});
