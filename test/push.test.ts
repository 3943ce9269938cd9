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
    expect(plan.stdout).toContain('prod: 14 to create, 0 to update, 0 to delete, 0 unchanged');
    expect(emulator.writes()).toEqual([]);

    const push = await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    expect(push.stdout).toMatch(/prod\s+14\s+0\s+0\s+0\s+0\s+0/);
    expect(emulator.under(`${WS}/alertRules/`)).toHaveLength(9);
    expect(emulator.under(`${WS}/watchlists/BreakGlassAccounts/watchlistItems/`)).toHaveLength(2);
    expect(emulator.under(`${WS}/automationRules/`)).toHaveLength(1);

    const writes = emulator.writes().length;
    const again = await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('prod: 0 to create, 0 to update, 0 to delete, 14 unchanged');
    expect(again.stdout).toContain('nothing to change');
    expect(emulator.writes().length).toBe(writes);
  });
});
