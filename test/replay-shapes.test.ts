/**
 * replay reads the exports people have, each on real records (test/fixtures/real-logs/SOURCES.md):
 * every shape maps to the Log Analytics columns the rules read, and the rules fire on them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Table } from '../generator/evaluate/table.js';
import { recordsOfText, sortRecords } from '../generator/replay-input/read-records.js';
import { toLogAnalyticsRow } from '../generator/replay-input/source-records.js';
import { eventsTable } from '../generator/rule-tests/event-records.js';
import { LOG_ANALYTICS_TABLES } from '../generator/validate/kusto-schema.js';
import { FIXTURES, runCli, tempDir } from './helpers/harness.js';

const REAL = join(FIXTURES, 'real-logs');
const USERS = join(FIXTURES, 'manifests', 'real-export-users.yaml');
const file = (name: string) => join(REAL, name);
const records = async (name: string): Promise<Record<string, unknown>[]> => JSON.parse(await readFile(file(name), 'utf8')) as Record<string, unknown>[];

/** The typed rows of a file, per table, as replay reads them (no table given: each record names its own). */
async function tables(name: string, given?: string): Promise<Map<string, Table>> {
  const sorted = sortRecords(recordsOfText(await readFile(file(name), 'utf8'), name), name, given, Object.keys(LOG_ANALYTICS_TABLES));
  return new Map([...sorted.rows].map(([table, rows]) => [table, eventsTable(rows, table, LOG_ANALYTICS_TABLES, name)]));
}

/** Rows as JSON (datetimes as text), so two readings can be compared. */
const plain = (table: Table | undefined) => JSON.parse(JSON.stringify(table?.rows ?? [])) as Record<string, unknown>[];

/** Only the table's own columns: a CSV cannot say the type of a column the schema does not know. */
const schemaColumns = (table: string, rows: Record<string, unknown>[]) => {
  const names = new Set(LOG_ANALYTICS_TABLES[table]!.map((c) => c.name));
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => names.has(k))));
};

