import type { ExpectedOutput } from './compare.js';

/**
 * Where a page's printed output cannot be what Kusto returns for the query it shows, by the page's
 * own rules. Each entry names the case and says why; the comparison then uses the corrected output.
 */
export interface Erratum {
  reason: string;
  expected?: Partial<ExpectedOutput>;
}

export const ERRATA: Record<string, Erratum> = {};

/** Cases whose query reads the clock (now()): the time the page's run shows. */
export const CLOCKS: Record<string, { now: string; reason: string }> = {};
