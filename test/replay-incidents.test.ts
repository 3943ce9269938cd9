import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../generator/catalog/rule-template.js';
import { parseManifest } from '../generator/manifest/parse-manifest.js';
import type { Manifest } from '../generator/manifest/types.js';
import { NOTIFY_AGAIN_AFTER_MINUTES } from '../generator/playbook/notification-policy.js';
import { renderRulesWith } from '../generator/render/render-rules.js';
import type { RenderedRule } from '../generator/render/sentinel-rule.js';
import { modelAlerts } from '../generator/rule-tests/alert-model.js';
import { MAX_ALERTS_PER_INCIDENT, modelIncidents } from '../generator/rule-tests/incident-model.js';
import type { RuleHistory } from '../generator/rule-tests/replay-history.js';
import { builtInCatalog, EXAMPLE_MANIFEST, FIXTURES, runCli, tempDir } from './helpers/harness.js';

const REAL = join(FIXTURES, 'real-logs');
const SIGNINS = join(REAL, 'msticpy_aad_logons_SigninLogs.LA.json');
const AUDIT = join(REAL, 'otrf_goldensaml_AADAuditEvents.LA.json');
const REAL_USERS = join(FIXTURES, 'manifests', 'real-log-users.yaml');

const BG = { id: '34bbde15-5585-4333-a9d6-fd1b529ab024', upn: 'bg-emergency-01@contoso.onmicrosoft.com' };
const BG2 = { id: '2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45', upn: 'bg-emergency-02@contoso.onmicrosoft.com' };

interface ModelJson {
  notificationsPerUse: number | null;
  totals: Record<string, { alerts: number; incidents: number; notifications: number }>;
  accounts: { account: string; uses: number; alerts: number; incidents: number; notifications: number }[];
  incidents: { number: number; rule: string; created: string; title: string; accounts: string[]; alerts: { at: string }[]; notifications: string[] }[];
  rules: Record<string, { runs: number; alerts: { at: string; rows: Record<string, unknown>[] }[] }>;
}

