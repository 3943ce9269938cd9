/**
 * plan, push and drift against the Resource Manager emulator (test/emulator), through our REST
 * client over HTTPS, in this process (the credential and the emulator's certificate are seams; the
 * sign-in through DefaultAzureCredential and Ctrl-C are tested with real processes in
 * push-process.test.ts). The emulator refuses what the service refuses: the contract and the
 * service's rule validations.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { desiredState } from '../generator/deploy/desired-state.js';
import { managedDescription, managedWatchlistDescription, ruleGuid, ruleOwnership, watchlistOwnership } from '../generator/render/ownership.js';
import { planWorkspace } from '../generator/deploy/plan.js';
import { applyPlans, planWorkspaces } from '../generator/deploy/push.js';
import { DEFAULT_TIMING, restWorkspaceApi } from '../generator/deploy/workspace-api.js';
import { endpointsFor } from '../generator/deploy/cloud.js';
import { ArmEmulator, TOKEN } from './emulator/arm-emulator.js';
import { loadContent, type Content } from './helpers/content.js';
import { deployCli, emulatorCredential } from './helpers/deploy-harness.js';
import { EXAMPLE_MANIFEST, tempDir } from './helpers/harness.js';

const SUB = '1f2e3d4c-5b6a-4789-8c0d-e1f2a3b4c5d6';
const WS = `/subscriptions/${SUB}/resourceGroups/rg-sentinel-prod/providers/Microsoft.OperationalInsights/workspaces/law-sentinel-prod/providers/Microsoft.SecurityInsights`;
/** Everything push manages in one workspace: 1 watchlist, 2 items, 13 rules, 1 deployment, 2 automation rules. */
const RESOURCES = 19;

let emulator: ArmEmulator;
let content: Content;
beforeAll(async () => {
  emulator = new ArmEmulator();
  await emulator.start();
  content = await loadContent();
});
afterAll(async () => emulator.stop());
beforeEach(() => emulator.reset());

const cli = (args: string[], options?: Parameters<typeof deployCli>[2]) => deployCli(emulator, args, options);
const push = (manifest = EXAMPLE_MANIFEST, ...more: string[]) => cli(['push', '--manifest', manifest, '--yes', ...more]);

/** The example manifest with its workspaces replaced. */
async function manifestWith(workspaces: string, edit: (text: string) => string = (t) => t): Promise<string> {
  const path = join(await tempDir(), 'accounts.yaml');
  await writeFile(path, edit((await readFile(EXAMPLE_MANIFEST, 'utf8')).replace(/workspaces:\n[\s\S]*?\n\n/, `workspaces:\n${workspaces}\n`)));
  return path;
}
const workspaceYaml = (name: string, rg: string, law: string, sub = SUB) => `  - name: ${name}\n    subscriptionId: ${sub}\n    resourceGroup: ${rg}\n    workspaceName: ${law}\n`;

describe('push against the Resource Manager emulator', () => {
  it('says who is signed in, creates everything, and a second push plans and writes nothing', async () => {
    const plan = await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--detailed-exitcode']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('signed in as application 0a1b2c3d-0000-4000-8000-00000000c11e');
    expect(plan.stdout).toContain(`prod: ${RESOURCES} to create, 0 to update, 0 to delete, 0 unchanged`);
    expect(emulator.writes()).toEqual([]);

    const first = await push();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`prod\\s+${RESOURCES}\\s+0\\s+0\\s+0\\s+0\\s+0`));
    expect(emulator.under(`${WS}/alertRules/`)).toHaveLength(13);
    expect(emulator.under(`${WS}/watchlists/BreakGlassAccounts/watchlistItems/`)).toHaveLength(2);
    expect(emulator.under(`${WS}/automationRules/`)).toHaveLength(2);
    // Every write used the contract's API version and passed its checks (the emulator refuses otherwise).
    expect(emulator.writes().every((c) => c.status === 200 || c.status === 201)).toBe(true);

    const writes = emulator.writes().length;
    const again = await push();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`prod: 0 to create, 0 to update, 0 to delete, ${RESOURCES} unchanged`);
    expect(again.stdout).toContain('nothing to change');
    expect(emulator.writes().length).toBe(writes);
  });

  it('sends each rule exactly as rendered: nothing dropped on the way out', async () => {
    await push();
    const result = content.build();
    for (const rule of result.rendered!.rules) {
      const sent = emulator.calls.find((c) => c.method === 'PUT' && c.path.endsWith(`/alertRules/${rule.guid}`))!.body as Record<string, unknown>;
      expect(sent).toEqual({ kind: rule.apiKind, properties: rule.properties });
    }
  });

  it('runs the playbook from two automation rules: incident created, and alerts of our rules added to an incident', async () => {
    await push();
    const rules = emulator.under(`${WS}/automationRules/`).map(([, b]) => b['properties'] as { triggeringLogic: { triggersWhen: string; conditions: { conditionType: string; conditionProperties: Record<string, unknown> }[] } });
    expect(rules.map((r) => r.triggeringLogic.triggersWhen).sort()).toEqual(['Created', 'Updated']);
    const updated = rules.find((r) => r.triggeringLogic.triggersWhen === 'Updated')!;
    expect(updated.triggeringLogic.conditions[0]).toEqual({ conditionType: 'PropertyArrayChanged', conditionProperties: { arrayType: 'Alerts', changeType: 'Added' } });
    // Both name our rules by resource id, never by title.
    for (const rule of rules) {
      const ids = rule.triggeringLogic.conditions.find((c) => c.conditionType === 'Property')!.conditionProperties;
      expect(ids['propertyName']).toBe('IncidentRelatedAnalyticRuleIds');
      expect(ids['propertyValues']).toHaveLength(13);
      for (const id of ids['propertyValues'] as string[]) expect(id).toMatch(new RegExp(`^${WS}/alertRules/[0-9a-f-]{36}$`));
    }
  });

  it('waits for the playbook deployment to finish', async () => {
    emulator.deploymentPolls = 3;
    const run = await push();
    emulator.deploymentPolls = 0;
    expect(run.code).toBe(0);
    const gets = emulator.calls.filter((c) => c.method === 'GET' && c.path.includes('/Microsoft.Resources/deployments/'));
    // One read while planning, then polls until it succeeded.
    expect(gets.length).toBeGreaterThanOrEqual(3);
    expect(run.stdout).toMatch(/create\s+deployment of playbook BreakGlass-Notify and workbook\s+ok/);
  });
});

