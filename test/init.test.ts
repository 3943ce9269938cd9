import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PromptCancelled, terminalPrompt } from '../generator/cli/terminal-prompt.js';
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
    [['--sms', '4255550100'], '--sms 4255550100: start with + and the country code, e.g. +1 425 555 0100 or +44 20 7946 0958'],
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
    // init takes no --allow-warnings: the hint says what to do here, and names the file by setting only.
    expect(run.stderr).toContain('run init again with two --account flags, or add it to the file; until then render and validate need --allow-warnings');
    expect(run.stderr).not.toContain('or pass --allow-warnings to accept this');
    expect(run.stderr).not.toMatch(/accounts\.yaml:\d/);
  });
});

describe('breakglass init at a terminal', () => {
  /** A person at the terminal: answers in order; records the questions and what init said. */
  function person(answers: (string | PromptCancelled)[]) {
    const questions: string[] = [];
    const prompt = async (question: string): Promise<string> => {
      questions.push(question);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected question: ${question}`);
      if (answer instanceof PromptCancelled) throw answer;
      return answer;
    };
    return { prompt, questions, answers };
  }

  it.each([
    ['Ctrl-C', new PromptCancelled('interrupt'), 130, 'init stopped: nothing written\n'],
    ['Ctrl-D', new PromptCancelled('end'), 1, 'init stopped (the input ended): nothing written\n'],
  ])('%s at a question stops quietly and writes nothing', async (_, cancel, code, message) => {
    const dir = await tempDir();
    const { prompt } = person([A1, 'bg-01@contoso.onmicrosoft.com', cancel]);
    const run = await runCli(['init'], dir, { prompt });
    expect(run.code).toBe(code);
    expect(run.stderr).toBe(message);
    expect(await readdir(dir)).toEqual([]);
  });

  it('checks each answer as it is given: a repeated account, a group that is an account, a bad workspace are asked again at once', async () => {
    const dir = await tempDir();
    const { prompt, questions, answers } = person([
      A1, 'bg-01@contoso.onmicrosoft.com', '',
      A1.toLowerCase(), A2, 'BG-01@contoso.onmicrosoft.com', 'bg-02@contoso.onmicrosoft.com', '', '',
      A2, GROUP, 'CA-Exclusion',
      'soc@contoso.com, SOC@contoso.com', 'soc@contoso.com',
      '+1 (425) 555-0100, +44 20 7946 0958',
      '/subscriptions/1f2e3d4c-5b6a-4789-8c0d-e1f2a3b4c5d6/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/-bad-', WORKSPACE,
      '',
    ]);
    const run = await runCli(['init'], dir, { prompt, newGuid: () => NAMESPACE });
    expect(run.code, run.stderr).toBe(0);
    expect(answers).toEqual([]);
    expect(run.stderr).toContain(`  object id ${A1.toLowerCase()} is already account 1 (bg-01@contoso.onmicrosoft.com)\n`);
    expect(run.stderr).toContain('  BG-01@contoso.onmicrosoft.com is already account 1\n');
    expect(run.stderr).toContain(`  ${A2} is the object id of account 2 (bg-02@contoso.onmicrosoft.com), not of a group\n`);
    expect(run.stderr).toContain('  SOC@contoso.com is given twice\n');
    expect(run.stderr).toContain("'-bad-' is not a workspace name");
    expect(questions.filter((q) => q.includes('account 2 object id'))).toHaveLength(2);
    const manifest = parse(await readFile(join(dir, 'accounts.yaml'), 'utf8')) as { notifications: { sms: unknown[] } };
    // Phone numbers in any common form are kept in one: country code and digits.
    expect(manifest.notifications.sms).toEqual([
      { countryCode: '1', phoneNumber: '4255550100' },
      { countryCode: '44', phoneNumber: '2079460958' },
    ]);
  });

  it('flags a role that is not a built-in Entra role, with the roles, and keeps it only when typed again', async () => {
    const dir = await tempDir();
    const { prompt } = person([A1, 'bg-01@contoso.onmicrosoft.com', 'privileged role administrator', A2, 'bg-02@contoso.onmicrosoft.com', 'Privileged Role Admin', 'Break Glass Custom Role', 'Break Glass Custom Role', '', GROUP, 'CA-Exclusion', 'soc@contoso.com', '', WORKSPACE, '']);
    const run = await runCli(['init'], dir, { prompt, newGuid: () => NAMESPACE });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("  'Privileged Role Admin' is not a Microsoft Entra built-in role (did you mean 'Privileged Role Administrator'?).\n");
    expect(run.stderr).toMatch(/ {2}Built-in roles: Agent ID Administrator,[^]*Application Administrator,/);
    expect(run.stderr).toContain('Global Administrator,');
    // The list is shown once; a second unknown role gets only its line.
    expect(run.stderr.match(/Built-in roles:/g)).toHaveLength(1);
    expect(run.stderr).toContain("  'Break Glass Custom Role' is not a Microsoft Entra built-in role.\n");
    const manifest = parse(await readFile(join(dir, 'accounts.yaml'), 'utf8')) as { accounts: { role?: string }[] };
    // A built-in role is written under its own name, whatever the case it was typed in.
    expect(manifest.accounts.map((a) => a.role)).toEqual(['Privileged Role Administrator', 'Break Glass Custom Role']);
    // The manifest keeps saying so, as a notice, wherever it is validated.
    const validate = await runCli(['validate', '--manifest', 'accounts.yaml'], dir);
    expect(validate.code).toBe(0);
    expect(validate.stderr).toContain("notice manifest/unknown-role accounts[1].role 'Break Glass Custom Role' is not a Microsoft Entra built-in role");
  });

  it('Ctrl-C and Ctrl-D on a real terminal stream become a quiet stop, an answer becomes the answer', async () => {
    const ask = async (keys: string | null) => {
      const input = new PassThrough();
      const output = new PassThrough();
      output.resume();
      const answer = terminalPrompt(input, output)('question: ');
      if (keys === null) input.end();
      else input.write(keys);
      return answer.catch((error: unknown) => error);
    };
    expect(await ask('\u0003')).toEqual(new PromptCancelled('interrupt'));
    expect(await ask(null)).toEqual(new PromptCancelled('end'));
    expect(await ask('yes\r')).toBe('yes');
  });
});

describe('init flags are checked against each other', () => {
  it.each([
    [['--account', `${A1.toLowerCase()}=bg-03@contoso.onmicrosoft.com`], `--account ${A1.toLowerCase()}=bg-03@contoso.onmicrosoft.com: object id ${A1.toLowerCase()} is already account 1 (bg-01@contoso.onmicrosoft.com)`],
    [['--group', `${A2}=CA-Exclusion`], `--group ${A2}=CA-Exclusion: ${A2} is the object id of account 2 (bg-02@contoso.onmicrosoft.com), not of a group`],
    [['--email', 'SOC@contoso.com'], '--email SOC@contoso.com is given twice'],
    [['--sms', '+14255550100'], '--sms +14255550100 is given twice'],
  ])('%j is a usage error naming the flag', async (extra, message) => {
    const dir = await tempDir();
    // --group is given once: this one replaces the other.
    const flags = extra[0] === '--group' ? FLAGS.map((f, i) => (FLAGS[i - 1] === '--group' ? extra[1]! : f)) : [...FLAGS, ...extra];
    const run = await runCli(['init', ...flags], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a finding of the manifest about to be written is named by its setting, not by a line of a file that does not exist yet', async () => {
    const dir = await tempDir();
    const flags = [...FLAGS];
    flags[3] = `${A2}=bg-02@contoso.onmicrosoft.com=Break Glass Custom Role`;
    const run = await runCli(['init', ...flags], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^notice manifest\/unknown-role accounts\[1\]\.role 'Break Glass Custom Role' is not a Microsoft Entra built-in role/m);
    expect(run.stderr).not.toMatch(/accounts\.yaml:\d/);
  });

  it('a role longer than the manifest keeps is refused as a flag, before anything is written', async () => {
    const dir = await tempDir();
    const flags = [...FLAGS];
    flags[3] = `${A2}=bg-02@contoso.onmicrosoft.com=${'R'.repeat(300)}`;
    const run = await runCli(['init', ...flags], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the role has 300 characters; at most 256');
    expect(await readdir(dir)).toEqual([]);
  });
});
