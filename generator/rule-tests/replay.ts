import { compileQuery } from '../evaluate/evaluate-query.js';
import { EvaluationError } from '../evaluate/evaluation-error.js';
import type { Table } from '../evaluate/table.js';
import type { Manifest } from '../manifest/types.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { fires } from './expectation.js';
import { runSchedule } from './run-schedule.js';
import { TimeIndex } from './time-index.js';
import { resultRows, type ResultRows } from './rule-cases.js';
import { watchlistTables } from './watchlist-tables.js';

export interface RuleReplay {
  ruleId: string;
  /** Records of all tables inside the rule's look-back window. */
  recordsInWindow: number;
  fired: boolean;
  result?: ResultRows;
  /** The rule could not be evaluated (never counted as silent). */
  error?: string;
}

export interface ReplayResult {
  /** The clock the rules ran at (ms since the epoch). */
  now: number;
  rules: RuleReplay[];
}

/**
 * Runs every enabled rule once, as of `now` (default: the newest record or ingestion), over
 * exported records: each rule reads the window its run at that moment would read (run-schedule.ts:
 * what was ingested in the last minute for NRT, the look-back for scheduled), as it would have when
 * the records were fresh. Pure.
 */
export function replayRules(rules: readonly RenderedRule[], manifest: Manifest, events: ReadonlyMap<string, Table>, globals: Kusto.Language.GlobalState, now?: number): ReplayResult {
  const index = new TimeIndex(events);
  const clock = now ?? index.span()?.newest ?? 0;
  const watchlists = watchlistTables(manifest);
  const replays = rules
    .filter((rule) => rule.enabled)
    .map((rule): RuleReplay => {
      const tables = index.runWindow(runSchedule(rule), clock);
      const recordsInWindow = [...tables.values()].reduce((n, t) => n + t.rows.length, 0);
      try {
        const table = compileQuery(rule.query.text, globals).run({ tables, watchlists, now: clock });
        return { ruleId: rule.id, recordsInWindow, fired: fires(table.rows.length, rule.template.triggerOperator, rule.template.triggerThreshold), result: resultRows(table) };
      } catch (error) {
        if (error instanceof EvaluationError) return { ruleId: rule.id, recordsInWindow, fired: false, error: error.message };
        throw error;
      }
    });
  return { now: clock, rules: replays };
}
