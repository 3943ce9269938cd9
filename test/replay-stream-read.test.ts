/**
 * replay reads exports as they stream from disk, record by record: every shape it reads whole
 * (recordsOfText) reads to the same typed rows when streamed, however the text is cut into pieces,
 * and every record it cannot read stops the replay with the file, the record and its line named.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportRows, keptColumns } from '../generator/cli/replay-stream.js';
import type { Row } from '../generator/evaluate/table.js';
import type { Manifest } from '../generator/manifest/types.js';
import { parseManifest } from '../generator/manifest/parse-manifest.js';
import { renderRulesWith } from '../generator/render/render-rules.js';
import { CsvRecordScanner } from '../generator/replay-input/csv-records.js';
import { JsonRecordScanner, MAX_NESTING } from '../generator/replay-input/json-records.js';
import { recordsOfText, sortRecords } from '../generator/replay-input/read-records.js';
import { eventsTable } from '../generator/rule-tests/event-records.js';
import { attachIngestionTimes } from '../generator/rule-tests/ingestion-time.js';
import { replayPlan, type ReplayPlan } from '../generator/rule-tests/replay-plan.js';
import { StreamRowTyper } from '../generator/rule-tests/stream-rows.js';
import { LOG_ANALYTICS_TABLES } from '../generator/validate/kusto-schema.js';
import { builtInCatalog, EXAMPLE_MANIFEST, FIXTURES, runCli, sharedGlobals, tempDir } from './helpers/harness.js';

const REAL = join(FIXTURES, 'real-logs');
const OURS = Object.keys(LOG_ANALYTICS_TABLES);

/** Keeps every column of every table: streaming must then give the whole-file reader's rows exactly. */
const EVERY_COLUMN: ReplayPlan = { rules: [], tables: new Map(OURS.map((table) => [table, {}])) };

let manifest: Manifest;
beforeAll(async () => {
  const catalog = await builtInCatalog();
  manifest = parseManifest(await readFile(EXAMPLE_MANIFEST, 'utf8'), EXAMPLE_MANIFEST, catalog.rules.map((r) => r.template.id)).manifest!;
});

/** Rows as JSON (datetimes as text, the hidden ingestion time included), so two readings compare. */
const plain = (rows: readonly Row[]) => JSON.parse(JSON.stringify(rows)) as unknown[];

/** The current whole-file path: the text parsed whole, sorted into tables, typed, ingestion times attached. */
function wholeFile(text: string, name: string, given?: string): Map<string, unknown[]> {
  const sorted = sortRecords(recordsOfText(text, name), name, given, OURS);
  return new Map(
    [...sorted.rows].map(([table, records]) => {
      const typed = eventsTable(records, table, LOG_ANALYTICS_TABLES, name);
      attachIngestionTimes(typed, name);
      return [table, plain(typed.rows)];
    }),
  );
}

/** The streaming path replay uses, text read `chunkBytes` characters at a time. */
async function streamed(path: string, name: string, given: string | undefined, plan: ReplayPlan, chunkBytes?: number): Promise<Map<string, unknown[]>> {
  const typer = new StreamRowTyper(plan, manifest, LOG_ANALYTICS_TABLES);
  const tables = new Map<string, Row[]>();
  for await (const batch of exportRows(path, { file: name, ...(given ? { table: given } : {}) }, 0, typer, LOG_ANALYTICS_TABLES, chunkBytes ? { chunkBytes } : {})) {
    for (const row of batch) {
      if (!row.row) continue;
      const list = tables.get(row.table) ?? [];
      list.push(row.row);
      tables.set(row.table, list);
    }
  }
  return new Map([...tables].map(([table, rows]) => [table, plain(rows)]));
}

/** Every export shape replay reads, with the table given on the command line where the shape needs one. */
const SHAPES: [file: string, given?: string][] = [
  ['msticpy_aad_logons_SigninLogs.LA.json', 'SigninLogs'],
  ['otrf_goldensaml_AADAuditEvents.LA.json', 'AuditLogs'],
  ['msticpy_aad_logons_SigninLogs.portal.csv'],
  ['sekoia_intake-formats_azure-ad_tests.AzureMonitor.json'],
  ['panther_azure_signin_rules_tests.AzureMonitor.json'],
  ['panther_azure_signin.event-hub.json'],
  ['sekoia_azure-ad.storage-PT1H.jsonl'],
  ['sekoia_intake-formats_entraid-graphapi_tests.Graph.json'],
  ['sekoia_entraid-graphapi.graph-response.json'],
  ['entra-admin-center.sign-ins.csv', 'SigninLogs'],
  ['entra-admin-center.audit.csv', 'AuditLogs'],
];

