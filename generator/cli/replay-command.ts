import { InputRowError } from '../evaluate/input-rows.js';
import { formatDateTime, KDateTime, parseDateTime } from '../evaluate/values.js';
import { durationText } from '../render/durations.js';
import type { Manifest } from '../manifest/types.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { ExportFileError } from '../replay-input/export-file.js';
import { WrongTableError } from '../replay-input/read-records.js';
import { SHAPE_NAMES } from '../replay-input/source-records.js';
import { alertFacts, alertTitle, readableTime } from '../report/alert-summary.js';
import { colorsFor, type Colors } from '../report/text-report.js';
import { EventsSpecError, parseEventsSpec } from '../rule-tests/event-records.js';
import { modelHistory } from '../rule-tests/history-model.js';
import type { HistoryResult } from '../rule-tests/replay-history.js';
import { historyModelJson, historyModelText } from '../report/incident-report.js';
import { replayRules, type ReplayResult, type UnseenTable } from '../rule-tests/replay.js';
import { replayPlan } from '../rule-tests/replay-plan.js';
import { LOG_ANALYTICS_TABLES } from '../validate/kusto-schema.js';
import { terminalProgress } from './progress.js';
import { DEFAULT_TUNING, streamClock, streamHistory, type ReadSummary, type StreamTuning } from './replay-stream.js';
import { UsageError } from './usage-error.js';

