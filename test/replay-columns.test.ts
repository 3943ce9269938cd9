/**
 * A streaming replay keeps of each record only the columns the rules read, found by Kusto.Language:
 * that never changes a rule's result, and a query that reads columns it does not name keeps them all.
 */
import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../generator/catalog/rule-template.js';
import { INGESTION_TIME, type Table } from '../generator/evaluate/table.js';
import { fromJson, KDateTime, KTimespan, parseDateTime, setBagValue, type KBag } from '../generator/evaluate/values.js';
import { parseManifest } from '../generator/manifest/parse-manifest.js';
import type { Manifest } from '../generator/manifest/types.js';
import { renderRulesWith } from '../generator/render/render-rules.js';
import { compiledQuery } from '../generator/rule-tests/compiled-queries.js';
import { RowCodec, SortedChunks } from '../generator/rule-tests/external-sort.js';
import { replayPlan } from '../generator/rule-tests/replay-plan.js';
import { prepareCases, resultRows } from '../generator/rule-tests/rule-cases.js';
import type { StreamRow } from '../generator/rule-tests/stream-rows.js';
import { watchlistTables } from '../generator/rule-tests/watchlist-tables.js';
import { analyzeQuery } from '../generator/validate/analyze-query.js';
import { LOG_ANALYTICS_TABLES } from '../generator/validate/kusto-schema.js';
import { builtInCatalog, EXAMPLE_MANIFEST, sharedGlobals } from './helpers/harness.js';

let catalog: Catalog;
let manifest: Manifest;
beforeAll(async () => {
  catalog = await builtInCatalog();
  manifest = parseManifest(await readFile(EXAMPLE_MANIFEST, 'utf8'), EXAMPLE_MANIFEST, catalog.rules.map((r) => r.template.id)).manifest!;
});

/** The tables with only the columns `columns` names (and the hidden ingestion time), as a streaming replay keeps them. */
function projected(tables: ReadonlyMap<string, Table>, columns: (table: string) => string[] | undefined): Map<string, Table> {
  return new Map(
    [...tables].map(([name, table]) => {
      const keep = columns(name);
      if (!keep) return [name, table];
      return [name, { columns: keep, rows: table.rows.map((row) => Object.fromEntries([...keep, INGESTION_TIME].map((c) => [c, row[c] ?? null]))) }];
    }),
  );
}

