import type { ExpectedValue, RuleTestCase, TriggerOperator } from '../catalog/rule-template.js';
import type { Row, Table } from '../evaluate/table.js';
import { KDateTime, parseDateTime, toKustoString, type KValue } from '../evaluate/values.js';
import { unmatchedExpected } from './row-matching.js';

/** Whether a result of `count` rows makes an alert, by the rule's trigger. */
export function fires(count: number, operator: TriggerOperator, threshold: number): boolean {
  switch (operator) {
    case 'gt':
      return count > threshold;
    case 'lt':
      return count < threshold;
    case 'eq':
      return count === threshold;
    case 'ne':
      return count !== threshold;
  }
}

/** What is wrong with the result, measured against the case's expectation; empty when it holds. */
export function expectationProblems(expect: RuleTestCase['expect'], result: Table, fired: boolean): string[] {
  const problems: string[] = [];
  if (fired !== expect.fires) problems.push(expect.fires ? `expected the rule to fire; it returned ${result.rows.length} rows and stayed silent` : `expected the rule to stay silent; it fired with ${result.rows.length} row${result.rows.length === 1 ? '' : 's'}`);
  if (expect.count !== undefined && result.rows.length !== expect.count) problems.push(`expected ${expect.count} result row${expect.count === 1 ? '' : 's'}, got ${result.rows.length}`);
  if (expect.rows && expect.rows.length > 0) {
    for (const expected of expect.rows) {
      for (const column of Object.keys(expected)) {
        if (!result.columns.includes(column)) problems.push(`expected column ${column} is not in the result (columns: ${result.columns.join(', ')})`);
      }
    }
    if (problems.length === 0) {
      const unmatched = unmatchedRows(expect.rows, result.rows);
      for (const index of unmatched) problems.push(`no result row matches expected row ${index + 1}: ${JSON.stringify(expect.rows[index])}`);
    }
  }
  return problems;
}

/** Kusto's value as the case would write it: datetimes compare as instants, the rest as text. */
export function matchesValue(actual: KValue, expected: ExpectedValue): boolean {
  if (expected === null) return actual === null;
  if (typeof expected === 'boolean' || typeof expected === 'number') return actual === expected;
  if (actual instanceof KDateTime) return parseDateTime(expected)?.ms === actual.ms;
  return actual !== null && toKustoString(actual) === expected;
}

/** Expected rows that get no result row of their own. */
function unmatchedRows(expected: readonly Record<string, ExpectedValue>[], actual: readonly Row[]): number[] {
  return unmatchedExpected(expected.length, actual.length, (e, a) =>
    Object.entries(expected[e]!).every(([column, value]) => matchesValue(actual[a]![column] ?? null, value)),
  );
}