export interface ReplayIo {
  cwd: string;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/**
 * `breakglass replay`: stream the record files (the only I/O), replay, print. `tuning` is a seam
 * for tests (small chunks and slack); users get DEFAULT_TUNING.
 */
export async function runReplay(
  args: { format: string; events: string[]; now?: string; history: boolean },
  io: ReplayIo,
  manifest: Manifest,
  rules: readonly RenderedRule[],
  globals: Kusto.Language.GlobalState,
  checkpoint: () => Promise<void>,
  tuning: StreamTuning = DEFAULT_TUNING,
): Promise<number> {
  const sources = args.events.map((spec) => {
    try {
      return parseEventsSpec(spec, LOG_ANALYTICS_TABLES);
    } catch (error) {
      if (error instanceof EventsSpecError) throw new UsageError(error.message, 'replay');
      throw error;
    }
  });
  let now: number | undefined;
  if (args.now !== undefined) {
    const parsed = parseDateTime(args.now);
    if (!parsed) throw new UsageError(`--now ${args.now} is not a datetime (use ISO 8601, e.g. 2026-11-25T09:58:00Z)`, 'replay');
    now = parsed.ms;
  }
  const progress = terminalProgress(io.stderr);
  const context = {
    cwd: io.cwd,
    sources,
    plan: replayPlan(rules, globals, LOG_ANALYTICS_TABLES),
    manifest,
    schemas: LOG_ANALYTICS_TABLES,
    tuning,
    checkpoint,
    progress: (label: string, done: number, total: number) => progress.update(label, done, total),
  };
  try {
    if (args.history) {
      const { history, uses, summary } = await streamHistory(context, globals, now);
      progress.clear();
      await checkpoint();
      const model = modelHistory(rules, manifest, history, uses);
      if (args.format === 'json') io.stdout.write(`${JSON.stringify({ ...(historyJson(history, summary) as object), ...(historyModelJson(model, manifest) as object) }, null, 2)}\n`);
      else io.stdout.write(`${historyText(history, rules, summary, colorsFor(io.stdout))}\n${historyModelText(model, rules, colorsFor(io.stdout))}\n`);
      return history.rules.some((r) => r.error !== undefined) ? 1 : 0;
    }
    const { clock, events, summary } = await streamClock(context, now);
    progress.clear();
    await checkpoint();
    const replay = replayRules(rules, manifest, events, globals, clock, (done, total) => progress.update('running the rules', done, total), summary.tables);
    progress.clear();
    if (args.format === 'json') io.stdout.write(`${JSON.stringify(replayJson(replay, summary), null, 2)}\n`);
    else io.stdout.write(`${replayText(replay, rules, summary, args.now !== undefined, colorsFor(io.stdout))}\n`);
    return replay.rules.some((r) => r.error !== undefined) ? 1 : 0;
  } catch (error) {
    progress.clear();
    if (error instanceof ExportFileError) throw new UsageError(error.message, 'replay');
    if (error instanceof WrongTableError) throw new UsageError(error.message, 'replay');
    if (!(error instanceof InputRowError)) throw error;
    io.stderr.write(`breakglass: ${error.message}\nNothing was replayed: fix the records and run again.\n`);
    return 1;
  }
}

const time = (ms: number) => formatDateTime(new KDateTime(ms));

function inputJson(read: ReadSummary): Record<string, unknown> {
  return {
    records: Object.fromEntries([...read.tables].map(([name, stats]) => [name, stats.records])),
    shapes: Object.fromEntries(read.shapes),
    ...(read.skipped.size > 0 ? { leftOut: Object.fromEntries(read.skipped) } : {}),
    ...(read.sorted ? { sortedOnDisk: read.sorted } : {}),
  };
}

/** The first lines of either report: what was read, in what shape, and what was left out. */
function inputLines(read: ReadSummary): string[] {
  const counts = [...read.tables].map(([name, stats]) => `${stats.records} ${name}`).join(', ') || 'no';
  const shapes = [...read.shapes].map(([shape, n]) => (read.shapes.size > 1 ? `${n} ${SHAPE_NAMES[shape]}` : SHAPE_NAMES[shape])).join('; ');
  const lines = [`${counts} records (${shapes || 'none'})`];
  if (read.skipped.size > 0) {
    const total = [...read.skipped.values()].reduce((a, b) => a + b, 0);
    lines.push(`left out ${total} record${total === 1 ? '' : 's'} of tables the rules do not read: ${[...read.skipped].map(([t, n]) => `${t} ${n}`).join(', ')}`);
  }
  if (read.sorted) {
    lines.push(`the records are not in time order (${read.sorted.file}[${read.sorted.record}] is older than records before it): sorted on disk in ${read.sorted.chunks} chunk${read.sorted.chunks === 1 ? '' : 's'} first`);
  }
  return lines;
}

function replayJson(replay: ReplayResult, read: ReadSummary): unknown {
  return {
    now: time(replay.now),
    ...inputJson(read),
    rules: Object.fromEntries(replay.rules.map((r) => [r.ruleId, { fired: r.fired, tables: r.tables, recordsInWindow: r.recordsInWindow, ...(r.error ? { error: r.error } : {}), rows: r.result?.rows ?? [] }])),
    ...(replay.unseen.length > 0 ? { unseen: replay.unseen.map((u) => ({ table: u.table, records: u.records, oldest: time(u.oldest), newest: time(u.newest), lookBack: durationText(u.lookBackMs) })) } : {}),
  };
}

/** Each result row as an analyst reads it: when, the alert's title, then who, where, what. */
function alertLines(rule: RenderedRule | undefined, rows: readonly Readonly<Record<string, unknown>>[], indent: string, colors: Colors): string[] {
  return rows.flatMap((row) => {
    const at = row['TimeGenerated'];
    const when = typeof at === 'string' && parseDateTime(at) ? readableTime(parseDateTime(at)!.ms) : '';
    return [`${indent}${when}${when ? '  ' : ''}${rule ? alertTitle(rule, row) : ''}`, `${indent}  ${colors.dim(alertFacts(row))}`];
  });
}

function unseenLine(u: UnseenTable, replay: ReplayResult, clockGiven: boolean): string {
  const span = u.oldest === u.newest ? readableTime(u.newest) : `${readableTime(u.oldest)} to ${readableTime(u.newest)}`;
  const clock = clockGiven ? `--now sets the clock to ${readableTime(replay.now)}` : `newer records of another table set the clock to ${readableTime(replay.now)}`;
  return `note: no rule saw the ${u.records} ${u.table} record${u.records === 1 ? '' : 's'} (${span}): ${clock}, and the rules that read ${u.table} look back ${durationText(u.lookBackMs)}. Add --history to run every rule on its schedule over the whole span, or ${clockGiven ? 'move' : 'set'} --now.`;
}

function replayText(replay: ReplayResult, rules: readonly RenderedRule[], read: ReadSummary, clockGiven: boolean, colors: Colors): string {
  const [records, ...rest] = inputLines(read);
  const lines = [`replay as of ${readableTime(replay.now)} over ${records}`, ...rest];
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const r of replay.rules) {
    const rows = r.result?.rows ?? [];
    const rule = byId.get(r.ruleId);
    const state = r.error ? colors.red('error') : r.fired ? colors.yellow(`fires, ${rows.length} row${rows.length === 1 ? '' : 's'}`) : 'silent';
    // What one run reads (run-schedule.ts): an NRT run what was ingested in the minute before it.
    const reads = rule?.kind === 'nrt' ? 'ingested in its last run (NRT: the minute before)' : `in its look-back window${rule ? ` (${rule.queryPeriod})` : ''}`;
    const window = `${r.recordsInWindow} ${r.tables.join(' or ')} record${r.recordsInWindow === 1 ? '' : 's'} ${reads}`;
    lines.push(`  ${r.ruleId.padEnd(28)} ${state.padEnd(r.fired && !r.error ? 0 : 6)}  ${colors.dim(window)}`);
    if (r.error) lines.push(`      ${r.error}`);
    lines.push(...alertLines(rule, rows, '      ', colors));
  }
  for (const u of replay.unseen) lines.push(colors.yellow(unseenLine(u, replay, clockGiven)));
  const fired = replay.rules.filter((r) => r.fired).length;
  lines.push(`${fired} of ${replay.rules.length} enabled rules fire`);
  return lines.join('\n');
}

