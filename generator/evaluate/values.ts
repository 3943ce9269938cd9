/**
 * Kusto values as the evaluator holds them. Strings are never null in Kusto (a missing string is
 * ""), every other scalar type has a null. Dynamic values are JSON-like: arrays, property bags and
 * scalars. datetime and timespan get classes of their own so that they stay distinct from numbers.
 */
export class KDateTime {
  /** Milliseconds since the Unix epoch, UTC (Kusto keeps 100 ns ticks; rules never need them). */
  constructor(readonly ms: number) {}
  toJSON(): string {
    return formatDateTime(this);
  }
}

export class KTimespan {
  constructor(readonly ms: number) {}
  toJSON(): string {
    return formatTimespan(this);
  }
}

export interface KBag {
  [key: string]: KValue;
}
export type KValue = null | boolean | number | bigint | string | KDateTime | KTimespan | KValue[] | KBag;

export function isBag(value: KValue): value is KBag {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof KDateTime) && !(value instanceof KTimespan);
}

/** Sets a bag's own property, even for keys such as "__proto__" that plain assignment would not. */
export function setBagValue(bag: KBag, key: string, value: KValue): void {
  Object.defineProperty(bag, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Where treats null as false; so does every boolean operator's input. */
export function truthy(value: KValue): boolean {
  return value === true;
}

const MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1, microsecond: 0.001, tick: 0.0001 } as const;

/** `5m`, `365d`, `1.5h`, `100ms`, `10tick`, `2microseconds`: the forms of a Kusto timespan literal. */
export function parseTimespanLiteral(text: string): KTimespan | undefined {
  const match = /^(-?\d+(?:\.\d+)?)\s*(d|days?|h|hrs?|hours?|m|min|minutes?|s|sec|seconds?|ms|milli|millis|milliseconds?|microseconds?|micros?|ticks?)$/i.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  const scale = unit.startsWith('d')
    ? MS.d
    : unit.startsWith('h')
      ? MS.h
      : unit === 'ms' || unit.startsWith('milli')
        ? MS.ms
        : unit.startsWith('micro')
          ? MS.microsecond
          : unit.startsWith('tick')
            ? MS.tick
            : unit.startsWith('m')
              ? MS.m
              : MS.s;
  return new KTimespan(amount * scale);
}

/** [-][d.]hh:mm[:ss[.fffffff]]: the clock form of a timespan, as Kusto prints and reads it. */
export function parseClockTimespan(text: string): KTimespan | undefined {
  const match = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/.exec(text.trim());
  if (!match) return undefined;
  const [, minus, days = '0', hours, minutes, seconds = '0', fraction = ''] = match;
  const ms = ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + Number(`0.${fraction || '0'}`) * 1000;
  return new KTimespan(minus ? -ms : ms);
}

/**
 * Kusto accepts ISO 8601 and a few looser forms: here also the US form that logs and `parse`
 * meet (02/17/2016 08:40:01, with AM/PM or not). A datetime without a zone is UTC. Fractions
 * beyond milliseconds (exports carry 7 digits) are cut, not rounded. An impossible date (month
 * 13, February 30) is null, not rolled over.
 */
export function parseDateTime(text: string): KDateTime | null {
  const trimmed = text.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(trimmed);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = iso;
    const time = utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), fraction);
    if (time === null) return null;
    if (!zone || zone.toUpperCase() === 'Z') return new KDateTime(time);
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    return new KDateTime(time - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000);
  }
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(AM|PM)?)?$/i.exec(trimmed);
  if (!us) return null;
  const [, mo, d, y, h = '0', mi = '0', s = '0', fraction = '', half] = us;
  let hour = Number(h);
  if (half) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (half.toUpperCase() === 'PM' ? 12 : 0);
  }
  const time = utc(Number(y), Number(mo), Number(d), hour, Number(mi), Number(s), fraction);
  return time === null ? null : new KDateTime(time);
}

/** Milliseconds since the epoch of a UTC calendar time; null when a part is out of range. */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, fraction: string): number | null {
  const time = Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const date = new Date(time);
  const valid = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
  return valid ? time : null;
}

