import { asReal } from './arithmetic.js';
import { markReals } from './real-marks.js';
import { fn, type ScalarFunction } from './scalar-function.js';
import {
  compare,
  dateTimeOrNull,
  dynamicJson,
  isBag,
  isNumeric,
  KDateTime,
  KTimespan,
  longValue,
  newBag,
  sameValue,
  setBagValue,
  TICKS_PER_HOUR,
  toKustoString,
  valueKey,
  type KBag,
  type KValue,
} from './values.js';

/** Functions over dynamic arrays and property bags (array_*, bag_*, set_*, pack, range, zip). */

const asArray = (value: KValue | undefined): KValue[] | null => (Array.isArray(value) ? value : null);

function distinct(values: readonly KValue[]): KValue[] {
  const seen = new Set<string>();
  const out: KValue[] = [];
  for (const value of values) {
    const key = valueKey(value);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(value);
    }
  }
  return out;
}

function intValue(value: KValue | undefined): number | null {
  if (value === undefined || value === null || !isNumeric(value)) return null;
  return Math.trunc(Number(value));
}

/** bag_pack(key1, value1, key2, value2, ...): a property bag; a later key replaces an earlier one. */
function packBag(args: KValue[]): KValue {
  const bag: KBag = {};
  for (let i = 0; i + 1 < args.length; i += 2) setBagValue(bag, toKustoString(args[i]!), args[i + 1]!);
  return bag;
}

