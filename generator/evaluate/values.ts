import { EvaluationError } from './evaluation-error.js';
import { formatReal } from './number-format.js';

/**
 * Kusto values as the engine holds them. Strings are never null in Kusto (a missing string is ""),
 * every other scalar type has a null. A long is a JavaScript number while it is a safe integer
 * and a bigint beyond (Kusto's long is 64-bit); int and real are numbers. Dynamic values are
 * JSON-like: arrays, property bags and scalars. datetime and timespan count 100-ns ticks, as Kusto
 * does, in a bigint; they get classes of their own so that they stay distinct from numbers.
 */
export const TICKS_PER_MS = 10_000n;
export const TICKS_PER_SECOND = 10_000_000n;
export const TICKS_PER_MINUTE = 600_000_000n;
export const TICKS_PER_HOUR = 36_000_000_000n;
export const TICKS_PER_DAY = 864_000_000_000n;

/** Kusto's datetime range: 0001-01-01 to 9999-12-31 23:59:59.9999999, as ticks since the Unix epoch. */
export const MIN_DATETIME_TICKS = -621355968000000000n;
export const MAX_DATETIME_TICKS = 2534023007999999999n;

/** Milliseconds (floor) of a tick count. */
function floorMs(ticks: bigint): number {
  const q = ticks / TICKS_PER_MS;
  return Number(ticks < 0n && q * TICKS_PER_MS !== ticks ? q - 1n : q);
}

/** Ticks of a number of milliseconds; a fraction below a tick is cut. */
function msTicks(ms: number): bigint {
  if (Number.isInteger(ms)) return BigInt(ms) * TICKS_PER_MS;
  const whole = Math.floor(ms);
  return BigInt(whole) * TICKS_PER_MS + BigInt(Math.floor((ms - whole) * 10_000));
}

export class KDateTime {
  /** 100-ns ticks since 1970-01-01T00:00:00Z; made on first use for a datetime given in milliseconds. */
  private cachedTicks: bigint | undefined;
  /** `ms`, computed on first use: replay sorts and windows rows by it. */
  private cachedMs: number | undefined;
  /** From milliseconds since the epoch (what Date gives); `KDateTime.of(ticks)` from ticks. */
  constructor(ms: number) {
    this.cachedTicks = undefined;
    this.cachedMs = ms;
    if (!Number.isInteger(ms)) {
      this.cachedTicks = msTicks(ms);
      this.cachedMs = undefined;
    }
  }
  static of(ticks: bigint): KDateTime {
    const value = Object.create(KDateTime.prototype) as { cachedTicks: bigint | undefined; cachedMs: number | undefined };
    value.cachedTicks = ticks;
    value.cachedMs = undefined;
    return value as unknown as KDateTime;
  }
  get ticks(): bigint {
    return (this.cachedTicks ??= msTicks(this.cachedMs!));
  }
  /** Milliseconds since the epoch, rounded down (the precision of a Date). */
  get ms(): number {
    return (this.cachedMs ??= floorMs(this.cachedTicks!));
  }
  toJSON(): string {
    return formatDateTime(this);
  }
}

export class KTimespan {
  /** Length in 100-ns ticks, negative for a negative span. */
  readonly ticks: bigint;
  /** From milliseconds; `KTimespan.of(ticks)` from ticks. */
  constructor(ms: number) {
    this.ticks = msTicks(ms);
  }
  static of(ticks: bigint): KTimespan {
    const value = Object.create(KTimespan.prototype) as { ticks: bigint };
    value.ticks = ticks;
    return value as KTimespan;
  }
  get ms(): number {
    return floorMs(this.ticks);
  }
  toJSON(): string {
    return formatTimespan(this);
  }
}

/** A datetime inside Kusto's range, or null (Kusto's result for an overflow). */
export function dateTimeOrNull(ticks: bigint): KDateTime | null {
  return ticks < MIN_DATETIME_TICKS || ticks > MAX_DATETIME_TICKS ? null : KDateTime.of(ticks);
}

export interface KBag {
  [key: string]: KValue;
}
export type KValue = null | boolean | number | bigint | string | KDateTime | KTimespan | KValue[] | KBag;

export function isBag(value: KValue | undefined): value is KBag {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof KDateTime) && !(value instanceof KTimespan);
}

/** Sets a bag's own property, even for keys such as "__proto__" that plain assignment would not. */
export function setBagValue(bag: KBag, key: string, value: KValue): void {
  // Plain assignment makes an own property for every key but "__proto__", which it would treat as the prototype.
  if (key === '__proto__') Object.defineProperty(bag, key, { value, enumerable: true, writable: true, configurable: true });
  else bag[key] = value;
}

