import type { CompiledQuery } from '../evaluate/evaluate-query.js';
import { compiledQuery } from './compiled-queries.js';
import { EvaluationError } from '../evaluate/evaluation-error.js';
import type { Table } from '../evaluate/table.js';
import type { Manifest } from '../manifest/types.js';
import { durationMinutes } from '../render/durations.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { fires } from './expectation.js';
import { resultRows, type ResultRows } from './rule-cases.js';
import { TimeIndex } from './time-index.js';
import { watchlistTables } from './watchlist-tables.js';

export interface HistoryAlert {
  /** When the run that raised it happened (ms since the epoch). */
  at: number;
  result: ResultRows;
}

export interface RuleHistory {
  ruleId: string;
  frequencyMs: number;
  periodMs: number;
  /** Scheduled runs replayed. */
  runs: number;
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

/** No replay runs more than this many times per rule: 1-minute runs over a year and a bit. */
export const MAX_RUNS = 600_000;

/**
 * Replays the records as time passing: every enabled rule runs on its own schedule, every
 * queryFrequency from the oldest record until `until` (default: the newest record), each run
 * reading the records of (run - queryPeriod, run]. Runs fall on multiples of the frequency since
 * the epoch (:00, :05, ... for 5 minutes), so results do not depend on when a replay starts.
 * Every run counts, empty windows too: a rule may fire on the absence of records. Pure.
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
  const runsOf = (rule: RenderedRule): number => {
    const frequencyMs = durationMinutes(rule.queryFrequency) * 60_000;
    return Math.max(0, (Math.ceil(end / frequencyMs) - Math.ceil(start / frequencyMs)) + 1);
  };
  const totalRuns = onRuns ? enabled.reduce((n, rule) => n + (runsOf(rule) > MAX_RUNS ? 0 : runsOf(rule)), 0) : 0;
  let runsDone = 0;
  const histories = enabled.map((rule): RuleHistory => {
      const frequencyMs = durationMinutes(rule.queryFrequency) * 60_000;
      const periodMs = durationMinutes(rule.queryPeriod) * 60_000;
      const history: RuleHistory = { ruleId: rule.id, frequencyMs, periodMs, runs: 0, alerts: [] };
      const first = Math.ceil(start / frequencyMs) * frequencyMs;
      const last = Math.ceil(end / frequencyMs) * frequencyMs;
      if ((last - first) / frequencyMs + 1 > MAX_RUNS) {
        return { ...history, error: `${rule.id}: the records span ${Math.round((end - start) / 86_400_000)} days, more than ${MAX_RUNS} runs every ${rule.queryFrequency}; replay a shorter export` };
      }
      let query: CompiledQuery;
      try {
        query = compiledQuery(rule.query.text, globals);
        for (let at = first; at <= last; at += frequencyMs) {
          history.runs++;
          if (onRuns && ++runsDone % 1024 === 0) onRuns(runsDone, totalRuns);
          const table = query.run({ tables: index.window(at - periodMs, at), watchlists, now: at });
          if (fires(table.rows.length, rule.template.triggerOperator, rule.template.triggerThreshold)) history.alerts.push({ at, result: resultRows(table) });
        }
      } catch (error) {
        if (error instanceof EvaluationError) return { ...history, error: `${rule.id}: ${error.message}` };
        throw error;
      }
      return history;
    });
  return { from: start, until: end, rules: histories };
}