async function history(args: string[]): Promise<ModelJson> {
  const run = await runCli(['replay', ...args, '--history', '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as ModelJson;
}

async function exportFile(name: string, records: object[]): Promise<string> {
  const file = join(await tempDir(), name);
  await writeFile(file, JSON.stringify(records));
  return file;
}

const signIn = (time: string, resultType: string, extra: Record<string, unknown> = {}) => ({
  TimeGenerated: time,
  UserId: BG.id,
  UserPrincipalName: BG.upn,
  ResultType: resultType,
  IPAddress: '203.0.113.24',
  AppDisplayName: 'Azure Portal',
  ...extra,
});

describe('replay --history over the real records: one notification per use of an account', () => {
  it('gives each use of an account (its sign-ins, its changes) one incident and one notification', async () => {
    const result = await history(['--manifest', REAL_USERS, '--events', `SigninLogs=${SIGNINS}`, '--events', `AuditLogs=${AUDIT}`]);
    expect(result.notificationsPerUse).toBe(1);
    expect(result.totals['signin-success']).toEqual({ alerts: 5, incidents: 2, notifications: 2 });
    expect(result.totals['signin-failure']).toEqual({ alerts: 0, incidents: 0, notifications: 0 });
    expect(result.accounts).toEqual([
      // demo@seccxp.ninja: 11 successful sign-ins from 15:21 to 15:26 (two NRT runs of the use rule).
      { account: 'demo@seccxp.ninja', objectId: '0872937f-1d3c-4426-9d4d-8a1f1cd23a4b', uses: 1, alerts: 2, incidents: 1, notifications: 1 },
      // pgustavo@simulandlabs.com: 4 directory changes it made within four minutes.
      { account: 'pgustavo@simulandlabs.com', objectId: 'aead923d-498b-4f64-a66c-2af91447a8b6', uses: 1, alerts: 3, incidents: 1, notifications: 1 },
    ]);
    expect(result.incidents.map((i) => [i.rule, i.title, i.alerts.length, i.notifications.length])).toEqual([
      ['signin-success', 'Break-glass account demo@seccxp.ninja signed in from 73.35.204.105', 2, 1],
      ['signin-success', 'Break-glass account pgustavo@simulandlabs.com made 1 directory change', 3, 1],
    ]);
  });

  it('says so in the text report', async () => {
    const run = await runCli(['replay', '--manifest', REAL_USERS, '--events', `SigninLogs=${SIGNINS}`, '--events', `AuditLogs=${AUDIT}`, '--history']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/signin-success\s+5 alerts, 2 incidents, 2 notifications/);
    expect(run.stdout).toMatch(/demo@seccxp\.ninja\s+1 use, 2 alerts, 1 incident, 1 notification/);
    expect(run.stdout).toContain('notifications per use of an account: 1.00 (2 notifications for 2 uses; the goal is 1)');
  });
});

describe('a routine test and an attack', () => {
  it('a routine test sign-in (MFA prompt, Keep me signed in, success, then token refreshes for ten minutes) pages exactly once', async () => {
    const signins = await exportFile('signins.json', [
      signIn('2026-11-20T09:00:03Z', '50074', { Status: { errorCode: 50074, failureReason: 'Strong Authentication is required.' } }),
      signIn('2026-11-20T09:00:21Z', '50140', { Status: { errorCode: 50140 } }),
      signIn('2026-11-20T09:00:24Z', '0', { AuthenticationRequirement: 'multiFactorAuthentication' }),
    ]);
    const refreshes = await exportFile('refreshes.json', [
      signIn('2026-11-20T09:00:30Z', '0', { AppDisplayName: 'Microsoft Graph', Status: '{"errorCode":0}' }),
      signIn('2026-11-20T09:04:10Z', '0', { AppDisplayName: 'Azure Resource Manager', Status: '{"errorCode":0}' }),
      signIn('2026-11-20T09:09:55Z', '0', { AppDisplayName: 'Microsoft Graph', Status: '{"errorCode":0}' }),
    ]);
    const result = await history(['--manifest', EXAMPLE_MANIFEST, '--events', `SigninLogs=${signins}`, '--events', `AADNonInteractiveUserSignInLogs=${refreshes}`, '--now', '2026-11-20T09:30:00Z']);
    const notifications = result.incidents.flatMap((i) => i.notifications);
    expect(notifications).toEqual(['2026-11-20T09:01:00.0000000Z']);
    expect(result.incidents.map((i) => i.rule)).toEqual(['signin-success']);
    expect(result.incidents[0]!.alerts.length).toBeGreaterThan(1);
    expect(result.rules['signin-failure']!.alerts).toEqual([]);
    expect(result.rules['signin-interrupted']!.alerts).toEqual([]);
    expect(result.notificationsPerUse).toBe(1);
  });

  it(`a password spray against the account pages at once, and again every ${NOTIFY_AGAIN_AFTER_MINUTES} minutes while it goes on`, async () => {
    // Forty minutes of wrong passwords from rotating addresses, one every 50 seconds.
    const attempts = Array.from({ length: 48 }, (_, i) =>
      signIn(new Date(Date.parse('2026-11-20T02:00:00Z') + i * 50_000).toISOString(), '50126', {
        IPAddress: `185.220.101.${(i % 7) + 1}`,
        AppDisplayName: 'Azure Active Directory PowerShell',
        Status: { errorCode: 50126, failureReason: 'Invalid username or password or Invalid on-premise username or password.' },
      }),
    );
    const result = await history(['--manifest', EXAMPLE_MANIFEST, '--events', `SigninLogs=${await exportFile('spray.json', attempts)}`]);
    const spray = result.incidents.filter((i) => i.rule === 'signin-failure');
    expect(spray).toHaveLength(1);
    expect(spray[0]!.notifications).toEqual(['2026-11-20T02:00:00.0000000Z', '2026-11-20T02:15:00.0000000Z', '2026-11-20T02:30:00.0000000Z']);
    expect(spray[0]!.title).toMatch(/^Failed sign-in to break-glass account bg-emergency-01@contoso\.onmicrosoft\.com from 185\.220\.101\./);
    expect(result.incidents.filter((i) => i.rule !== 'signin-failure')).toEqual([]);
  });

  it('the password found, the MFA prompt never answered: signin-interrupted pages ten minutes later', async () => {
    const signins = await exportFile('signins.json', [signIn('2026-11-20T03:00:03Z', '50074', { IPAddress: '185.220.101.4', Status: { errorCode: 50074 } })]);
    const result = await history(['--manifest', EXAMPLE_MANIFEST, '--events', `SigninLogs=${signins}`, '--now', '2026-11-20T03:30:00Z']);
    expect(result.incidents.map((i) => [i.rule, i.created, i.notifications.length])).toEqual([['signin-interrupted', '2026-11-20T03:15:00.0000000Z', 1]]);
  });
});

describe('a record that reaches the workspace late', () => {
  // A successful sign-in at 10:00 that Log Analytics ingested at 10:41:30 (the export's IngestionTime column).
  const late = [signIn('2026-11-20T10:00:00Z', '0', { IngestionTime: '2026-11-20T10:41:30Z' })];

  async function manifestWith(rules: string): Promise<string> {
    const file = join(await tempDir(), 'accounts.yaml');
    await writeFile(file, (await readFile(EXAMPLE_MANIFEST, 'utf8')).replace('rules:\n', `rules:\n${rules}`));
    return file;
  }

  it('is caught exactly once by the scheduled variant, in the first run after it was ingested', async () => {
    const manifest = await manifestWith('  signin-success:\n    kind: scheduled\n');
    const result = await history(['--manifest', manifest, '--events', `SigninLogs=${await exportFile('late.json', late)}`, '--now', '2026-11-20T11:30:00Z']);
    const rule = result.rules['signin-success']!;
    expect(rule.alerts.map((a) => [a.at, a.rows.length, a.rows[0]!['FirstSeen']])).toEqual([['2026-11-20T10:45:00.0000000Z', 1, '2026-11-20T10:00:00.0000000Z']]);
    expect(result.incidents.flatMap((i) => i.notifications)).toEqual(['2026-11-20T10:45:00.0000000Z']);
  });

  it('is caught exactly once by the near-real-time rule, in the minute it was ingested', async () => {
    const result = await history(['--manifest', EXAMPLE_MANIFEST, '--events', `SigninLogs=${await exportFile('late.json', late)}`, '--now', '2026-11-20T11:30:00Z']);
    expect(result.rules['signin-success']!.alerts.map((a) => a.at)).toEqual(['2026-11-20T10:42:00.0000000Z']);
  });

  it('is missed by a scheduled rule that looks back only as far as it runs (why the variant looks back an hour)', async () => {
    const manifest = await manifestWith('  signin-success:\n    kind: scheduled\n    queryFrequency: 5m\n    queryPeriod: 5m\n');
    const result = await history(['--manifest', manifest, '--events', `SigninLogs=${await exportFile('late.json', late)}`, '--now', '2026-11-20T11:30:00Z']);
    expect(result.rules['signin-success']!.alerts).toEqual([]);
  });

  it('refuses an ingestion time that is not a datetime, naming the record', async () => {
    const file = await exportFile('bad.json', [signIn('2026-11-20T10:00:00Z', '0', { IngestionTime: 'later' })]);
    const run = await runCli(['replay', '--manifest', EXAMPLE_MANIFEST, '--events', `SigninLogs=${file}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}[0].IngestionTime: "later" is not a datetime`);
  });
});

describe('the incident model', () => {
  let catalog: Catalog;
  let manifest: Manifest;
  let rules: RenderedRule[];
  beforeAll(async () => {
    catalog = await builtInCatalog();
    manifest = parseManifest(await readFile(EXAMPLE_MANIFEST, 'utf8'), EXAMPLE_MANIFEST, catalog.rules.map((r) => r.template.id)).manifest!;
    rules = renderRulesWith(manifest, catalog, 'inline').rules;
  });

  const useRow = (account: { id: string; upn: string }, ip = '203.0.113.24') => ({ AccountObjectId: account.id, AccountUPN: account.upn, AccountName: account.upn.split('@')[0], AccountUPNSuffix: account.upn.split('@')[1], IPAddress: ip, Activity: `signed in from ${ip}` });
  const runsOf = (ruleId: string, runs: [number, Record<string, unknown>[]][]): RuleHistory => ({
    ruleId,
    kind: 'nrt',
    frequencyMs: 60_000,
    periodMs: 60_000,
    by: 'ingestion',
    runs: runs.length,
    alerts: runs.map(([at, rows]) => ({ at, result: { columns: Object.keys(rows[0] ?? {}), rows } })),
  });
  const minute = (n: number) => Date.parse('2026-11-20T10:00:00Z') + n * 60_000;

  it('keeps the two accounts apart: alerts that name different Account entities never share an incident', () => {
    const rule = rules.find((r) => r.id === 'signin-success')!;
    const alerts = modelAlerts(rule, runsOf('signin-success', [[minute(1), [useRow(BG), useRow(BG2)]], [minute(2), [useRow(BG)]]]));
    expect(alerts).toHaveLength(3);
    const incidents = modelIncidents(rules, alerts);
    expect(incidents.map((i) => [i.alerts.length, i.notifications.length])).toEqual([[2, 1], [1, 1]]);
  });

  it('opens a new incident once the first one is older than the grouping window (24 hours)', () => {
    const rule = rules.find((r) => r.id === 'signin-success')!;
    const alerts = modelAlerts(rule, runsOf('signin-success', [[minute(0), [useRow(BG)]], [minute(60 * 23), [useRow(BG)]], [minute(60 * 25), [useRow(BG)]]]));
    expect(modelIncidents(rules, alerts).map((i) => [new Date(i.createdAt).toISOString(), i.alerts.length, i.notifications.length])).toEqual([
      ['2026-11-20T10:00:00.000Z', 2, 2],
      ['2026-11-21T11:00:00.000Z', 1, 1],
    ]);
  });

  it(`holds at most ${MAX_ALERTS_PER_INCIDENT} alerts in an incident, as Sentinel does`, () => {
    const rule = rules.find((r) => r.id === 'signin-success')!;
    const runs: [number, Record<string, unknown>[]][] = Array.from({ length: MAX_ALERTS_PER_INCIDENT + 1 }, (_, i) => [minute(i), [useRow(BG)]]);
    const incidents = modelIncidents(rules, modelAlerts(rule, runsOf('signin-success', runs)));
    expect(incidents.map((i) => i.alerts.length)).toEqual([MAX_ALERTS_PER_INCIDENT, 1]);
  });

  it('raises one alert per row up to 30 for a near-real-time rule, the 30th summing up the whole run', () => {
    const rule = rules.find((r) => r.id === 'signin-success')!;
    const rows = Array.from({ length: 35 }, (_, i) => useRow({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, upn: `user${i}@contoso.com` }));
    const alerts = modelAlerts(rule, runsOf('signin-success', [[minute(0), rows]]));
    expect(alerts).toHaveLength(30);
    expect(alerts[29]!.rows).toHaveLength(35);
    expect(alerts[0]!.title).toBe('Break-glass account user0@contoso.com signed in from 203.0.113.24');
  });
});
