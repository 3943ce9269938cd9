import { compare, isBag, KTimespan, setBagValue, valueKey, type KBag, type KValue } from './values.js';

export interface Accumulator {
  add(args: KValue[]): void;
  result(): KValue;
}

export interface AggregateFunction {
  minArgs: number;
  maxArgs: number;
  create(): Accumulator;
}

const DEFAULT_MAX_SIZE = 1_048_576;

const maxSize = (value: KValue | undefined) => (typeof value === 'number' && value > 0 ? value : DEFAULT_MAX_SIZE);

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

/** make_set/make_list: nulls are left out; the size cap keeps the first values seen. */
function collecting(unique: boolean, conditional: boolean): AggregateFunction {
  return {
    minArgs: conditional ? 2 : 1,
    maxArgs: conditional ? 3 : 2,
    create() {
      const items: KValue[] = [];
      const seen = new Set<string>();
      return {
        add: (args) => {
          const value = args[0] ?? null;
          if (conditional && args[1] !== true) return;
          if (value === null || items.length >= maxSize(args[conditional ? 2 : 1])) return;
          if (unique) {
            const key = valueKey(value);
            if (seen.has(key)) return;
            seen.add(key);
          }
          items.push(value);
        },
        result: () => items,
      };
    },
  };
}

/**
 * make_bag merges the property bags of a group; values that are not bags are skipped. Kusto keeps
 * an arbitrary value for a key seen twice; we keep the first, to stay deterministic.
 */
function bagMerging(conditional: boolean): AggregateFunction {
  return {
    minArgs: conditional ? 2 : 1,
    maxArgs: conditional ? 3 : 2,
    create() {
      const bag: KBag = {};
      let keys = 0;
      let limit: number | undefined;
      return {
        add: (args) => {
          if (conditional && args[1] !== true) return;
          limit ??= maxSize(args[conditional ? 2 : 1]);
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
 * take_any picks some value of the group; to stay deterministic we pick the first that is not
 * null or empty, and fall back to the first value.
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
          if (value === null) return;
          if (best === null || (compare(value, best) ?? 0) * sign > 0) best = value;
        },
        result: () => best,
      };
    },
  };
}

function summing(conditional: boolean, average: boolean): AggregateFunction {
  return {
    minArgs: conditional ? 2 : 1,
    maxArgs: conditional ? 2 : 1,
    create() {
      let total = 0;
      let count = 0;
      let kind: 'number' | 'timespan' = 'number';
      return {
        add: (args) => {
          if (conditional && args[1] !== true) return;
          const value = args[0] ?? null;
          if (typeof value === 'number') total += value;
          else if (value instanceof KTimespan) {
            kind = 'timespan';
            total += value.ms;
          } else return;
          count++;
        },
        result: () => {
          if (average) return count === 0 ? null : kind === 'timespan' ? new KTimespan(total / count) : total / count;
          return kind === 'timespan' ? new KTimespan(total) : total;
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

/** Aggregation functions of summarize (arg_max and arg_min are handled by summarize itself). */
export const AGGREGATES: Record<string, AggregateFunction> = {
  count: counting(undefined),
  countif: counting(0),
  dcount: distinctCount(false),
  dcountif: distinctCount(true),
  make_set: collecting(true, false),
  make_set_if: collecting(true, true),
  make_list: collecting(false, false),
  make_list_if: collecting(false, true),
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
};

/** For arg_max/arg_min: is candidate better than the current best? Null never wins. */
export function beats(candidate: KValue, best: KValue | undefined, sign: 1 | -1): boolean {
  if (candidate === null) return false;
  if (best === undefined || best === null) return true;
  return (compare(candidate, best) ?? 0) * sign > 0;
}
