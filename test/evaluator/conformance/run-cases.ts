import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvaluationError, evaluateQuery } from '../../../generator/index.js';
import { compareOutput, sortsRows, type ExpectedOutput } from './compare.js';
import { CLOCKS, ERRATA } from './errata.js';

export interface ConformanceCase {
  id: string;
  source: string;
  basis?: string;
  note?: string;
  query: string;
  tables?: Record<string, Record<string, unknown>[]>;
  expected: ExpectedOutput | { error: true };
}

export type Outcome =
  | { id: string; status: 'match'; erratum?: string }
  | { id: string; status: 'unsupported'; construct: string }
  | { id: string; status: 'mismatch'; why: string }
  | { id: string; status: 'crash'; why: string };

export const CASES_FILE = join(import.meta.dirname, '..', '..', 'fixtures', 'kusto-conformance', 'cases.json');

export function readCases(): ConformanceCase[] {
  return JSON.parse(readFileSync(CASES_FILE, 'utf8')) as ConformanceCase[];
}

/** Runs one case through the public entry and sorts it into match / unsupported / mismatch / crash. */
export async function runCase(testCase: ConformanceCase): Promise<Outcome> {
  const { id } = testCase;
  const erratum = ERRATA[id];
  const expected = erratum?.expected ? { ...(testCase.expected as ExpectedOutput), ...erratum.expected } : testCase.expected;
  try {
    const result = await evaluateQuery(testCase.query, { tables: testCase.tables ?? {}, now: CLOCKS[id]?.now ?? '2026-11-20T10:00:00Z' });
    if ('error' in expected) return { id, status: 'mismatch', why: 'Kusto refuses this query, the evaluator answered it' };
    const verdict = compareOutput(result, expected, sortsRows(testCase.query), erratum?.shownColumnsOnly ?? false);
    if (verdict.equal) return erratum ? { id, status: 'match', erratum: erratum.reason } : { id, status: 'match' };
    return { id, status: 'mismatch', why: verdict.why };
  } catch (error) {
    if (error instanceof EvaluationError && error.code !== 'internal') {
      if ('error' in expected) return { id, status: 'match' };
      return { id, status: 'unsupported', construct: `${error.code}: ${error.message}` };
    }
    return { id, status: 'crash', why: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}
