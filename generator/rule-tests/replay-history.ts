import { compileQuery, type CompiledQuery } from '../evaluate/evaluate-query.js';
import { EvaluationError } from '../evaluate/evaluation-error.js';
import type { Table } from '../evaluate/table.js';
import type { Manifest, RuleKind } from '../manifest/types.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { fires } from './expectation.js';
import { resultRows, type ResultRows } from './rule-cases.js';
import { runSchedule } from './run-schedule.js';
import { TimeIndex } from './time-index.js';
import { watchlistTables } from './watchlist-tables.js';

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

/** No replay runs more than this many times per rule: 1-minute (NRT) runs over almost four years. */
export const MAX_RUNS = 2_000_000;

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
export function replayHistory(rules: readonly RenderedRule[], manifest: Manifest, events: ReadonlyMap<string, Table>, globals: Kusto.Language.GlobalState, until?: number): HistoryResult {
  const index = new TimeIndex(events);
  const span = index.span();
  const end = until ?? span?.newest ?? 0;
  const start = Math.min(span?.oldest ?? end, end);
  const watchlists = watchlistTables(manifest);
  const histories = rules
    .filter((rule) => rule.enabled)
    .map((rule): RuleHistory => {
      const schedule = runSchedule(rule);
      const every = schedule.everyMs;
      const history: RuleHistory = { ruleId: rule.id, kind: schedule.kind, frequencyMs: every, periodMs: schedule.lookBackMs, by: schedule.by, runs: 0, alerts: [] };
      const first = Math.ceil(start / every) * every;
      const last = Math.ceil(end / every) * every;
      if ((last - first) / every + 1 > MAX_RUNS) {
        return { ...history, error: `${rule.id}: the records span ${Math.round((end - start) / 86_400_000)} days, more than ${MAX_RUNS} runs every ${every / 60_000} minutes; replay a shorter export` };
      }
      let query: CompiledQuery;
      let emptyFires: boolean | undefined;
      try {
        query = compileQuery(rule.query.text, globals);
        for (let at = first; at <= last; at += every) {
          history.runs++;
          const tables = index.runWindow(schedule, at);
          const empty = [...tables.values()].every((t) => t.rows.length === 0);
          if (empty && emptyFires === false) continue;
          const table = query.run({ tables, watchlists, now: at });
          const fired = fires(table.rows.length, rule.template.triggerOperator, rule.template.triggerThreshold);
          if (empty) emptyFires ??= fired;
          if (fired) history.alerts.push({ at, result: resultRows(table) });
        }
      } catch (error) {
        if (error instanceof EvaluationError) return { ...history, error: `${rule.id}: ${error.message}` };
        throw error;
      }
      return history;
    });
  return { from: start, until: end, rules: histories };
}
