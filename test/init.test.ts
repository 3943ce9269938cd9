import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, tempDir } from './helpers/harness.js';

const A1 = '34BBDE15-5585-4333-A9D6-FD1B529AB024';
const A2 = '2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45';
const GROUP = '8d0f2b6c-3e1a-4c7d-9b5e-6a2f1d8c4e73';
const WORKSPACE = '/subscriptions/1F2E3D4C-5B6A-4789-8C0D-E1F2A3B4C5D6/resourceGroups/rg-sentinel/providers/Microsoft.OperationalInsights/workspaces/law-sentinel';
const NAMESPACE = '6f1c2a7e-0b5d-4e8a-9f3c-2d7b8e4a1c90';

const FLAGS = [
  '--account', `${A1}=bg-01@contoso.onmicrosoft.com`,
  '--account', `${A2}=bg-02@contoso.onmicrosoft.com`,
  '--group', `${GROUP}=CA-Exclusion: "Emergency" #1`,
  '--email', 'soc@contoso.com',
  '--email', 'identity@contoso.com',
  '--sms', '+1-4255550100',
  '--workspace-id', WORKSPACE,
  '--tenant-id', '72f988bf-86f1-41af-91ab-2d7cd011db47',
];

describe('breakglass init', () => {
  it('writes a commented manifest from flags that render validates as it is', async () => {
    const dir = await tempDir();
    const run = await runCli(['init', ...FLAGS], dir, { newGuid: () => NAMESPACE });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('wrote accounts.yaml: 2 accounts, 2 e-mail and 1 SMS recipient, 1 workspace');
    const text = await readFile(join(dir, 'accounts.yaml'), 'utf8');
    // The editor line points at the schema shipped in the package, relative to the manifest.
    const schemaRef = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)![1]!;
    expect(JSON.parse(await readFile(join(dir, schemaRef), 'utf8')).title).toBe('breakglass-sentinel accounts manifest');
    expect(text).toMatch(/^# The group every Conditional Access policy excludes/m);
    const manifest = parse(text) as Record<string, unknown>;
    expect(manifest).toEqual({
      idNamespace: NAMESPACE,
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      accounts: [
        { objectId: A1.toLowerCase(), userPrincipalName: 'bg-01@contoso.onmicrosoft.com', displayName: 'Emergency access 01', kind: 'global-admin' },
        { objectId: A2, userPrincipalName: 'bg-02@contoso.onmicrosoft.com', displayName: 'Emergency access 02', kind: 'global-admin' },
      ],
      // Quotes, a colon and a hash in a value stay a value.
      exclusionGroup: { objectId: GROUP, displayName: 'CA-Exclusion: "Emergency" #1' },
      notifications: { email: [{ address: 'soc@contoso.com' }, { address: 'identity@contoso.com' }], sms: [{ countryCode: '1', phoneNumber: '4255550100' }] },
      workspaces: [{ name: 'law-sentinel', subscriptionId: '1f2e3d4c-5b6a-4789-8c0d-e1f2a3b4c5d6', resourceGroup: 'rg-sentinel', workspaceName: 'law-sentinel' }],
    });
    const validate = await runCli(['validate', '--manifest', 'accounts.yaml'], dir);
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);
  });

  it('writes an account that holds another privileged role from OBJECTID=UPN=ROLE', async () => {
    const dir = await tempDir();
    const flags = [...FLAGS];
    flags[3] = `${A2}=bg-02@contoso.onmicrosoft.com=Privileged Role Administrator`;
    const run = await runCli(['init', ...flags], dir, { newGuid: () => NAMESPACE });
    expect(run.code, run.stderr).toBe(0);
    const manifest = parse(await readFile(join(dir, 'accounts.yaml'), 'utf8')) as { accounts: Record<string, unknown>[] };
    expect(manifest.accounts[1]).toMatchObject({ userPrincipalName: 'bg-02@contoso.onmicrosoft.com', kind: 'privileged-role', role: 'Privileged Role Administrator' });
    expect((await runCli(['validate', '--manifest', 'accounts.yaml'], dir)).code).toBe(0);
  });

  it('refuses to overwrite a file without --force, and leaves it as it was', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'accounts.yaml'), 'mine\n');
    const run = await runCli(['init', ...FLAGS], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('accounts.yaml exists; pass --force to overwrite it');
    expect(await readFile(join(dir, 'accounts.yaml'), 'utf8')).toBe('mine\n');
    const forced = await runCli(['init', ...FLAGS, '--force'], dir);
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'accounts.yaml'), 'utf8')).toContain('idNamespace:');
  });

  it('without a terminal, names every missing flag and writes nothing', async () => {
    const dir = await tempDir();
    const run = await runCli(['init', '--manifest', 'sub/a.yaml', '--email', 'soc@contoso.com'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('init needs --account OBJECTID=UPN[=ROLE] (two or more), --group OBJECTID=NAME, --workspace-id RESOURCE-ID');
    await expect(readFile(join(dir, 'sub', 'a.yaml'))).rejects.toThrow(/ENOENT/);
  });

  it.each([
    [['--account', 'not-a-guid=bg@contoso.com'], "--account not-a-guid=bg@contoso.com: 'not-a-guid' is not an object id"],
    [['--account', A1], '--account 34BBDE15-5585-4333-A9D6-FD1B529AB024: expected OBJECTID=UPN or OBJECTID=UPN=ROLE'],
    [['--account', `${A1}=bg-01@contoso.onmicrosoft.com=`], `--account ${A1}=bg-01@contoso.onmicrosoft.com=: expected OBJECTID=UPN=ROLE`],
    [['--sms', '4255550100'], '--sms 4255550100: expected +COUNTRYCODE-NUMBER'],
    [['--email', 'soc at contoso'], '--email soc at contoso: not an e-mail address'],
    [['--workspace-id', 'law-sentinel'], '--workspace-id law-sentinel: expected /subscriptions/'],
  ])('a bad flag %j is a usage error naming the flag', async (bad, message) => {
    const dir = await tempDir();
    const flags = [...FLAGS];
    const at = flags.indexOf(bad[0]!);
    flags.splice(at, 2, ...bad);
    const run = await runCli(['init', ...flags], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('asks for what the flags leave out, asks again after a wrong answer, and stops at an empty account', async () => {
    const dir = await tempDir();
    const answers = [A1, 'bg-01@contoso.onmicrosoft.com', '', 'nope', A2, 'bg-02@contoso.onmicrosoft.com', 'Privileged Role Administrator', '', GROUP, 'CA-Exclusion', 'soc@contoso.com, it@contoso.com', '', WORKSPACE, ''];
    const questions: string[] = [];
    const prompt = async (question: string): Promise<string> => {
      questions.push(question);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected question: ${question}`);
      return answer;
    };
    const run = await runCli(['init', '--manifest', 'team/accounts.yaml'], dir, { prompt, newGuid: () => NAMESPACE });
    expect(run.code).toBe(0);
    expect(answers).toEqual([]);
    expect(run.stderr).toContain("'nope' is not an object id");
    expect(questions.filter((q) => q.includes('account 2 object id'))).toHaveLength(2);
    const manifest = parse(await readFile(join(dir, 'team', 'accounts.yaml'), 'utf8')) as { accounts: Record<string, unknown>[]; notifications: unknown; tenantId?: string };
    expect(manifest.accounts.map((a) => [a['kind'], a['role']])).toEqual([
      ['global-admin', undefined],
      ['privileged-role', 'Privileged Role Administrator'],
    ]);
    expect(manifest.notifications).toEqual({ email: [{ address: 'soc@contoso.com' }, { address: 'it@contoso.com' }] });
    expect(manifest.tenantId).toBeUndefined();
    expect((await runCli(['validate', '--manifest', 'team/accounts.yaml'], dir)).code).toBe(0);
  });

  it('shows the warning for a single account and still writes the file', async () => {
    const dir = await tempDir();
    const flags = [...FLAGS];
    flags.splice(flags.indexOf('--account', 2), 2);
    const run = await runCli(['init', ...flags], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('only 1 break-glass account is listed; Microsoft recommends two or more');
  });
});
