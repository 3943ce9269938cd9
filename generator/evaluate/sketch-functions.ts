import { nearestRank, sketch, sketchKind, sortValues } from './aggregates.js';
import { asReal } from './arithmetic.js';
import { convertTo } from './convert.js';
import { fn, type ScalarFunction } from './scalar-function.js';
import { compare, valueKey, type KValue } from './values.js';

/**
 * The scalar functions over hll() and tdigest() values (the engine's exact sketches: the values
 * themselves, so counts and percentiles are exact where Kusto estimates them).
 */
function digest(value: KValue | undefined): KValue[] | null {
  return value !== undefined && sketchKind(value) === 'tdigest' ? (value as KValue[]) : null;
}

function merge(kind: 'hll' | 'tdigest'): ScalarFunction {
  return fn(1, 64, (args) => {
    const values: KValue[] = [];
    for (const arg of args) {
      if (arg === null) continue;
      if (sketchKind(arg) !== kind) return null;
      values.push(...(arg as KValue[]));
    }
    return sketch(kind, kind === 'tdigest' ? sortValues(values) : values);
  });
}

export const SKETCH_FUNCTIONS: Record<string, ScalarFunction> = {
  percentile_tdigest: fn(2, 3, ([value, percent], site) => {
    const values = digest(value);
    const p = asReal(percent ?? null);
    if (!values || p === null) return null;
    const result = nearestRank(values, p);
    return site.resultType === 'long' || site.resultType === 'real' || site.resultType === 'int' ? convertTo(result, site.resultType) : result;
  }),
  percentiles_array_tdigest: fn(2, 64, ([value, ...percents]) => {
    const values = digest(value);
    if (!values) return null;
    return percents.flatMap((p) => (Array.isArray(p) ? p : [p])).map((p) => nearestRank(values, asReal(p) ?? Number.NaN));
  }),
  /** rank_tdigest(digest, value): how many of the values are at most `value`. */
  rank_tdigest: fn(2, 2, ([value, rankOf]) => {
    const values = digest(value);
    if (!values || rankOf === null || rankOf === undefined) return null;
    return values.filter((v) => (compare(v, rankOf) ?? 1) <= 0).length;
  }),
  merge_tdigest: merge('tdigest'),
  tdigest_merge: merge('tdigest'),
  hll_merge: merge('hll'),
  dcount_hll: fn(1, 1, ([value]) => {
    if (value === undefined || value === null || sketchKind(value) !== 'hll') return null;
    return new Set((value as KValue[]).map(valueKey)).size;
  }),
};
