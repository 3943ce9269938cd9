/**
 * replay streams the records through the rules' runs in bounded memory and gives what the same
 * replay gives over the whole export in memory (replayHistory, replayRules, accountUses): in time
 * order, jittered, shuffled, reversed or split over files, for every rule's windows, including a
 * rule that fires on silence and records ingested late.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Interrupted } from '../generator/cli/interrupted.js';
import { runReplay } from '../generator/cli/replay-command.js';
import { DEFAULT_TUNING, keptColumns, streamClock, streamHistory, type ReplaySource, type StreamContext, type StreamTuning } from '../generator/cli/replay-stream.js';
import { readCatalog } from '../generator/catalog/read-catalog.js';
import type { Table } from '../generator/evaluate/table.js';
import { parseManifest } from '../generator/manifest/parse-manifest.js';
import type { Manifest } from '../generator/manifest/types.js';
import { renderRulesWith } from '../generator/render/render-rules.js';
import type { RenderedRule } from '../generator/render/sentinel-rule.js';
import { recordsOfText, sortRecords } from '../generator/replay-input/read-records.js';
import { accountUses } from '../generator/rule-tests/account-uses.js';
import { eventsTable, mergeTables } from '../generator/rule-tests/event-records.js';
import { HistoryStream } from '../generator/rule-tests/history-stream.js';
import { attachIngestionTimes } from '../generator/rule-tests/ingestion-time.js';
import { replayHistory } from '../generator/rule-tests/replay-history.js';
import { replayPlan } from '../generator/rule-tests/replay-plan.js';
import { replayRules } from '../generator/rule-tests/replay.js';
import { StreamRowTyper } from '../generator/rule-tests/stream-rows.js';
import { LOG_ANALYTICS_TABLES } from '../generator/validate/kusto-schema.js';
import { EXAMPLE_MANIFEST, FIXTURES, ROOT, sharedGlobals, tempDir } from './helpers/harness.js';

const SCHEMAS = LOG_ANALYTICS_TABLES;
const BASE = Date.parse('2026-11-20T08:00:00Z');

let manifest: Manifest;
let rules: RenderedRule[];
let dir: string;

beforeAll(async () => {
  dir = await tempDir();
  // The built-in rules, one switched to its scheduled variant, and a rule that fires on silence (every empty window).
  const extra = join(dir, 'rules');
  await mkdir(extra);
  const demo = await readFile(join(FIXTURES, 'rules-good', 'demo-signin.yaml'), 'utf8');
  await writeFile(join(extra, 'demo-silence.yaml'), demo.replace('id: demo-signin', 'id: demo-silence').replace('kind: nrt', 'kind: scheduled').replace('queryFrequency: 5m', 'queryFrequency: 30m').replace('queryPeriod: 5m', 'queryPeriod: 1h').replace('triggerOperator: gt', 'triggerOperator: eq'));
  // Probes that return what their window holds, in its order: any record missed, kept too long or out of place shows.
  const probe = (id: string, kind: string, every: string, period: string) =>
    demo
      .replace('id: demo-signin', `id: ${id}`)
      .replace('kind: nrt', `kind: ${kind}`)
      .replace('queryFrequency: 5m', `queryFrequency: ${every}`)
      .replace('queryPeriod: 5m', `queryPeriod: ${period}`)
      .replace(/query: \|[\s\S]*$/, 'query: |\n  union SigninLogs, AADNonInteractiveUserSignInLogs, AuditLogs\n  | summarize Records = count(), Times = make_list(TimeGenerated), Ingested = make_list(ingestion_time()), Users = make_list(UserPrincipalName)\n  | where Records > 0\n');
  await writeFile(join(extra, 'probe-nrt.yaml'), probe('probe-nrt', 'nrt', '5m', '5m'));
  await writeFile(join(extra, 'probe-scheduled.yaml'), probe('probe-scheduled', 'scheduled', '10m', '90m'));
  const { catalog } = await readCatalog([join(ROOT, 'analytics-rules'), extra], ROOT);
  const text = (await readFile(EXAMPLE_MANIFEST, 'utf8')).replace('rules:\n', 'rules:\n  signin-success:\n    kind: scheduled\n    queryFrequency: 10m\n    queryPeriod: 1h\n');
  manifest = parseManifest(text, EXAMPLE_MANIFEST, catalog.rules.map((r) => r.template.id)).manifest!;
  rules = renderRulesWith(manifest, catalog, 'inline').rules;
});

const ACCOUNTS = [
  { id: '34bbde15-5585-4333-a9d6-fd1b529ab024', upn: 'bg-emergency-01@contoso.onmicrosoft.com' },
  { id: '2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45', upn: 'bg-emergency-02@contoso.onmicrosoft.com' },
  { id: '00000000-0000-4000-8000-000000000042', upn: 'someone@contoso.com' },
];
const RESULTS = ['0', '0', '0', '50126', '50074', '50140'];
const OPERATIONS = ['Update user', 'Add member to role', 'Add member to group', 'Disable account', 'Update conditional access policy', 'Reset password (by admin)'];

interface Event {
  /** Seconds after BASE, the table, who, what, and minutes until it was ingested. */
  second: number;
  table: 0 | 1 | 2 | 3;
  who: number;
  what: number;
  late: number;
}

