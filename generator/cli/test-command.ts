import type { Catalog } from '../catalog/rule-template.js';
import type { Manifest } from '../manifest/types.js';
import { caseTotals, formatCaseResults } from '../report/case-report.js';
import { colorsFor, type Colors } from '../report/text-report.js';
import { testRules } from '../rule-tests/test-rules.js';

export interface TestIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
}

/** `breakglass test`: every case of every rule, inline and from the watchlist; exit 1 if one fails. */
export async function runTests(args: { format: string; manifest: string }, io: TestIo, manifest: Manifest, catalog: Catalog, globals: Kusto.Language.GlobalState, checkpoint: () => Promise<void>): Promise<number> {
  const results = testRules(manifest, catalog, globals);
  // A Ctrl-C during the cases stops here: no report of a run that was called off.
  await checkpoint();
  const totals = caseTotals(results);
  if (args.format === 'json') {
    io.stdout.write(`${JSON.stringify({ ok: totals.failed === 0, command: 'test', manifest: args.manifest, cases: results, summary: totals }, null, 2)}\n`);
  } else {
    const colors: Colors = colorsFor(io.stdout);
    const rules = new Set(results.map((r) => r.ruleId)).size;
    io.stdout.write(`${formatCaseResults(results, colors)}\n`);
    io.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped: ${rules} rules, each case run with the accounts inline and from the watchlist\n`);
  }
  return totals.failed > 0 ? 1 : 0;
}
