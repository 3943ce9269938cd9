import { CALENDAR_FUNCTIONS } from './calendar-functions.js';
import { IP_FUNCTIONS } from './ip-functions.js';
import { asDateTime, fn, type ScalarFunction } from './scalar-function.js';
import { kustoRegex } from './kusto-regex.js';
import { TEXT_FUNCTIONS } from './text-functions.js';
import {
  compare,
  flattenList,
  isBag,
  KDateTime,
  KTimespan,
  parseJsonValue,
  sameValue,
  setBagValue,
  toKustoString,
  valueKey,
  type KBag,
  type KValue,
} from './values.js';

function toNumber(value: KValue, integer: boolean): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'boolean') n = value ? 1 : 0;
  else if (typeof value === 'string') {
    if (value.trim() === '') return null;
    n = Number(value.trim());
  } else if (value instanceof KDateTime || value instanceof KTimespan) n = value.ms * 10_000;
  else return null;
  if (!Number.isFinite(n)) return null;
  return integer ? Math.trunc(n) : n;
}

function asArray(value: KValue): KValue[] | null {
  return Array.isArray(value) ? value : null;
}

function distinct(values: KValue[]): KValue[] {
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

function isEmpty(value: KValue): boolean {
  return value === null || value === '';
}

const DAY = 86_400_000;

/** value × 10^digits computed on the decimal text, so that 2.15 shifted by 1 is 21.5, not 21.499999999999996. */
function shiftDecimal(value: number, digits: number): number {
  const [mantissa, exponent = '0'] = String(value).split('e');
  return Number(`${mantissa}e${Number(exponent) + digits}`);
}

/** bag_pack(key1, value1, key2, value2, ...): a property bag; a later key replaces an earlier one. */
function packBag(args: KValue[]): KValue {
  const bag: KBag = {};
  for (let i = 0; i + 1 < args.length; i += 2) setBagValue(bag, toKustoString(args[i]!), args[i + 1]!);
  return bag;
}

/** datetime_diff counts the period boundaries crossed between the two times, as Kusto does. */
function datetimeDiff(part: string, left: KDateTime, right: KDateTime): number | null {
  const a = new Date(left.ms);
  const b = new Date(right.ms);
  const months = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();
  switch (part.toLowerCase()) {
    case 'year':
      return a.getUTCFullYear() - b.getUTCFullYear();
    case 'quarter':
      return Math.floor(months(a) / 3) - Math.floor(months(b) / 3);
    case 'month':
      return months(a) - months(b);
    case 'week': {
      // Weeks start on Sunday; 1970-01-01 was a Thursday.
      const week = (ms: number) => Math.floor((Math.floor(ms / DAY) + 4) / 7);
      return week(left.ms) - week(right.ms);
    }
    case 'day':
      return Math.floor(left.ms / DAY) - Math.floor(right.ms / DAY);
    case 'hour':
      return Math.floor(left.ms / 3_600_000) - Math.floor(right.ms / 3_600_000);
    case 'minute':
      return Math.floor(left.ms / 60_000) - Math.floor(right.ms / 60_000);
    case 'second':
      return Math.floor(left.ms / 1000) - Math.floor(right.ms / 1000);
    case 'millisecond':
      return Math.floor(left.ms) - Math.floor(right.ms);
    default:
      return null;
  }
}

/** format_datetime with the .NET-style specifiers Kusto documents (yyyy, MM, dd, HH, hh, mm, ss, f..., tt). */
function formatDateTimeWith(value: KDateTime, format: string): string {
  const d = new Date(value.ms);
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const parts: Record<string, () => string> = {
    yyyy: () => pad(d.getUTCFullYear(), 4),
    yy: () => pad(d.getUTCFullYear() % 100, 2),
    MM: () => pad(d.getUTCMonth() + 1, 2),
    M: () => String(d.getUTCMonth() + 1),
    dd: () => pad(d.getUTCDate(), 2),
    d: () => String(d.getUTCDate()),
    HH: () => pad(d.getUTCHours(), 2),
    H: () => String(d.getUTCHours()),
    hh: () => pad(d.getUTCHours() % 12 || 12, 2),
    h: () => String(d.getUTCHours() % 12 || 12),
    mm: () => pad(d.getUTCMinutes(), 2),
    m: () => String(d.getUTCMinutes()),
    ss: () => pad(d.getUTCSeconds(), 2),
    s: () => String(d.getUTCSeconds()),
    tt: () => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
  };
  return format.replace(/yyyy|yy|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|tt|f{1,7}|F{1,7}/g, (token) => {
    if (/^[fF]/.test(token)) return pad(d.getUTCMilliseconds(), 3).padEnd(7, '0').slice(0, token.length);
    return parts[token]!();
  });
}

/** The scalar functions our rules and workbook use, with Kusto's documented behaviour. */
export const SCALAR_FUNCTIONS: Record<string, ScalarFunction> = {
  now: fn(0, 1, ([offset], now) => new KDateTime(now + (offset instanceof KTimespan ? offset.ms : 0))),
  ago: fn(1, 1, ([span], now) => (span instanceof KTimespan ? new KDateTime(now - span.ms) : null)),
  todatetime: fn(1, 1, ([value]) => asDateTime(value ?? null)),
  bin: fn(2, 2, ([value, size]) => {
    if (value === null || size === null || value === undefined || size === undefined) return null;
    if (value instanceof KDateTime && size instanceof KTimespan) return size.ms > 0 ? new KDateTime(Math.floor(value.ms / size.ms) * size.ms) : null;
    if (value instanceof KTimespan && size instanceof KTimespan) return size.ms > 0 ? new KTimespan(Math.floor(value.ms / size.ms) * size.ms) : null;
    if (typeof value === 'number' && typeof size === 'number') return size > 0 ? Math.floor(value / size) * size : null;
    return null;
  }),
  /** Half away from zero at the given decimal digits (negative: tens, hundreds), in decimal, not binary. */
  round: fn(1, 2, ([value, precision]) => {
    const digits = precision === undefined ? 0 : precision;
    if (typeof value !== 'number' || typeof digits !== 'number' || !Number.isFinite(value)) return null;
    const p = Math.trunc(digits);
    const shifted = Math.round(shiftDecimal(Math.abs(value), p));
    return Math.sign(value) * shiftDecimal(shifted, -p) || 0;
  }),
  floor: fn(2, 2, (args, now) => SCALAR_FUNCTIONS['bin']!.call(args, now)),
  datetime_diff: fn(3, 3, ([part, left, right]) => {
    const a = asDateTime(left ?? null);
    const b = asDateTime(right ?? null);
    return a && b && typeof part === 'string' ? datetimeDiff(part, a, b) : null;
  }),
  format_datetime: fn(2, 2, ([value, format]) => {
    const d = asDateTime(value ?? null);
    return d && typeof format === 'string' ? formatDateTimeWith(d, format) : '';
  }),
  tostring: fn(1, 1, ([value]) => toKustoString(value ?? null)),
  toint: fn(1, 1, ([value]) => toNumber(value ?? null, true)),
  tolong: fn(1, 1, ([value]) => toNumber(value ?? null, true)),
  toreal: fn(1, 1, ([value]) => toNumber(value ?? null, false)),
  todouble: fn(1, 1, ([value]) => toNumber(value ?? null, false)),
  tobool: fn(1, 1, ([value]) => {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') return value !== 0;
    if (typeof value === 'string') return /^(true|1)$/i.test(value.trim()) ? true : /^(false|0)$/i.test(value.trim()) ? false : null;
    return null;
  }),
  tolower: fn(1, 1, ([value]) => toKustoString(value ?? null).toLowerCase()),
  toupper: fn(1, 1, ([value]) => toKustoString(value ?? null).toUpperCase()),
  strlen: fn(1, 1, ([value]) => toKustoString(value ?? null).length),
  strcat: fn(1, 64, (args) => args.map(toKustoString).join('')),
  substring: fn(2, 3, ([source, start, length]) => {
    const text = toKustoString(source ?? null);
    const from = Math.max(0, typeof start === 'number' ? start : 0);
    return typeof length === 'number' ? text.substr(from, Math.max(0, length)) : text.substring(from);
  }),
  split: fn(2, 3, ([source, delimiter, index]) => {
    const parts = toKustoString(source ?? null).split(toKustoString(delimiter ?? null));
    if (typeof index === 'number') return index >= 0 && index < parts.length ? [parts[index]!] : [];
    return parts;
  }),
  replace_string: fn(3, 3, ([text, lookup, rewrite]) => {
    const source = toKustoString(text ?? null);
    const find = toKustoString(lookup ?? null);
    return find === '' ? source : source.split(find).join(toKustoString(rewrite ?? null));
  }),
  trim: fn(2, 2, ([pattern, source]) => {
    const re = toKustoString(pattern ?? null);
    return toKustoString(source ?? null).replace(kustoRegex(`^(?:${re})+|(?:${re})+$`, 'g'), '');
  }),
  trim_start: fn(2, 2, ([pattern, source]) => toKustoString(source ?? null).replace(kustoRegex(`^(?:${toKustoString(pattern ?? null)})+`), '')),
  trim_end: fn(2, 2, ([pattern, source]) => toKustoString(source ?? null).replace(kustoRegex(`(?:${toKustoString(pattern ?? null)})+$`), '')),
  indexof: fn(2, 2, ([source, lookup]) => toKustoString(source ?? null).indexOf(toKustoString(lookup ?? null))),
  parse_json: fn(1, 1, ([value]) => parseJsonValue(value ?? null)),
  todynamic: fn(1, 1, ([value]) => parseJsonValue(value ?? null)),
  bag_keys: fn(1, 1, ([value]) => (value !== undefined && isBag(value) ? Object.keys(value) : null)),
  array_length: fn(1, 1, ([value]) => asArray(value ?? null)?.length ?? null),
  pack_array: fn(0, 64, (args) => args),
  bag_pack: fn(2, 128, packBag),
  pack: fn(2, 128, packBag),
  array_concat: fn(1, 64, (args) => (args.every(Array.isArray) ? args.flat() : null)),
  set_has_element: fn(2, 2, ([set, value]) => {
    const array = asArray(set ?? null);
    return array ? array.some((item) => sameValue(item, value ?? null)) : null;
  }),
  set_difference: fn(2, 64, ([first, ...others]) => {
    const array = asArray(first ?? null);
    if (!array || !others.every(Array.isArray)) return null;
    const remove = new Set(flattenList(others).map(valueKey));
    return distinct(array).filter((item) => !remove.has(valueKey(item)));
  }),
  set_intersect: fn(2, 64, (args) => {
    if (!args.every(Array.isArray)) return null;
    const [first, ...others] = args as KValue[][];
    const keep = others.map((other) => new Set(other.map(valueKey)));
    return distinct(first!).filter((item) => keep.every((set) => set.has(valueKey(item))));
  }),
  set_union: fn(2, 64, (args) => (args.every(Array.isArray) ? distinct(args.flat()) : null)),
  strcat_array: fn(2, 2, ([array, delimiter]) => {
    const items = asArray(array ?? null);
    return items ? items.map(toKustoString).join(toKustoString(delimiter ?? null)) : '';
  }),
  isempty: fn(1, 1, ([value]) => isEmpty(value ?? null)),
  isnotempty: fn(1, 1, ([value]) => !isEmpty(value ?? null)),
  isnull: fn(1, 1, ([value]) => value === null),
  isnotnull: fn(1, 1, ([value]) => value !== null),
  not: fn(1, 1, ([value]) => (typeof value === 'boolean' ? !value : null)),
  iff: fn(3, 3, ([condition, then, otherwise]) => (condition === true ? then! : otherwise!)),
  iif: fn(3, 3, ([condition, then, otherwise]) => (condition === true ? then! : otherwise!)),
  case: fn(3, 129, (args) => {
    for (let i = 0; i + 1 < args.length; i += 2) if (args[i] === true) return args[i + 1]!;
    return args[args.length - 1]!;
  }),
  // coalesce: the first value that is not null, or for strings not empty.
  coalesce: fn(2, 64, (args) => args.find((value) => !isEmpty(value)) ?? args[args.length - 1] ?? null),
  max_of: fn(2, 64, (args) => args.reduce<KValue>((best, value) => (best === null || (compare(value, best) ?? 0) > 0 ? value : best), null)),
  min_of: fn(2, 64, (args) => args.reduce<KValue>((best, value) => (best === null || (compare(value, best) ?? 0) < 0 ? value : best), null)),
  datetime_add: fn(3, 3, ([part, amount, value]) => {
    const d = asDateTime(value ?? null);
    if (!d || typeof amount !== 'number' || typeof part !== 'string') return null;
    const unit: Record<string, number> = { day: DAY, hour: 3_600_000, minute: 60_000, second: 1000, millisecond: 1, week: 7 * DAY };
    const scale = unit[part.toLowerCase()];
    return scale === undefined ? null : new KDateTime(d.ms + amount * scale);
  }),
  ...CALENDAR_FUNCTIONS,
  ...IP_FUNCTIONS,
  ...TEXT_FUNCTIONS,
};
