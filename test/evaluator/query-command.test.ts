import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../helpers/harness.js';

// `breakglass query FILE.kql`: the engine from the command line, over exported records, with no manifest.
const SIGNINS = join(FIXTURES, 'real-logs', 'msticpy_aad_logons_SigninLogs.LA.json');

async function queryFile(text: string): Promise<string> {
  const dir = await tempDir();
  const file = join(dir, 'query.kql');
  await writeFile(file, text);
  return file;
}

describe('breakglass query', () => {
  it('prints the result table of a query over the records, as of the newest record', async () => {
    const file = await queryFile('SigninLogs | summarize SignIns = count() by UserPrincipalName | order by SignIns desc | take 2');
    const run = await runCli(['query', file, '--events', `SigninLogs=${SIGNINS}`]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const raw = JSON.parse(await readFile(SIGNINS, 'utf8')) as { UserPrincipalName: string; TimeGenerated: string }[];
    const counts = new Map<string, number>();
    for (const r of raw) counts.set(r.UserPrincipalName, (counts.get(r.UserPrincipalName) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^UserPrincipalName\s+SignIns$/);
    expect(lines[2]).toMatch(new RegExp(`^${top[0].replace(/[.]/g, '\\.')}\\s+${top[1]}$`));
    expect(lines.at(-1)).toBe('2 rows (now = 2020-05-20T19:51:40.1110000Z)');
  });

  it('gives JSON with --format json, and takes --now', async () => {
    const file = await queryFile('SigninLogs | where TimeGenerated > ago(1h) | count');
    const run = await runCli(['query', file, '--events', `SigninLogs=${SIGNINS}`, '--now', '2020-05-20T12:00:00Z', '--format', 'json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { now: string; columns: unknown[]; rows: unknown[][] };
    const raw = JSON.parse(await readFile(SIGNINS, 'utf8')) as { TimeGenerated: string }[];
    // ago(1h) as of 12:00: the records after 11:00 (the export runs until 19:51).
    const after = raw.filter((r) => Date.parse(`${r.TimeGenerated}Z`) > Date.parse('2020-05-20T11:00:00Z')).length;
    expect(after).toBeLessThan(raw.length);
    expect(result).toEqual({ now: '2020-05-20T12:00:00Z', columns: [{ name: 'Count', type: 'long' }], rows: [[after]] });
  });

  it('fails with exit 1 naming what the engine does not support, and with Kusto\'s diagnostic for an invalid query', async () => {
    const unsupported = await runCli(['query', await queryFile('print s = series_decompose_anomalies(dynamic([1,2,3]))')]);
    expect(unsupported.code).toBe(1);
    expect(unsupported.stderr).toMatch(/cannot run this query: series_decompose_anomalies\(\)/);
    const invalid = await runCli(['query', await queryFile('SigninLogs | where NoSuchColumn == 1'), '--format', 'json']);
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.stdout)).toMatchObject({ error: { code: 'invalid', diagnostics: [{ line: 1, column: 20 }] } });
  });

  it('is a usage error without a query file or with a table the schema does not know', async () => {
    expect((await runCli(['query'])).code).toBe(2);
    const unknown = await runCli(['query', await queryFile('print 1'), '--events', 'SignInLogs=x.json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/did you mean SigninLogs/);
  });
});
