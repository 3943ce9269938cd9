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

  it('prints what an analyst needs without --format json: when, the alert title, who, what and to what', async () => {
    const run = await runCli(['replay', '--manifest', REAL_USERS, '--events', `AuditLogs=${AUDIT}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('replay as of 2021-08-02 13:29:25.983 UTC over 4 AuditLogs records (Log Analytics rows)');
    // The use rule reports what the account did in its last run: the alert's title, then who, what and to what.
    expect(run.stdout).toMatch(/signin-success\s+fires, 1 row {2}2 SigninLogs or AADNonInteractiveUserSignInLogs or AuditLogs records ingested in its last run/);
    expect(run.stdout).toContain('      Break-glass account pgustavo@simulandlabs.com made 2 directory changes\n');
    expect(run.stdout).toMatch(/ {8}account pgustavo@simulandlabs.com · change Update application – Certificates and secrets management\s+· target SimuLandApp\n/);
    expect(run.stdout).toMatch(/1 of 13 enabled rules fire/);
  });

  it('shows a failed sign-in with its country, app and failure reason', async () => {
    const raw = JSON.parse(await readFile(SIGNINS, 'utf8')) as { TimeGenerated: string; UserPrincipalName: string; ResultType: string; IPAddress: string; AppDisplayName: string; Location: string; ResultDescription: string }[];
    // The only real failures of the export are meganb's: name her as the account.
    const failure = raw.find((r) => r.ResultType !== '0')!;
    const dir = await tempDir();
    await writeFile(join(dir, 'accounts.yaml'), (await readFile(REAL_USERS, 'utf8')).replace('demo@seccxp.ninja', failure.UserPrincipalName));
    const run = await runCli(['replay', '--manifest', join(dir, 'accounts.yaml'), '--events', `SigninLogs=${SIGNINS}`, '--now', `${failure.TimeGenerated}Z`]);
    expect(run.stdout).toMatch(/signin-failure\s+fires/);
    expect(run.stdout).toContain(`Failed sign-in to break-glass account ${failure.UserPrincipalName} from ${failure.IPAddress}`);
    expect(run.stdout).toContain(`account ${failure.UserPrincipalName} · from ${failure.IPAddress} (${failure.Location}`);
    expect(run.stdout).toContain(`· app ${failure.AppDisplayName} · result ${failure.ResultType} ${failure.ResultDescription}`);
  });

  it("counts in a rule's look-back window only the records of the tables it reads", async () => {
    const result = await replayJson(['--manifest', REAL_USERS, '--events', `SigninLogs=${SIGNINS}`, '--events', `AuditLogs=${AUDIT}`, '--now', '2021-08-02T13:30:00Z']);
    // At 13:30 the NRT rules see what was ingested in the minute before: 2 of the 4 audit records.
    expect(result.rules['account-updated']).toMatchObject({ recordsInWindow: 2, tables: ['AuditLogs'] });
    expect(result.rules['signin-failure']).toMatchObject({ recordsInWindow: 0, tables: ['SigninLogs', 'AADNonInteractiveUserSignInLogs'] });
    expect(result.rules['signin-success']).toMatchObject({ recordsInWindow: 2, tables: ['SigninLogs', 'AADNonInteractiveUserSignInLogs', 'AuditLogs'] });
  });

  it('says when newer records of one table move the clock past every record of another, and suggests --history', async () => {
    const run = await runCli(['replay', '--manifest', REAL_USERS, '--events', `SigninLogs=${SIGNINS}`, '--events', `AuditLogs=${AUDIT}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'note: no rule saw the 86 SigninLogs records (2020-05-20 07:06:01.735 UTC to 2020-05-20 19:51:40.111 UTC): newer records of another table set the clock to 2021-08-02 13:29:25.983 UTC, and the rules that read SigninLogs look back 1h. Add --history to run every rule on its schedule over the whole span, or set --now.',
    );
    const json = JSON.parse((await runCli(['replay', '--manifest', REAL_USERS, '--events', `SigninLogs=${SIGNINS}`, '--events', `AuditLogs=${AUDIT}`, '--format', 'json'])).stdout) as { unseen: unknown[] };
    expect(json.unseen).toEqual([{ table: 'SigninLogs', records: 86, oldest: '2020-05-20T07:06:01.7350000Z', newest: '2020-05-20T19:51:40.1110000Z', lookBack: '1h' }]);
    // With both tables in view, nothing is said.
    const history = await runCli(['replay', '--manifest', REAL_USERS, '--events', `AuditLogs=${AUDIT}`]);
    expect(history.stdout).not.toContain('note:');
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
    expect(run.stdout).toContain('replay of every scheduled run from 2021-08-02 13:25:12.246 UTC to 2021-08-02 13:29:25.983 UTC over 4 AuditLogs records (Log Analytics rows)');
    expect(run.stdout).toMatch(/signin-success\s+3 alerts\s+5 runs, every 1m over the last 1m\n\s+run at 2021-08-02 13:26:00 UTC: 1 row\n\s+Break-glass account pgustavo@simulandlabs.com made 1 directory change\n\s+account pgustavo@simulandlabs.com · change Update application · target SimuLandApp\n/);
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
    [['--events', 'SigninLogs='], 'write it as Table=file'],
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
    // signin-success's own cases, counted from its file: a new case must not break this test.
    const cases = (await builtInCatalog()).rules.find((r) => r.template.id === 'signin-success')!.template.tests!.length;
    expect(run.stdout).toMatch(new RegExp(`signin-success\\s+${cases} cases\\s+inline ok\\s+watchlist ok`));
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
