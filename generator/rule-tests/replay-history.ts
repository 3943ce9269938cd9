import { compiledQuery } from './compiled-queries.js';
import { EvaluationError } from '../evaluate/evaluation-error.js';
import type { Table } from '../evaluate/table.js';
import type { Manifest, RuleKind } from '../manifest/types.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { fires } from './expectation.js';
import { resultRows, type ResultRows } from './rule-cases.js';
import { runSchedule } from './run-schedule.js';
import { TimeIndex } from './time-index.js';
import { watchlistTables } from './watchlist-tables.js';
import { ruleTables } from './replay.js';

export interface HistoryAlert {
  /** When the run that raised it happened (ms since the epoch). */
  at: number;
  result: ResultRows;
}

export interface RuleHistory {
  ruleId: string;
  kind: RuleKind;
  frequencyMs: number;
  periodMs: number;
  /** What the look-back is measured on: ingestion time (NRT) or TimeGenerated (scheduled). */
  by: 'ingestion' | 'generated';
  /** Scheduled runs replayed. */
  runs: number;
  /** Runs whose result fired (each one may raise several alerts: see alert-model.ts). */
  alerts: HistoryAlert[];
  /** The rule could not be evaluated (never counted as silent). */
  error?: string;
}

export interface HistoryResult {
  /** First and last run replayed (ms since the epoch). */
  from: number;
  until: number;
  rules: RuleHistory[];
}

/** The first run in [first, last] that is not in the ascending list `taken`, if any. */
function firstGap(taken: readonly number[], first: number, last: number, every: number): number | undefined {
  let at = first;
  for (const run of taken) {
    if (run > at) break;
    if (run === at) at += every;
  }
  return at <= last ? at : undefined;
}

/** No replay runs more than this many times per rule: 1-minute (NRT) runs over almost four years. */
export const MAX_RUNS = 2_000_000;

/** Why a rule that fires on an empty window is not replayed over a span of more than MAX_RUNS runs. */
export function overflowError(ruleId: string, start: number, end: number, every: number): string {
  return `${ruleId}: fires on an empty window, and the records span ${Math.round((end - start) / 86_400_000)} days: more than ${MAX_RUNS} runs every ${every / 60_000} minutes to evaluate; replay a shorter export`;
}

/**
 * Replays the records as time passing: every enabled rule runs on its own schedule (run-schedule.ts:
 * NRT every minute over what was ingested in it, scheduled every queryFrequency over its
 * queryPeriod), from the oldest record until `until` (default: the newest record or ingestion).
 * Runs fall on multiples of their period since the epoch (:00, :05, ... for 5 minutes), so results
 * do not depend on when a replay starts. Every run counts, empty windows too: a rule may fire on the
 * absence of records. A run whose window holds no record gives what the first such run gave (its
 * rows come from no record, so nothing in them changes), unless that fired: then each is evaluated,
 * since a rule that fires on silence may well say when. Pure.
 */
export function replayHistory(
  rules: readonly RenderedRule[],
  manifest: Manifest,
  events: ReadonlyMap<string, Table>,
  globals: Kusto.Language.GlobalState,
  until?: number,
  onRuns?: (done: number, total: number) => void,
): HistoryResult {
  const index = new TimeIndex(events);
  const span = index.span();
  const end = until ?? span?.newest ?? 0;
  const start = Math.min(span?.oldest ?? end, end);
  const watchlists = watchlistTables(manifest);
  const enabled = rules.filter((rule) => rule.enabled);
  const histories = enabled.map((rule, ruleIndex): RuleHistory => {
      // Runs are visited sparsely (only those with records, see below): progress counts rules.
      onRuns?.(ruleIndex, enabled.length);
      const schedule = runSchedule(rule);
      const every = schedule.everyMs;
      const history: RuleHistory = { ruleId: rule.id, kind: schedule.kind, frequencyMs: every, periodMs: schedule.lookBackMs, by: schedule.by, runs: 0, alerts: [] };
      const first = Math.ceil(start / every) * every;
      const last = Math.ceil(end / every) * every;
      try {
        const query = compiledQuery(rule.query.text, globals);
        const evaluate = (at: number) => {
          const table = query.run({ tables: index.runWindow(schedule, at), watchlists, now: at });
          if (fires(table.rows.length, rule.template.triggerOperator, rule.template.triggerThreshold)) history.alerts.push({ at, result: resultRows(table) });
        };
        history.runs = (last - first) / every + 1;
        // The tables the query reads (Kusto.Language): records of others never change its result.
        const withRecords = index.runsWithRecords(schedule, first, last, new Set(ruleTables(rule, globals)));
        // An empty run: what the first one gives, unless it fires (then every one is evaluated, in order).
        const firstEmpty = firstGap(withRecords, first, last, every);
        const emptyFires = firstEmpty !== undefined && fires(query.run({ tables: index.runWindow(schedule, firstEmpty), watchlists, now: firstEmpty }).rows.length, rule.template.triggerOperator, rule.template.triggerThreshold);
        if (emptyFires) {
          // Only a rule that fires on silence is evaluated at every run, so only then does the span cost.
          if (history.runs > MAX_RUNS) return { ...history, runs: 0, error: overflowError(rule.id, start, end, every) };
          for (let at = first; at <= last; at += every) evaluate(at);
        } else for (const at of withRecords) evaluate(at);
      } catch (error) {
        if (error instanceof EvaluationError) return { ...history, error: `${rule.id}: ${error.message}` };
        throw error;
      }
      return history;
    });
  onRuns?.(enabled.length, enabled.length);
  return { from: start, until: end, rules: histories };
}