/** Kusto prints datetimes with seven fractional digits and a Z. */
export function formatDateTime(value: KDateTime): string {
  return new Date(value.ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** [-][d.]hh:mm:ss[.fffffff], as Kusto prints a timespan. */
export function formatTimespan(value: KTimespan): string {
  const sign = value.ms < 0 ? '-' : '';
  let rest = Math.abs(value.ms);
  const days = Math.floor(rest / MS.d);
  rest -= days * MS.d;
  const hours = Math.floor(rest / MS.h);
  rest -= hours * MS.h;
  const minutes = Math.floor(rest / MS.m);
  rest -= minutes * MS.m;
  const seconds = Math.floor(rest / MS.s);
  const fraction = Math.round((rest - seconds * MS.s) * 10_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${sign}${days > 0 ? `${days}.` : ''}${two(hours)}:${two(minutes)}:${two(seconds)}${fraction > 0 ? `.${String(fraction).padStart(7, '0')}` : ''}`;
}

/** tostring(): "" for null, JSON for arrays and bags, Kusto's own text for the rest. */
export function toKustoString(value: KValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof KDateTime) return formatDateTime(value);
  if (value instanceof KTimespan) return formatTimespan(value);
  return JSON.stringify(value);
}

/** The value as plain JSON: what a report or a test expectation holds. */
export function toJsonValue(value: KValue): unknown {
  return value === null || typeof value !== 'object' ? value : JSON.parse(JSON.stringify(value));
}

/** JSON from an export or a test case, as a Kusto dynamic value. */
export function fromJson(value: unknown): KValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(fromJson);
  if (value instanceof Date) return new KDateTime(value.getTime());
  if (typeof value === 'object') {
    const bag: KBag = {};
    for (const [key, inner] of Object.entries(value)) bag[key] = fromJson(inner);
    return bag;
  }
  return null;
}

/** parse_json()/todynamic(): a string holding JSON becomes that JSON; anything else stays. */
export function parseJsonValue(value: KValue): KValue {
  if (typeof value !== 'string') return value;
  try {
    return fromJson(JSON.parse(value));
  } catch {
    return value;
  }
}

/** Equality of two values as `==` sees them; null on both sides gives null. */
export function equals(left: KValue, right: KValue): boolean | null {
  if (left === null || right === null) return left === null && right === null ? null : false;
  return sameValue(left, right);
}

/** Identity of values for sets, `in`, distinct and grouping (case-sensitive for strings). */
export function sameValue(left: KValue, right: KValue): boolean {
  if (left === right) return true;
  if (left instanceof KDateTime || left instanceof KTimespan) return (right instanceof KDateTime || right instanceof KTimespan) && right.constructor === left.constructor && left.ms === right.ms;
  if (typeof left === 'object' && typeof right === 'object' && left !== null && right !== null) return JSON.stringify(left) === JSON.stringify(right);
  return false;
}

/** A string key for grouping and sets: two values share a key exactly when sameValue holds. */
export function valueKey(value: KValue): string {
  if (value === null) return 'n';
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'number') return `d${value}`;
  if (typeof value === 'boolean') return value ? 'bt' : 'bf';
  if (value instanceof KDateTime) return `t${value.ms}`;
  if (value instanceof KTimespan) return `p${value.ms}`;
  return `j${JSON.stringify(value)}`;
}

/** Ordering for <, >, sort and min/max; undefined when the values do not compare (null, mixed types). */
export function compare(left: KValue, right: KValue): number | undefined {
  if (left === null || right === null) return undefined;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (typeof left === 'boolean' && typeof right === 'boolean') return Number(left) - Number(right);
  if (left instanceof KDateTime && right instanceof KDateTime) return left.ms - right.ms;
  if (left instanceof KTimespan && right instanceof KTimespan) return left.ms - right.ms;
  return undefined;
}

function isTermCharacter(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127;
}

/**
 * `has`: the needle must stand as whole terms, case-insensitively. A term is a run of letters and
 * digits; a needle that begins (ends) with a term character must begin (end) on a term boundary.
 */
export function hasTerm(haystack: string, needle: string): boolean {
  if (needle.length === 0) return true;
  const text = haystack.toLowerCase();
  const term = needle.toLowerCase();
  const checkStart = isTermCharacter(term.charCodeAt(0));
  const checkEnd = isTermCharacter(term.charCodeAt(term.length - 1));
  for (let at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + 1)) {
    const startOk = !checkStart || at === 0 || !isTermCharacter(text.charCodeAt(at - 1));
    const end = at + term.length;
    const endOk = !checkEnd || end === text.length || !isTermCharacter(text.charCodeAt(end));
    if (startOk && endOk) return true;
  }
  return false;
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