export function newBag(entries: Iterable<readonly [string, KValue]>): KBag {
  const bag: KBag = {};
  for (const [key, value] of entries) setBagValue(bag, key, value);
  return bag;
}

/** Where treats null as false; so does every boolean operator's input. */
export function truthy(value: KValue): boolean {
  return value === true;
}

/** A long as Kusto holds it: 64-bit two's complement; a number while it is a safe integer. */
export function longValue(value: bigint): number | bigint {
  const wrapped = BigInt.asIntN(64, value);
  return wrapped >= -9007199254740991n && wrapped <= 9007199254740991n ? Number(wrapped) : wrapped;
}

/** The number of a numeric value (a long beyond 2^53 rounded to the nearest double). */
export function toNumber(value: number | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

export function isNumeric(value: KValue): value is number | bigint {
  return typeof value === 'number' || typeof value === 'bigint';
}

// ---- timespans

const UNIT_TICKS: Record<string, bigint> = {
  d: TICKS_PER_DAY,
  h: TICKS_PER_HOUR,
  m: TICKS_PER_MINUTE,
  s: TICKS_PER_SECOND,
  ms: TICKS_PER_MS,
  microsecond: 10n,
  tick: 1n,
};

function unitTicks(unit: string): bigint | undefined {
  const u = unit.toLowerCase();
  if (/^(d|days?)$/.test(u)) return UNIT_TICKS['d'];
  if (/^(h|hrs?|hours?)$/.test(u)) return UNIT_TICKS['h'];
  if (/^(m|min|minutes?)$/.test(u)) return UNIT_TICKS['m'];
  if (/^(s|sec|seconds?)$/.test(u)) return UNIT_TICKS['s'];
  if (/^(ms|milli|millis|milliseconds?)$/.test(u)) return UNIT_TICKS['ms'];
  if (/^(microseconds?|micros?)$/.test(u)) return UNIT_TICKS['microsecond'];
  if (/^(ticks?)$/.test(u)) return UNIT_TICKS['tick'];
  return undefined;
}

/** Ticks of a decimal amount of a unit, exactly (1.5h, 0.1ms), rounded to the tick. */
function decimalTicks(amount: string, unit: bigint): bigint {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction = ''] = amount.replace(/^[-+]/, '').split('.');
  const scale = 10n ** BigInt(fraction.length);
  const numerator = (BigInt(whole || '0') * scale + BigInt(fraction || '0')) * unit;
  let ticks = numerator / scale;
  if ((numerator % scale) * 2n >= scale) ticks += 1n;
  return negative ? -ticks : ticks;
}

/** `5m`, `365d`, `1.5h`, `100ms`, `10tick`, `2microseconds`: the forms of a Kusto timespan literal. */
export function parseTimespanLiteral(text: string): KTimespan | undefined {
  const match = /^([-+]?\d+(?:\.\d+)?|[-+]?\.\d+)\s*([a-z]+)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = unitTicks(match[2]!);
  return unit === undefined ? undefined : KTimespan.of(decimalTicks(match[1]!, unit));
}

/** [-][d.]hh:mm[:ss[.fffffff]]: the clock form of a timespan, as Kusto prints and reads it. */
export function parseClockTimespan(text: string): KTimespan | undefined {
  const match = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(text.trim());
  if (!match) return undefined;
  const [, minus, days = '0', hours, minutes, seconds = '0', fraction = ''] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const ticks =
    BigInt(days) * TICKS_PER_DAY + BigInt(hours!) * TICKS_PER_HOUR + BigInt(minutes!) * TICKS_PER_MINUTE + BigInt(seconds) * TICKS_PER_SECOND + BigInt(fraction.padEnd(7, '0') || '0');
  return KTimespan.of(minus ? -ticks : ticks);
}

/** [-][d.]hh:mm:ss[.fffffff], as Kusto prints a timespan. */
export function formatTimespan(value: KTimespan): string {
  const negative = value.ticks < 0n;
  let rest = negative ? -value.ticks : value.ticks;
  const days = rest / TICKS_PER_DAY;
  rest -= days * TICKS_PER_DAY;
  const hours = rest / TICKS_PER_HOUR;
  rest -= hours * TICKS_PER_HOUR;
  const minutes = rest / TICKS_PER_MINUTE;
  rest -= minutes * TICKS_PER_MINUTE;
  const seconds = rest / TICKS_PER_SECOND;
  const fraction = rest - seconds * TICKS_PER_SECOND;
  const two = (n: bigint) => String(n).padStart(2, '0');
  return `${negative ? '-' : ''}${days > 0n ? `${days}.` : ''}${two(hours)}:${two(minutes)}:${two(seconds)}${fraction > 0n ? `.${String(fraction).padStart(7, '0')}` : ''}`;
}