describe('a deployment that outlives a push', () => {
  it('the next push waits for the running deployment instead of failing on DeploymentActive, and converges', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      emulator.deploymentPolls = 60;
      // Ctrl-C is wired in (a signal), as in the CLI: polling it many times must not pile up listeners.
      const first = await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes', '--deployment-timeout', '0.5'], { signal: new AbortController().signal });
      emulator.deploymentPolls = 0;
      expect(first.code).toBe(1);
      expect(first.stdout).toMatch(/create\s+deployment of playbook BreakGlass-Notify and workbook\s+failed: deployment still Running after/);
      const second = await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes'], { signal: new AbortController().signal });
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/update\s+deployment of playbook BreakGlass-Notify and workbook\s+ok/);
      // Resource Manager refused the replacement once; the running deployment was ours and ended well: not sent again.
      const deploymentPuts = emulator.calls.filter((c) => c.method === 'PUT' && c.path.includes('/Microsoft.Resources/deployments/'));
      expect(deploymentPuts.map((c) => c.status)).toEqual([201, 409]);
      expect((await cli(['drift', '--manifest', EXAMPLE_MANIFEST])).code).toBe(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('drift and prune', () => {
  it('shows a rule edited in the portal as drift and an update, and push reverts it', async () => {
    await push();
    const rule = emulator.under(`${WS}/alertRules/`).find(([, body]) => JSON.stringify(body).includes('Failed sign-in to a break-glass account'))!;
    emulator.edit(rule[0], (body) => {
      (body['properties'] as Record<string, unknown>)['enabled'] = false;
      (body['properties'] as Record<string, unknown>)['severity'] = 'Low';
    });
    const drift = await cli(['drift', '--manifest', EXAMPLE_MANIFEST]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain('~ update rule signin-failure');
    expect(drift.stdout).toContain('severity: "Low" -> "High"');
    expect(drift.stdout).toContain('enabled: false -> true');
    const fix = await push();
    expect(fix.code).toBe(0);
    expect(fix.stdout).toMatch(/prod\s+update\s+rule signin-failure\s+ok/);
    expect((emulator.resources.get(rule[0])!.body['properties'] as Record<string, unknown>)['severity']).toBe('High');
    expect((await cli(['drift', '--manifest', EXAMPLE_MANIFEST])).code).toBe(0);
  });

  it('ownership: the derived id and this manifest\'s marker, whatever the case of either; nothing less', () => {
    const upper = '0F9E8D7C-6B5A-4493-8271-605F4E3D2C1B';
    const other = '11111111-2222-4333-8444-555555555555';
    const guid = ruleGuid(upper, 'signin-success');
    const marked = managedDescription('Signed in.', upper, 'signin-success', '1.0.0');
    expect(ruleOwnership(upper, guid, marked)).toBe('ours');
    expect(ruleOwnership(upper.toLowerCase(), guid.toUpperCase(), marked.replace(upper.toLowerCase(), upper))).toBe('ours');
    // Earlier versions wrote no manifest into the marker: the derived id decides.
    expect(ruleOwnership(upper, guid, 'Signed in.\n\nManaged by breakglass-sentinel (rule signin-success, version 0.1.0).')).toBe('ours');
    expect(ruleOwnership(upper, guid, managedDescription('Signed in.', other, 'signin-success', '1.0.0'))).toBe('looks-like-ours');
    expect(ruleOwnership(upper, ruleGuid(other, 'signin-success'), marked)).toBe('looks-like-ours');
    expect(ruleOwnership(upper, guid, marked.replace('rule signin-success', 'rule signin-failure'))).toBe('looks-like-ours');
    expect(ruleOwnership(upper, guid, 'Made by hand.')).toBe('foreign');
    expect(watchlistOwnership(upper, 'breakglass-sentinel', managedWatchlistDescription(upper))).toBe('ours');
    expect(watchlistOwnership(upper.toLowerCase(), 'breakglass-sentinel', managedWatchlistDescription(upper).replace(upper.toLowerCase(), upper))).toBe('ours');
    expect(watchlistOwnership(upper, 'Microsoft', managedWatchlistDescription(upper))).toBe('looks-like-ours');
    expect(watchlistOwnership(upper, 'breakglass-sentinel', managedWatchlistDescription(other))).toBe('looks-like-ours');
    // A watchlist that quotes the marker without naming a manifest is not ours.
    expect(watchlistOwnership(upper, 'breakglass-sentinel', 'Copied from: Managed by breakglass-sentinel (rule x).')).toBe('looks-like-ours');
  });

  it('reads a duration or a resource id the service spells its own way as unchanged, and a changed one as changed', () => {
    const result = content.build();
    const manifest = result.manifest!;
    const desired = desiredState({ manifest, rendered: result.rendered!, playbook: content.playbook, workbookResource: result.workbookResource!, tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' }, manifest.workspaces[0]!);
    const rule = desired.find((d) => d.kind === 'alertRule')!;
    const automation = desired.find((d) => d.kind === 'automationRule')!;
    const grouping = (body: Record<string, unknown>) => ((body['properties'] as { incidentConfiguration: { groupingConfiguration: { lookbackDuration: string } } }).incidentConfiguration.groupingConfiguration);
    expect(grouping(rule.body).lookbackDuration).toBe('P1D');
    const asRead = (d: typeof rule, edit: (body: Record<string, unknown>) => void) => {
      const body = structuredClone(d.body);
      edit(body);
      return { kind: d.kind, name: d.name, path: d.path, label: d.label, body };
    };
    const same = [
      asRead(rule, (b) => (grouping(b).lookbackDuration = 'PT24H')),
      asRead(automation, (b) => {
        const ids = (b['properties'] as { triggeringLogic: { conditions: { conditionProperties: { propertyValues?: string[] } }[] } }).triggeringLogic.conditions.at(-1)!.conditionProperties;
        ids.propertyValues = ids.propertyValues!.map((id) => id.replace('rg-sentinel-prod', 'RG-SENTINEL-PROD'));
      }),
    ];
    const plan = planWorkspace([rule, automation], same, { prune: false, namespace: manifest.idNamespace }).changes;
    expect(plan.map((c) => c.action)).toEqual(['no-op', 'no-op']);
    const changed = planWorkspace([rule], [asRead(rule, (b) => (grouping(b).lookbackDuration = 'PT23H'))], { prune: false, namespace: manifest.idNamespace }).changes;
    expect(changed[0]!.changes).toEqual([{ path: 'properties.incidentConfiguration.groupingConfiguration.lookbackDuration', before: 'PT23H', after: 'P1D' }]);
  });

  it('--prune removes only rules of this manifest that left the catalog; copies, quoters and hand-made rules stay', async () => {
    await push();
    const namespace = content.build().manifest!.idNamespace;
    const ours = content.build().rendered!.rules.find((r) => r.id === 'signin-success')!;
    const retired = `${WS}/alertRules/${ruleGuid(namespace, 'old-rule')}`;
    // Pushed by an earlier version: its marker names no manifest, but its id is ours.
    const legacy = `${WS}/alertRules/${ruleGuid(namespace, 'older-rule')}`;
    const portalCopy = `${WS}/alertRules/3c1b7a2e-0000-4000-8000-00000000c0b1`;
    const quoter = `${WS}/alertRules/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d`;
    const handMade = `${WS}/alertRules/7d2e1f0a-1111-4222-8333-444455556666`;
    const rule = (displayName: string, description: string) => ({ kind: 'NRT', properties: { displayName, description, enabled: true, query: 'SigninLogs', severity: 'High', suppressionEnabled: false, suppressionDuration: 'PT5H' } });
    emulator.seed(retired, rule('Old break-glass rule', managedDescription('Retired.', namespace, 'old-rule', '0.9.0')));
    emulator.seed(legacy, rule('Older break-glass rule', 'Retired long ago.\n\nManaged by breakglass-sentinel (rule older-rule, version 0.1.0).'));
    emulator.seed(portalCopy, rule('Copy of Break-glass account used', ours.properties.description!));
    emulator.seed(quoter, rule('SOC rule that quotes us', 'See also: Managed by breakglass-sentinel (rule signin-success, version 1.0.0).'));
    emulator.seed(handMade, rule('SOC hand-made rule', 'Made in the portal.'));

    expect((await push()).code).toBe(0);
    expect(emulator.resources.has(retired.toLowerCase())).toBe(true);
    const plan = await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--prune']);
    expect(plan.stdout).toContain('- delete rule Old break-glass rule');
    expect(plan.stdout).toContain('- delete rule Older break-glass rule');
    expect(plan.stdout).toMatch(/\? not ours rule Copy of Break-glass account used \(3c1b7a2e-0000-4000-8000-00000000c0b1\): carries the breakglass-sentinel marker/);
    expect(plan.stdout).toMatch(/\? not ours rule SOC rule that quotes us/);
    expect(plan.stdout).not.toContain('SOC hand-made rule');
    expect((await push(EXAMPLE_MANIFEST, '--prune')).code).toBe(0);
    expect(emulator.resources.has(retired.toLowerCase())).toBe(false);
    expect(emulator.resources.has(legacy.toLowerCase())).toBe(false);
    for (const kept of [portalCopy, quoter, handMade]) expect(emulator.resources.has(kept.toLowerCase()), kept).toBe(true);
  });

  it("two manifests share one workspace: each pushes and prunes only its own", async () => {
    const team = await manifestWith(workspaceYaml('prod', 'rg-sentinel-prod', 'law-sentinel-prod'), (t) =>
      t.replace(/idNamespace: [0-9a-f-]+/, 'idNamespace: 0f9e8d7c-6b5a-4493-8271-605f4e3d2c1b').replace('workspaces:\n', 'watchlist:\n  alias: BreakGlassAccountsTeamB\nworkspaces:\n'),
    );
    expect((await push()).code).toBe(0);
    expect((await push(team)).code).toBe(0);
    expect(emulator.under(`${WS}/alertRules/`)).toHaveLength(26);
    const plan = await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--prune', '--detailed-exitcode']);
    expect(plan.code).toBe(0);
    expect(plan.stdout.match(/\? not ours/g)).toHaveLength(13);
    expect((await push(EXAMPLE_MANIFEST, '--prune')).code).toBe(0);
    expect((await push(team, '--prune')).code).toBe(0);
    expect(emulator.under(`${WS}/alertRules/`)).toHaveLength(26);
    expect(emulator.under(`${WS}/automationRules/`)).toHaveLength(4);
    expect((await cli(['drift', '--manifest', team])).code).toBe(0);
  });

  it('does not take over a watchlist of our alias that this manifest did not make, unless told to', async () => {
    const path = `${WS}/watchlists/BreakGlassAccounts`;
    emulator.seed(path, { properties: { displayName: 'Break glass (by hand)', provider: 'Microsoft', itemsSearchKey: 'UPN', source: 'bg.csv', description: 'Maintained by the identity team' } });
    emulator.seed(`${path}/watchlistItems/0f000000-0000-4000-8000-000000000001`, { properties: { itemsKeyValue: { UPN: 'someone@contoso.com' } } });
    const writes = emulator.writes().length;
    const run = await push();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("prod: refused: the watchlist 'BreakGlassAccounts' exists and was not made by this manifest (provider \"Microsoft\")");
    expect(run.stdout).toContain('run push --adopt once');
    expect(emulator.writes().length).toBe(writes);
    expect((emulator.resources.get(path.toLowerCase())!.body['properties'] as Record<string, unknown>)['provider']).toBe('Microsoft');

    const adopted = await push(EXAMPLE_MANIFEST, '--adopt');
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toMatch(/delete\s+watchlist item 0f000000-0000-4000-8000-000000000001\s+ok/);
    expect((emulator.resources.get(path.toLowerCase())!.body['properties'] as Record<string, unknown>)['provider']).toBe('breakglass-sentinel');
    expect((await push()).stdout).toContain('nothing to change');
  });

  it('a watchlist item the service marks deleted (isDeleted) is not there: nothing to delete, no drift', async () => {
    await push();
    emulator.seed(`${WS}/watchlists/BreakGlassAccounts/watchlistItems/0f000000-0000-4000-8000-0000000000bb`, { properties: { isDeleted: true, itemsKeyValue: { UserPrincipalName: 'gone@contoso.com' } } });
    const drift = await cli(['drift', '--manifest', EXAMPLE_MANIFEST]);
    expect(drift.stdout).not.toContain('gone@contoso.com');
    expect(drift.code).toBe(0);
  });

  it('keeps the watchlist items in step with the manifest accounts', async () => {
    await push();
    const oneAccount = await manifestWith(workspaceYaml('prod', 'rg-sentinel-prod', 'law-sentinel-prod'), (t) => t.replace(/  - objectId: 2e5438a8[\s\S]*?kind: global-admin\n/, ''));
    const run = await push(oneAccount, '--allow-warnings');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/delete\s+watchlist item bg-emergency-02@contoso.onmicrosoft.com\s+ok/);
    expect(emulator.under(`${WS}/watchlists/BreakGlassAccounts/watchlistItems/`)).toHaveLength(1);
    await push();
    expect(emulator.under(`${WS}/watchlists/BreakGlassAccounts/watchlistItems/`)).toHaveLength(2);
  });

  it('two workspaces in one resource group each get their own deployment and workbook, and converge to no writes', async () => {
    const manifest = await manifestWith(workspaceYaml('blue', 'rg-shared', 'law-blue') + workspaceYaml('green', 'rg-shared', 'law-green'));
    expect((await push(manifest)).code).toBe(0);
    const deployments = emulator.under(`/subscriptions/${SUB}/resourceGroups/rg-shared/providers/Microsoft.Resources/deployments/`);
    expect(deployments).toHaveLength(2);
    const workbookNames = deployments.map(([, d]) => JSON.stringify(((d['properties'] as { template: { resources: { type: string; name: string }[] } }).template.resources.find((r) => r.type === 'Microsoft.Insights/workbooks'))!.name));
    // The workbook's name is derived by ARM per workspace (guid() of the workspace's id).
    for (const name of workbookNames) expect(name).toContain("resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspace'))");
    const writes = emulator.writes().length;
    const again = await push(manifest);
    expect(again.stdout).toContain('nothing to change');
    expect(emulator.writes().length).toBe(writes);
    expect((await cli(['drift', '--manifest', manifest])).code).toBe(0);
  });
});

describe('faults', () => {
  it('waits for Retry-After on 429, says so, and retries a dropped connection on a read, within one run', async () => {
    await push();
    const rule = emulator.under(`${WS}/alertRules/`).find(([, b]) => JSON.stringify(b).includes('Break-glass account used'))!;
    emulator.edit(rule[0], (b) => ((b['properties'] as Record<string, unknown>)['severity'] = 'Low'));
    emulator.faults = [
      { method: 'PUT', path: /alertrules\//, fault: { kind: '429', retryAfterSeconds: 1 }, times: 1 },
      { method: 'GET', path: /automationrules\//, fault: { kind: 'drop' }, times: 1 },
      { method: 'GET', path: /watchlistitems$/, fault: { kind: 'reset-mid-response' }, times: 1 },
    ];
    const run = await push();
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/waiting 1 s: PUT \S+alertRules\/\S+ \(HTTP 429, Retry-After 1 s\)/);
    const puts = emulator.calls.filter((c) => c.method === 'PUT' && c.path.toLowerCase() === rule[0]).slice(-2);
    expect(puts.map((c) => c.status)).toEqual([429, 200]);
    expect(puts[1]!.at - puts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(emulator.faults.every((f) => f.times === 0)).toBe(true);
  });

  it('never repeats a write whose connection dropped (it may have been applied), reports it, and converges on re-run', async () => {
    await push();
    const rule = emulator.under(`${WS}/alertRules/`).find(([, b]) => JSON.stringify(b).includes('Break-glass account used'))!;
    emulator.edit(rule[0], (b) => ((b['properties'] as Record<string, unknown>)['severity'] = 'Low'));
    for (const kind of ['drop', 'reset-mid-response'] as const) {
      emulator.faults = [{ method: 'PUT', path: /alertrules\//, fault: { kind }, times: 1 }];
      const calls = emulator.calls.length;
      const run = await push();
      expect(run.code, kind).toBe(1);
      expect(run.stdout, kind).toMatch(/update\s+rule signin-success\s+failed: PUT \S+: connection failed/);
      expect(emulator.calls.slice(calls).filter((c) => c.method === 'PUT'), kind).toHaveLength(1);
    }
    emulator.faults = [];
    expect((await push()).code).toBe(0);
    expect((await cli(['drift', '--manifest', EXAMPLE_MANIFEST])).code).toBe(0);
  });

  it('fails at once, saying why, when the server asks to wait longer than the retry budget', async () => {
    emulator.faults = [{ method: 'GET', path: /alertrules$/, fault: { kind: '429', retryAfterSeconds: 3600 }, times: 1 }];
    const started = Date.now();
    const plan = await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--retry-budget', '30']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/prod: cannot read the workspace: GET \S+ \(HTTP 429, Retry-After 3600 s\): retrying would wait 3600 s, past the retry budget of 30 s/);
  });

  it('one retry budget per workspace for the whole run: the waits of reading and of writing add up', async () => {
    await push();
    const rule = emulator.under(`${WS}/alertRules/`).find(([, b]) => JSON.stringify(b).includes('Break-glass account used'))!;
    emulator.edit(rule[0], (b) => ((b['properties'] as Record<string, unknown>)['severity'] = 'Low'));
    emulator.faults = [
      { method: 'GET', path: /alertrules$/, fault: { kind: '429', retryAfterSeconds: 2 }, times: 1 },
      { method: 'PUT', path: /alertrules\//, fault: { kind: '429', retryAfterSeconds: 2 }, times: 1 },
    ];
    const run = await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes', '--retry-budget', '3']);
    emulator.faults = [];
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/update\s+rule signin-success\s+failed: PUT \S+ \(HTTP 429, Retry-After 2 s\): retrying would wait 2 s, past the retry budget of 3 s \(2 s already waited\)/);
  });

  it('ends a wait at Ctrl-C, and reports the change as interrupted', async () => {
    await push();
    const rule = emulator.under(`${WS}/alertRules/`).find(([, b]) => JSON.stringify(b).includes('Break-glass account used'))!;
    emulator.edit(rule[0], (b) => ((b['properties'] as Record<string, unknown>)['severity'] = 'Low'));
    emulator.faults = [{ method: 'PUT', path: /alertrules\//, fault: { kind: '429', retryAfterSeconds: 60 }, times: 1 }];
    const controller = new AbortController();
    const started = Date.now();
    const pushing = cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes'], { signal: controller.signal });
    await waitFor(() => emulator.calls.some((c) => c.status === 429));
    controller.abort();
    const run = await pushing;
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/waiting 60 s: PUT \S+ \(HTTP 429, Retry-After 60 s\)/);
    expect(run.stdout).toMatch(/update\s+rule signin-success\s+failed: interrupted while waiting to retry PUT/);
    expect(run.stdout).toContain('interrupted: changes not started are listed above; run push again to finish');
  });

  it('never shows request headers a server echoes back in its error', async () => {
    emulator.faults = [{ method: 'GET', path: /alertrules$/, fault: { kind: 'echo-headers' }, times: 1 }];
    const plan = await cli(['plan', '--manifest', EXAMPLE_MANIFEST]);
    expect(plan.stdout).toContain('HTTP 400 BadRequest: Request rejected.');
    expect(plan.stdout).toContain('authorization: [not shown]');
    expect(plan.stdout).not.toContain(TOKEN.split('.')[1]!);
  });

  it('ends a request that gets no answer at the request timeout, with a message', async () => {
    emulator.faults = [{ method: 'GET', path: /alertrules$/, fault: { kind: 'hang' }, times: Infinity }];
    const plan = await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--request-timeout', '0.3'], { env: { BREAKGLASS_RETRY_DELAY_MS: '10' } });
    emulator.faults = [];
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/prod: cannot read the workspace: GET \S+alertRules: no answer within 300 ms \(--request-timeout\) \(after 5 tries\)/);
  });

  it('ends a request at the request timeout even when getting its token never finishes', async () => {
    const workspace = content.build().manifest!.workspaces[0]!;
    const stuck = { getToken: () => new Promise<never>(() => undefined) };
    const api = restWorkspaceApi(workspace, { credential: stuck, endpoints: endpointsFor(undefined, { armEndpoint: emulator.url, authorityHost: emulator.url }), timing: { ...DEFAULT_TIMING, requestTimeoutMs: 200, maxRetries: 0 }, tls: { ca: emulator.caPem } });
    await expect(api.read([])).rejects.toThrow(/alertRules: no answer within 200 ms \(--request-timeout\)/);
  });

  it('treats an answer that is not the expected JSON as a failure of that workspace, never as an empty workspace', async () => {
    for (const kind of ['html', 'truncated'] as const) {
      emulator.faults = [{ method: 'GET', path: /alertrules$/, fault: { kind }, times: 1 }];
      const plan = await cli(['plan', '--manifest', EXAMPLE_MANIFEST]);
      expect(plan.code, kind).toBe(1);
      expect(plan.stdout, kind).toContain('prod: cannot read the workspace');
      expect(plan.stdout, kind).toContain('the answer is not JSON');
      expect(plan.stdout, kind).not.toContain('to create');
    }
  });

  it('reads every page of a long list (nextLink)', async () => {
    emulator.pageSize = 4;
    await push();
    const again = await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--detailed-exitcode']);
    emulator.pageSize = 100;
    expect(again.code).toBe(0);
    expect(emulator.calls.filter((c) => c.method === 'GET' && c.path.endsWith('/alertRules')).length).toBeGreaterThanOrEqual(3);
  });

  it('never follows a nextLink to another host (it would get our bearer token), nor one that loops', async () => {
    const elsewhere = new ArmEmulator();
    await elsewhere.start();
    try {
      emulator.faults = [{ method: 'GET', path: /alertrules$/, fault: { kind: 'next-link', to: `${elsewhere.url}/collect?page=2` }, times: 1 }];
      const foreign = await cli(['plan', '--manifest', EXAMPLE_MANIFEST]);
      expect(foreign.code).toBe(1);
      expect(foreign.stdout).toContain(`the answer's next page is on another host (${elsewhere.url}, not ${emulator.url}); not followed, so no credential is sent there`);
      expect(elsewhere.calls).toEqual([]);
    } finally {
      await elsewhere.stop();
    }
    emulator.faults = [{ method: 'GET', path: /alertrules$/, fault: { kind: 'next-link', to: 'self' }, times: Infinity }];
    emulator.calls.length = 0;
    const loop = await cli(['plan', '--manifest', EXAMPLE_MANIFEST]);
    emulator.faults = [];
    expect(loop.code).toBe(1);
    expect(loop.stdout).toContain("the answer's next page is a page already read (a loop); stopped");
    expect(emulator.calls.filter((c) => c.method === 'GET' && c.path.endsWith('/alertRules'))).toHaveLength(1);
  });

  it('reports a change that keeps failing, finishes the others, and converges on re-run', async () => {
    const manifest = await manifestWith(workspaceYaml('prod', 'rg-sentinel-prod', 'law-sentinel-prod'), (t) => t.replace('  signin-failure:\n    severity: High\n', '  signin-failure:\n    severity: Medium\n  role-changed:\n    severity: Medium\n'));
    await push();
    const failing = emulator.under(`${WS}/alertRules/`).find(([, b]) => JSON.stringify(b).includes('Failed sign-in to a break-glass account'))![0];
    emulator.faults = [{ method: 'PUT', path: new RegExp(failing.split('/').pop()!), fault: { kind: '500' }, times: Infinity }];
    const first = await push(manifest);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/update\s+rule signin-failure\s+failed: HTTP 500 InternalServerError: Emulated server error/);
    expect(first.stdout).toMatch(/update\s+rule role-changed\s+ok/);
    expect(first.stdout).toMatch(/prod\s+0\s+1\s+0\s+\d+\s+1\s+0/);
    emulator.faults = [];
    const second = await push(manifest);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/update\s+rule signin-failure\s+ok/);
    expect((await cli(['plan', '--manifest', manifest, '--detailed-exitcode'])).code).toBe(0);
  });

  it('refuses to overwrite a rule changed since it was read (etag)', async () => {
    await push();
    const rule = emulator.under(`${WS}/alertRules/`).find(([, b]) => JSON.stringify(b).includes('Break-glass account changed or its password reset'))!;
    emulator.edit(rule[0], (b) => ((b['properties'] as Record<string, unknown>)['severity'] = 'Low'));
    // Someone edits it again between our read and our write: the PUT is slowed while the emulator changes the rule.
    emulator.faults = [{ method: 'PUT', path: new RegExp(rule[0].split('/').pop()!), fault: { kind: 'slow', delayMs: 300 }, times: 1 }];
    const pushing = push();
    await waitFor(() => emulator.faults[0]!.times === 0);
    emulator.edit(rule[0], (b) => ((b['properties'] as Record<string, unknown>)['severity'] = 'Medium'));
    const run = await pushing;
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/update\s+rule account-updated\s+failed: HTTP 412 PreconditionFailed/);
    emulator.faults = [];
    expect((await push()).code).toBe(0);
  });

  it('reports a rule the service refuses with its message, and converges once the rule is fixed', async () => {
    // validate would refuse such a rule before push: here the plan is made by hand, to prove that
    // what the service refuses is reported as the service says it, and a fixed rule converges.
    const result = content.build();
    const input = { manifest: result.manifest!, rendered: result.rendered!, playbook: content.playbook, workbookResource: result.workbookResource!, tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' };
    const workspace = result.manifest!.workspaces[0]!;
    const api = () => restWorkspaceApi(workspace, { credential: emulatorCredential, endpoints: { ...endpointsFor(undefined, { armEndpoint: emulator.url, authorityHost: emulator.url }) }, timing: { ...DEFAULT_TIMING, retryDelayMs: 10 }, tls: { ca: emulator.caPem } });
    const desired = desiredState(input, workspace);
    const bad = structuredClone(desired);
    const rule = bad.find((d) => d.kind === 'alertRule')!;
    (rule.body['properties'] as { alertDetailsOverride: Record<string, string> }).alertDetailsOverride['alertDescriptionFormat'] = '{{AccountUPN}} from {{IPAddress}} in {{Country}} at {{TimeGenerated}}';
    (rule.body['properties'] as Record<string, unknown>)['templateVersion'] = '1.0.0';
    const namespace = result.manifest!.idNamespace;
    const plan = planWorkspace(bad, await api().read(bad), { prune: false, namespace }).changes;
    const [report] = await applyPlans([{ workspace: 'prod', target: workspace, plan, results: [] }], { prune: false, namespace, workspaceConcurrency: 1, writeConcurrency: 4, apiFor: api });
    const refused = report!.results.find((r) => r.change.name === rule.name)!;
    expect(refused.outcome).toBe('failed');
    expect(refused.error).toBe("HTTP 400 BadRequest: Invalid data model. You have defined 4 parameters in 'AlertDescriptionFormat'. The maximum allowed is 3., Invalid Properties for Scheduled alert rule: 'templateVersion' can only be used if 'alertRuleTemplateName' is not empty");
    expect(report!.results.filter((r) => r.outcome === 'ok')).toHaveLength(RESOURCES - 1);
    // The fixed rule (the catalog's) goes through; nothing else is left to do.
    const [fixed] = await planWorkspaces(input, [workspace], { prune: false, namespace, workspaceConcurrency: 1, writeConcurrency: 4, apiFor: api });
    expect(fixed!.plan.filter((c) => c.action !== 'no-op').map((c) => c.label)).toEqual([rule.label]);
    await applyPlans([fixed!], { prune: false, namespace, workspaceConcurrency: 1, writeConcurrency: 4, apiFor: api });
    expect((await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--detailed-exitcode'])).code).toBe(0);
  });
});

describe('many workspaces', () => {
  it('pushes to several workspaces with bounded concurrency, and plans only the named ones', async () => {
    const manifest = await manifestWith(Array.from({ length: 10 }, (_, i) => workspaceYaml(`ws${i}`, `rg-${i}`, `law-${i}`, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)).join(''));
    emulator.maxInFlight = 0;
    emulator.latencyMs = 10;
    const run = await push(manifest, '--concurrency', '3', '--format', 'json');
    emulator.latencyMs = 0;
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { identity: string; workspaces: { workspace: string; results: { outcome: string }[] }[] };
    expect(report.identity).toContain('application 0a1b2c3d');
    expect(report.workspaces).toHaveLength(10);
    for (const w of report.workspaces) expect(w.results.filter((r) => r.outcome === 'ok')).toHaveLength(RESOURCES);
    // 3 workspaces at once, each with at most 4 writes at once.
    expect(emulator.maxInFlight).toBeLessThanOrEqual(12);
    expect(emulator.maxInFlight).toBeGreaterThan(3);
    const some = await cli(['plan', '--manifest', manifest, '--workspace', 'ws7', '--workspace', 'ws2', '--format', 'json']);
    expect((JSON.parse(some.stdout) as { workspaces: { workspace: string }[] }).workspaces.map((w) => w.workspace)).toEqual(['ws2', 'ws7']);
  });
});

describe('usage and read failures', () => {
  it('needs --yes when nobody is at a terminal, and a known workspace', async () => {
    const manifest = await manifestWith(workspaceYaml('prod', 'rg-sentinel-prod', 'law-sentinel-prod'));
    const noYes = await cli(['push', '--manifest', manifest]);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('pass --yes');
    const unknown = await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--workspace', 'staging']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no workspace named 'staging' in the manifest (workspaces: prod)");
  });

  it('says which workspace could not be read and why, and never reports "nothing to change" for it', async () => {
    await push();
    emulator.faults = [{ path: /alertrules$/, fault: { kind: '500' }, times: Infinity }];
    const plan = await cli(['plan', '--manifest', EXAMPLE_MANIFEST]);
    const again = await push();
    emulator.faults = [];
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('prod: cannot read the workspace: HTTP 500 InternalServerError: Emulated server error.');
    expect(again.code).toBe(1);
    expect(again.stdout).not.toContain('nothing to change');
    expect(again.stdout).toContain('1 of 1 workspace could not be read: nothing is known about it');
  });

  it('shows server text with control characters escaped: a rule name cannot rewrite the plan on a terminal', async () => {
    await push();
    emulator.seed(`${WS}/alertRules/11111111-2222-4333-8444-555555555555`, { kind: 'NRT', properties: { displayName: 'evil\u001b[2K\u001b[1A\rname', description: 'Managed by breakglass-sentinel (rule evil, version 1.0.0).', enabled: true, query: 'SigninLogs', severity: 'High' } });
    const plan = await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--prune']);
    expect(plan.stdout).not.toContain('\u001b');
    expect(plan.stdout).toContain('evil\\u001b[2K\\u001b[1A\\u000dname');
  });

  it('escapes every piece of server text a plan shows: resource names in "not ours" notes, a foreign watchlist\'s provider', async () => {
    await push();
    const path = `${WS}/alertRules/11111111-2222-4333-8444-555555555556`;
    emulator.seed(path, { kind: 'NRT', properties: { displayName: 'copy', description: 'Managed by breakglass-sentinel (rule evil, version 1.0.0).', enabled: true, query: 'SigninLogs', severity: 'High' } });
    emulator.edit(path, (b) => (b['name'] = 'n\u009b2K\u202eame'));
    const notOurs = await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--prune']);
    expect(notOurs.stdout).toContain('? not ours rule copy (n\\u009b2K\\u202eame)');
    emulator.reset();
    emulator.seed(`${WS}/watchlists/BreakGlassAccounts`, { properties: { displayName: 'by hand', provider: 'Micro\u009b2Ksoft\u202e', itemsSearchKey: 'UPN' } });
    const refused = await cli(['plan', '--manifest', EXAMPLE_MANIFEST]);
    expect(refused.stdout).toContain('(provider "Micro\\u009b2Ksoft\\u202e")');
    for (const out of [notOurs.stdout, refused.stdout]) expect(out).not.toMatch(/[\u001b\u009b\u202e]/);
  });

  it('never turns a listed name into a path that addresses another resource', async () => {
    await push();
    const victim = emulator.under(`${WS}/alertRules/`)[0]![0];
    const item = `${WS}/watchlists/BreakGlassAccounts/watchlistItems/0f000000-0000-4000-8000-0000000000aa`;
    emulator.seed(item, { properties: { itemsKeyValue: { UserPrincipalName: 'stray@contoso.com' } } });
    // An item not in the manifest is deleted by its listed name: this one's name climbs out of the watchlist.
    emulator.edit(item, (b) => (b['name'] = `../../../alertRules/${victim.split('/').pop()!}`));
    const writes = emulator.writes().length;
    const run = await push();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('prod: cannot read the workspace: GET watchlist items: the answer names a resource that cannot be addressed');
    expect(emulator.writes().length).toBe(writes);
    expect(emulator.resources.has(victim)).toBe(true);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
