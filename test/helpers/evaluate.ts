import { compileQuery } from '../../generator/evaluate/evaluate-query.js';
import { tableFromRecords } from '../../generator/evaluate/input-rows.js';
import type { Table } from '../../generator/evaluate/table.js';
import { resultRows } from '../../generator/rule-tests/rule-cases.js';
import { LOG_ANALYTICS_TABLES } from '../../generator/validate/kusto-schema.js';
import { sharedGlobals } from './harness.js';

/** The clock of every evaluator test, unless a test gives its own. */
export const NOW = Date.parse('2026-11-20T10:00:00Z');

/** The rows a query gives over the records given per table, as JSON-like values. */
export function run(query: string, tables: Record<string, Record<string, unknown>[]> = {}, now = NOW): Record<string, unknown>[] {
  const input = new Map<string, Table>(Object.entries(tables).map(([name, records]) => [name, tableFromRecords(records, LOG_ANALYTICS_TABLES[name] ?? [], name)]));
  return resultRows(compileQuery(query, sharedGlobals()).run({ tables: input, now })).rows;
}

/** The value of one scalar expression. */
export function value(expression: string): unknown {
  return run(`print v = ${expression}`)[0]!['v'];
}
