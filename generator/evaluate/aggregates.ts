import { arithmetic, asReal } from './arithmetic.js';
import { markReals } from './real-marks.js';
import { compare, dynamicKind, SKETCH, isBag, isNumeric, KTimespan, longValue, newBag, setBagValue, valueKey, type KBag, type KValue } from './values.js';

/**
 * Aggregation functions of summarize, make-series and top-nested (arg_max and arg_min are
 * summarize's own). Nulls are ignored, as the pages say ("ignore-nulls"). Two differ on purpose
 * from Kusto's estimates and say so: dcount() counts exactly, and percentile() gives the exact
 * nearest-rank percentile (Kusto estimates both within a documented error; on small groups they
 * are the same). hll() and tdigest() values are the engine's own, exact sketches: they work with
 * dcount_hll(), hll_merge(), percentile_tdigest(), rank_tdigest() and merge_tdigest(), and are
 * refused anywhere their bytes would show.
 */

export interface Accumulator {
  add(args: KValue[]): void;
  result(): KValue;
}

/** The analyser's types where the aggregation is called. */
export interface AggregateSite {
  argTypes: readonly string[];
  resultType: string;
}

export interface AggregateFunction {
  minArgs: number;
  maxArgs: number;
  create(site: AggregateSite): Accumulator;
}

const DEFAULT_MAX_SIZE = 1_048_576;
const maxSize = (value: KValue | undefined) => (isNumeric(value ?? null) && Number(value) > 0 ? Number(value) : DEFAULT_MAX_SIZE);

/** The engine's sketches (hll, tdigest): arrays marked so that their contents never reach a result. */
export type Sketch = KValue[] & { [SKETCH]: 'hll' | 'tdigest' };

export function sketch(kind: 'hll' | 'tdigest', values: KValue[]): Sketch {
  const out = values as Sketch;
  Object.defineProperty(out, SKETCH, { value: kind, enumerable: false });
  return out;
}

export function sketchKind(value: KValue): 'hll' | 'tdigest' | undefined {
  return Array.isArray(value) ? (value as Partial<Sketch>)[SKETCH] : undefined;
}

function counting(predicateAt: number | undefined): AggregateFunction {
  return {
    minArgs: predicateAt === undefined ? 0 : 1,
    maxArgs: predicateAt === undefined ? 0 : 1,
    create() {
      let count = 0;
      return {
        add: (args) => {
          if (predicateAt === undefined || args[predicateAt] === true) count++;
        },
        result: () => count,
      };
    },
  };
}

/** make_set/make_list: nulls are left out; the size cap keeps the first values seen. make_set of arrays takes their elements. */
function collecting(unique: boolean, conditional: boolean, withNulls = false): AggregateFunction {
  return {
    minArgs: conditional ? 2 : 1,
    maxArgs: conditional ? 3 : 2,
    create(site) {
      const reals = site.argTypes[0] === 'real' || site.argTypes[0] === 'decimal';
      const items: KValue[] = [];
      const seen = new Set<string>();
      const push = (value: KValue, limit: number) => {
        if (items.length >= limit) return;
        if (unique) {
          const key = valueKey(value);
          if (seen.has(key)) return;
          seen.add(key);
        }
        items.push(value);
      };
      return {
        add: (args) => {
          const value = args[0] ?? null;
          if (conditional && args[1] !== true) return;
          if (value === null && !withNulls) return;
          const limit = maxSize(args[conditional ? 2 : 1]);
          // make-set-aggregation-function.md, "Set from array column": the set of the arrays' elements.
          if (unique && Array.isArray(value)) for (const element of value) push(element, limit);
          else push(value, limit);
        },
        result: () => (reals ? (markReals(items, 'all') as KValue[]) : items),
      };
    },
  };
}

