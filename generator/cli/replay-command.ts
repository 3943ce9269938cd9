import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputRowError } from '../evaluate/input-rows.js';
import type { Table } from '../evaluate/table.js';
import { formatDateTime, KDateTime, parseDateTime } from '../evaluate/values.js';
import { durationText } from '../render/durations.js';
import type { Manifest } from '../manifest/types.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { colorsFor, type Colors } from '../report/text-report.js';
import { eventsTable, EventsSpecError, mergeTables, parseEventsSpec, recordsFromText } from '../rule-tests/event-records.js';
import { attachIngestionTimes } from '../rule-tests/ingestion-time.js';
import { modelHistory } from '../rule-tests/history-model.js';
import { replayHistory, type HistoryResult } from '../rule-tests/replay-history.js';
import { historyModelJson, historyModelText } from '../report/incident-report.js';
import { replayRules, type ReplayResult } from '../rule-tests/replay.js';
import { LOG_ANALYTICS_TABLES } from '../validate/kusto-schema.js';
import { UsageError } from './usage-error.js';

export interface ReplayIo {
  cwd: string;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
}

/** `breakglass replay`: read the record files (the only I/O), replay, print. */
export async function runReplay(args: { format: string; events: string[]; now?: string; history: boolean }, io: ReplayIo, manifest: Manifest, rules: readonly RenderedRule[], globals: Kusto.Language.GlobalState): Promise<number> {
  const specs = args.events.map((spec) => {
    try {
      return parseEventsSpec(spec, LOG_ANALYTICS_TABLES);
    } catch (error) {
      if (error instanceof EventsSpecError) throw new UsageError(error.message);
      throw error;
    }
  });
  let now: number | undefined;
  if (args.now !== undefined) {
    const parsed = parseDateTime(args.now);
    if (!parsed) throw new UsageError(`--now ${args.now} is not a datetime (use ISO 8601, e.g. 2026-11-25T09:58:00Z)`);
    now = parsed.ms;
  }
  const parts: { table: string; rows: Table }[] = [];
  for (const spec of specs) {
    const path = resolve(io.cwd, spec.file);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read the events file ${spec.file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    try {
      const rows = eventsTable(recordsFromText(text, spec.file), spec.table, LOG_ANALYTICS_TABLES, spec.file);
      attachIngestionTimes(rows, spec.file);
      parts.push({ table: spec.table, rows });
    } catch (error) {
      if (!(error instanceof InputRowError)) throw error;
      io.stderr.write(`breakglass: ${error.message}\nNothing was replayed: fix the records and run again.\n`);
      return 1;
    }
  }
  const events = mergeTables(parts);
  if (args.history) {
    const history = replayHistory(rules, manifest, events, globals, now);
    const model = modelHistory(rules, manifest, history, events);
    if (args.format === 'json') io.stdout.write(`${JSON.stringify({ ...(historyJson(history, events) as object), ...(historyModelJson(model, manifest) as object) }, null, 2)}\n`);
    else io.stdout.write(`${historyText(history, events, colorsFor(io.stdout))}\n${historyModelText(model, rules, colorsFor(io.stdout))}\n`);
    return history.rules.some((r) => r.error !== undefined) ? 1 : 0;
  }
  const replay = replayRules(rules, manifest, events, globals, now);
  if (args.format === 'json') io.stdout.write(`${JSON.stringify(replayJson(replay, events), null, 2)}\n`);
  else io.stdout.write(`${replayText(replay, events, colorsFor(io.stdout))}\n`);
  return replay.rules.some((r) => r.error !== undefined) ? 1 : 0;
}

function replayJson(replay: ReplayResult, events: ReadonlyMap<string, Table>): unknown {
  return {
    now: time(replay.now),
    records: recordCounts(events),
    rules: Object.fromEntries(replay.rules.map((r) => [r.ruleId, { fired: r.fired, recordsInWindow: r.recordsInWindow, ...(r.error ? { error: r.error } : {}), rows: r.result?.rows ?? [] }])),
  };
}

const time = (ms: number) => formatDateTime(new KDateTime(ms));

function recordCounts(events: ReadonlyMap<string, Table>): Record<string, number> {
  return Object.fromEntries([...events].map(([name, table]) => [name, table.rows.length]));
}

/** "86 SigninLogs, 4 AuditLogs", for the first line of either report. */
function recordSummary(events: ReadonlyMap<string, Table>): string {
  return [...events].map(([name, table]) => `${table.rows.length} ${name}`).join(', ');
}

/** Columns worth a glance in a terminal; --format json gives every column. */
const REPLAY_COLUMNS = ['TimeGenerated', 'AccountUPN', 'IPAddress', 'SignInType', 'OperationName', 'ResultType'];

function rowLine(row: Readonly<Record<string, unknown>>): string {
  return REPLAY_COLUMNS.filter((c) => c in row)
    .map((c) => `${c}=${String(row[c])}`)
    .join('  ');
}

function replayText(replay: ReplayResult, events: ReadonlyMap<string, Table>, colors: Colors): string {
  const lines = [`replay as of ${time(replay.now)} over ${recordSummary(events)} records`];
  for (const r of replay.rules) {
    const rows = r.result?.rows ?? [];
    const state = r.error ? colors.red('error') : r.fired ? colors.yellow(`fires, ${rows.length} row${rows.length === 1 ? '' : 's'}`) : 'silent';
    lines.push(`  ${r.ruleId.padEnd(28)} ${state.padEnd(r.fired && !r.error ? 0 : 6)}  ${colors.dim(`${r.recordsInWindow} records in its look-back window`)}`);
    if (r.error) lines.push(`      ${r.error}`);
    for (const row of rows) lines.push(`      ${rowLine(row)}`);
  }
  const fired = replay.rules.filter((r) => r.fired).length;
  lines.push(`${fired} of ${replay.rules.length} enabled rules fire`);
  return lines.join('\n');
}


function historyJson(history: HistoryResult, events: ReadonlyMap<string, Table>): unknown {
  return {
    from: time(history.from),
    until: time(history.until),
    records: recordCounts(events),
    rules: Object.fromEntries(
      history.rules.map((r) => [
        r.ruleId,
        { every: durationText(r.frequencyMs), lookBack: durationText(r.periodMs), runs: r.runs, ...(r.error ? { error: r.error } : {}), alerts: r.alerts.map((a) => ({ at: time(a.at), rows: a.result.rows })) },
      ]),
    ),
  };
}

/** A terminal shows the first alerts of a rule; --format json lists every one. */
const ALERTS_SHOWN = 20;

function historyText(history: HistoryResult, events: ReadonlyMap<string, Table>, colors: Colors): string {
  const lines = [`replay of every scheduled run from ${time(history.from)} to ${time(history.until)} over ${recordSummary(events)} records`];
  for (const r of history.rules) {
    const schedule = colors.dim(`${r.runs} runs, every ${durationText(r.frequencyMs)} over the last ${durationText(r.periodMs)}`);
    const state = r.error ? colors.red('error') : r.alerts.length > 0 ? colors.yellow(`${r.alerts.length} alert${r.alerts.length === 1 ? '' : 's'}`) : 'silent';
    lines.push(`  ${r.ruleId.padEnd(28)} ${state}  ${schedule}`);
    if (r.error) lines.push(`      ${r.error}`);
    for (const alert of r.alerts.slice(0, ALERTS_SHOWN)) {
      lines.push(`      ${time(alert.at)}  ${alert.result.rows.length} row${alert.result.rows.length === 1 ? '' : 's'}`);
      for (const row of alert.result.rows) lines.push(`        ${rowLine(row)}`);
    }
    if (r.alerts.length > ALERTS_SHOWN) lines.push(`      ... and ${r.alerts.length - ALERTS_SHOWN} more alerts (--format json lists every one)`);
  }
  const alerting = history.rules.filter((r) => r.alerts.length > 0);
  const total = alerting.reduce((n, r) => n + r.alerts.length, 0);
  lines.push(`${alerting.length} of ${history.rules.length} enabled rules would have raised ${total} alert${total === 1 ? '' : 's'}`);
  return lines.join('\n');
}
