/**
 * What only a real process shows: signing in through DefaultAzureCredential (the emulator's OAuth
 * token endpoint, trusted through NODE_EXTRA_CA_CERTS), what a user sees when that fails, and
 * Ctrl-C. Everything else about push runs in-process (push.test.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArmEmulator } from './emulator/arm-emulator.js';
import { EXAMPLE_MANIFEST, tempDir } from './helpers/harness.js';
import { spawnCli } from './helpers/spawn-cli.js';

let emulator: ArmEmulator;
beforeAll(async () => {
  emulator = new ArmEmulator();
  await emulator.start();
});
afterAll(async () => emulator.stop());

describe('signing in', () => {
  it('signs in with DefaultAzureCredential (a service principal from the environment) and says as whom', async () => {
    const plan = await spawnCli(['plan', '--manifest', EXAMPLE_MANIFEST], emulator.env());
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('signed in as application 0a1b2c3d-0000-4000-8000-00000000c11e (object id 5f0c9e1a-0000-4000-8000-0000000000aa), tenant 72f988bf-86f1-41af-91ab-2d7cd011db47');
    expect(plan.stdout).toContain('prod: 19 to create');
  });

  it("keeps the service's reason when the client secret is refused, and reads no workspace", async () => {
    emulator.rejectSecret = true;
    const calls = emulator.calls.length;
    const plan = await spawnCli(['plan', '--manifest', EXAMPLE_MANIFEST], emulator.env());
    emulator.rejectSecret = false;
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('cannot sign in to Azure');
    expect(plan.stderr).toContain('AADSTS7000215: Invalid client secret provided');
    expect(plan.stdout).not.toContain('to create');
    expect(emulator.calls.slice(calls).filter((c) => c.path.includes('/providers/'))).toEqual([]);
  });

  it('gives up signing in at the request timeout when the sign-in endpoint never answers, and exits', async () => {
    emulator.hangTokens = true;
    const plan = await spawnCli(['plan', '--manifest', EXAMPLE_MANIFEST, '--request-timeout', '1'], emulator.env());
    emulator.hangTokens = false;
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('cannot sign in to Azure');
    expect(plan.stderr).toContain('no token within 1 s (--request-timeout): the sign-in endpoint did not answer');
    expect(plan.stdout).not.toContain('to create');
    // Bounded by the timeout, not by the test's: the process ends although the endpoint never answered.
    expect(plan.ms).toBeLessThan(30_000);
  }, 60_000);

  it('without any login, names what was tried and what to do, and never says "nothing to change"', async () => {
    const env = { NODE_EXTRA_CA_CERTS: emulator.caFile, BREAKGLASS_ARM_ENDPOINT: emulator.url, AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', AZURE_AUTHORITY_HOST: emulator.url };
    const push = await spawnCli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes'], env);
    expect(push.code).toBe(1);
    expect(push.stderr).toContain('cannot sign in to Azure');
    expect(push.stderr).toContain('DefaultAzureCredential tried:');
    expect(push.stderr).toMatch(/EnvironmentCredential/);
    expect(push.stderr).toContain('Azure CLI could not be found');
    expect(push.stderr).toContain('az login');
    expect(push.stderr).toContain('azure/login with OIDC');
    expect(push.stdout).not.toContain('nothing to change');
  }, 60_000);
});

describe('Ctrl-C', () => {
  it('stops starting new writes, prints what was done, and a re-run finishes the job', async () => {
    const dir = await tempDir();
    const manifest = join(dir, 'accounts.yaml');
    const text = await readFile(EXAMPLE_MANIFEST, 'utf8');
    const workspaces = Array.from({ length: 12 }, (_, i) => `  - name: cc${i}\n    subscriptionId: 00000000-0000-4000-9000-${String(i).padStart(12, '0')}\n    resourceGroup: rg-cc-${i}\n    workspaceName: law-cc-${i}\n`).join('');
    await writeFile(manifest, text.replace(/workspaces:\n[\s\S]*?\n\n/, `workspaces:\n${workspaces}\n`));
    emulator.latencyMs = 20;
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
    const rerun = await spawnCli(['push', '--manifest', manifest, '--yes', '--concurrency', '8'], emulator.env());
    expect(rerun.code).toBe(0);
    expect((await spawnCli(['plan', '--manifest', manifest, '--detailed-exitcode'], emulator.env())).code).toBe(0);
  });
});