describe("the columns kept are the columns the rules read", () => {
  it("every rule gives the same result on its own cases with only its columns kept (accounts inline and from the watchlist)", () => {
    const offenders: string[] = [];
    let compared = 0;
    for (const source of ['inline', 'watchlist'] as const) {
      for (const rule of renderRulesWith(manifest, catalog, source).rules) {
        const plan = replayPlan([{ ...rule, enabled: true }], sharedGlobals(), LOG_ANALYTICS_TABLES);
        const query = compiledQuery(rule.query.text, sharedGlobals());
        const watchlists = watchlistTables(manifest);
        for (const prepared of prepareCases(rule, manifest, LOG_ANALYTICS_TABLES)) {
          if (prepared.state !== 'ready') continue;
          const { tables, now } = prepared.input;
          const full = resultRows(query.run({ tables, watchlists, now }));
          const kept = resultRows(query.run({ tables: projected(tables, (t) => plan.tables.get(t)?.columns), watchlists, now }));
          compared++;
          if (JSON.stringify(kept) !== JSON.stringify(full)) offenders.push(`${source} ${rule.id}: ${prepared.testCase.name}`);
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
    expect(offenders).toEqual([]);
  });

  it.each([
    ['SigninLogs | project TimeGenerated, UserPrincipalName', false, ['TimeGenerated', 'UserPrincipalName']],
    ['SigninLogs | where ResultType == "0" | summarize count() by bin(TimeGenerated, 1h)', false, ['ResultType', 'TimeGenerated']],
    ['SigninLogs | where * has "x" | project UserId', true, []],
    ['SigninLogs | extend b = pack_all() | project b', true, []],
    ['SigninLogs | distinct *', true, []],
    ['SigninLogs | project c = column_ifexists("AppId", "")', false, ['AppId']],
    // Columns renamed by a join still name the columns they came from.
    ['SigninLogs | join kind=inner (AuditLogs | extend UserId = tostring(InitiatedBy.user.id)) on $left.UserId == $right.UserId | project UserId1, OperationName', false, ['UserId', 'InitiatedBy', 'OperationName']],
    // The result's columns count: a query that passes its rows on keeps every column.
    ['SigninLogs | where ResultType == "0"', false, ['ResultType', 'AppDisplayName', 'LocationDetails', 'TimeGenerated']],
  ])('%s', (query, all, names) => {
    const { columns } = analyzeQuery(query, sharedGlobals());
    expect(columns.all).toBe(all);
    expect(columns.names).toEqual(expect.arrayContaining(names));
  });
});

describe('records sorted on disk come back as they went', () => {
  it('datetimes, timespans, JSON values with any key or a long beyond 2^53, text with line breaks and quotes, extra columns', () => {
    const schemas = { T: [{ name: 'TimeGenerated', type: 'datetime' }, { name: 'Took', type: 'timespan' }, { name: 'Bag', type: 'dynamic' }, { name: 'Text', type: 'string' }, { name: 'N', type: 'long' }] };
    const codec = new RowCodec(schemas, () => ['TimeGenerated', 'Took', 'Bag', 'Text', 'N']);
    const bag = fromJson(JSON.parse('{"constructor": [1, "two", null, true], "deep": {"a": [{"b": "c\\nd"}]}, "big": 1}')) as KBag;
    // A long beyond 2^53 (the engine holds it as a bigint) comes back as it went.
    setBagValue(bag, 'big', 12345678901234567890n as unknown as KBag[string]);
    // A key named __proto__ is an own key of a dynamic value, as Kusto keeps it.
    setBagValue(bag, '__proto__', { x: 1 });
    // Times to the digit the export writes (Kusto keeps 100 ns ticks).
    const row = { TimeGenerated: parseDateTime('2026-11-20T10:00:00.1234567Z')!, Took: new KTimespan(1500), Bag: bag, Text: 'line "one"\nline two\u2028', N: null, Extra: 'kept', [INGESTION_TIME]: parseDateTime('2026-11-20T10:41:30.7654321Z')! };
    const stream: StreamRow = { table: 'T', generated: row.TimeGenerated.ms, ingested: row[INGESTION_TIME].ms, seq: 2 ** 40 + 7, row, actor: '34bbde15-5585-4333-a9d6-fd1b529ab024' };
    const [back] = codec.unpack(codec.pack([stream])) as [StreamRow];
    expect({ ...back, row: undefined }).toEqual({ ...stream, row: undefined });
    expect(back.row!['TimeGenerated']).toBeInstanceOf(KDateTime);
    // As text, every digit of the times and the long shows.
    const text = (value: unknown) => JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    expect(text(back.row)).toBe(text(row));
    expect(back.row!['Took']).toBeInstanceOf(KTimespan);
    expect(Object.keys(back.row!)).toEqual(Object.keys(row));
    expect(Object.getPrototypeOf(back.row!['Bag'])).toBe(Object.prototype);
    expect(Object.hasOwn(back.row!['Bag'] as object, '__proto__')).toBe(true);
    // A record of a table no rule reads travels as its times alone.
    const bare: StreamRow = { table: 'T', generated: 1, ingested: 2, seq: 3 };
    expect(codec.unpack(codec.pack([bare]))).toEqual([bare]);
  });

  it('sorts any number of chunks, merging them in groups when there are more than it reads at once, and removes its folder', async () => {
    const codec = new RowCodec({}, () => []);
    // 60 records in 30 chunks of 2, read 4 at a time: merged in two passes.
    const rows: StreamRow[] = Array.from({ length: 60 }, (_, i) => ({ table: 'T', generated: (i * 7919) % 13, ingested: 100, seq: i }));
    const chunks = await SortedChunks.create(codec, 2, undefined, 4);
    await chunks.add(rows);
    await chunks.close();
    expect(chunks.written).toBe(30);
    expect(chunks.files.length).toBeLessThanOrEqual(4);
    const merged: StreamRow[] = [];
    for await (const batch of chunks.merged(7)) merged.push(...batch);
    expect(merged).toEqual([...rows].sort((a, b) => a.generated - b.generated || a.seq - b.seq));
    await chunks.remove();
    await expect(readdir(chunks.dir)).rejects.toThrow();
  });
});
