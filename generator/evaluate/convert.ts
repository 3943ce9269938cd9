import { parseJsonText } from './json-text.js';
import {
  isBag,
  KDateTime,
  KTimespan,
  longValue,
  parseClockTimespan,
  parseDateTime,
  parseTimespanLiteral,
  MIN_DATETIME_TICKS,
  toKustoString,
  type KValue,
} from './values.js';

/**
 * The to*() conversions (tolong, toreal, tobool, todatetime, ...): a value of another type, or
 * null when it does not convert. datetime and timespan convert to numbers as ticks (100 ns; a
 * datetime counts from 0001-01-01, as Kusto's ticks do).
 */

/** Ticks between 0001-01-01 and the Unix epoch. */
const EPOCH_TICKS = -MIN_DATETIME_TICKS;

const INTEGER_TEXT = /^[-+]?\d+$/;
const REAL_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export function toLong(value: KValue): number | bigint | null {
  if (value === null) return null;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    const t = Math.trunc(value);
    return Number.isSafeInteger(t) ? t || 0 : longValue(BigInt(t));
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof KDateTime) return longValue(value.ticks + EPOCH_TICKS);
  if (value instanceof KTimespan) return longValue(value.ticks);
  if (typeof value === 'string') {
    const text = value.trim();
    if (INTEGER_TEXT.test(text)) {
      const big = BigInt(text);
      return big > 9223372036854775807n || big < -9223372036854775808n ? null : longValue(big);
    }
    if (REAL_TEXT.test(text)) return toLong(Number(text));
    return null;
  }
  return null;
}

export function toInt(value: KValue): number | null {
  const long = toLong(value);
  return long === null ? null : Number(BigInt.asIntN(32, BigInt(long)));
}

export function toReal(value: KValue): number | null {
  if (value === null) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof KDateTime) return Number(value.ticks + EPOCH_TICKS);
  if (value instanceof KTimespan) return Number(value.ticks);
  if (typeof value === 'string') {
    const text = value.trim();
    if (REAL_TEXT.test(text)) return Number(text);
    if (/^nan$/i.test(text)) return Number.NaN;
    if (/^[+]?(inf|infinity)$/i.test(text)) return Number.POSITIVE_INFINITY;
    if (/^-(inf|infinity)$/i.test(text)) return Number.NEGATIVE_INFINITY;
    return null;
  }
  return null;
}

export function toBool(value: KValue): boolean | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isNaN(value) ? null : value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^(true|1)$/i.test(text)) return true;
    if (/^(false|0)$/i.test(text)) return false;
    return null;
  }
  return null;
}

export function toDateTime(value: KValue): KDateTime | null {
  if (value instanceof KDateTime) return value;
  if (typeof value === 'string') return parseDateTime(value);
  return null;
}

export function toTimespan(value: KValue): KTimespan | null {
  if (value instanceof KTimespan) return value;
  if (typeof value === 'string') return parseClockTimespan(value) ?? parseTimespanLiteral(value) ?? null;
  if (typeof value === 'number' && Number.isFinite(value)) return KTimespan.of(BigInt(Math.trunc(value)));
  if (typeof value === 'bigint') return KTimespan.of(value);
  return null;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID_DIGITS = /^[0-9a-f]{32}$/i;

/** A GUID in its canonical lower-case form: 8-4-4-4-12 hex digits, or 32 plain hex digits; null otherwise. */
export function toGuid(value: KValue): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (GUID.test(text)) return text.toLowerCase();
  if (GUID_DIGITS.test(text)) {
    const d = text.toLowerCase();
    return `${d.slice(0, 8)}-${d.slice(8, 12)}-${d.slice(12, 16)}-${d.slice(16, 20)}-${d.slice(20)}`;
  }
  return null;
}

/** parse_json()/todynamic(): a string holding JSON becomes that JSON; a dynamic value passes as it is. */
export function toDynamic(value: KValue, staticType: string): KValue {
  if (typeof value !== 'string' || staticType === 'dynamic') return value;
  const parsed = parseJsonText(value);
  return parsed === undefined ? value : parsed;
}

/** The value as one of Kusto's scalar types: the conversion to*() makes, by type name. */
export function convertTo(value: KValue, type: string): KValue {
  switch (type) {
    case 'string':
      return toKustoString(value);
    case 'long':
      return toLong(value);
    case 'int':
      return toInt(value);
    case 'real':
    case 'double':
    case 'decimal':
      return toReal(value);
    case 'bool':
    case 'boolean':
      return toBool(value);
    case 'datetime':
    case 'date':
      return toDateTime(value);
    case 'timespan':
    case 'time':
      return toTimespan(value);
    case 'guid':
      return toGuid(value);
    default:
      return value;
  }
}

/** `to typeof(T)` in mv-expand: a cast, not a parse; an element of another kind becomes null. */
export function castTo(value: KValue, type: string): KValue {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : value === null || Array.isArray(value) || isBag(value) ? (value === null ? '' : toKustoString(value)) : toKustoString(value);
    case 'long':
    case 'int':
      return typeof value === 'number' || typeof value === 'bigint' ? toLong(value) : typeof value === 'string' ? toLong(value) : null;
    case 'real':
    case 'double':
      return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' ? toReal(value) : null;
    case 'bool':
    case 'boolean':
      return typeof value === 'boolean' ? value : typeof value === 'string' ? toBool(value) : null;
    case 'datetime':
      return value instanceof KDateTime ? value : typeof value === 'string' ? parseDateTime(value) : null;
    case 'timespan':
      return value instanceof KTimespan ? value : typeof value === 'string' ? toTimespan(value) : null;
    case 'guid':
      return toGuid(value);
    default:
      return value;
  }
}
