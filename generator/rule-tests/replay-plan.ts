import type { RenderedRule } from '../render/sentinel-rule.js';
import type { TableSchemas } from '../validate/kusto-schema.js';
import { analyzeQuery } from '../validate/analyze-query.js';
import { ACTOR_COLUMNS } from './account-uses.js';
import { runSchedule, type RunSchedule } from './run-schedule.js';

/** An enabled rule as a replay runs it. */
export interface PlannedRule {
  rule: RenderedRule;
  schedule: RunSchedule;
  /** The workspace tables its query reads (Kusto.Language). */
  tables: string[];
}

/**
 * What a replay keeps of the records of one table: the columns the rules read. Only tables some
 * enabled rule reads are kept at all; of the others only times and counts (and, for the account
 * tables, who acted) are taken.
 */
export interface TablePlan {
  /** Columns kept, in schema order (TimeGenerated always); undefined: every column (a rule reads columns it does not name). */
  columns?: string[];
}

export interface ReplayPlan {
  rules: PlannedRule[];
  tables: Map<string, TablePlan>;
}

/**
 * The enabled rules, and per table they read the columns to keep: the columns their queries refer
 * to, as Kusto.Language resolves them (analyze-query.ts), with TimeGenerated, which the look-back
 * windows are measured on. A query that reads columns it does not name (`*`, pack_all(), search)
 * keeps every column of its tables. The hidden ingestion time is kept on every row anyway. Pure.
 */
export function replayPlan(rules: readonly RenderedRule[], globals: Kusto.Language.GlobalState, schemas: TableSchemas): ReplayPlan {
  const planned: PlannedRule[] = [];
  const wanted = new Map<string, Set<string> | undefined>();
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const analysis = analyzeQuery(rule.query.text, globals);
    planned.push({ rule, schedule: runSchedule(rule), tables: analysis.tables });
    for (const table of analysis.tables) {
      if (wanted.has(table) && wanted.get(table) === undefined) continue;
      if (analysis.columns.all) {
        wanted.set(table, undefined);
        continue;
      }
      const names = wanted.get(table) ?? new Set(['TimeGenerated']);
      for (const name of analysis.columns.names) names.add(name);
      wanted.set(table, names);
    }
  }
  const tables = new Map<string, TablePlan>();
  for (const [table, names] of wanted) {
    tables.set(table, names ? { columns: (schemas[table] ?? []).map((c) => c.name).filter((name) => names.has(name)) } : {});
  }
  return { rules: planned, tables };
}

/**
 * The columns a streaming reader types for a record of `table`: what the plan keeps, and what the
 * account uses are read from; undefined for every column.
 */
export function typedColumns(plan: ReplayPlan, table: string, schemas: TableSchemas): string[] | undefined {
  const kept = plan.tables.get(table);
  if (kept && kept.columns === undefined) return undefined;
  const names = new Set([...(kept?.columns ?? ['TimeGenerated']), ...(ACTOR_COLUMNS[table] ?? [])]);
  return (schemas[table] ?? []).map((c) => c.name).filter((name) => names.has(name));
}
