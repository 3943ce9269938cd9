import type { RuleTestCase } from '../catalog/rule-template.js';
import type { CompiledQuery } from '../evaluate/evaluate-query.js';
import { EvaluationError } from '../evaluate/evaluation-error.js';
import type { Table } from '../evaluate/table.js';
import { toJsonValue } from '../evaluate/values.js';
import type { SourceLocation } from '../findings.js';
import type { AccountSource, Manifest } from '../manifest/types.js';
import { durationMinutes } from '../render/durations.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import type { TableSchemas } from '../validate/kusto-schema.js';
import { caseInput, CaseError, type CaseInput } from './case-input.js';
import { expectationProblems, fires } from './expectation.js';
import { lookBack } from './look-back.js';
import { BadPlaceholder, MissingReference, resolvePlaceholders } from './placeholders.js';

/** A result table as JSON: what a report prints and `--format json` gives. */
export interface ResultRows {
  columns: string[];
  rows: Record<string, unknown>[];
}

export type CaseStatus = 'passed' | 'failed' | 'skipped';

export interface CaseResult {
  ruleId: string;
  caseName: string;
  /** Position in the rule's `tests:` list. */
  caseIndex: number;
  accountSource: AccountSource;
  status: CaseStatus;
  /** Why the case failed, or why it could not run against this manifest. */
  problems: string[];
  expected: RuleTestCase['expect'];
  actual?: ResultRows;
  location: SourceLocation;
}

/** A case with its placeholders resolved and its rows typed and cut to the rule's look-back window. */
export type PreparedCase =
  | { index: number; testCase: RuleTestCase; state: 'ready'; input: CaseInput }
  | { index: number; testCase: RuleTestCase; state: 'skipped' | 'invalid'; reason: string };

/** Prepares a rule's cases for a manifest, once; mutation runs reuse them. Pure. */
export function prepareCases(rule: RenderedRule, manifest: Manifest, schemas: TableSchemas): PreparedCase[] {
  const periodMs = durationMinutes(rule.queryPeriod) * 60_000;
  return (rule.template.tests ?? []).map((written, index) => {
    try {
      const testCase = resolvePlaceholders(written, manifest);
      const input = caseInput(testCase, schemas);
      return { index, testCase, state: 'ready', input: { now: input.now, tables: lookBack(input.tables, input.now, periodMs) } };
    } catch (error) {
      if (error instanceof MissingReference) return { index, testCase: written, state: 'skipped', reason: `skipped: ${error.message}` };
      if (error instanceof CaseError || error instanceof BadPlaceholder) return { index, testCase: written, state: 'invalid', reason: error.message };
      throw error;
    }
  });
}

export interface CaseRunContext {
  rule: RenderedRule;
  accountSource: AccountSource;
  watchlists: ReadonlyMap<string, Table>;
}

/** Runs one prepared case through the compiled query (or reports why the query cannot run). Pure. */
export function runCase(prepared: PreparedCase, query: CompiledQuery | EvaluationError, context: CaseRunContext): CaseResult {
  const { rule } = context;
  const base = {
    ruleId: rule.id,
    caseName: prepared.testCase.name,
    caseIndex: prepared.index,
    accountSource: context.accountSource,
    expected: prepared.testCase.expect,
    location: { file: rule.source.file, line: rule.source.lineOf(['tests', prepared.index]) },
  };
  if (prepared.state !== 'ready') return { ...base, status: prepared.state === 'skipped' ? 'skipped' : 'failed', problems: [prepared.reason] };
  if (query instanceof EvaluationError) return { ...base, status: 'failed', problems: [`the query cannot be evaluated: ${query.message}`] };
  let result: Table;
  try {
    result = query.run({ tables: prepared.input.tables, watchlists: context.watchlists, now: prepared.input.now });
  } catch (error) {
    if (error instanceof EvaluationError) return { ...base, status: 'failed', problems: [`evaluation failed: ${error.message}`] };
    throw error;
  }
  const fired = fires(result.rows.length, rule.template.triggerOperator, rule.template.triggerThreshold);
  const problems = expectationProblems(prepared.testCase.expect, result, fired);
  return { ...base, status: problems.length === 0 ? 'passed' : 'failed', problems, actual: resultRows(result) };
}

export function resultRows(table: Table): ResultRows {
  return { columns: table.columns, rows: table.rows.map((row) => Object.fromEntries(table.columns.map((c) => [c, toJsonValue(row[c] ?? null)]))) };
}