/** Exports of the same real rows in the layouts no fixture holds: a Log Analytics API response, JSON lines of rows, pretty-printed, with a BOM. */
async function derivedExports(): Promise<[path: string, given?: string][]> {
  const dir = await tempDir();
  const rows = JSON.parse(await readFile(join(REAL, 'msticpy_aad_logons_SigninLogs.LA.json'), 'utf8')) as Record<string, unknown>[];
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const files: [string, string, string?][] = [
    ['api-response.json', JSON.stringify({ tables: [{ name: 'PrimaryResult', columns: columns.map((name) => ({ name, type: 'string' })), rows: rows.map((row) => columns.map((c) => row[c])) }, { name: 'Other', columns: [], rows: [[1]] }] }), 'SigninLogs'],
    ['rows.jsonl', rows.map((row) => JSON.stringify(row)).join('\r\n'), 'SigninLogs'],
    ['pretty.json', `\uFEFF${JSON.stringify(rows, null, 2)}`, 'SigninLogs'],
    ['graph-value.json', JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns', value: JSON.parse(await readFile(join(REAL, 'sekoia_intake-formats_entraid-graphapi_tests.Graph.json'), 'utf8')), '@odata.nextLink': 'x' })],
  ];
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return files.map(([name, , given]) => [join(dir, name), given]);
}

describe('streaming reads every export shape to the rows the whole-file reader gives', () => {
  it.each(SHAPES)('%s', async (name, given) => {
    const path = join(REAL, name);
    const expected = wholeFile(await readFile(path, 'utf8'), path, given);
    expect(expected.size).toBeGreaterThan(0);
    expect(await streamed(path, path, given, EVERY_COLUMN)).toEqual(expected);
    // Cut into pieces of 7 characters: every string, number, escape and line break falls across a cut somewhere.
    expect(await streamed(path, path, given, EVERY_COLUMN, 7)).toEqual(expected);
  });

  it('and the layouts derived from the same rows: an API response, JSON lines of rows, pretty-printed JSON with a BOM, a Graph response with paging links', async () => {
    for (const [path, given] of await derivedExports()) {
      const expected = wholeFile(await readFile(path, 'utf8'), path, given);
      expect([...expected.values()].flat().length, path).toBeGreaterThan(70);
      expect(await streamed(path, path, given, EVERY_COLUMN), path).toEqual(expected);
      expect(await streamed(path, path, given, EVERY_COLUMN, 61), path).toEqual(expected);
    }
  });

  it('keeps of each row only the columns the rules read (with TimeGenerated and the ingestion time), the values unchanged', async () => {
    const rules = renderRulesWith(manifest, await builtInCatalog(), 'inline').rules;
    const plan = replayPlan(rules, sharedGlobals(), LOG_ANALYTICS_TABLES);
    const columns = keptColumns(plan, LOG_ANALYTICS_TABLES);
    expect(columns('SigninLogs').length).toBeLessThan(LOG_ANALYTICS_TABLES['SigninLogs']!.length / 4);
    expect(columns('SigninLogs')).toEqual(expect.arrayContaining(['TimeGenerated', 'UserId', 'UserPrincipalName', 'ResultType', 'IPAddress', 'LocationDetails']));
    const path = join(REAL, 'msticpy_aad_logons_SigninLogs.LA.json');
    const full = (await streamed(path, path, 'SigninLogs', EVERY_COLUMN)).get('SigninLogs') as Record<string, unknown>[];
    const kept = (await streamed(path, path, 'SigninLogs', plan)).get('SigninLogs') as Record<string, unknown>[];
    const keys = [...columns('SigninLogs'), '$IngestionTime'];
    expect(kept).toEqual(full.map((row) => Object.fromEntries(keys.map((k) => [k, row[k]]))));
  });
});

describe('the scanners, cut anywhere', () => {
  const scanJson = (text: string, piece: number) => {
    const records: [unknown, number][] = [];
    const scanner = new JsonRecordScanner('x.json', (record, line) => records.push([record, line]));
    for (let at = 0; at < text.length; at += piece) scanner.push(text.slice(at, at + piece));
    scanner.end();
    return records;
  };
  const scanCsv = (text: string, piece: number) => {
    const records: [unknown, number][] = [];
    const scanner = new CsvRecordScanner('x.csv', (record, line) => records.push([record, line]));
    for (let at = 0; at < text.length; at += piece) scanner.push(text.slice(at, at + piece));
    scanner.end();
    return records;
  };

  it('JSON: escapes, nesting, empty containers and lines, in every piece size', () => {
    const records = [{ a: 'q"uote\\', b: [1, [2, { c: '}]{[' }]], d: {} }, { e: '\u00e9\u{1F600}', f: null, g: -1.5e3, h: true }, { i: [] }];
    const text = `[\n${records.map((r) => JSON.stringify(r, null, 1)).join(',\n')}\n]\n`;
    const lines = [2, 2 + JSON.stringify(records[0], null, 1).split('\n').length, 0];
    lines[2] = lines[1]! + JSON.stringify(records[1], null, 1).split('\n').length;
    for (const piece of [1, 2, 3, 5, 8, 13, text.length]) expect(scanJson(text, piece)).toEqual(records.map((r, i) => [r, lines[i]]));
    expect(scanJson('[]', 1)).toEqual([]);
    expect(scanJson('{"value":[],"x":1}', 2)).toEqual([]);
    // JSON lines: each line a record, or an event hub message of records.
    expect(scanJson('{"a":1}\n\n{"records":[{"b":2},{"c":3}]}\r\n{"d":4}', 3)).toEqual([[{ a: 1 }, 1], [{ b: 2 }, 3], [{ c: 3 }, 3], [{ d: 4 }, 4]]);
    // A member name with an escape is still recognised.
    expect(scanJson('{"v\\u0061lue":[{"a":1}]}', 4)).toEqual([[{ a: 1 }, 1]]);
  });

  it('CSV: quoted commas, quotes and line breaks, CRLF, LF and lone CR, blank lines, a missing last line break', () => {
    const text = 'A,"B, b",C\r\n1,"x ""y""",\r\n\r\n"multi\nline",2,3\n4,5,6\r7,,"8"';
    const expected = [
      [{ A: '1', 'B, b': 'x "y"' }, 2],
      [{ A: 'multi\nline', 'B, b': '2', C: '3' }, 4],
      [{ A: '4', 'B, b': '5', C: '6' }, 6],
      [{ A: '7', C: '8' }, 7],
    ];
    for (const piece of [1, 2, 3, 4, 7, text.length]) expect(scanCsv(text, piece)).toEqual(expected);
    expect(scanCsv('A,B\n', 1)).toEqual([]);
    expect(scanCsv('', 1)).toEqual([]);
  });
});

describe('a record that cannot be read stops the replay: the file, the record and its line named, exit 1, no stack trace', () => {
  async function replayOf(name: string, text: string, table = 'SigninLogs'): Promise<{ code: number; stderr: string; stdout: string; file: string }> {
    const file = join(await tempDir(), name);
    await writeFile(file, text);
    const run = await runCli(['replay', '--manifest', EXAMPLE_MANIFEST, '--events', `${table}=${file}`, '--history']);
    return { ...run, file };
  }
  const good = (minute: number) => JSON.stringify({ TimeGenerated: `2026-11-20T10:${String(minute).padStart(2, '0')}:00Z`, UserPrincipalName: 'x@contoso.com', ResultType: '0' });
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  it.each([
    ['a null record', 'null.json', `[\n${good(1)},\nnull\n]`, '[1]: each record must be an object of names and values (line 3)'],
    ['a time outside Kusto\'s range', 'range.json', `[${good(1)},\n{"TimeGenerated": 1e20}]`, '[1].TimeGenerated: 100000000000000000000 is outside the range of a Kusto datetime (0001-01-01 to 9999-12-31) (line 2)'],
    ['a time that is no time', 'time.jsonl', `${good(1)}\n${good(2)}\n{"TimeGenerated":"yesterday"}\n`, '[2].TimeGenerated: "yesterday" is not a datetime (use ISO 8601, e.g. 2026-11-25T09:58:00Z) (line 3)'],
    ['a value nested 50,000 deep', 'deep.json', `[${good(1)},\n{"TimeGenerated":"2026-11-20T10:02:00Z","LocationDetails":${deep(50_000)}}]`, `[1]: nests objects and arrays deeper than ${MAX_NESTING} levels: not an export record (line 2)`],
    ['JSON text nested 50,000 deep in a CSV cell', 'deep.csv', `TimeGenerated,LocationDetails\r\n2026-11-20T10:00:00Z,"{}"\r\n2026-11-20T10:01:00Z,"${deep(50_000)}"\r\n`, `[1].LocationDetails: JSON nests deeper than ${MAX_NESTING} levels: not an export value (line 3)`],
    ['JSON text nested 50,000 deep in a string of a JSON record', 'deep-text.json', `[${JSON.stringify({ TimeGenerated: '2026-11-20T10:00:00Z', Status: deep(50_000) })}]`, `[0].Status: JSON nests deeper than ${MAX_NESTING} levels: not an export value (line 1)`],
    ['a JSON array cut short inside a record', 'cut.json', `[${good(1)},\n${good(2).slice(0, 30)}`, '[1]: the file ends inside this record, before it is closed: the file is cut short (line 2)'],
    ['JSON lines cut short inside a record', 'cut.jsonl', `${good(1)}\n${good(2).slice(0, 20)}`, '[1]: the file ends inside this record, before it is closed: the file is cut short (line 2)'],
    ['a JSON array cut short between records', 'cut2.json', `[${good(1)},\n`, 'the file ends before its JSON is closed (after 1 record, on line 2): the file is cut short'],
    ['a CSV quote that is not closed', 'open.csv', 'TimeGenerated,UserPrincipalName\r\n2026-11-20T10:00:00Z,a\r\n2026-11-20T10:01:00Z,"b\r\n', '[1]: a quoted field is not closed before the file ends: the file is cut short, or a quote in a field is not doubled ("") (line 3)'],
    ['a CSV quote that is not doubled', 'quote.csv', 'TimeGenerated,UserPrincipalName\r\n2026-11-20T10:00:00Z,"b"c"\r\n', '[0]: a quoted field is followed by "c\\"\\r\\n" where a comma or the end of the line belongs: a quote inside a quoted field must be doubled ("") (line 2)'],
    ['a CSV row with too few fields', 'short.csv', 'TimeGenerated,UserPrincipalName\r\n2026-11-20T10:00:00Z,a\r\n"2026-11-20T10:01:00Z\r\n"\r\n', '[1]: 1 field, the header has 2 (line 3)'],
    ['text that is no JSON between records', 'junk.json', `[${good(1)} x ${good(2)}]`, 'line 1: not JSON records: expected , or ] after record 0'],
  ])('%s', async (_, name, text, message) => {
    const run = await replayOf(name, text);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(name.endsWith('.json') || name.endsWith('.jsonl') || name.endsWith('.csv') ? `${run.file}` : '');
    expect(run.stderr).toContain(message.startsWith('[') ? `${run.file}${message}` : message);
    expect(run.stderr).toContain('Nothing was replayed');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });

  it('a record longer than the scanners take (64 MiB; here 1,000 characters)', () => {
    const long = `{"TimeGenerated":"2026-11-20T10:02:00Z","x":"${'a'.repeat(2000)}"}`;
    const json = new JsonRecordScanner('long.jsonl', () => undefined, 1000);
    expect(() => {
      for (let at = 0; at < long.length; at += 100) json.push(long.slice(at, at + 100));
    }).toThrow('long.jsonl[0]: longer than 1000 characters of text: not an export record (line 1)');
    const csv = new CsvRecordScanner('long.csv', () => undefined, 1000);
    expect(() => {
      csv.push('TimeGenerated,x\n2026-11-20T10:02:00Z,"');
      for (let at = 0; at < 2000; at += 100) csv.push('a'.repeat(100));
    }).toThrow('long.csv[0]: longer than 1000 characters of text: a quoted field may not be closed (line 2)');
  });

  it('an API response that lists rows before columns', async () => {
    const run = await replayOf('rows-first.json', JSON.stringify({ tables: [{ rows: [['2026-11-20T10:00:00Z']], columns: [{ name: 'TimeGenerated' }] }] }));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the rows of tables[0] come before its columns');
  });

  it('a folder given as the file is a usage error', async () => {
    const dir = await tempDir();
    const run = await runCli(['replay', '--manifest', EXAMPLE_MANIFEST, '--events', `SigninLogs=${dir}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot read the events file ${dir}: it is a folder`);
  });
});
