import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInCatalog, FIXTURES, runCli, tempDir } from './helpers/harness.js';

const REAL = join(FIXTURES, 'real-logs');
const SIGNINS = join(REAL, 'msticpy_aad_logons_SigninLogs.LA.json');
const AUDIT = join(REAL, 'otrf_goldensaml_AADAuditEvents.LA.json');
const REAL_USERS = join(FIXTURES, 'manifests', 'real-log-users.yaml');

interface ReplayJson {
  now: string;
  records: Record<string, number>;
  rules: Record<string, { fired: boolean; recordsInWindow: number; rows: Record<string, unknown>[] }>;
}

async function replayJson(args: string[]): Promise<ReplayJson> {
  const run = await runCli(['replay', ...args, '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as ReplayJson;
}

describe('replay over real exported records', () => {
  it('the use rule fires on exactly the real successful sign-ins of a named account in its window, summed up in one row', async () => {
    const now = '2020-05-20T15:26:30Z';
    const result = await replayJson(['--manifest', REAL_USERS, '--events', `SigninLogs=${SIGNINS}`, '--now', now]);
    // Counted from the raw export, independently of the evaluator: demo's successful sign-ins in the NRT run's minute (now - 1m, now].
    const raw = JSON.parse(await readFile(SIGNINS, 'utf8')) as { TimeGenerated: string; UserPrincipalName: string; ResultType: string }[];
    const end = Date.parse(now);
    const expected = raw.filter((r) => r.UserPrincipalName === 'demo@seccxp.ninja' && r.ResultType === '0' && Date.parse(`${r.TimeGenerated}Z`) > end - 60_000 && Date.parse(`${r.TimeGenerated}Z`) <= end);
    expect(expected.length).toBeGreaterThan(0);
    const rule = result.rules['signin-success']!;
    expect(rule.fired).toBe(true);
    expect(rule.rows).toHaveLength(1);
    expect(rule.rows[0]).toMatchObject({ AccountUPN: 'demo@seccxp.ninja', SignIns: expected.length, InteractiveSignIns: expected.length, IPAddress: '73.35.204.105', Changes: 0 });
    expect(result.records).toEqual({ SigninLogs: 86 });
    expect(result.rules['signin-failure']!.fired).toBe(false);
  });

  it('the use rule reports the real audit records the account initiated in its window (dynamic columns given as JSON text)', async () => {
    const result = await replayJson(['--manifest', REAL_USERS, '--events', `AuditLogs=${AUDIT}`]);
    expect(result.now).toBe('2021-08-02T13:29:25.9830000Z');
    const rule = result.rules['signin-success']!;
    // The NRT run as of the newest record reads the minute before it: the two certificate and secret updates.
    expect(rule.recordsInWindow).toBe(2);
    expect(rule.rows).toHaveLength(1);
    expect(rule.rows[0]).toMatchObject({ AccountUPN: 'pgustavo@simulandlabs.com', SignIns: 0, Changes: 2, OperationList: 'Update application – Certificates and secrets management ', ChangeTargetList: 'SimuLandApp' });
    const others = Object.entries(result.rules).filter(([id, r]) => id !== 'signin-success' && r.fired);
    expect(others).toEqual([]);
  });

  it('nothing fires for the example manifest, whose accounts are not in the records', async () => {
    const result = await replayJson(['--manifest', 'examples/accounts.yaml', '--events', `SigninLogs=${SIGNINS}`, '--events', `AuditLogs=${AUDIT}`]);
    expect(Object.values(result.rules).some((r) => r.fired)).toBe(false);
    expect(Object.keys(result.rules)).toHaveLength((await builtInCatalog()).rules.length);
  });

  it('runs as of the newest record, so an old export is judged as it was when fresh', async () => {
    const late = await replayJson(['--manifest', REAL_USERS, '--events', `SigninLogs=${SIGNINS}`]);
    expect(late.now).toBe('2020-05-20T19:51:40.1110000Z');
    expect(late.rules['signin-success']!.fired).toBe(false);
  });

  it('prints the rules that fire and their rows as text', async () => {
    const run = await runCli(['replay', '--manifest', REAL_USERS, '--events', `AuditLogs=${AUDIT}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('replay as of 2021-08-02T13:29:25.9830000Z over 4 AuditLogs records');
    expect(run.stdout).toMatch(/signin-success\s+fires, 1 row/);
    expect(run.stdout).toContain('AccountUPN=pgustavo@simulandlabs.com');
    expect(run.stdout).toMatch(/1 of \d+ enabled rules fire/);
  });
});

interface HistoryJson {
  from: string;
  until: string;
  records: Record<string, number>;
  rules: Record<string, { every: string; lookBack: string; runs: number; error?: string; alerts: { at: string; rows: Record<string, unknown>[] }[] }>;
}

async function historyJson(args: string[]): Promise<HistoryJson> {
  const run = await runCli(['replay', ...args, '--history', '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as HistoryJson;
}

interface RawSignin {
  TimeGenerated: string;
  UserPrincipalName: string;
  ResultType: string;
}

/** demo's successful sign-ins in the raw export, counted without the evaluator. */
async function demoSuccesses(): Promise<number[]> {
  const raw = JSON.parse(await readFile(SIGNINS, 'utf8')) as RawSignin[];
  return raw.filter((r) => r.UserPrincipalName === 'demo@seccxp.ninja' && r.ResultType === '0').map((r) => Date.parse(`${r.TimeGenerated}Z`));
}

describe('replay --history: time passes over the whole export', () => {
  it('every real successful sign-in of the account is reported once, in the NRT run of the minute it was ingested', async () => {
    const result = await historyJson(['--manifest', REAL_USERS, '--events', `SigninLogs=${SIGNINS}`]);
    const rule = result.rules['signin-success']!;
    expect(rule).toMatchObject({ every: '1m', lookBack: '1m' });
    const successes = await demoSuccesses();
    expect(successes.length).toBeGreaterThan(10);
    // 1-minute runs over what was ingested in the minute before (the export has no ingestion time: as generated).
    const expectedRuns = new Map<number, number>();
    for (const t of successes) {
      const run = Math.ceil(t / 60_000) * 60_000;
      expectedRuns.set(run, (expectedRuns.get(run) ?? 0) + 1);
    }
    expect(rule.alerts.map((a) => [Date.parse(a.at), a.rows.reduce((n, r) => n + Number(r['SignIns']), 0)])).toEqual([...expectedRuns].sort(([a], [b]) => a - b));
    expect(rule.alerts.every((a) => a.rows.length === 1)).toBe(true);
    // The single run as of the newest record sees none of them: history is what finds them.
    const single = await replayJson(['--manifest', REAL_USERS, '--events', `SigninLogs=${SIGNINS}`]);
    expect(single.rules['signin-success']!.fired).toBe(false);
    expect(result.from).toBe('2020-05-20T07:06:01.7350000Z');
    expect(result.until).toBe('2020-05-20T19:51:40.1110000Z');
    expect(rule.runs).toBe((Math.ceil(Date.parse('2020-05-20T19:51:40.111Z') / 60_000) - Math.ceil(Date.parse('2020-05-20T07:06:01.735Z') / 60_000)) + 1);
  });

  it('a scheduled run that looks back further than its frequency still reports each sign-in once (it keeps only what was ingested since the last run)', async () => {
    const dir = await tempDir();
    const manifest = join(dir, 'accounts.yaml');
    const base = await readFile(REAL_USERS, 'utf8');
    await writeFile(manifest, `${base}rules:\n  signin-success:\n    kind: scheduled\n    queryFrequency: 1h\n    queryPeriod: 3h\n`);
    const result = await historyJson(['--manifest', manifest, '--events', `SigninLogs=${SIGNINS}`]);
    const rule = result.rules['signin-success']!;
    expect(rule).toMatchObject({ every: '1h', lookBack: '3h' });
    const successes = await demoSuccesses();
    const hour = 3_600_000;
    const expected = new Map<number, number>();
    for (const t of successes) expected.set(Math.ceil(t / hour) * hour, (expected.get(Math.ceil(t / hour) * hour) ?? 0) + 1);
    expect(rule.alerts.map((a) => [Date.parse(a.at), Number(a.rows[0]!['SignIns'])])).toEqual([...expected].sort(([a], [b]) => a - b));
  });

  it('runs with no records count too: a rule that fires on silence fires in them', async () => {
    const dir = await tempDir();
    const rules = join(dir, 'rules');
    await mkdir(rules);
    const template = (await readFile(join(FIXTURES, 'rules-good', 'demo-signin.yaml'), 'utf8'))
      .replace('id: demo-signin', 'id: demo-silence')
      .replace('kind: nrt', 'kind: scheduled')
      .replace('queryFrequency: 5m', 'queryFrequency: 1h')
      .replace('queryPeriod: 5m', 'queryPeriod: 1h')
      .replace('triggerOperator: gt', 'triggerOperator: eq');
    await writeFile(join(rules, 'demo-silence.yaml'), template);
    const result = await historyJson(['--manifest', REAL_USERS, '--rules', rules, '--events', `SigninLogs=${SIGNINS}`]);
    const rule = result.rules['demo-silence']!;
    const successes = await demoSuccesses();
    const hour = 3_600_000;
    const quiet = [];
    for (let at = Math.ceil(Date.parse(result.from) / hour) * hour; at <= Math.ceil(Date.parse(result.until) / hour) * hour; at += hour) {
      if (!successes.some((t) => t > at - hour && t <= at)) quiet.push(at);
    }
    expect(rule.runs).toBe(13);
    expect(quiet.length).toBeGreaterThan(5);
    expect(rule.alerts.map((a) => Date.parse(a.at))).toEqual(quiet);
  });

  it('prints each alert with its time and rows, and a closing count', async () => {
    const run = await runCli(['replay', '--manifest', REAL_USERS, '--events', `AuditLogs=${AUDIT}`, '--history']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('replay of every scheduled run from 2021-08-02T13:25:12.2460000Z to 2021-08-02T13:29:25.9830000Z over 4 AuditLogs records');
    expect(run.stdout).toMatch(/signin-success\s+3 alerts\s+5 runs, every 1m over the last 1m\n\s+2021-08-02T13:26:00.0000000Z {2}1 row/);
    expect(run.stdout).toMatch(/signin-failure\s+silent/);
    expect(run.stdout).toMatch(/1 of \d+ enabled rules would have raised 3 alerts/);
  });

});

describe('replay input', () => {
  it('reads CSV, keeps unknown columns and treats absent ones as null', async () => {
    const dir = await tempDir();
    const csv = join(dir, 'signins.csv');
    await writeFile(csv, ['TimeGenerated,UserPrincipalName,UserId,ResultType,IPAddress,LocationDetails,ExtraColumn', '2026-11-20T10:00:00Z,bg-emergency-01@contoso.onmicrosoft.com,34bbde15-5585-4333-a9d6-fd1b529ab024,0,203.0.113.9,"{""countryOrRegion"":""NL""}",x', ''].join('\r\n'));
    const result = await replayJson(['--manifest', 'examples/accounts.yaml', '--events', `SigninLogs=${csv}`]);
    expect(result.rules['signin-success']!.rows).toMatchObject([{ AccountUPN: 'bg-emergency-01@contoso.onmicrosoft.com', CountryList: 'NL', IPAddress: '203.0.113.9', AppDisplayName: '' }]);
  });

  it('names the file and the record of a value it cannot read, and replays nothing', async () => {
    const dir = await tempDir();
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify([{ TimeGenerated: '2026-11-20T10:00:00Z' }, { TimeGenerated: 'yesterday' }]));
    const run = await runCli(['replay', '--manifest', 'examples/accounts.yaml', '--events', `SigninLogs=${file}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}[1].TimeGenerated: "yesterday" is not a datetime`);
    expect(run.stdout).toBe('');
  });

  it('refuses records without TimeGenerated', async () => {
    const dir = await tempDir();
    const file = join(dir, 'no-time.json');
    await writeFile(file, JSON.stringify([{ UserPrincipalName: 'x' }]));
    const run = await runCli(['replay', '--manifest', 'examples/accounts.yaml', '--events', `SigninLogs=${file}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}[0]: the record has no TimeGenerated`);
  });

  it.each([
    [['--events', 'SignInLogs=x.json'], 'no table SignInLogs (did you mean SigninLogs?)'],
    [['--events', 'signins.json'], 'write it as Table=file'],
    [['--events', 'SigninLogs=missing.json'], 'cannot read the events file missing.json: no such file'],
    [['--events', `SigninLogs=${SIGNINS}`, '--now', 'soon'], '--now soon is not a datetime'],
    [[], 'replay needs at least one --events'],
  ])('usage errors exit 2: %j', async (extra, message) => {
    const run = await runCli(['replay', '--manifest', 'examples/accounts.yaml', ...extra]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe('breakglass test', () => {
  it('runs every case and exits 0 when all pass', async () => {
    const run = await runCli(['test', '--manifest', 'examples/accounts.yaml']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/signin-success\s+6 cases\s+inline ok\s+watchlist ok/);
    expect(run.stdout).toMatch(new RegExp(`^\\d+ passed, 0 failed, 0 skipped: ${(await builtInCatalog()).rules.length} rules`, 'm'));
  });

  it('exits 1 and shows the failing case of a user rule, with expected and actual rows', async () => {
    const dir = await tempDir();
    const rule = (await readFile(join(FIXTURES, 'rules-good', 'demo-signin.yaml'), 'utf8').catch(() => undefined)) ?? undefined;
    expect(rule, 'fixture rule').toBeDefined();
    await writeFile(
      join(dir, 'demo-signin.yaml'),
      `${rule!.trimEnd()}\ntests:\n  - name: a case that cannot hold\n    rows:\n      SigninLogs:\n        - { TimeGenerated: 2026-11-20T10:00:00Z, UserPrincipalName: nobody@contoso.com, ResultType: "0" }\n    expect:\n      fires: true\n`,
    );
    const run = await runCli(['test', '--manifest', 'examples/accounts.yaml', '--rules', dir, '--format', 'json']);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as { ok: boolean; cases: { ruleId: string; status: string; problems: string[] }[] };
    expect(json.ok).toBe(false);
    const failed = json.cases.filter((c) => c.status === 'failed');
    expect(failed.map((c) => c.ruleId)).toEqual(['demo-signin', 'demo-signin']);
    expect(failed[0]!.problems[0]).toBe('expected the rule to fire; it returned 0 rows and stayed silent');
  });
});
