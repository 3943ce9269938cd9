import { afterAll, beforeAll, it } from 'vitest';
import { ArmEmulator } from './emulator/arm-emulator.js';
import { EXAMPLE_MANIFEST } from './helpers/harness.js';
import { spawnCli } from './helpers/spawn-cli.js';
let emulator: ArmEmulator;
beforeAll(async () => { emulator = new ArmEmulator(); await emulator.start(); });
afterAll(async () => { await emulator.stop(); });
it('debug', async () => {
  const cli = (args: string[]) => spawnCli(args, emulator.env());
  await cli(['push', '--manifest', EXAMPLE_MANIFEST, '--yes']);
  emulator.faults = [ { method: 'GET', path: /automationrules\//, fault: { kind: 'drop' }, times: 1 } ];
  const t = Date.now();
  const push = await cli(['plan', '--manifest', EXAMPLE_MANIFEST]);
  console.log(Date.now() - t, push.code, push.stdout, push.stderr);
  console.log(emulator.calls.slice(-6));
}, 120000);