const event = fc.record({
  second: fc.integer({ min: 0, max: 2 * 3600 }),
  table: fc.constantFrom<0 | 1 | 2 | 3>(0, 0, 1, 1, 2, 3),
  who: fc.integer({ min: 0, max: 2 }),
  what: fc.integer({ min: 0, max: 5 }),
  // A third of the records reach the workspace late, up to 50 minutes.
  late: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 50 })),
});

const iso = (ms: number) => new Date(ms).toISOString();

/** An event as a Log Analytics row (its Type names its table); a SecurityIncident row is of a table no rule reads. */
function record(e: Event): Record<string, unknown> {
  const time = BASE + e.second * 1000;
  const account = ACCOUNTS[e.who]!;
  const ingested = e.late > 0 ? { IngestionTime: iso(time + e.late * 60_000) } : {};
  if (e.table === 3) return { TimeGenerated: iso(time), Type: 'SecurityIncident', Title: 'an incident', IncidentNumber: e.what };
  if (e.table === 2) {
    return {
      TimeGenerated: iso(time),
      Type: 'AuditLogs',
      OperationName: OPERATIONS[e.what],
      Category: 'UserManagement',
      Result: 'success',
      InitiatedBy: { user: { id: account.id, userPrincipalName: account.upn, ipAddress: '203.0.113.7' } },
      TargetResources: [{ id: ACCOUNTS[(e.who + 1) % 3]!.id, userPrincipalName: ACCOUNTS[(e.who + 1) % 3]!.upn, type: 'User', modifiedProperties: [{ displayName: 'AccountEnabled', oldValue: '[true]', newValue: '[false]' }] }],
      ...ingested,
    };
  }
  return {
    TimeGenerated: iso(time),
    Type: e.table === 0 ? 'SigninLogs' : 'AADNonInteractiveUserSignInLogs',
    UserId: account.id,
    UserPrincipalName: account.upn,
    ResultType: RESULTS[e.what],
    IPAddress: `198.51.100.${e.what}`,
    AppDisplayName: 'Azure Portal',
    LocationDetails: e.table === 0 ? { countryOrRegion: 'NL' } : '{"countryOrRegion":"NL"}',
    ...ingested,
  };
}

/** The export in time order (as files usually are: by TimeGenerated, ties as generated). */
const inOrder = (events: readonly Event[]) => [...events].sort((a, b) => a.second - b.second).map(record);

async function writeJson(name: string, records: readonly unknown[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `[${records.map((r) => JSON.stringify(r)).join(',\n')}]`);
  return file;
}

/** The whole-file path, in memory: every file read whole, typed, merged. */
async function inMemory(files: readonly string[]): Promise<Map<string, Table>> {
  const parts: { table: string; rows: Table }[] = [];
  for (const file of files) {
    const sorted = sortRecords(recordsOfText(await readFile(file, 'utf8'), file), file, undefined, Object.keys(SCHEMAS));
    for (const [table, records] of sorted.rows) {
      const typed = eventsTable(records, table, SCHEMAS, file);
      attachIngestionTimes(typed, file);
      parts.push({ table, rows: typed });
    }
  }
  return mergeTables(parts);
}

