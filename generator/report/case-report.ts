import type { CaseResult } from '../rule-tests/rule-cases.js';
import { NO_COLORS, type Colors } from './text-report.js';

const MAX_ROWS_SHOWN = 5;

/** The rule test run for a terminal: one line per rule, then every failing case in full. */
export function formatCaseResults(results: readonly CaseResult[], colors: Colors = NO_COLORS): string {
  const lines: string[] = [];
  const byRule = new Map<string, CaseResult[]>();
  for (const result of results) byRule.set(result.ruleId, [...(byRule.get(result.ruleId) ?? []), result]);
  for (const [ruleId, ruleResults] of byRule) {
    const cases = new Set(ruleResults.map((r) => r.caseIndex)).size;
    const bySource = [...new Set(ruleResults.map((r) => r.accountSource))].map((source) => {
      const of = ruleResults.filter((r) => r.accountSource === source);
      const failed = of.filter((r) => r.status === 'failed').length;
      const skipped = of.filter((r) => r.status === 'skipped').length;
      const state = failed > 0 ? colors.red(`${failed} failed`) : 'ok';
      return `${source} ${state}${skipped > 0 ? colors.dim(` (${skipped} skipped)`) : ''}`;
    });
    lines.push(`  ${ruleId.padEnd(28)} ${String(cases).padStart(2)} case${cases === 1 ? ' ' : 's'}  ${bySource.join('  ')}`);
  }
  for (const result of results.filter((r) => r.status === 'failed')) lines.push('', ...failureLines(result, colors));
  const skipped = results.filter((r) => r.status === 'skipped');
  if (skipped.length > 0) {
    lines.push('');
    for (const r of skipped) lines.push(colors.dim(`skipped ${r.ruleId} › ${r.caseName} (${r.accountSource}): ${r.problems.join('; ')}`));
  }
  return lines.join('\n');
}

function failureLines(result: CaseResult, colors: Colors): string[] {
  const where = [result.location.file, result.location.line].filter((x) => x !== undefined).join(':');
  const lines = [`${colors.red('FAILED')} ${result.ruleId} › ${result.caseName} (accounts ${result.accountSource})  ${colors.dim(where)}`];
  for (const problem of result.problems) lines.push(`    ${problem}`);
  lines.push(`    expected: ${JSON.stringify(result.expected)}`);
  if (result.actual) {
    const { rows } = result.actual;
    lines.push(`    actual:   ${rows.length} row${rows.length === 1 ? '' : 's'}${rows.length > 0 ? ':' : ''}`);
    for (const row of rows.slice(0, MAX_ROWS_SHOWN)) lines.push(`      ${JSON.stringify(row)}`);
    if (rows.length > MAX_ROWS_SHOWN) lines.push(`      ... ${rows.length - MAX_ROWS_SHOWN} more`);
  }
  return lines;
}

export function caseTotals(results: readonly CaseResult[]): { passed: number; failed: number; skipped: number } {
  return {
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
  };
}
