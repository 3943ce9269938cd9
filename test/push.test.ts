import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArmEmulator } from './emulator/arm-emulator.js';
import { EXAMPLE_MANIFEST, tempDir } from './helpers/harness.js';
import { spawnCli } from './helpers/spawn-cli.js';

const WS = '/subscriptions/1f2e3d4c-5b6a-4789-8c0d-e1f2a3b4c5d6/resourceGroups/rg-sentinel-prod/providers/Microsoft.OperationalInsights/workspaces/law-sentinel-prod/providers/Microsoft.SecurityInsights';

let emulator: ArmEmulator;
beforeAll(async () => {
  emulator = new ArmEmulator();
  await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
});

const cli = (args: string[]) => spawnCli(args, emulator.env());

describe('push against the Resource Manager emulator', () => {
  it('first push creates everything, the second plans and writes nothing', async () => {
    const plan = await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--detailed-exitcode']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('prod: 18 to create, 0 to update, 0 to delete, 0 unchanged');
    expect(emulator.writes()).toEqual([]);

    const push = await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    expect(push.stdout).toMatch(/prod\s+18\s+0\s+0\s+0\s+0\s+0/);
    expect(emulator.under(`${WS}/alertRules/`)).toHaveLength(13);
    expect(emulator.under(`${WS}/watchlists/BreakGlassAccounts/watchlistItems/`)).toHaveLength(2);
    expect(emulator.under(`${WS}/automationRules/`)).toHaveLength(1);

    const writes = emulator.writes().length;
    const again = await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('prod: 0 to create, 0 to update, 0 to delete, 18 unchanged');
    expect(again.stdout).toContain('nothing to change');
    expect(emulator.writes().length).toBe(writes);
  });
});

describe('drift, prune and ownership', () => {
  it('shows a rule edited in the portal as drift and an update, and push reverts it', async () => {
    await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
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
    const push = await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    expect(push.code).toBe(0);
    expect(push.stdout).toMatch(/prod\s+update\s+rule signin-failure\s+ok/);
    expect((emulator.resources.get(rule[0])!.body['properties'] as Record<string, unknown>)['severity']).toBe('High');
    expect((await cli(['drift', '--manifest', EXAMPLE_MANIFEST])).code).toBe(0);
  });

  it('--prune removes a rule of ours that left the catalog and never touches a hand-made rule', async () => {
    await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    const dropped = `${WS}/alertRules/0d1e2f30-4a5b-5c6d-8e7f-8091a2b3c4d5`;
    const handMade = `${WS}/alertRules/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d`;
    emulator.seed(dropped, { kind: 'NRT', properties: { displayName: 'Old break-glass rule', description: 'Retired.\n\nManaged by breakglass-sentinel (rule old-rule, version 0.9.0).', enabled: true, query: 'SigninLogs', severity: 'High' } });
    emulator.seed(handMade, { kind: 'Scheduled', properties: { displayName: 'SOC hand-made rule', description: 'Made in the portal.', enabled: true, query: 'SigninLogs', severity: 'Low' } });

    const withoutPrune = await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    expect(withoutPrune.code).toBe(0);
    expect(emulator.resources.has(dropped.toLowerCase())).toBe(true);

    const plan = await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--prune']);
    expect(plan.stdout).toContain('- delete rule Old break-glass rule');
    expect(plan.stdout).not.toContain('SOC hand-made rule');
    const pruned = await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--prune', '--yes']);
    expect(pruned.code).toBe(0);
    expect(emulator.resources.has(dropped.toLowerCase())).toBe(false);
    expect(emulator.resources.has(handMade.toLowerCase())).toBe(true);
  });

  it('keeps the watchlist items in step with the manifest accounts', async () => {
    const dir = await tempDir();
    const manifest = join(dir, 'accounts.yaml');
    const text = await readFile(EXAMPLE_MANIFEST, 'utf8');
    await writeFile(manifest, text.replace(/  - objectId: 2e5438a8[\s\S]*?kind: global-admin\n/, ''));
    const push = await cli(['push', '--manifest', manifest, '--yes', '--allow-warnings']);
    expect(push.code).toBe(0);
    expect(push.stdout).toMatch(/delete\s+watchlist item bg-emergency-02@contoso.onmicrosoft.com\s+ok/);
    expect(emulator.under(`${WS}/watchlists/BreakGlassAccounts/watchlistItems/`)).toHaveLength(1);
    await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    expect(emulator.under(`${WS}/watchlists/BreakGlassAccounts/watchlistItems/`)).toHaveLength(2);
  });
});

