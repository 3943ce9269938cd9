import { asLong, asReal } from './arithmetic.js';
import { toLong } from './convert.js';
import { fn, type CallSite, type ScalarFunction } from './scalar-function.js';
import { compare, dateTimeOrNull, isNumeric, KDateTime, KTimespan, longValue, MIN_DATETIME_TICKS, type KValue } from './values.js';

/**
 * Numeric functions. Integer types stay exact (64-bit longs); reals are doubles. The result type
 * the analyser gives (CallSite.resultType) says whether a result is a long or a real.
 */

const real = (value: KValue | undefined): number | null => asReal(value ?? null);

function unaryReal(f: (x: number) => number): ScalarFunction {
  return fn(1, 1, ([value]) => {
    const x = real(value);
    return x === null ? null : f(x);
  });
}

/** A real result as the site's type: a long when the analyser says long (ceiling(1.1) is 2). */
function asSiteType(value: number | null, site: CallSite): KValue {
  if (value === null) return null;
  if (site.resultType === 'long' || site.resultType === 'int') return Number.isFinite(value) ? toLong(value) : null;
  return value;
}

/** value × 10^digits computed on the decimal text, so that 2.15 shifted by 1 is 21.5, not 21.499999999999996. */
function shiftDecimal(value: number, digits: number): number {
  const [mantissa, exponent = '0'] = String(value).split('e');
  return Number(`${mantissa}e${Number(exponent) + digits}`);
}

/** Ticks between 0001-01-01 and the Unix epoch: Kusto bins datetimes from year 1 (a Monday). */
const EPOCH_TICKS = -MIN_DATETIME_TICKS;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** bin(value, size) aligned at `at` (bin_at); null for a null, zero or negative size. */
export function binValue(value: KValue, size: KValue, at: KValue | undefined, site: CallSite): KValue {
  if (value === null || size === null || at === null) return null;
  if (value instanceof KDateTime && size instanceof KTimespan) {
    if (size.ticks <= 0n) return null;
    const origin = at instanceof KDateTime ? at.ticks : -EPOCH_TICKS;
    return dateTimeOrNull(origin + floorDiv(value.ticks - origin, size.ticks) * size.ticks);
  }
  if (value instanceof KTimespan && size instanceof KTimespan) {
    if (size.ticks <= 0n) return null;
    const origin = at instanceof KTimespan ? at.ticks : 0n;
    return KTimespan.of(origin + floorDiv(value.ticks - origin, size.ticks) * size.ticks);
  }
  if (isNumeric(value) && isNumeric(size)) {
    const origin = at === undefined ? 0 : isNumeric(at) ? at : null;
    if (origin === null) return null;
    const integral = (site.resultType === 'long' || site.resultType === 'int') && [value, size, origin].every((v) => typeof v === 'bigint' || Number.isInteger(v));
    if (integral) {
      const s = BigInt(size);
      if (s <= 0n) return null;
      const o = BigInt(origin);
      return longValue(o + floorDiv(BigInt(value) - o, s) * s);
    }
    const s = Number(size);
    if (!(s > 0)) return null;
    const o = Number(origin);
    const result = o + Math.floor((Number(value) - o) / s) * s;
    return asSiteType(result, site);
  }
  return null;
}

/** abs(), ceiling(), ... of an integer stay integers; of a real, reals. */
function integerOrReal(onLong: (v: bigint) => bigint, onReal: (v: number) => number): ScalarFunction {
  return fn(1, 1, ([value], site) => {
    if (value === null || value === undefined) return null;
    if (value instanceof KTimespan) return KTimespan.of(onLong(value.ticks));
    if ((site.resultType === 'long' || site.resultType === 'int') && (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)))) return longValue(onLong(BigInt(value)));
    const x = real(value);
    return x === null ? null : asSiteType(onReal(x), site);
  });
}

/** The lower regularized incomplete beta function I_x(a, b), by Lentz's continued fraction. */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let f = 1;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  f = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    f *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (front * f) / a;
}

const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