// ---- datetimes

/** Ticks since the epoch of a UTC calendar time; null when a part is out of range (February 30). */
export function calendarTicks(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, fractionTicks = 0n): bigint | null {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  const ticks = BigInt(date.getTime()) * TICKS_PER_MS + fractionTicks;
  return ticks < MIN_DATETIME_TICKS || ticks > MAX_DATETIME_TICKS ? null : ticks;
}

/** Milliseconds since the epoch of a UTC calendar time (year 100 or later); null when a part is out of range. */
function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number | null {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const date = new Date(time);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || year > 9999) return null;
  return time;
}

/** The fraction of a second in ticks: up to seven digits count, further digits are cut. */
function fractionTicks(digits: string): bigint {
  return BigInt(digits.slice(0, 7).padEnd(7, '0') || '0');
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAY = '(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,\\s*)?';

/** A zone suffix as an offset in minutes east of UTC; undefined when it is not one Kusto reads. */
function zoneOffset(zone: string | undefined): number | undefined {
  if (!zone) return 0;
  const z = zone.trim().toUpperCase();
  if (z === '' || z === 'Z' || z === 'GMT' || z === 'UTC' || z === 'UT') return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(z);
  if (!numeric) return undefined;
  return (numeric[1] === '-' ? -1 : 1) * (Number(numeric[2]) * 60 + Number(numeric[3]));
}

function withZone(ticks: bigint | null, zone: string | undefined): KDateTime | null {
  const offset = zoneOffset(zone);
  if (ticks === null || offset === undefined) return null;
  return dateTimeOrNull(ticks - BigInt(offset) * TICKS_PER_MINUTE);
}

/** A two-digit year as .NET reads it (RFC 822/850): 00-49 is 20xx, 50-99 is 19xx. */
function fullYear(text: string): number {
  const year = Number(text);
  return text.length > 2 ? year : year < 50 ? 2000 + year : 1900 + year;
}

/**
 * The form exports and Date.toISOString() write, 2026-11-20T09:58:12Z or ...:12.431Z, read by
 * position (typing an export meets it millions of times): milliseconds, null for an impossible
 * date, undefined for any other form.
 */
function isoMilliseconds(t: string): number | null | undefined {
  const n = t.length;
  if ((n !== 20 && n !== 24) || t.charCodeAt(n - 1) !== 90 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(10) !== 84 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  if (n === 24 && t.charCodeAt(19) !== 46) return undefined;
  const digits = (from: number, count: number): number => {
    let value = 0;
    for (let i = from; i < from + count; i++) {
      const d = t.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
      value = value * 10 + d;
    }
    return value;
  };
  const year = digits(0, 4);
  const month = digits(5, 2);
  const day = digits(8, 2);
  const hour = digits(11, 2);
  const minute = digits(14, 2);
  const second = digits(17, 2);
  const ms = n === 24 ? digits(20, 3) : 0;
  if (year < 100 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || ms < 0) return undefined;
  return utcMs(year, month, day, hour, minute, second, ms);
}

/**
 * A datetime in one of the formats Kusto documents for datetime() literals and todatetime()
 * (scalar-data-types/datetime.md): ISO 8601, RFC 822, RFC 850 and the sortable form, plus the US
 * form (02/17/2016 08:40:01 [AM]) that parse meets in logs. A datetime without a zone is UTC;
 * fractions count to the 100-ns tick. The US form is month first, with / or - (12/31/2016, 01-01-2022). An impossible date (month 13, February 30) is null.
 */
export function parseDateTime(text: string): KDateTime | null {
  const fast = isoMilliseconds(text);
  if (fast !== undefined) return fast === null ? null : new KDateTime(fast);
  const trimmed = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2}|GMT|UTC)?$/i.exec(trimmed);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = iso;
    const year = Number(y);
    // The common case (exports: a UTC time after year 100, no digits below the millisecond) needs no bigint.
    if (zone === undefined || zone.toUpperCase() === 'Z') {
      if (year >= 100 && /^\d{0,3}0*$/.test(fraction)) {
        const ms = utcMs(year, Number(mo), Number(d), Number(h), Number(mi), Number(s), Number(fraction.slice(0, 3).padEnd(3, '0')));
        return ms === null ? null : new KDateTime(ms);
      }
    }
    return withZone(calendarTicks(year, Number(mo), Number(d), Number(h), Number(mi), Number(s), fractionTicks(fraction)), zone);
  }
  const rfc = new RegExp(`^${WEEKDAY}(\\d{1,2})[ -]([a-z]{3})[a-z]*[ -](\\d{2}|\\d{4})\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d+))?)?\\s*([a-z]{1,3}|[+-]\\d{2}:?\\d{2})?$`, 'i').exec(trimmed);
  if (rfc) {
    const [, d, monthName, y, h, mi, s = '0', fraction = '', zone] = rfc;
    const month = MONTHS.indexOf(monthName!.toLowerCase()) + 1;
    if (month === 0) return null;
    return withZone(calendarTicks(fullYear(y!), month, Number(d), Number(h), Number(mi), Number(s), fractionTicks(fraction)), zone);
  }
  const us = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(AM|PM)?)?$/i.exec(trimmed);
  if (!us) return null;
  const [, mo, , d, y, h = '0', mi = '0', s = '0', fraction = '', half] = us;
  let hour = Number(h);
  if (half) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (half.toUpperCase() === 'PM' ? 12 : 0);
  }
  const ticks = calendarTicks(Number(y), Number(mo), Number(d), hour, Number(mi), Number(s), fractionTicks(fraction));
  return ticks === null ? null : KDateTime.of(ticks);
}