function context(files: readonly string[], tuning: Partial<StreamTuning> = {}): StreamContext {
  return {
    cwd: dir,
    sources: files.map((file): ReplaySource => ({ file })),
    plan: replayPlan(rules, sharedGlobals(), SCHEMAS),
    manifest,
    schemas: SCHEMAS,
    tuning: { ...DEFAULT_TUNING, ...tuning },
    checkpoint: async () => undefined,
    progress: () => undefined,
  };
}

describe('replay --history streamed gives what it gives in memory', () => {
  it('for any export: in time order, shuffled (sorted on disk), reversed, split over files', async () => {
    const seen = { alerts: 0, sortedOnDisk: 0, uses: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 150 }), fc.option(fc.integer({ min: 0, max: 3 * 3600 }), { nil: undefined }), fc.integer(), async (events, nowSecond, seed) => {
        const until = nowSecond === undefined ? undefined : BASE + nowSecond * 1000;
        const records = inOrder(events);
        const file = await writeJson('in-order.json', records);
        const events0 = await inMemory([file]);
        const expected = { history: replayHistory(rules, manifest, events0, sharedGlobals(), until), uses: accountUses(manifest, events0) };
        const ordered = await streamHistory(context([file]), sharedGlobals(), until);
        expect({ history: ordered.history, uses: ordered.uses }).toEqual(expected);
        expect(ordered.summary.sorted).toBeUndefined();

        // Shuffled, with no slack: it is sorted on disk, in chunks of 16 records.
        const shuffled = fc.sample(fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }), { numRuns: 1, seed })[0]!;
        const shuffledFile = await writeJson('shuffled.json', shuffled);
        const tiny = { slackMs: 0, maxPending: 1, chunkRows: 16, chunkBytes: 64 };
        const sorted = await streamHistory(context([shuffledFile], tiny), sharedGlobals(), until);
        // Records with the same time keep the order of the shuffled file, as the in-memory index does.
        const fromShuffled = await inMemory([shuffledFile]);
        expect({ history: sorted.history, uses: sorted.uses }).toEqual({ history: replayHistory(rules, manifest, fromShuffled, sharedGlobals(), until), uses: accountUses(manifest, fromShuffled) });

        // Newest first (as a portal export sorted by TimeGenerated desc): read as well.
        const reversedFile = await writeJson('reversed.json', [...records].reverse());
        const reversed = await streamHistory(context([reversedFile], { slackMs: 0, maxPending: 1, chunkRows: 50 }), sharedGlobals(), until);
        if (new Set(events.map((e) => e.second)).size > 1) expect(reversed.summary.sorted).toBeDefined();
        if (reversed.summary.sorted) seen.sortedOnDisk++;
        seen.alerts += ordered.history.rules.reduce((n, r) => n + r.alerts.length, 0);
        seen.uses += ordered.uses.length;
        const fromReversed = await inMemory([reversedFile]);
        expect(reversed.history).toEqual(replayHistory(rules, manifest, fromReversed, sharedGlobals(), until));

        // One file per table, merged as they stream.
        const byTable = new Map<unknown, unknown[]>();
        for (const r of records) byTable.set(r['Type'], [...(byTable.get(r['Type']) ?? []), r]);
        const files = await Promise.all([...byTable].map(([table, list]) => writeJson(`${String(table)}.json`, list)));
        const split = await streamHistory(context(files), sharedGlobals(), until);
        const fromSplit = await inMemory(files);
        expect({ history: split.history, uses: split.uses }).toEqual({ history: replayHistory(rules, manifest, fromSplit, sharedGlobals(), until), uses: accountUses(manifest, fromSplit) });
      }),
      { numRuns: 12, seed: 17 },
    );
    // The runs raised alerts, found uses and sorted on disk: the comparison had something to compare.
    expect(seen.alerts).toBeGreaterThan(20);
    expect(seen.uses).toBeGreaterThan(5);
    expect(seen.sortedOnDisk).toBeGreaterThan(5);
  });

  it('a record ingested late is read by the near-real-time run of the minute it was ingested, after the records ingested before it', async () => {
    const at = (hhmmss: string) => Date.parse(`2026-11-20T${hhmmss}Z`);
    const row = (generated: string, ingested?: string) => ({ TimeGenerated: `2026-11-20T${generated}Z`, Type: 'SigninLogs', UserPrincipalName: 'someone@contoso.com', ResultType: '0', ...(ingested ? { IngestionTime: `2026-11-20T${ingested}Z` } : {}) });
    // Generated at 10:00, ingested at 10:41:30: in the file before records generated at 10:40:30 and 10:41:10.
    const file = await writeJson('late.json', [row('10:00:00', '10:41:30'), row('10:40:30'), row('10:41:10'), row('10:45:00')]);
    const streamed = await streamHistory(context([file]), sharedGlobals(), undefined);
    const probe = streamed.history.rules.find((r) => r.ruleId === 'probe-nrt')!;
    expect(probe.alerts.map((a) => [a.at, a.result.rows[0]!['Times']])).toEqual([
      [at('10:41:00'), ['2026-11-20T10:40:30.0000000Z']],
      [at('10:42:00'), ['2026-11-20T10:41:10.0000000Z', '2026-11-20T10:00:00.0000000Z']],
      [at('10:45:00'), ['2026-11-20T10:45:00.0000000Z']],
    ]);
    expect(streamed.history).toEqual(replayHistory(rules, manifest, await inMemory([file]), sharedGlobals()));
  });

  it('puts a nearly ordered export in order as it streams, without sorting on disk', async () => {
    const events: Event[] = Array.from({ length: 400 }, (_, i) => ({ second: i * 45, table: (i % 3) as 0 | 1 | 2, who: i % 7 === 0 ? 0 : 2, what: i % 6, late: 0 }));
    const records = inOrder(events);
    // Swap neighbours: every record at most 45 seconds out of place.
    for (let i = 0; i + 1 < records.length; i += 2) [records[i], records[i + 1]] = [records[i + 1]!, records[i]!];
    const file = await writeJson('jittered.json', records);
    const streamed = await streamHistory(context([file], { slackMs: 60_000 }), sharedGlobals(), undefined);
    expect(streamed.summary.sorted).toBeUndefined();
    const all = await inMemory([file]);
    expect(streamed.history).toEqual(replayHistory(rules, manifest, all, sharedGlobals()));
    expect(streamed.history.rules.some((r) => r.alerts.length > 0)).toBe(true);
  });

  it('says in its report when the records were sorted on disk first', async () => {
    const records = inOrder(Array.from({ length: 30 }, (_, i) => ({ second: i * 600, table: 0 as const, who: i % 2, what: 0, late: 0 }))).reverse();
    const file = await writeJson('newest-first.json', records);
    let stdout = '';
    const io = { cwd: dir, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true } };
    const code = await runReplay({ format: 'text', events: [file], history: true }, io, manifest, rules, sharedGlobals(), async () => undefined, { ...DEFAULT_TUNING, slackMs: 0, chunkRows: 8 });
    expect(code).toBe(0);
    expect(stdout).toContain(`the records are not in time order (${file}[1] is older than records before it): sorted on disk in 4 chunks first`);
    stdout = '';
    await runReplay({ format: 'json', events: [file], history: true }, io, manifest, rules, sharedGlobals(), async () => undefined, { ...DEFAULT_TUNING, slackMs: 0, chunkRows: 8 });
    expect((JSON.parse(stdout) as { sortedOnDisk: unknown }).sortedOnDisk).toEqual({ file, record: 1, chunks: 4 });
  });

  it('Ctrl-C while the records are sorted on disk stops at once and leaves no temporary file', async () => {
    const records = inOrder(Array.from({ length: 300 }, (_, i) => ({ second: i * 30, table: 0 as const, who: 2, what: 0, late: 0 }))).reverse();
    const file = await writeJson('interrupted.json', records);
    const parent = join(dir, `tmp-${Date.now()}`);
    await mkdir(parent);
    let checkpoints = 0;
    const stop = async () => {
      if (++checkpoints === 4) throw new Interrupted();
    };
    const io = { cwd: dir, stdout: { write: () => true }, stderr: { write: () => true } };
    await expect(runReplay({ format: 'json', events: [file], history: true }, io, manifest, rules, sharedGlobals(), stop, { ...DEFAULT_TUNING, slackMs: 0, maxPending: 1, chunkRows: 50, chunkBytes: 512, tmpdir: parent })).rejects.toBeInstanceOf(Interrupted);
    expect(checkpoints).toBe(4);
    expect(await readdir(parent)).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('a pipe whose records are not in time order is refused, never replayed as empty', async () => {
    const records = inOrder(Array.from({ length: 40 }, (_, i) => ({ second: i * 600, table: 0 as const, who: 2, what: 0, late: 0 }))).reverse();
    const fifo = join(dir, `pipe-${Date.now()}`);
    execFileSync('mkfifo', [fifo]);
    const writer = createWriteStream(fifo);
    // The replay stops reading at the first record out of place: the rest is a broken pipe.
    writer.on('error', () => undefined);
    writer.end(`[${records.map((r) => JSON.stringify(r)).join(',\n')}]`);
    let stderr = '';
    const io = { cwd: dir, stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) } };
    const code = await runReplay({ format: 'json', events: [`SigninLogs=${fifo}`], history: true }, io, manifest, rules, sharedGlobals(), async () => undefined, { ...DEFAULT_TUNING, slackMs: 0 });
    expect(code).toBe(1);
    expect(stderr).toContain(`${fifo}: the records are not in time order (${fifo}[1] is older than records before it), and ${fifo} is not a file that can be read again`);
    writer.destroy();
  });

  it('holds only the records the look-back windows can still read, however long the export', () => {
    const plan = replayPlan(rules, sharedGlobals(), SCHEMAS);
    const stream = new HistoryStream(plan, manifest, sharedGlobals(), undefined, keptColumns(plan, SCHEMAS));
    const typer = new StreamRowTyper(plan, manifest, SCHEMAS);
    // 48 hours, a sign-in every 20 seconds: 8,640 records.
    let most = 0;
    for (let i = 0; i < 8640; i++) {
      const e: Event = { second: i * 20, table: (i % 2) as 0 | 1, who: 2, what: i % 6, late: 0 };
      const r = record(e);
      stream.push(typer.row(String(r['Type']), r, 'x.json', i, i));
      most = Math.max(most, stream.held);
    }
    // The longest look-back is an hour (180 records, kept once for the scheduled rules, once per
    // minute run for the near-real-time ones), plus the runs not yet due.
    expect(most).toBeLessThan(2 * 200);
    const { history } = stream.finish({ oldest: BASE, newest: BASE + 8639 * 20_000 });
    expect(history.rules.find((r) => r.ruleId === 'signin-failure')!.runs).toBe(48 * 60 + 1);

    // With --now an hour in, the records after it are counted, never held.
    const until = new HistoryStream(plan, manifest, sharedGlobals(), BASE + 3_600_000, keptColumns(plan, SCHEMAS));
    for (let i = 0; i < 2000; i++) {
      const r = record({ second: i * 20, table: (i % 2) as 0 | 1, who: 2, what: i % 6, late: 0 });
      until.push(typer.row(String(r['Type']), r, 'x.json', i, i));
    }
    expect(until.held).toBe(0);
  });
});

describe('replay at a clock streamed gives what it gives in memory', () => {
  it('for any export and clock, in any order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 150 }), fc.option(fc.integer({ min: 0, max: 6 * 3600 }), { nil: undefined }), async (events, nowSecond) => {
        const until = nowSecond === undefined ? undefined : BASE + nowSecond * 1000;
        // Streamed in any order: the clock and windows do not depend on it.
        const records = events.map(record);
        const file = await writeJson('any-order.json', records);
        const all = await inMemory([file]);
        const expected = replayRules(rules, manifest, all, sharedGlobals(), until);
        const { clock, events: kept, summary } = await streamClock(context([file]), until);
        expect(replayRules(rules, manifest, kept, sharedGlobals(), clock, undefined, summary.tables)).toEqual(expected);
        expect([...summary.tables].map(([table, stats]) => [table, stats.records])).toEqual([...all].map(([table, t]) => [table, t.rows.length]));
      }),
      { numRuns: 15, seed: 5 },
    );
  });
});