function historyJson(history: HistoryResult, read: ReadSummary): unknown {
  return {
    from: time(history.from),
    until: time(history.until),
    ...inputJson(read),
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

function historyText(history: HistoryResult, rules: readonly RenderedRule[], read: ReadSummary, colors: Colors): string {
  const [records, ...rest] = inputLines(read);
  const lines = [`replay of every scheduled run from ${readableTime(history.from)} to ${readableTime(history.until)} over ${records}`, ...rest];
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const r of history.rules) {
    const schedule = colors.dim(`${r.runs} runs, every ${durationText(r.frequencyMs)} over the last ${durationText(r.periodMs)}`);
    const state = r.error ? colors.red('error') : r.alerts.length > 0 ? colors.yellow(`${r.alerts.length} alert${r.alerts.length === 1 ? '' : 's'}`) : 'silent';
    lines.push(`  ${r.ruleId.padEnd(28)} ${state}  ${schedule}`);
    if (r.error) lines.push(`      ${r.error}`);
    for (const alert of r.alerts.slice(0, ALERTS_SHOWN)) {
      lines.push(`      run at ${readableTime(alert.at)}: ${alert.result.rows.length} row${alert.result.rows.length === 1 ? '' : 's'}`);
      lines.push(...alertLines(byId.get(r.ruleId), alert.result.rows, '        ', colors));
    }
    if (r.alerts.length > ALERTS_SHOWN) lines.push(`      ... and ${r.alerts.length - ALERTS_SHOWN} more alerts (--format json lists every one)`);
  }
  const alerting = history.rules.filter((r) => r.alerts.length > 0);
  const total = alerting.reduce((n, r) => n + r.alerts.length, 0);
  lines.push(`${alerting.length} of ${history.rules.length} enabled rules would have raised ${total} alert${total === 1 ? '' : 's'}`);
  return lines.join('\n');
}