/** make_bag merges the property bags of a group; values that are not bags are skipped; the first value of a key stays. */
function bagMerging(conditional: boolean): AggregateFunction {
  return {
    minArgs: conditional ? 2 : 1,
    maxArgs: conditional ? 3 : 2,
    create() {
      const bag: KBag = {};
      let keys = 0;
      return {
        add: (args) => {
          if (conditional && args[1] !== true) return;
          const limit = maxSize(args[conditional ? 2 : 1]);
          const value = args[0] ?? null;
          if (!isBag(value)) return;
          for (const [key, item] of Object.entries(value)) {
            if (keys >= limit) return;
            if (!Object.hasOwn(bag, key)) {
              setBagValue(bag, key, item);
              keys++;
            }
          }
        },
        result: () => bag,
      };
    },
  };
}

/**
 * take_any picks some value of the group; to stay deterministic it picks the first that is not
 * null or empty (take-any-aggregation-function.md: "it will attempt to return a non-null/non-empty
 * value"), else the first value.
 */
function takingAny(conditional: boolean): AggregateFunction {
  return {
    minArgs: conditional ? 2 : 1,
    maxArgs: conditional ? 2 : 1,
    create() {
      let chosen: KValue | undefined;
      let fallback: KValue | undefined;
      return {
        add: (args) => {
          if (conditional && args[1] !== true) return;
          const value = args[0] ?? null;
          if (fallback === undefined) fallback = value;
          if (chosen === undefined && value !== null && value !== '') chosen = value;
        },
        result: () => chosen ?? fallback ?? null,
      };
    },
  };
}

function extreme(sign: 1 | -1, conditional: boolean): AggregateFunction {
  return {
    minArgs: conditional ? 2 : 1,
    maxArgs: conditional ? 2 : 1,
    create() {
      let best: KValue = null;
      return {
        add: (args) => {
          if (conditional && args[1] !== true) return;
          const value = args[0] ?? null;
          if (value === null || (typeof value === 'number' && Number.isNaN(value))) return;
          if (best === null || (compare(value, best) ?? 0) * sign > 0) best = value;
        },
        result: () => best,
      };
    },
  };
}

/** sum (exact for longs, as 64-bit integers), avg (a real; a timespan for timespans; NaN for no values). */
function summing(conditional: boolean, average: boolean): AggregateFunction {
  return {
    minArgs: conditional ? 2 : 1,
    maxArgs: conditional ? 2 : 1,
    create(site) {
      const type = site.argTypes[0] ?? 'real';
      const integer = type === 'long' || type === 'int' || (type === 'dynamic' && !average);
      let total: KValue = type === 'timespan' ? KTimespan.of(0n) : 0;
      let count = 0;
      let realTotal = 0;
      return {
        add: (args) => {
          if (conditional && args[1] !== true) return;
          const value = args[0] ?? null;
          if (value === null) return;
          if (value instanceof KTimespan) total = arithmetic('+', total, value, 'timespan');
          else if (isNumeric(value)) {
            if (integer && (typeof value === 'bigint' || Number.isInteger(value)) && (typeof total === 'number' || typeof total === 'bigint')) total = arithmetic('+', total, value, 'long');
            else total = (asReal(total) ?? 0) + Number(value);
            realTotal += Number(value);
          } else return;
          count++;
        },
        result: () => {
          if (!average) return site.resultType === 'real' && typeof total === 'bigint' ? Number(total) : total;
          if (total instanceof KTimespan) return count === 0 ? null : KTimespan.of(BigInt(Math.round(Number(total.ticks) / count)));
          return count === 0 ? Number.NaN : realTotal / count;
        },
      };
    },
  };
}

/** variance/stdev (sample, with Bessel's correction, or population), and covariance of two expressions. */
function moments(kind: 'variance' | 'stdev', population: boolean, conditional: boolean): AggregateFunction {
  return {
    minArgs: conditional ? 2 : 1,
    maxArgs: conditional ? 2 : 1,
    create() {
      const values: number[] = [];
      return {
        add: (args) => {
          if (conditional && args[1] !== true) return;
          const x = asReal(args[0] ?? null);
          if (x !== null) values.push(x);
        },
        result: () => {
          const n = values.length;
          if (n === 0 || (!population && n === 1)) return 0;
          const mean = values.reduce((a, b) => a + b, 0) / n;
          const squares = values.reduce((a, b) => a + (b - mean) ** 2, 0);
          const variance = squares / (population ? n : n - 1);
          return kind === 'variance' ? variance : Math.sqrt(variance);
        },
      };
    },
  };
}