/** The UTC calendar parts of a datetime (the year may be 1 to 9999). */
export function dateParts(value: KDateTime): { year: number; month: number; day: number; hour: number; minute: number; second: number; fraction: bigint; date: Date } {
  const ms = value.ms;
  const date = new Date(ms);
  const fraction = value.ticks - BigInt(Math.floor(ms / 1000)) * TICKS_PER_SECOND;
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    fraction,
    date,
  };
}

/** Kusto prints datetimes as ISO 8601 with seven fractional digits and a Z. */
export function formatDateTime(value: KDateTime): string {
  const p = dateParts(value);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}.${String(p.fraction).padStart(7, '0')}Z`;
}

// ---- text and JSON

/** tostring(): "" for null, JSON for arrays and bags, Kusto's own text for the rest. */
export function toKustoString(value: KValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatReal(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof KDateTime) return formatDateTime(value);
  if (value instanceof KTimespan) return formatTimespan(value);
  return dynamicJson(value);
}

/** A dynamic value as compact JSON text, as Kusto writes it (datetimes and timespans as strings). */
export function dynamicJson(value: KValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? formatReal(value) : JSON.stringify(String(value));
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof KDateTime) return JSON.stringify(formatDateTime(value));
  if (value instanceof KTimespan) return JSON.stringify(formatTimespan(value));
  if (Array.isArray(value)) return `[${value.map(dynamicJson).join(',')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}:${dynamicJson(v)}`)
    .join(',')}}`;
}

/** JSON from an export or a test case, as a Kusto dynamic value. */
export function fromJson(value: unknown): KValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return longValue(value);
  if (Array.isArray(value)) return value.map(fromJson);
  if (value instanceof Date) return new KDateTime(value.getTime());
  if (typeof value === 'object') {
    const bag: KBag = {};
    for (const [key, inner] of Object.entries(value)) setBagValue(bag, key, fromJson(inner));
    return bag;
  }
  return null;
}

// ---- comparison

/**
 * Equality as `==` sees it (null-values.md): two nulls give null, a null and a value false
 * (and `!=` true); strings are compared case-sensitively.
 */
export function equals(left: KValue, right: KValue): boolean | null {
  if (left === null || right === null) return left === null && right === null ? null : false;
  return sameValue(left, right);
}

/** Identity of values for sets, `in`, distinct and grouping (case-sensitive for strings). */
export function sameValue(left: KValue, right: KValue): boolean {
  if (left === right) return true;
  if (typeof left === 'number' && typeof right === 'bigint') return Number.isInteger(left) && BigInt(left) === right;
  if (typeof left === 'bigint' && typeof right === 'number') return Number.isInteger(right) && BigInt(right) === left;
  if (left instanceof KDateTime) return right instanceof KDateTime && left.ticks === right.ticks;
  if (left instanceof KTimespan) return right instanceof KTimespan && left.ticks === right.ticks;
  if (typeof left === 'object' && typeof right === 'object' && left !== null && right !== null) return valueKey(left) === valueKey(right);
  return false;
}

/** A string key for grouping and sets: two values share a key exactly when sameValue holds. */
export function valueKey(value: KValue): string {
  if (value === null) return 'n';
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) > Number.MAX_SAFE_INTEGER ? `d${BigInt(value)}` : `d${value}`;
  if (typeof value === 'bigint') return `d${value}`;
  if (typeof value === 'boolean') return value ? 'bt' : 'bf';
  if (value instanceof KDateTime) return `t${value.ticks}`;
  if (value instanceof KTimespan) return `p${value.ticks}`;
  return `j${dynamicJson(value)}`;
}