interface HistoryJson {
  records: Record<string, number>;
  shapes: Record<string, number>;
  leftOut?: Record<string, number>;
  rules: Record<string, { alerts: { at: string; rows: Record<string, unknown>[] }[] }>;
}
/** Every run of every rule over the whole export, as Sentinel would have run them (replay --history). */
async function history(args: string[]): Promise<HistoryJson> {
  const run = await runCli(['replay', '--manifest', USERS, ...args, '--history', '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as HistoryJson;
}
/** The rules that raised alerts, each with the accounts (or initiators) its alert rows name. */
const alerted = (r: HistoryJson) =>
  Object.entries(r.rules)
    .filter(([, v]) => v.alerts.length > 0)
    .map(([id, v]) => [id, [...new Set(v.alerts.flatMap((a) => a.rows.map((row) => row['AccountUPN'] ?? row['InitiatedByName'] ?? row['AccountObjectId'])))]]);
const alertRows = (r: HistoryJson, rule: string) => r.rules[rule]!.alerts.flatMap((a) => a.rows);

describe('each record maps to the Log Analytics row the rules read (real records)', () => {
  it('a diagnostic-settings sign-in: its properties become columns, the record time TimeGenerated, the error code ResultType', async () => {
    const record = (await records('sekoia_intake-formats_azure-ad_tests.AzureMonitor.json')).find((r) => r['category'] === 'SignInLogs' && (r['properties'] as Record<string, unknown>)['userPrincipalName'] === 'john.doe@example.org')!;
    const mapped = toLogAnalyticsRow(record);
    expect(mapped).toMatchObject({
      shape: 'diagnostic-settings',
      table: 'SigninLogs',
      row: { TimeGenerated: '2023-08-16T15:32:05.5772601Z', UserPrincipalName: 'john.doe@example.org', ResultType: '0', Category: 'SignInLogs', Type: 'SigninLogs', Location: 'FR', LocationDetails: { city: 'Paris', countryOrRegion: 'FR' }, OperationName: 'Sign-in activity' },
    });
  });

  it('a diagnostic-settings sign-in written with a text result and a time without a zone (Panther\'s records)', async () => {
    const record = (await records('panther_azure_signin_rules_tests.AzureMonitor.json')).find((r) => (r['properties'] as Record<string, unknown>)['userPrincipalName'] === 'gandalf@lotr.com' && r['resultType'] === 'Success')!;
    const mapped = toLogAnalyticsRow(record);
    expect(mapped).toMatchObject({ table: 'SigninLogs', row: { ResultType: '0', TimeGenerated: '2025-01-15T09:35:20.4560000Z', UserPrincipalName: 'gandalf@lotr.com' } });
  });

  it('a non-interactive diagnostic-settings sign-in goes to AADNonInteractiveUserSignInLogs', async () => {
    const record = (await records('panther_azure_signin_rules_tests.AzureMonitor.json')).find((r) => r['category'] === 'NonInteractiveUserSignInLogs')!;
    expect(toLogAnalyticsRow(record)).toMatchObject({ table: 'AADNonInteractiveUserSignInLogs', row: { Category: 'NonInteractiveUserSignInLogs', CreatedDateTime: '2026-02-18T07:32:50.5529478Z' } });
  });

  it('a diagnostic-settings audit record keeps its own category and camelCase targets', async () => {
    const record = (await records('sekoia_intake-formats_azure-ad_tests.AzureMonitor.json')).find((r) => r['operationName'] === 'Change user password')!;
    const mapped = toLogAnalyticsRow(record);
    expect(mapped).toMatchObject({ table: 'AuditLogs', row: { OperationName: 'Change user password', Category: 'UserManagement', Result: 'success', LoggedByService: 'Core Directory', Type: 'AuditLogs' } });
    const row = (mapped as { row: Record<string, unknown> }).row;
    expect((row['TargetResources'] as { type: string }[])[0]).toMatchObject({ type: 'User' });
  });

  it('a Microsoft Graph signIn: location, status and device as the sign-in tables keep them', async () => {
    const record = (await records('sekoia_intake-formats_entraid-graphapi_tests.Graph.json')).find((r) => 'createdDateTime' in r)!;
    expect(toLogAnalyticsRow(record)).toMatchObject({
      shape: 'graph-sign-in',
      table: 'SigninLogs',
      row: {
        TimeGenerated: '2023-12-01T16:03:35.0000000Z',
        IPAddress: '192.0.2.1',
        AppDisplayName: 'Graph explorer',
        ResultType: '0',
        ResultDescription: 'Test failure reason',
        Location: 'US',
        LocationDetails: { city: 'Redmond', state: 'Washington', countryOrRegion: 'US' },
        DeviceDetail: { browser: 'Edge 80.0.361' },
        ConditionalAccessPolicies: [{ displayName: 'testValue1' }, { displayName: 'testValue2' }],
      },
    });
  });

  it('a Microsoft Graph directoryAudit: the activity is the OperationName', async () => {
    const [record] = await records('sekoia_intake-formats_entraid-graphapi_tests.Graph.json');
    expect(toLogAnalyticsRow(record)).toMatchObject({
      shape: 'graph-directory-audit',
      table: 'AuditLogs',
      row: { TimeGenerated: '2018-01-09T21:20:02.7215374Z', OperationName: 'Add member to group', ActivityDisplayName: 'Add member to group', Category: 'UserManagement', InitiatedBy: { user: { userPrincipalName: 'test@test.test' } } },
    });
  });
});

describe('the same real records in every export shape read back to the same rows', () => {
  it('the Log Analytics portal CSV export ("TimeGenerated [UTC]", "5/20/2020, 6:19:04.423 PM", dynamic columns as JSON text)', async () => {
    const fromJson = await tables('msticpy_aad_logons_SigninLogs.LA.json', 'SigninLogs');
    const fromCsv = await tables('msticpy_aad_logons_SigninLogs.portal.csv');
    expect(schemaColumns('SigninLogs', plain(fromCsv.get('SigninLogs')))).toEqual(schemaColumns('SigninLogs', plain(fromJson.get('SigninLogs'))));
    expect(fromCsv.get('SigninLogs')!.rows).toHaveLength(86);
  });

  it('a storage account blob (JSON lines) and an event hub message ({ "records": [...] }) read as the records they hold', async () => {
    expect([...(await tables('sekoia_azure-ad.storage-PT1H.jsonl'))].map(([t, v]) => [t, plain(v)])).toEqual([...(await tables('sekoia_intake-formats_azure-ad_tests.AzureMonitor.json'))].map(([t, v]) => [t, plain(v)]));
    expect([...(await tables('panther_azure_signin.event-hub.json'))].map(([t, v]) => [t, plain(v)])).toEqual([...(await tables('panther_azure_signin_rules_tests.AzureMonitor.json'))].map(([t, v]) => [t, plain(v)]));
  });

  it('a Microsoft Graph response ({ "value": [...] }) reads as the objects it holds', async () => {
    expect([...(await tables('sekoia_entraid-graphapi.graph-response.json'))].map(([t, v]) => [t, plain(v)])).toEqual([...(await tables('sekoia_intake-formats_entraid-graphapi_tests.Graph.json'))].map(([t, v]) => [t, plain(v)]));
  });

  it('the Entra admin center sign-in CSV carries what the rules read of each sign-in', async () => {
    const csv = plain((await tables('entra-admin-center.sign-ins.csv', 'SigninLogs')).get('SigninLogs'));
    const source = [
      ...plain((await tables('sekoia_intake-formats_azure-ad_tests.AzureMonitor.json')).get('SigninLogs')),
      ...plain((await tables('panther_azure_signin_rules_tests.AzureMonitor.json')).get('SigninLogs')),
      ...plain((await tables('sekoia_intake-formats_entraid-graphapi_tests.Graph.json')).get('SigninLogs')),
    ];
    expect(csv).toHaveLength(source.length);
    const columns = ['UserPrincipalName', 'UserId', 'IPAddress', 'AppDisplayName', 'AppId', 'ResultType', 'ClientAppUsed', 'UserAgent', 'ConditionalAccessStatus', 'AuthenticationRequirement', 'CorrelationId'];
    const pick = (row: Record<string, unknown>) => Object.fromEntries(columns.map((c) => [c, row[c] ?? '']));
    expect(csv.map(pick)).toEqual(source.map(pick));
    // The sign-in time is the record's own (createdDateTime), to the millisecond the CSV keeps.
    expect(csv.map((r) => String(r['TimeGenerated']).slice(0, 23))).toEqual(source.map((r) => String(r['CreatedDateTime'] || r['TimeGenerated']).slice(0, 23)));
    const withPlace = csv.find((r) => (r['LocationDetails'] as { city?: string } | null)?.city === 'Bordeaux');
    expect(withPlace).toMatchObject({ Location: 'FR', LocationDetails: { city: 'Bordeaux', state: 'Gironde', countryOrRegion: 'FR' }, ResultType: '50158' });
  });

  it('the Entra admin center audit CSV carries the activity, the initiator and the targets with their changed properties', async () => {
    const csv = plain((await tables('entra-admin-center.audit.csv', 'AuditLogs')).get('AuditLogs'));
    const graph = plain((await tables('sekoia_intake-formats_entraid-graphapi_tests.Graph.json')).get('AuditLogs'));
    const pick = (row: Record<string, unknown>) => ({
      TimeGenerated: row['TimeGenerated'],
      OperationName: row['OperationName'],
      Category: row['Category'],
      Result: row['Result'],
      Initiator: (row['InitiatedBy'] as { user?: { userPrincipalName?: string | null } } | null)?.user?.userPrincipalName ?? null,
      // The download has columns for 3 targets and 5 changed properties of each.
      Targets: ((row['TargetResources'] as { id?: string | null; userPrincipalName?: string | null; modifiedProperties?: unknown[] }[] | null) ?? []).slice(0, 3).map((t) => [t.id ?? null, t.userPrincipalName ?? null, Math.min((t.modifiedProperties ?? []).length, 5)]),
    });
    expect(csv.slice(0, graph.length).map(pick)).toEqual(graph.map(pick));
  });
});

describe('replay over each shape, on real records', () => {
  it('diagnostic-settings records given as one file: each goes to its table, other logs are left out and counted', async () => {
    const result = await history(['--events', file('panther_azure_signin.event-hub.json')]);
    // Six audits carry their audit category (Policy, DirectoryManagement, ...) where the log category goes: still AuditLogs.
    expect(result.records).toEqual({ SigninLogs: 15, AuditLogs: 21, AADNonInteractiveUserSignInLogs: 3 });
    expect(result.leftOut).toEqual({ AADServicePrincipalSignInLogs: 8 });
    // Every account named is one of the manifest's: boromir's failures, denethor's and jane's uses.
    expect(alerted(result)).toEqual([
      ['signin-failure', ['boromir@lotr.com']],
      ['signin-success', ['denethor@lotr.com', 'jane.doe@example.com']],
    ]);
  });

  it('a storage account blob: the real successful sign-in of a named account fires', async () => {
    const result = await history(['--events', file('sekoia_azure-ad.storage-PT1H.jsonl')]);
    expect(result.shapes).toEqual({ 'diagnostic-settings': 25 });
    expect(alerted(result)).toEqual([['signin-success', ['john.doe@example.org']]]);
  });

  it('Microsoft Graph and the Entra admin center audit CSV raise the same alerts', async () => {
    const graph = await history(['--events', file('sekoia_entraid-graphapi.graph-response.json')]);
    const csv = await history(['--events', `AuditLogs=${file('entra-admin-center.audit.csv')}`]);
    const changes = (r: HistoryJson) => alertRows(r, 'exclusion-group-changed').map((row) => [row['InitiatedByName'], row['OperationList'], row['MemberList']]);
    // Microsoft Graph's own directoryAudit example files 'Add member to group' (into the group this manifest calls the
    // exclusion group, by test@test.test) under UserManagement: exclusion-group-changed reads it.
    expect(alerted(graph)).toEqual([
      ['exclusion-group-changed', ['test@test.test', 'testValue1']],
      ['signin-success', ['test@test.test']],
    ]);
    expect(changes(graph).length).toBeGreaterThan(0);
    // The download holds the Graph response's records first, then records of the other exports (denethor's among them).
    expect(alerted(csv).find(([id]) => id === 'exclusion-group-changed')).toEqual(alerted(graph).find(([id]) => id === 'exclusion-group-changed'));
    expect(changes(csv)).toEqual(changes(graph));
    expect(alerted(csv).find(([id]) => id === 'signin-success')![1]).toEqual(expect.arrayContaining(['test@test.test']));
    // The account itself changing the directory is a use of it.
    const initiated = await history(['--events', file('sekoia_intake-formats_entraid-graphapi_tests.Graph.json')]);
    expect(alerted(initiated)).toContainEqual(['signin-success', ['test@test.test']]);
  });

  it('the Entra admin center sign-in CSV: a real failed sign-in fires with its reason', async () => {
    const result = await history(['--events', `SigninLogs=${file('entra-admin-center.sign-ins.csv')}`]);
    expect(alerted(result)).toEqual([
      ['signin-failure', ['boromir@lotr.com']],
      ['signin-success', ['john.doe@example.org']],
    ]);
    expect(alertRows(result, 'signin-failure')[0]).toMatchObject({ AccountUPN: 'boromir@lotr.com', ResultCodeList: '50053', CountryList: 'RU', ApplicationList: 'Microsoft Office' });
  });

  it('the Log Analytics portal CSV replays like the rows it was exported from', async () => {
    const args = (events: string) => ['--manifest', join(FIXTURES, 'manifests', 'real-log-users.yaml'), '--events', events, '--now', '2020-05-20T15:26:30Z', '--format', 'json'];
    const fromCsv = await runCli(['replay', ...args(file('msticpy_aad_logons_SigninLogs.portal.csv'))]);
    const fromJson = await runCli(['replay', ...args(`SigninLogs=${file('msticpy_aad_logons_SigninLogs.LA.json')}`)]);
    const rules = (out: string) => (JSON.parse(out) as { rules: Record<string, { fired: boolean; rows: unknown[] }> }).rules;
    expect(rules(fromCsv.stdout)).toEqual(rules(fromJson.stdout));
    expect(rules(fromCsv.stdout)['signin-success']!.fired).toBe(true);
  });
});

describe('records of another table are refused, naming the table they belong to', () => {
  it.each([
    [`AuditLogs=${file('msticpy_aad_logons_SigninLogs.LA.json')}`, `msticpy_aad_logons_SigninLogs.LA.json[0] is a SigninLogs record (Log Analytics rows), given as --events AuditLogs=`, 'give the file as --events SigninLogs='],
    [`SigninLogs=${file('otrf_goldensaml_AADAuditEvents.LA.json')}`, 'otrf_goldensaml_AADAuditEvents.LA.json[0] is a AuditLogs record', 'give the file as --events AuditLogs='],
    [`AuditLogs=${file('sekoia_intake-formats_entraid-graphapi_tests.Graph.json')}`, 'Graph.json[78] is a SigninLogs record (Microsoft Graph signIn objects', 'give the file as --events SigninLogs='],
    [`AuditLogs=${file('entra-admin-center.sign-ins.csv')}`, 'entra-admin-center.sign-ins.csv[0] is a sign-in record (Entra admin center sign-in CSV download)', '--events SigninLogs='],
    [`SigninLogs=${file('sekoia_azure-ad.storage-PT1H.jsonl')}`, 'storage-PT1H.jsonl[0] is a AuditLogs record (diagnostic-settings records', 'give the file as --events AuditLogs='],
  ])('%s', async (events, message, hint) => {
    const run = await runCli(['replay', '--manifest', USERS, '--events', events]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain(hint);
    expect(run.stdout).toBe('');
  });

  it('a portal CSV exported in local time is refused: its times cannot be read without the offset', async () => {
    const dir = await tempDir();
    const csv = join(dir, 'local.csv');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(csv, 'TimeGenerated [Local Time],UserPrincipalName\r\n"5/20/2020, 6:19:04.423 PM",x@contoso.com\r\n');
    const run = await runCli(['replay', '--manifest', USERS, '--events', `SigninLogs=${csv}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${csv}[0]: the column TimeGenerated [Local Time] is not in UTC: set the Log Analytics portal's time display to UTC before exporting`);
  });
});