export function gamma(x: number): number {
  if (Number.isInteger(x)) {
    if (x <= 0) return Number.NaN;
    if (x <= 171) {
      let product = 1;
      for (let i = 2; i < x; i++) product *= i;
      return product;
    }
  }
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * a;
}

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** erf: its Taylor series below 2, 1 - erfc by a continued fraction above. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 2) {
    let sum = 0;
    let term = ax;
    for (let n = 0; n < 100; n++) {
      const contribution = term / (2 * n + 1);
      sum += contribution;
      if (Math.abs(contribution) < 1e-17 * Math.abs(sum)) break;
      term *= (-ax * ax) / (n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - erfcLarge(ax));
}

/** erfc(x) for x >= 2: exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), evaluated by Lentz. */
function erfcLarge(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

function bitwise(op: (a: bigint, b: bigint) => bigint): ScalarFunction {
  return fn(2, 2, ([a, b]) => {
    const x = asLong(a ?? null);
    const y = asLong(b ?? null);
    return x === null || y === null ? null : longValue(op(BigInt(x), BigInt(y)));
  });
}

/** max_of/min_of: nulls are left out; null only when every argument is null. */
function extremeOf(sign: 1 | -1): ScalarFunction {
  return fn(1, 64, (args) => {
    let best: KValue = null;
    for (const value of args) {
      if (value === null) continue;
      if (typeof value === 'number' && Number.isNaN(value)) continue;
      if (best === null || (compare(value, best) ?? 0) * sign > 0) best = value;
    }
    return best;
  });
}

const BYTE_UNITS = ['Bytes', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** format_bytes(size[, precision[, units]]): 1024-based units, as the page's examples show. */
function formatBytes(size: KValue, precision: KValue | undefined, units: KValue | undefined): KValue {
  const value = real(size);
  if (value === null) return '';
  const digits = precision === undefined ? 0 : real(precision);
  if (digits === null || digits < 0) return '';
  let unit = 0;
  if (units !== undefined && typeof units === 'string' && units !== '') {
    unit = BYTE_UNITS.findIndex((u) => u.toLowerCase() === units.toLowerCase() || (u === 'Bytes' && units.toLowerCase() === 'bytes'));
    if (unit === -1) return '';
  } else {
    while (unit < BYTE_UNITS.length - 1 && Math.abs(value) >= 1024 ** (unit + 1)) unit++;
  }
  const scaled = value / 1024 ** unit;
  return `${unit === 0 ? scaled.toFixed(0) : scaled.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

export const MATH_FUNCTIONS: Record<string, ScalarFunction> = {
  abs: integerOrReal((v) => (v < 0n ? -v : v), Math.abs),
  sign: fn(1, 1, ([value], site) => {
    if (value === null || value === undefined) return null;
    const x = real(value);
    return x === null ? null : asSiteType(Math.sign(x), site);
  }),
  ceiling: integerOrReal((v) => v, Math.ceil),
  sqrt: unaryReal((x) => (x < 0 ? Number.NaN : Math.sqrt(x))),
  exp: unaryReal(Math.exp),
  exp2: unaryReal((x) => 2 ** x),
  exp10: unaryReal((x) => 10 ** x),
  log: unaryReal((x) => (x < 0 ? Number.NaN : Math.log(x))),
  log2: unaryReal((x) => (x < 0 ? Number.NaN : Math.log2(x))),
  log10: unaryReal((x) => (x < 0 ? Number.NaN : Math.log10(x))),
  pow: fn(2, 2, ([base, exponent]) => {
    const b = real(base);
    const e = real(exponent);
    return b === null || e === null ? null : Math.pow(b, e);
  }),
  pi: fn(0, 0, () => Math.PI),
  sin: unaryReal(Math.sin),
  cos: unaryReal(Math.cos),
  tan: unaryReal(Math.tan),
  asin: unaryReal(Math.asin),
  acos: unaryReal(Math.acos),
  atan: unaryReal(Math.atan),
  cot: unaryReal((x) => 1 / Math.tan(x)),
  atan2: fn(2, 2, ([y, x]) => {
    const a = real(y);
    const b = real(x);
    return a === null || b === null ? null : Math.atan2(a, b);
  }),
  degrees: unaryReal((x) => (180 / Math.PI) * x),
  radians: unaryReal((x) => (Math.PI / 180) * x),
  isnan: fn(1, 1, ([value]) => typeof value === 'number' && Number.isNaN(value)),
  isinf: fn(1, 1, ([value]) => typeof value === 'number' && !Number.isNaN(value) && !Number.isFinite(value)),
  isfinite: fn(1, 1, ([value]) => (typeof value === 'number' ? Number.isFinite(value) : typeof value === 'bigint')),
  gamma: unaryReal(gamma),
  loggamma: unaryReal(logGamma),
  erf: unaryReal(erf),
  erfc: unaryReal((x) => 1 - erf(x)),
  beta_cdf: fn(3, 3, ([x, a, b]) => {
    const [xv, av, bv] = [real(x), real(a), real(b)];
    if (xv === null || av === null || bv === null) return null;
    if (xv < 0 || xv > 1 || av <= 0 || bv <= 0) return Number.NaN;
    return incompleteBeta(xv, av, bv);
  }),
  beta_pdf: fn(3, 3, ([x, a, b]) => {
    const [xv, av, bv] = [real(x), real(a), real(b)];
    if (xv === null || av === null || bv === null) return null;
    if (xv < 0 || xv > 1 || av <= 0 || bv <= 0) return Number.NaN;
    // Γ exactly (integers) while it fits a double: the logarithms lose the last digits.
    if (av + bv < 171) return (Math.pow(xv, av - 1) * Math.pow(1 - xv, bv - 1) * gamma(av + bv)) / (gamma(av) * gamma(bv));
    return Math.exp((av - 1) * Math.log(xv) + (bv - 1) * Math.log(1 - xv) + logGamma(av + bv) - logGamma(av) - logGamma(bv));
  }),
  bin: fn(2, 2, ([value, size], site) => binValue(value ?? null, size ?? null, undefined, site)),
  floor: fn(2, 2, ([value, size], site) => binValue(value ?? null, size ?? null, undefined, site)),
  bin_at: fn(3, 3, ([value, size, at], site) => binValue(value ?? null, size ?? null, at ?? null, site)),
  /** Half away from zero at the given decimal digits (negative: tens, hundreds), in decimal, not binary. */
  round: fn(1, 2, ([value, precision], site) => {
    if (value === null || value === undefined) return null;
    const digits = precision === undefined ? 0 : real(precision);
    if (digits === null) return null;
    const p = Math.trunc(digits);
    if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value) && p >= 0)) return value;
    const x = real(value);
    if (x === null || !Number.isFinite(x)) return x;
    const shifted = Math.round(shiftDecimal(Math.abs(x), p));
    return asSiteType(Math.sign(x) * shiftDecimal(shifted, -p) || 0, site);
  }),
  binary_and: bitwise((a, b) => a & b),
  binary_or: bitwise((a, b) => a | b),
  binary_xor: bitwise((a, b) => a ^ b),
  binary_shift_left: bitwise((a, b) => (b < 0n || b > 63n ? 0n : a << b)),
  binary_shift_right: bitwise((a, b) => (b < 0n || b > 63n ? 0n : BigInt.asIntN(64, a) >> b)),
  binary_not: fn(1, 1, ([value]) => {
    const x = asLong(value ?? null);
    return x === null ? null : longValue(~BigInt(x));
  }),
  bitset_count_ones: fn(1, 1, ([value]) => {
    const x = asLong(value ?? null);
    if (x === null) return null;
    let bits = BigInt.asUintN(64, BigInt(x));
    let count = 0;
    while (bits > 0n) {
      count += Number(bits & 1n);
      bits >>= 1n;
    }
    return count;
  }),
  tohex: fn(1, 2, ([value, length]) => {
    const x = asLong(value ?? null);
    if (x === null) return null;
    const digits = BigInt.asUintN(64, BigInt(x)).toString(16);
    const width = length === undefined ? 0 : Number(real(length) ?? 0);
    return digits.padStart(width, '0');
  }),
  max_of: extremeOf(1),
  min_of: extremeOf(-1),
  format_bytes: fn(1, 3, ([size, precision, units]) => formatBytes(size ?? null, precision, units)),
  isnull: fn(1, 1, ([value]) => value === null),
  isnotnull: fn(1, 1, ([value]) => value !== null),
  isempty: fn(1, 1, ([value]) => value === null || value === ''),
  isnotempty: fn(1, 1, ([value]) => !(value === null || value === '')),
  not: fn(1, 1, ([value]) => (typeof value === 'boolean' ? !value : null)),
  coalesce: fn(2, 64, (args) => args.find((value) => value !== null && value !== '') ?? args[args.length - 1] ?? null),
};