/** Ordering for <, >, sort and min/max; undefined when the values do not compare (null, mixed types). */
export function compare(left: KValue, right: KValue): number | undefined {
  if (left === null || right === null) return undefined;
  if (typeof left === 'number' && typeof right === 'number') return left < right ? -1 : left > right ? 1 : left === right ? 0 : Number.isNaN(left) ? (Number.isNaN(right) ? 0 : -1) : 1;
  if (isNumeric(left) && isNumeric(right)) return left < right ? -1 : left > right ? 1 : 0;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (typeof left === 'boolean' && typeof right === 'boolean') return Number(left) - Number(right);
  if (left instanceof KDateTime && right instanceof KDateTime) return left.ticks < right.ticks ? -1 : left.ticks > right.ticks ? 1 : 0;
  if (left instanceof KTimespan && right instanceof KTimespan) return left.ticks < right.ticks ? -1 : left.ticks > right.ticks ? 1 : 0;
  return undefined;
}

// ---- terms (has and friends)

const TERM_CHARACTER = /[\p{L}\p{N}]/u;

/** A character of a term: a letter or a digit of any script (datatypes-string-operators.md: "alphanumeric"). */
export function isTermCharacter(code: number): boolean {
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return TERM_CHARACTER.test(String.fromCharCode(code));
}

/**
 * Where the needle stands in the haystack as whole terms (prefix or suffix of a term for
 * hasprefix/hassuffix): a needle that begins (ends) with a term character must begin (end) on a
 * term boundary. Compared as given: callers lower both for the case-insensitive operators.
 */
export function findTerm(haystack: string, needle: string, mode: 'term' | 'prefix' | 'suffix'): boolean {
  if (needle.length === 0) return true;
  const checkStart = mode !== 'suffix' && isTermCharacter(needle.charCodeAt(0));
  const checkEnd = mode !== 'prefix' && isTermCharacter(needle.charCodeAt(needle.length - 1));
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const startOk = !checkStart || at === 0 || !isTermCharacter(haystack.charCodeAt(at - 1));
    const end = at + needle.length;
    const endOk = !checkEnd || end === haystack.length || !isTermCharacter(haystack.charCodeAt(end));
    if (startOk && endOk) return true;
  }
  return false;
}

/** `has`: the needle stands as whole terms, case-insensitively. */
export function hasTerm(haystack: string, needle: string): boolean {
  return findTerm(haystack.toLowerCase(), needle.toLowerCase(), 'term');
}

/** The elements an `in` list contributes: a dynamic array gives its elements, anything else itself. */
export function flattenList(values: readonly KValue[]): KValue[] {
  const out: KValue[] = [];
  for (const value of values) {
    if (Array.isArray(value)) out.push(...value);
    else out.push(value);
  }
  return out;
}

/** Marks the engine's own sketches (hll(), tdigest()): arrays whose contents must never reach a result. */
export const SKETCH = Symbol('breakglass.sketch');

/** gettype() of a dynamic value: the kind of the value inside. */
export function dynamicKind(value: KValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'long';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'real';
  if (value instanceof KDateTime) return 'datetime';
  if (value instanceof KTimespan) return 'timespan';
  if (Array.isArray(value)) return 'array';
  return isBag(value) ? 'dictionary' : 'unknown';
}


/**
 * One value as JSON: datetimes as ISO 8601 with seven fractional digits and Z, timespans as
 * Kusto prints them ([-][d.]hh:mm:ss[.fffffff]), dynamic as plain JSON, a long beyond 2^53 as its
 * exact decimal text, real NaN and infinities as "NaN", "Infinity" and "-Infinity" (Kusto's JSON).
 */
export function jsonValue(value: KValue): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof KDateTime) return formatDateTime(value);
  if (value instanceof KTimespan) return formatTimespan(value);
  if (Array.isArray(value)) {
    if (SKETCH in value) throw new EvaluationError(`a value of ${String((value as { [SKETCH]?: string })[SKETCH])}() cannot be shown: Kusto's format of it is not documented, and the offline engine keeps its own (use it with dcount_hll(), percentile_tdigest() and their kin)`, { code: 'unsupported' });
    return value.map(jsonValue);
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) Object.defineProperty(out, key, { value: jsonValue(inner), enumerable: true, writable: true, configurable: true });
  return out;
}

/** The value as plain JSON: what a report or a test expectation holds (see jsonValue). */
export const toJsonValue = jsonValue;
