import { asReal } from './arithmetic.js';
import { fn, type ScalarFunction } from './scalar-function.js';
import { hasReal, markReals } from './real-marks.js';
import { isNumeric, newBag, type KValue } from './values.js';

/**
 * The series_* functions over dynamic arrays of numbers (make-series' output). Element-wise ones
 * give null for an element that is not a number, or that one array lacks (series-add-function.md).
 */

const numberAt = (array: readonly KValue[], i: number): number | null => {
  const v = array[i];
  return v === undefined || v === null || typeof v === 'boolean' ? null : asReal(v);
};

function unary(f: (x: number) => number): ScalarFunction {
  return fn(1, 1, ([series]) => {
    if (!Array.isArray(series)) return null;
    return series.map((_, i) => {
      const x = numberAt(series, i);
      return x === null ? null : f(x);
    });
  });
}

/** Element-wise over two arrays, or an array and a number. */
function binary(f: (a: number, b: number) => KValue): ScalarFunction {
  return fn(2, 2, ([left, right]) => {
    const a = Array.isArray(left) ? left : null;
    const b = Array.isArray(right) ? right : null;
    if (!a && !b) return null;
    const length = Math.max(a?.length ?? 0, b?.length ?? 0);
    const x = (i: number) => (a ? numberAt(a, i) : isNumeric(left ?? null) ? Number(left) : null);
    const y = (i: number) => (b ? numberAt(b, i) : isNumeric(right ?? null) ? Number(right) : null);
    return Array.from({ length }, (_, i) => {
      const u = x(i);
      const v = y(i);
      return u === null || v === null ? null : f(u, v);
    });
  });
}

function numbers(series: readonly KValue[]): number[] {
  return series.map((_, i) => numberAt(series, i)).filter((v): v is number => v !== null && Number.isFinite(v));
}

/**
 * Least squares line through (x, y_x) for x = 1, 2, ... (the page's example: its interception
 * -1.666 and first fitted value 1.064 differ by one slope): the six values of series_fit_line().
 */
function fitLine(series: readonly KValue[]): { rsquare: number; slope: number; variance: number; rvariance: number; interception: number; line_fit: number[] } | null {
  const points = series.map((_, i) => [i + 1, numberAt(series, i)] as const).filter((p): p is readonly [number, number] => p[1] !== null);
  const n = points.length;
  if (n === 0) return null;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const interception = my - slope * mx;
  const lineFit = series.map((_, i) => interception + slope * (i + 1));
  const residual = points.reduce((s, [x, y]) => s + (y - (interception + slope * x)) ** 2, 0);
  const variance = n > 1 ? syy / (n - 1) : 0;
  const rvariance = n > 1 ? residual / (n - 1) : 0;
  const rsquare = syy === 0 ? 1 : 1 - residual / syy;
  return { rsquare, slope, variance, rvariance, interception, line_fit: lineFit };
}

/** min, min_idx, max, max_idx, avg, stdev, variance (sample) of the numbers of a series. */
function stats(series: readonly KValue[], ignoreNonFinite: boolean): Record<string, KValue> | null {
  const values = series.map((_, i) => numberAt(series, i));
  if (!ignoreNonFinite && values.some((v) => v === null || !Number.isFinite(v))) return { min: null, min_idx: null, max: null, max_idx: null, avg: null, stdev: null, variance: null };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let minIdx = -1;
  let maxIdx = -1;
  const kept: number[] = [];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    kept.push(v);
    if (v < min) {
      min = v;
      minIdx = i;
    }
    if (v > max) {
      max = v;
      maxIdx = i;
    }
  });
  const n = kept.length;
  if (n === 0) return { min: null, min_idx: null, max: null, max_idx: null, avg: null, stdev: null, variance: null };
  const avg = kept.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? kept.reduce((a, b) => a + (b - avg) ** 2, 0) / (n - 1) : 0;
  return { min, min_idx: minIdx, max, max_idx: maxIdx, avg, stdev: Math.sqrt(variance), variance };
}

/**
 * series_fill_linear(series [, missing [, fill_edges [, constant]]]): missing values interpolated
 * between their neighbours; at the edges the nearest value (fill_edges, the default); a series of
 * nothing but missing values takes the constant (0 by default). Integer series stay integers.
 */