/** A JSONPath (jsonpath.md) to a bag member: `$.a.b`, `$['a']['b']`, or a plain top-level key. */
function jsonPath(path: string): string[] | null {
  if (!path.startsWith('$')) return [path];
  const keys: string[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const dot = /^\.([^.[\]]+)/.exec(rest);
    const bracket = /^\[\s*(['"])((?:\\.|(?!\1).)*)\1\s*\]/.exec(rest);
    if (dot) {
      keys.push(dot[1]!);
      rest = rest.slice(dot[0].length);
    } else if (bracket) {
      keys.push(bracket[2]!);
      rest = rest.slice(bracket[0].length);
    } else return null;
  }
  return keys.length > 0 ? keys : null;
}

function copyBag(bag: KBag): KBag {
  return newBag(Object.entries(bag));
}

function removePath(bag: KBag, keys: readonly string[]): KBag {
  const [first, ...rest] = keys;
  if (first === undefined || !Object.hasOwn(bag, first)) return bag;
  const out = copyBag(bag);
  if (rest.length === 0) delete out[first];
  else if (isBag(out[first] ?? null)) setBagValue(out, first, removePath(out[first] as KBag, rest));
  return out;
}

function setPath(bag: KBag, keys: readonly string[], value: KValue): KBag {
  const [first, ...rest] = keys;
  if (first === undefined) return bag;
  const out = copyBag(bag);
  if (rest.length === 0) setBagValue(out, first, value);
  else setBagValue(out, first, setPath(isBag(out[first] ?? null) ? (out[first] as KBag) : {}, rest, value));
  return out;
}

/** The kinds array_sort orders by: numbers, datetimes and timespans first, then strings, then the rest. */
function sortRank(value: KValue): number {
  if (isNumeric(value) || value instanceof KDateTime || value instanceof KTimespan) return 0;
  if (typeof value === 'string') return 1;
  return 2;
}

/** array_sort_asc/desc(array1, ...[, nulls_last]): the first array sorted, the others put in the same order. */
function arraySort(descending: boolean): ScalarFunction {
  return fn(1, 64, (args, site) => {
    let nullsLast = true;
    let arrays = args;
    if (args.length > 1 && typeof args[args.length - 1] === 'boolean') {
      nullsLast = args[args.length - 1] as boolean;
      arrays = args.slice(0, -1);
    }
    const [first] = arrays;
    if (!Array.isArray(first)) return arrays.length > 1 ? arrays.map(() => null) : null;
    const order = first.map((value, index) => ({ value, index }));
    order.sort((a, b) => {
      if (a.value === null || b.value === null) {
        if (a.value === b.value) return a.index - b.index;
        return (a.value === null) === nullsLast ? 1 : -1;
      }
      const rank = sortRank(a.value) - sortRank(b.value);
      if (rank !== 0) return rank;
      const c = compare(a.value, b.value) ?? compare(toKustoString(a.value), toKustoString(b.value)) ?? 0;
      return (descending ? -c : c) || a.index - b.index;
    });
    const sorted = arrays.map((array) => (Array.isArray(array) && array.length === first.length ? order.map((o) => array[o.index]!) : null));
    return site.resultType === 'tuple' || arrays.length > 1 ? sorted : sorted[0]!;
  });
}

function shift(direction: 1 | -1, rotate: boolean): ScalarFunction {
  return fn(2, 3, ([value, count, fill]) => {
    const array = asArray(value);
    const n = intValue(count);
    if (!array || n === null) return null;
    const length = array.length;
    if (length === 0) return [];
    const offset = direction * n;
    return array.map((_, i) => {
      let from = i + offset;
      if (rotate) from = ((from % length) + length) % length;
      return from >= 0 && from < length ? array[from]! : (fill ?? null);
    });
  });
}

/** range(start, stop[, step]): at most 1,048,576 (2^20) elements (range-function.md). */
function rangeArray(start: KValue, stop: KValue, step: KValue | undefined): KValue {
  const LIMIT = 1_048_576;
  const out: KValue[] = [];
  if (start instanceof KDateTime || start instanceof KTimespan) {
    const s = step === undefined ? KTimespan.of(TICKS_PER_HOUR) : step;
    if (!(s instanceof KTimespan) || s.ticks === 0n) return null;
    const end = stop instanceof KDateTime || stop instanceof KTimespan ? stop.ticks : null;
    if (end === null || start.constructor !== stop?.constructor) return null;
    for (let t = start.ticks; s.ticks > 0n ? t <= end : t >= end; t += s.ticks) {
      if (out.length >= LIMIT) break;
      out.push(start instanceof KDateTime ? dateTimeOrNull(t) : KTimespan.of(t));
    }
    return out;
  }
  if (!isNumeric(start) || !isNumeric(stop)) return null;
  const stepValue = step === undefined ? 1 : step;
  if (!isNumeric(stepValue)) return null;
  const integral = [start, stop, stepValue].every((v) => typeof v === 'bigint' || Number.isInteger(v));
  if (integral) {
    const [a, b, c] = [BigInt(start), BigInt(stop), BigInt(stepValue)];
    if (c === 0n) return null;
    for (let v = a; c > 0n ? v <= b : v >= b; v += c) {
      if (out.length >= LIMIT) break;
      out.push(longValue(v));
    }
    return out;
  }
  const [a, b, c] = [Number(start), Number(stop), Number(stepValue)];
  if (c === 0 || !Number.isFinite(c)) return null;
  for (let i = 0; ; i++) {
    const v = a + i * c;
    if (c > 0 ? v > b : v < b) break;
    if (out.length >= LIMIT) break;
    out.push(v);
  }
  return out;
}

function setOf(values: readonly KValue[]): Set<string> {
  return new Set(values.map(valueKey));
}

export const DYNAMIC_FUNCTIONS: Record<string, ScalarFunction> = {
  array_length: fn(1, 1, ([value]) => asArray(value)?.length ?? null),
  pack_array: fn(0, 64, (args, site) => markReals(args, new Set(site.argTypes.flatMap((t, i) => (t === 'real' || t === 'decimal' ? [i] : [])))) as KValue[]),
  bag_pack: fn(0, 128, packBag),
  pack: fn(0, 128, packBag),
  pack_dictionary: fn(0, 128, packBag),
  array_concat: fn(1, 64, (args) => (args.every(Array.isArray) ? (args as KValue[][]).flat() : null)),
  array_reverse: fn(1, 1, ([value]) => asArray(value)?.slice().reverse() ?? null),
  array_rotate_left: shift(1, true),
  array_rotate_right: shift(-1, true),
  array_shift_left: shift(1, false),
  array_shift_right: shift(-1, false),
  array_slice: fn(3, 3, ([value, start, end]) => {
    const array = asArray(value);
    let s = intValue(start);
    let e = intValue(end);
    if (!array || s === null || e === null) return null;
    if (s < 0) s += array.length;
    if (e < 0) e += array.length;
    return array.slice(Math.max(0, s), Math.max(0, e + 1));
  }),
  array_split: fn(2, 2, ([value, indices]) => {
    const array = asArray(value);
    if (!array) return null;
    const raw = Array.isArray(indices) ? indices : [indices ?? null];
    const cuts: number[] = [];
    for (const i of raw) {
      const n = intValue(i);
      if (n === null) return null;
      cuts.push(Math.min(array.length, Math.max(0, n < 0 ? array.length + n : n)));
    }
    const out: KValue[] = [];
    let from = 0;
    for (const cut of cuts) {
      out.push(array.slice(from, Math.max(from, cut)));
      from = Math.max(from, cut);
    }
    out.push(array.slice(from));
    return out;
  }),
  array_sort_asc: arraySort(false),
  array_sort_desc: arraySort(true),
  array_sum: fn(1, 1, ([value]) => {
    const array = asArray(value);
    if (!array) return null;
    let sum = 0;
    for (const item of array) {
      const x = asReal(item);
      if (x === null) return null;
      sum += x;
    }
    return sum;
  }),
  array_index_of: fn(2, 5, ([value, lookup, start, length, occurrence]) => {
    const array = asArray(value);
    if (!array) return null;
    let s = start === undefined ? 0 : intValue(start);
    const l = length === undefined ? -1 : intValue(length);
    const o = occurrence === undefined ? 1 : intValue(occurrence);
    if (s === null || l === null || o === null || o < 0 || l < -1) return null;
    if (s < 0) s = Math.max(0, array.length + s);
    const end = l === -1 ? array.length : Math.min(array.length, s + l);
    let seen = 0;
    for (let i = s; i < end; i++) {
      if (sameValue(array[i] ?? null, lookup ?? null) && ++seen === Math.max(1, o)) return i;
    }
    return -1;
  }),
  array_iff: fn(3, 3, ([conditions, whenTrue, whenFalse]) => {
    const array = asArray(conditions);
    if (!array) return null;
    const pick = (source: KValue | undefined, i: number) => (Array.isArray(source) ? (source[i] ?? null) : (source ?? null));
    return array.map((c, i) => {
      if (typeof c === 'boolean') return c ? pick(whenTrue, i) : pick(whenFalse, i);
      if (isNumeric(c)) return Number(c) !== 0 ? pick(whenTrue, i) : pick(whenFalse, i);
      return null;
    });
  }),
  repeat: fn(2, 2, ([value, count]) => {
    const n = intValue(count);
    if (n === null || n < 0) return null;
    return Array.from({ length: Math.min(n, 1_048_576) }, () => value ?? null);
  }),
  range: fn(2, 3, ([start, stop, step]) => rangeArray(start ?? null, stop ?? null, step)),
  zip: fn(2, 16, (args) => {
    if (!args.every(Array.isArray)) return null;
    const arrays = args as KValue[][];
    const length = Math.max(...arrays.map((a) => a.length));
    return Array.from({ length }, (_, i) => arrays.map((a) => a[i] ?? null));
  }),
  bag_keys: fn(1, 1, ([value]) => (isBag(value) ? Object.keys(value) : null)),
  bag_merge: fn(2, 64, (args) => {
    if (!args.every((a) => isBag(a))) return null;
    const out: KBag = {};
    for (const bag of args as KBag[]) for (const [key, value] of Object.entries(bag)) if (!Object.hasOwn(out, key)) setBagValue(out, key, value);
    return out;
  }),
  bag_remove_keys: fn(2, 2, ([value, keys]) => {
    if (!isBag(value) || !Array.isArray(keys)) return null;
    let out = copyBag(value);
    for (const key of keys) {
      if (typeof key !== 'string') continue;
      const path = jsonPath(key);
      if (path) out = removePath(out, path);
    }
    return out;
  }),
  bag_set_key: fn(3, 3, ([value, key, item]) => {
    if (!isBag(value) || typeof key !== 'string') return null;
    const path = jsonPath(key);
    return path ? setPath(value, path, item ?? null) : null;
  }),
  bag_has_key: fn(2, 2, ([value, key]) => {
    if (!isBag(value) || typeof key !== 'string') return null;
    const path = jsonPath(key);
    if (!path) return null;
    let at: KValue = value;
    for (const k of path) {
      if (!isBag(at) || !Object.hasOwn(at, k)) return false;
      at = at[k] ?? null;
    }
    return true;
  }),
  bag_zip: fn(2, 2, ([keys, values]) => {
    if (!Array.isArray(keys) || !Array.isArray(values)) return null;
    const bag: KBag = {};
    keys.forEach((key, i) => {
      if (typeof key === 'string') setBagValue(bag, key, values[i] ?? null);
    });
    return bag;
  }),
  set_has_element: fn(2, 2, ([set, value]) => {
    const array = asArray(set);
    return array ? array.some((item) => sameValue(item, value ?? null)) : null;
  }),
  set_difference: fn(2, 64, ([first, ...others]) => {
    const array = asArray(first);
    if (!array || !others.every(Array.isArray)) return null;
    const remove = setOf((others as KValue[][]).flat());
    return distinct(array).filter((item) => !remove.has(valueKey(item)));
  }),
  set_intersect: fn(2, 64, (args) => {
    if (!args.every(Array.isArray)) return null;
    const [first, ...others] = args as KValue[][];
    const keep = others.map(setOf);
    return distinct(first!).filter((item) => keep.every((set) => set.has(valueKey(item))));
  }),
  set_union: fn(2, 64, (args) => (args.every(Array.isArray) ? distinct((args as KValue[][]).flat()) : null)),
  jaccard_index: fn(2, 2, ([a, b]) => {
    if (!Array.isArray(a) || !Array.isArray(b)) return null;
    const x = setOf(a);
    const y = setOf(b);
    const union = new Set([...x, ...y]);
    if (union.size === 0) return Number.NaN;
    return [...x].filter((k) => y.has(k)).length / union.size;
  }),
  strcat_array: fn(2, 2, ([array, delimiter]) => {
    const items = asArray(array);
    return items ? items.map((v) => (typeof v === 'string' ? v : v === null ? '' : isBag(v) || Array.isArray(v) ? dynamicJson(v) : toKustoString(v))).join(toKustoString(delimiter ?? null)) : '';
  }),
  treepath: fn(1, 1, ([value]) => {
    if (!isBag(value) && !Array.isArray(value)) return [];
    const paths: string[] = [];
    const walk = (v: KValue, path: string) => {
      if (isBag(v)) for (const [k, inner] of Object.entries(v)) {
        const p = `${path}['${k}']`;
        paths.push(p);
        walk(inner, p);
      }
      else if (Array.isArray(v)) {
        const p = `${path}[0]`;
        if (v.some((item) => isBag(item) || Array.isArray(item))) {
          paths.push(p);
          for (const item of v) walk(item, p);
        }
      }
    };
    walk(value, '$');
    return distinct(paths);
  }),
};