describe('faults', () => {
  it('waits for Retry-After on 429 and retries dropped connections, within one run', async () => {
    await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    const rule = emulator.under(`${WS}/alertRules/`).find(([, b]) => JSON.stringify(b).includes('Break-glass account used'))!;
    emulator.edit(rule[0], (b) => ((b['properties'] as Record<string, unknown>)['severity'] = 'Low'));
    emulator.faults = [
      { method: 'PUT', path: /alertrules\//, fault: { kind: '429', retryAfterSeconds: 1 }, times: 1 },
      { method: 'GET', path: /automationrules\//, fault: { kind: 'drop' }, times: 1 },
    ];
    const push = await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    const puts = emulator.calls.filter((c) => c.method === 'PUT' && c.path.toLowerCase() === rule[0]).slice(-2);
    expect(puts.map((c) => c.status)).toEqual([429, 200]);
    expect(puts[1]!.at - puts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(emulator.faults.every((f) => f.times === 0)).toBe(true);
  });

  it('reports a change that keeps failing, finishes the others, and converges on re-run', async () => {
    const dir = await tempDir();
    const manifest = join(dir, 'accounts.yaml');
    await writeFile(manifest, (await readFile(EXAMPLE_MANIFEST, 'utf8')).replace('  signin-failure:\n    severity: High\n', '  signin-failure:\n    severity: Medium\n  role-changed:\n    severity: Medium\n'));
    await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    const failing = emulator.under(`${WS}/alertRules/`).find(([, b]) => JSON.stringify(b).includes('Failed sign-in to a break-glass account'))![0];
    emulator.faults = [{ method: 'PUT', path: new RegExp(failing.split('/').pop()!), fault: { kind: '500' }, times: Infinity }];
    const first = await cli(['push', '--manifest', manifest, '--yes']);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/update\s+rule signin-failure\s+failed: HTTP 500/);
    expect(first.stdout).toMatch(/update\s+rule role-changed\s+ok/);
    expect(first.stdout).toMatch(/prod\s+0\s+1\s+0\s+\d+\s+1\s+0/);
    emulator.faults = [];
    const second = await cli(['push', '--manifest', manifest, '--yes']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/update\s+rule signin-failure\s+ok/);
    expect((await cli(['plan', '--manifest', manifest, '--detailed-exitcode'])).code).toBe(0);
    await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
  });

  it('refuses to overwrite a rule changed since it was read (etag)', async () => {
    await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    const rule = emulator.under(`${WS}/alertRules/`).find(([, b]) => JSON.stringify(b).includes('Break-glass account changed or its password reset'))!;
    emulator.edit(rule[0], (b) => ((b['properties'] as Record<string, unknown>)['severity'] = 'Low'));
    // Someone edits it again between our read and our write: the first PUT is slowed down
    // while the emulator changes the rule.
    emulator.faults = [{ method: 'PUT', path: new RegExp(rule[0].split('/').pop()!), fault: { kind: 'slow', delayMs: 300 }, times: 1 }];
    const pushing = cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    await waitFor(() => emulator.faults[0]!.times === 0);
    emulator.edit(rule[0], (b) => ((b['properties'] as Record<string, unknown>)['severity'] = 'Medium'));
    const push = await pushing;
    expect(push.code).toBe(1);
    expect(push.stdout).toMatch(/update\s+rule account-updated\s+failed: HTTP 412 PreconditionFailed/);
    emulator.faults = [];
    expect((await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes'])).code).toBe(0);
  });
});

describe('many workspaces', () => {
  it('pushes to 100 workspaces with bounded concurrency', async () => {
    const dir = await tempDir();
    const manifest = join(dir, 'accounts.yaml');
    const text = await readFile(EXAMPLE_MANIFEST, 'utf8');
    const workspaces = Array.from({ length: 100 }, (_, i) => `  - name: ws${i}\n    subscriptionId: 00000000-0000-4000-8000-${String(i).padStart(12, '0')}\n    resourceGroup: rg-${i}\n    workspaceName: law-${i}\n`).join('');
    await writeFile(manifest, text.replace(/workspaces:\n[\s\S]*?\n\n/, `workspaces:\n${workspaces}\n`));
    emulator.maxInFlight = 0;
    // A little latency per call, so that requests overlap as they would against Azure.
    emulator.latencyMs = 15;
    const push = await cli(['push', '--manifest', manifest, '--yes', '--concurrency', '4', '--format', 'json']);
    emulator.latencyMs = 0;
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    const report = JSON.parse(push.stdout) as { workspaces: { workspace: string; results: { outcome: string }[] }[] };
    expect(report.workspaces).toHaveLength(100);
    for (const w of report.workspaces) expect(w.results.filter((r) => r.outcome === 'ok')).toHaveLength(18);
    // 4 workspaces at once, each with at most 4 writes at once.
    expect(emulator.maxInFlight).toBeLessThanOrEqual(16);
    expect(emulator.maxInFlight).toBeGreaterThan(4);
    const onlySome = await cli(['plan', '--manifest', manifest, '--workspace', 'ws7', '--workspace', 'ws42', '--format', 'json']);
    expect((JSON.parse(onlySome.stdout) as { workspaces: { workspace: string }[] }).workspaces.map((w) => w.workspace)).toEqual(['ws7', 'ws42']);
  });
});

describe('usage', () => {
  it('needs --yes when nobody is at a terminal, and a known workspace', async () => {
    const dir = await tempDir();
    const manifest = join(dir, 'accounts.yaml');
    await writeFile(manifest, (await readFile(EXAMPLE_MANIFEST, 'utf8')).replace('severity: High', 'severity: Low'));
    const noYes = await cli(['push', '--manifest', manifest]);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('pass --yes');
    const unknown = await cli(['plan', '--manifest', EXAMPLE_MANIFEST, '--workspace', 'staging']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no workspace named 'staging' in the manifest (workspaces: prod)");
  });

  it('says which workspace could not be read, and why', async () => {
    emulator.faults = [{ path: /alertrules$/, fault: { kind: '500' }, times: Infinity }];
    const plan = await cli(['plan', '--manifest', EXAMPLE_MANIFEST]);
    emulator.faults = [];
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('prod: cannot read the workspace: HTTP 500');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Ctrl-C', () => {
  it('stops starting new writes, prints what was done, and a re-run finishes the job', async () => {
    const dir = await tempDir();
    const manifest = join(dir, 'accounts.yaml');
    const text = await readFile(EXAMPLE_MANIFEST, 'utf8');
    const workspaces = Array.from({ length: 20 }, (_, i) => `  - name: cc${i}\n    subscriptionId: 00000000-0000-4000-9000-${String(i).padStart(12, '0')}\n    resourceGroup: rg-cc-${i}\n    workspaceName: law-cc-${i}\n`).join('');
    await writeFile(manifest, text.replace(/workspaces:\n[\s\S]*?\n\n/, `workspaces:\n${workspaces}\n`));
    emulator.latencyMs = 30;
    let sent = false;
    const push = await spawnCli(['push', '--manifest', manifest, '--yes', '--concurrency', '2'], emulator.env(), {
      onStdout: (out, interrupt) => {
        if (!sent && / ok \(\d+ ms\)/.test(out)) {
          sent = true;
          interrupt();
        }
      },
    });
    emulator.latencyMs = 0;
    expect(sent).toBe(true);
    expect(push.code).toBe(1);
    expect(push.stderr).toContain('interrupted: no new changes will be started');
    expect(push.stdout).toContain('not started (interrupted)');
    expect(push.stdout).toContain('interrupted: changes not started are listed above; run push again to finish');
    const rerun = await cli(['push', '--manifest', manifest, '--yes', '--concurrency', '8']);
    expect(rerun.code).toBe(0);
    expect((await cli(['plan', '--manifest', manifest, '--detailed-exitcode'])).code).toBe(0);
  });
});