function fillLinear(args: KValue[]): KValue {
  const [series, placeholder = null, fillEdges = true, constant = 0] = args;
  if (!Array.isArray(series)) return null;
  const missing = (v: KValue) => v === null || (placeholder !== null && isNumeric(v) && isNumeric(placeholder) && Number(v) === Number(placeholder));
  const integral = !hasReal(series) && series.every((v) => missing(v) || typeof v === 'number' || typeof v === 'bigint');
  const known = series.map((v, i) => (missing(v) ? undefined : { i, v: asReal(v) ?? 0 })).filter((p): p is { i: number; v: number } => p !== undefined);
  if (known.length === 0) return series.map(() => constant);
  const out: KValue[] = series.map((v) => (missing(v) ? null : v));
  if (!integral) markReals(out, 'all');
  for (let k = 0; k + 1 < known.length; k++) {
    const a = known[k]!;
    const b = known[k + 1]!;
    for (let i = a.i + 1; i < b.i; i++) {
      const value = a.v + ((b.v - a.v) * (i - a.i)) / (b.i - a.i);
      // An integer series keeps integers: the page's example cuts the fraction (73.5 gives 73).
      out[i] = integral ? Math.trunc(value) : value;
    }
  }
  if (fillEdges === true) {
    const first = known[0]!;
    const last = known[known.length - 1]!;
    for (let i = 0; i < first.i; i++) out[i] = series[first.i]!;
    for (let i = last.i + 1; i < series.length; i++) out[i] = series[last.i]!;
  } else if (placeholder !== null) {
    for (let i = 0; i < series.length; i++) if (out[i] === null) out[i] = placeholder;
  }
  return out;
}

function fillDirection(forward: boolean): ScalarFunction {
  return fn(1, 2, ([series, placeholder = null]) => {
    if (!Array.isArray(series)) return null;
    const missing = (v: KValue) => v === null || (placeholder !== null && isNumeric(v) && isNumeric(placeholder) && Number(v) === Number(placeholder));
    const out = series.slice();
    let last: KValue = null;
    const order = forward ? out.keys() : [...out.keys()].reverse();
    for (const i of order) {
      if (missing(out[i]!)) out[i] = last ?? out[i]!;
      else last = out[i]!;
    }
    return out;
  });
}