function covariance(population: boolean, conditional: boolean): AggregateFunction {
  return {
    minArgs: conditional ? 3 : 2,
    maxArgs: conditional ? 3 : 2,
    create() {
      const pairs: [number, number][] = [];
      return {
        add: (args) => {
          if (conditional && args[2] !== true) return;
          const x = asReal(args[0] ?? null);
          const y = asReal(args[1] ?? null);
          if (x !== null && y !== null) pairs.push([x, y]);
        },
        result: () => {
          const n = pairs.length;
          if (n === 0 || (!population && n === 1)) return 0;
          const mx = pairs.reduce((a, [x]) => a + x, 0) / n;
          const my = pairs.reduce((a, [, y]) => a + y, 0) / n;
          const sum = pairs.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
          return sum / (population ? n : n - 1);
        },
      };
    },
  };
}

function distinctCount(conditional: boolean): AggregateFunction {
  return {
    minArgs: conditional ? 2 : 1,
    maxArgs: conditional ? 3 : 2,
    create() {
      const seen = new Set<string>();
      return {
        add: (args) => {
          if (conditional && args[1] !== true) return;
          const value = args[0] ?? null;
          if (value !== null) seen.add(valueKey(value));
        },
        result: () => seen.size,
      };
    },
  };
}

/** The nearest-rank percentile (percentiles-aggregation-function.md): the smallest value with P% of the data at or below it. */
export function nearestRank(sorted: readonly KValue[], percent: number): KValue {
  if (sorted.length === 0 || !Number.isFinite(percent)) return null;
  const rank = percent <= 0 ? 1 : Math.ceil((percent / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

export function sortValues(values: KValue[]): KValue[] {
  return values.sort((a, b) => compare(a, b) ?? 0);
}

/** percentile(x, p) and percentiles(x, p1, ...): one value per percentile (several columns for percentiles). */
function percentiles(array: boolean): AggregateFunction {
  return {
    minArgs: 1,
    maxArgs: 64,
    create(site) {
      const values: KValue[] = [];
      // Before any row, one (null) result per percentile the call names.
      let points: KValue[] = site.argTypes.slice(1).map(() => null);
      return {
        add: (args) => {
          const [value, ...rest] = args;
          points = rest.flatMap((p) => (Array.isArray(p) ? p : [p]));
          if (value !== null && value !== undefined && !(typeof value === 'number' && Number.isNaN(value))) values.push(value);
        },
        result: () => {
          const sorted = sortValues(values);
          const results = points.map((p) => nearestRank(sorted, asReal(p) ?? Number.NaN));
          return array ? results : results.length === 1 ? results[0]! : results;
        },
      };
    },
  };
}

function bitwiseAll(op: (a: bigint, b: bigint) => bigint): AggregateFunction {
  return {
    minArgs: 1,
    maxArgs: 1,
    create() {
      let result: bigint | undefined;
      return {
        add: ([value]) => {
          if (!isNumeric(value ?? null)) return;
          const v = BigInt.asIntN(64, BigInt(value as number | bigint));
          result = result === undefined ? v : op(result, v);
        },
        result: () => (result === undefined ? null : longValue(result)),
      };
    },
  };
}

function sketching(kind: 'hll' | 'tdigest', merge: boolean): AggregateFunction {
  return {
    minArgs: 1,
    maxArgs: 2,
    create() {
      const values: KValue[] = [];
      let any = false;
      return {
        add: ([value]) => {
          if (value === null || value === undefined) return;
          any = true;
          if (merge) {
            if (sketchKind(value) === kind) values.push(...(value as KValue[]));
          } else values.push(value);
        },
        result: () => (any ? sketch(kind, kind === 'tdigest' ? sortValues(values) : values) : null),
      };
    },
  };
}

/** buildschema: the union of the dynamic values' shapes, as type names (buildschema-aggregation-function.md). */
function buildSchema(): AggregateFunction {
  const merge = (schema: KValue, value: KValue): KValue => {
    if (value === null) return schema;
    if (isBag(value)) {
      const out: KBag = isBag(schema) ? newBag(Object.entries(schema)) : {};
      for (const [key, inner] of Object.entries(value)) setBagValue(out, key, merge(out[key] ?? null, inner));
      return out;
    }
    if (Array.isArray(value)) {
      let element: KValue = isBag(schema) && Object.hasOwn(schema, 'indexer') ? (schema['indexer'] ?? null) : null;
      for (const item of value) element = merge(element, item);
      return newBag([['indexer', element]]);
    }
    const kind = dynamicKind(value) === 'long' ? 'long' : dynamicKind(value) === 'real' ? 'double' : dynamicKind(value);
    if (schema === null) return kind;
    if (typeof schema === 'string') return schema === kind ? schema : [schema, kind];
    if (Array.isArray(schema)) return schema.includes(kind) ? schema : [...schema, kind];
    return schema;
  };
  return {
    minArgs: 1,
    maxArgs: 2,
    create() {
      let schema: KValue = null;
      return {
        add: ([value]) => {
          schema = merge(schema, value ?? null);
        },
        result: () => schema,
      };
    },
  };
}

/** Aggregation functions by name (arg_max and arg_min are handled by summarize itself). */
export const AGGREGATES: Record<string, AggregateFunction> = {
  count: counting(undefined),
  countif: counting(0),
  dcount: distinctCount(false),
  dcountif: distinctCount(true),
  count_distinct: distinctCount(false),
  count_distinctif: distinctCount(true),
  make_set: collecting(true, false),
  make_set_if: collecting(true, true),
  make_list: collecting(false, false),
  make_list_if: collecting(false, true),
  make_list_with_nulls: collecting(false, false, true),
  makeset: collecting(true, false),
  makelist: collecting(false, false),
  make_bag: bagMerging(false),
  make_bag_if: bagMerging(true),
  take_any: takingAny(false),
  any: takingAny(false),
  take_anyif: takingAny(true),
  anyif: takingAny(true),
  min: extreme(-1, false),
  max: extreme(1, false),
  minif: extreme(-1, true),
  maxif: extreme(1, true),
  sum: summing(false, false),
  sumif: summing(true, false),
  avg: summing(false, true),
  avgif: summing(true, true),
  variance: moments('variance', false, false),
  variancep: moments('variance', true, false),
  varianceif: moments('variance', false, true),
  variancepif: moments('variance', true, true),
  stdev: moments('stdev', false, false),
  stdevp: moments('stdev', true, false),
  stdevif: moments('stdev', false, true),
  stdevpif: moments('stdev', true, true),
  covariance: covariance(false, false),
  covariancep: covariance(true, false),
  covarianceif: covariance(false, true),
  covariancepif: covariance(true, true),
  percentile: percentiles(false),
  percentiles: percentiles(false),
  percentiles_array: percentiles(true),
  binary_all_and: bitwiseAll((a, b) => a & b),
  binary_all_or: bitwiseAll((a, b) => a | b),
  binary_all_xor: bitwiseAll((a, b) => a ^ b),
  hll: sketching('hll', false),
  hll_if: sketching('hll', false),
  hll_merge: sketching('hll', true),
  tdigest: sketching('tdigest', false),
  tdigest_merge: sketching('tdigest', true),
  merge_tdigest: sketching('tdigest', true),
  buildschema: buildSchema(),
};

/** For arg_max/arg_min: is candidate better than the current best? Null never wins. */
export function beats(candidate: KValue, best: KValue | undefined, sign: 1 | -1): boolean {
  if (candidate === null) return false;
  if (best === undefined || best === null) return true;
  return (compare(candidate, best) ?? 0) * sign > 0;
}

