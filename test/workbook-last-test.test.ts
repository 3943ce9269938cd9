import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileQuery } from '../generator/evaluate/evaluate-query.js';
import { tableFromRecords } from '../generator/evaluate/input-rows.js';
import type { Table } from '../generator/evaluate/table.js';
import { parseManifest } from '../generator/manifest/parse-manifest.js';
import type { Manifest } from '../generator/manifest/types.js';
import { resultRows } from '../generator/rule-tests/rule-cases.js';
import { watchlistTables } from '../generator/rule-tests/watchlist-tables.js';
import { LOG_ANALYTICS_TABLES } from '../generator/validate/kusto-schema.js';
import { renderWorkbook, substituteWorkbookParameters, workbookContext } from '../generator/workbook/render-workbook.js';
import { FLAGGED_STATUSES } from '../generator/workbook/workbook-template.js';
import { builtInCatalog, builtInWorkbook, FIXTURES, sharedGlobals } from './helpers/harness.js';

// The workbook's "last test" table over rows whose answer is known: three accounts (other-tenant.yaml).
let manifest: Manifest;
let query: string;
beforeAll(async () => {
  const catalog = await builtInCatalog();
  const path = join(FIXTURES, 'manifests', 'other-tenant.yaml');
  manifest = parseManifest(await readFile(path, 'utf8'), path, catalog.rules.map((r) => r.template.id)).manifest!;
  const workbook = await builtInWorkbook();
  const rendered = renderWorkbook(workbook as Parameters<typeof renderWorkbook>[0], catalog, 'inline', workbookContext(manifest, []));
  query = substituteWorkbookParameters(rendered.queries.find((q) => q.item.name === 'last-signin')!.query.text).text;
});

function rows(table: string, records: Record<string, unknown>[]): [string, Table] {
  return [table, tableFromRecords(records, LOG_ANALYTICS_TABLES[table]!, table)];
}

describe('workbook: last test per account', () => {
  it('counts only an interactive successful sign-in as a test, in elapsed days, and puts never-tested accounts first, flagged', () => {
    const account = (i: number) => ({ UserId: manifest.accounts[i]!.objectId.toLowerCase(), UserPrincipalName: manifest.accounts[i]!.userPrincipalName });
    const [first, second, third] = [account(0), account(1), account(2)];
    const now = Date.parse('2026-11-20T00:01:00Z');
    const tables = new Map([
      rows('SigninLogs', [
        // Two minutes ago, across midnight: yesterday by the calendar, but not a day ago.
        { TimeGenerated: '2026-11-19T23:59:00Z', ...first, ResultType: '0', IPAddress: '203.0.113.24', AppDisplayName: 'Azure Portal' },
        // 120 days ago: overdue against the 90-day interval.
        { TimeGenerated: '2026-07-23T12:00:00Z', ...second, ResultType: '0', IPAddress: '203.0.113.25', AppDisplayName: 'Azure Portal' },
        // A failed try is no test.
        { TimeGenerated: '2026-11-19T10:00:00Z', ...third, ResultType: '50126', IPAddress: '192.0.2.99' },
      ]),
      // A token refresh is no test either, however recent.
      rows('AADNonInteractiveUserSignInLogs', [{ TimeGenerated: '2026-11-19T23:00:00Z', ...third, ResultType: '0', IPAddress: '203.0.113.26', Status: '{"errorCode":0}' }]),
    ]);
    const result = resultRows(compileQuery(query, sharedGlobals()).run({ tables, watchlists: watchlistTables(manifest), now }));
    expect(result.rows.map((r) => [r['Account'], r['Status'], r['DaysSince'], r['LastTokenRefresh'] === null ? null : String(r['LastTokenRefresh'])])).toEqual([
      [third.UserPrincipalName.toLowerCase(), 'Never tested', null, '2026-11-19T23:00:00.0000000Z'],
      [second.UserPrincipalName.toLowerCase(), 'Test overdue', 119, null],
      [first.UserPrincipalName.toLowerCase(), 'Tested', 0, null],
    ]);
    expect(FLAGGED_STATUSES).toEqual(['Never tested', 'Test overdue']);
  });
});