/** Tukey's fences outlier scores (series-outliers-function.md): 0 inside [Q1 - 1.5 IQR, Q3 + 1.5 IQR]. */
export const SERIES_FUNCTIONS: Record<string, ScalarFunction> = {
  series_abs: unary(Math.abs),
  series_acos: unary(Math.acos),
  series_asin: unary(Math.asin),
  series_atan: unary(Math.atan),
  series_ceiling: unary(Math.ceil),
  series_cos: unary(Math.cos),
  series_exp: unary(Math.exp),
  series_floor: unary(Math.floor),
  series_log: unary(Math.log),
  series_sign: unary((x) => Math.sign(x)),
  series_sin: unary(Math.sin),
  series_tan: unary(Math.tan),
  series_add: binary((a, b) => a + b),
  series_subtract: binary((a, b) => a - b),
  series_multiply: binary((a, b) => a * b),
  series_divide: binary((a, b) => a / b),
  series_pow: binary((a, b) => Math.pow(a, b)),
  series_greater: binary((a, b) => a > b),
  series_greater_equals: binary((a, b) => a >= b),
  series_less: binary((a, b) => a < b),
  series_less_equals: binary((a, b) => a <= b),
  series_equals: binary((a, b) => a === b),
  series_not_equals: binary((a, b) => a !== b),
  series_sum: fn(1, 1, ([series]) => (Array.isArray(series) ? numbers(series).reduce((a, b) => a + b, 0) : null)),
  series_product: fn(1, 1, ([series]) => (Array.isArray(series) ? numbers(series).reduce((a, b) => a * b, 1) : null)),
  series_magnitude: fn(1, 1, ([series]) => (Array.isArray(series) ? Math.sqrt(numbers(series).reduce((a, b) => a + b * b, 0)) : null)),
  series_dot_product: fn(2, 2, ([a, b]) => {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length === 0 || b.length === 0) return null;
    let sum = 0;
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const x = numberAt(a, i);
      const y = numberAt(b, i);
      if (x !== null && y !== null) sum += x * y;
    }
    return sum;
  }),
  series_cosine_similarity: fn(2, 4, ([a, b, m1, m2]) => {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length === 0 || b.length === 0) return null;
    const n = Math.min(a.length, b.length);
    let dot = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < n; i++) {
      const x = numberAt(a, i);
      const y = numberAt(b, i);
      if (x === null || y === null) continue;
      dot += x * y;
      aa += x * x;
      bb += y * y;
    }
    const ma = m1 !== undefined && m1 !== null ? Number(m1) : Math.sqrt(aa);
    const mb = m2 !== undefined && m2 !== null ? Number(m2) : Math.sqrt(bb);
    return dot / (ma * mb);
  }),
  series_pearson_correlation: fn(2, 2, ([a, b]) => {
    if (!Array.isArray(a) || !Array.isArray(b)) return null;
    const pairs: [number, number][] = [];
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const x = numberAt(a, i);
      const y = numberAt(b, i);
      if (x !== null && y !== null) pairs.push([x, y]);
    }
    const n = pairs.length;
    if (n === 0) return null;
    const mx = pairs.reduce((s, [x]) => s + x, 0) / n;
    const my = pairs.reduce((s, [, y]) => s + y, 0) / n;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (const [x, y] of pairs) {
      sxy += (x - mx) * (y - my);
      sxx += (x - mx) ** 2;
      syy += (y - my) ** 2;
    }
    return sxy / Math.sqrt(sxx * syy);
  }),
  series_stats: fn(1, 2, ([series, ignore]) => {
    if (!Array.isArray(series)) return [null, null, null, null, null, null, null];
    const s = stats(series, ignore === true);
    return s ? [s['min']!, s['min_idx']!, s['max']!, s['max_idx']!, s['avg']!, s['stdev']!, s['variance']!] : [null, null, null, null, null, null, null];
  }),
  series_stats_dynamic: fn(1, 2, ([series, ignore]) => {
    if (!Array.isArray(series)) return null;
    const s = stats(series, ignore === true);
    return s ? newBag(Object.entries(s)) : null;
  }),
  series_fit_line: fn(1, 1, ([series]) => {
    const fit = Array.isArray(series) ? fitLine(series) : null;
    return fit ? [fit.rsquare, fit.slope, fit.variance, fit.rvariance, fit.interception, fit.line_fit] : [null, null, null, null, null, null];
  }),
  series_fit_line_dynamic: fn(1, 1, ([series]) => {
    const fit = Array.isArray(series) ? fitLine(series) : null;
    return fit ? newBag(Object.entries(fit)) : null;
  }),
  series_fill_linear: fn(1, 4, (args) => fillLinear(args)),
  series_fill_forward: fillDirection(true),
  series_fill_backward: fillDirection(false),
  series_fill_const: fn(2, 3, ([series, constant, placeholder = null]) => {
    if (!Array.isArray(series)) return null;
    return series.map((v) => (v === null || (placeholder !== null && isNumeric(v) && isNumeric(placeholder) && Number(v) === Number(placeholder)) ? (constant ?? null) : v));
  }),
  /** series_iir(x, b, a): y_i = (b_0 x_i + ... + b_{nb-1} x_{i-nb+1} - a_1 y_{i-1} - ...) / a_0. */
  series_iir: fn(3, 3, ([series, numerators, denominators]) => {
    if (!Array.isArray(series) || !Array.isArray(numerators) || !Array.isArray(denominators)) return null;
    const b = numbers(numerators);
    const a = numbers(denominators);
    if (a.length === 0 || a[0] === 0) return null;
    const x = series.map((_, i) => numberAt(series, i) ?? 0);
    const y: number[] = [];
    for (let i = 0; i < x.length; i++) {
      let sum = 0;
      for (let k = 0; k < b.length && i - k >= 0; k++) sum += b[k]! * x[i - k]!;
      for (let k = 1; k < a.length && i - k >= 0; k++) sum -= a[k]! * y[i - k]!;
      y.push(sum / a[0]!);
    }
    return y;
  }),
  /** series_fir(x, filter [, normalize [, center]]): a moving weighted sum. */
  series_fir: fn(2, 4, ([series, filter, normalize = true, center = false]) => {
    if (!Array.isArray(series) || !Array.isArray(filter)) return null;
    let f = numbers(filter);
    if (normalize === true) {
      const total = f.reduce((s, v) => s + v, 0);
      if (total !== 0) f = f.map((v) => v / total);
    }
    const shift = center === true ? Math.floor((f.length - 1) / 2) : 0;
    const x = series.map((_, i) => numberAt(series, i));
    return x.map((_, i) => {
      let sum = 0;
      for (let k = 0; k < f.length; k++) {
        const v = x[i - k + shift];
        if (v === undefined || v === null) continue;
        sum += f[k]! * v;
      }
      return sum;
    });
  }),
};
