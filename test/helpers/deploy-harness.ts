import type { AccessToken, TokenCredential } from '@azure/identity';
import { main } from '../../generator/cli.js';
import type { ArmEmulator } from '../emulator/arm-emulator.js';
import { TOKEN } from '../emulator/arm-emulator.js';
import { ROOT, sharedGlobals, type CliRun } from './harness.js';

/** A credential that hands out the emulator's token: DefaultAzureCredential itself is tested in processes of their own. */
export const emulatorCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

export interface DeployRunOptions {
  signal?: AbortSignal;
  confirm?: (question: string) => Promise<boolean>;
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * plan, push or drift in this process against the emulator, through the real REST client and
 * HTTPS: the same code path as a user's run, without a process start and a Kusto load per call.
 */
export async function deployCli(emulator: ArmEmulator, args: string[], options: DeployRunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    cwd: options.cwd ?? ROOT,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { ...emulator.env(), ...options.env },
    globals: sharedGlobals,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.confirm ? { confirm: options.confirm } : {}),
    deploy: { credential: () => emulatorCredential, tls: { ca: emulator.caPem } },
  });
  return { code, stdout, stderr };
}
