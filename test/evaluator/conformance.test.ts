import { expect, it } from 'vitest';
import { readCases, runCase, type Outcome } from './conformance/run-cases.js';

// Microsoft's Kusto reference, case by case (test/fixtures/kusto-conformance): every case must
// give the documented output, or be refused loudly with an error that names the construct. A
// different answer (mismatch) or a failure inside the engine (crash) fails this test.

/** The share of cases that must match: raised as the engine grows (issue 15 asks for 85%). */
const MIN_MATCHES = 403;

it('answers every Kusto conformance case as documented, or refuses it by name', async () => {
  const outcomes: Outcome[] = [];
  for (const testCase of readCases()) outcomes.push(await runCase(testCase));
  const of = (status: Outcome['status']) => outcomes.filter((o) => o.status === status);
  const counts = { match: of('match').length, unsupported: of('unsupported').length, mismatch: of('mismatch').length, crash: of('crash').length };
  console.log(
    `Kusto conformance: ${outcomes.length} cases: ${counts.match} match (${((100 * counts.match) / outcomes.length).toFixed(1)}%), ` +
      `${counts.unsupported} unsupported, ${counts.mismatch} mismatch, ${counts.crash} crash`,
  );
  const corrected = outcomes.filter((o) => o.status === 'match' && o.erratum);
  console.log(`  of the matches, ${corrected.length} against an erratum of the page (test/evaluator/conformance/errata.ts)`);
  const wrong = [...of('mismatch'), ...of('crash')].map((o) => `${o.status} ${o.id}: ${'why' in o ? o.why : ''}`);
  expect(wrong, 'wrong answers and failures inside the engine').toEqual([]);
  expect(counts.match).toBeGreaterThanOrEqual(MIN_MATCHES);
});
