import { EvaluationError } from '../evaluate/evaluation-error.js';
import type { Table } from '../evaluate/table.js';
import { KDateTime } from '../evaluate/values.js';
import type { Manifest } from '../manifest/types.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { analyzeQuery } from '../validate/analyze-query.js';
import { compiledQuery } from './compiled-queries.js';
import { fires } from './expectation.js';
import { runSchedule } from './run-schedule.js';
import { TimeIndex } from './time-index.js';
import { resultRows, type ResultRows } from './rule-cases.js';
import { watchlistTables } from './watchlist-tables.js';

export interface RuleReplay {
  ruleId: string;
  /** The tables the rule's query reads. */
  tables: string[];
  /** Records of the rule's own tables inside its look-back window. */
  recordsInWindow: number;
  fired: boolean;
  result?: ResultRows;
  /** The rule could not be evaluated (never counted as silent). */
  error?: string;
}

/** Records of a table that no rule saw: all of them outside every look-back window of the rules that read it. */
export interface UnseenTable {
  table: string;
  records: number;
  /** Its newest and oldest TimeGenerated (ms since the epoch). */
  newest: number;
  oldest: number;
  /** The longest look-back of the rules that read it. */
  lookBackMs: number;
}

export interface ReplayResult {
  /** The clock the rules ran at (ms since the epoch). */
  now: number;
  rules: RuleReplay[];
  /** Tables whose records no rule saw at this clock (replay --history runs over them). */
  unseen: UnseenTable[];
}

/** How many records of a table were read, and their oldest and newest TimeGenerated (ms since the epoch). */
export interface TableStats {
  records: number;
  oldest: number;
  newest: number;
}

/** The stats of tables held in memory (rows without a TimeGenerated are counted, not timed). */
export function tableStats(events: ReadonlyMap<string, Table>): Map<string, TableStats> {
  const stats = new Map<string, TableStats>();
  for (const [name, table] of events) {
    let newest = -Infinity;
    let oldest = Infinity;
    for (const row of table.rows) {
      const time = row['TimeGenerated'];
      if (!(time instanceof KDateTime)) continue;
      newest = Math.max(newest, time.ms);
      oldest = Math.min(oldest, time.ms);
    }
    stats.set(name, { records: table.rows.length, oldest, newest });
  }
  return stats;
}

/** The workspace tables a rule reads, as Kusto.Language resolves its query. */
export function ruleTables(rule: RenderedRule, globals: Kusto.Language.GlobalState): string[] {
  return analyzeQuery(rule.query.text, globals).tables;
}

/**
 * Runs every enabled rule once, as of `now` (default: the newest record or ingestion), over
 * exported records: each rule reads the window its run at that moment would read (run-schedule.ts:
 * what was ingested in the last minute for NRT, the look-back for scheduled), as it would have when
 * the records were fresh. Pure.
 */
export function replayRules(
  rules: readonly RenderedRule[],
  manifest: Manifest,
  events: ReadonlyMap<string, Table>,
  globals: Kusto.Language.GlobalState,
  now?: number,
  onRule?: (done: number, total: number) => void,
  stats: ReadonlyMap<string, TableStats> = tableStats(events),
): ReplayResult {
  const index = new TimeIndex(events);
  const clock = now ?? index.span()?.newest ?? 0;
  const watchlists = watchlistTables(manifest);
  const seen = new Map<string, { lookBackMs: number; inWindow: number }>();
  const enabled = rules.filter((rule) => rule.enabled);
  const replays = enabled.map((rule, at): RuleReplay => {
      onRule?.(at, enabled.length);
      const schedule = runSchedule(rule);
      const tables = index.runWindow(schedule, clock);
      const own = ruleTables(rule, globals);
      const inWindow = own.map((name) => tables.get(name)?.rows.length ?? 0);
      own.forEach((name, i) => {
        const entry = seen.get(name) ?? { lookBackMs: 0, inWindow: 0 };
        seen.set(name, { lookBackMs: Math.max(entry.lookBackMs, schedule.lookBackMs), inWindow: entry.inWindow + inWindow[i]! });
      });
      const recordsInWindow = inWindow.reduce((n, c) => n + c, 0);
      try {
        const table = compiledQuery(rule.query.text, globals).run({ tables, watchlists, now: clock });
        return { ruleId: rule.id, tables: own, recordsInWindow, fired: fires(table.rows.length, rule.template.triggerOperator, rule.template.triggerThreshold), result: resultRows(table) };
      } catch (error) {
        if (error instanceof EvaluationError) return { ruleId: rule.id, tables: own, recordsInWindow, fired: false, error: error.message };
        throw error;
      }
    });
  const unseen: UnseenTable[] = [];
  for (const [name, table] of stats) {
    const entry = seen.get(name);
    if (!entry || entry.inWindow > 0 || table.records === 0) continue;
    unseen.push({ table: name, records: table.records, newest: table.newest, oldest: table.oldest, lookBackMs: entry.lookBackMs });
  }
  return { now: clock, rules: replays, unseen };
}
