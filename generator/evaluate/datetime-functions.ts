import { asReal } from './arithmetic.js';
import { fn, asDateTime, type ScalarFunction } from './scalar-function.js';
import {
  calendarTicks,
  dateParts,
  dateTimeOrNull,
  isNumeric,
  KDateTime,
  KTimespan,
  TICKS_PER_DAY,
  TICKS_PER_HOUR,
  TICKS_PER_MINUTE,
  TICKS_PER_MS,
  TICKS_PER_SECOND,
  type KValue,
} from './values.js';

/**
 * Date and time functions as Kusto documents them: UTC throughout, 100-ns ticks, weeks start on
 * Sunday (week_of_year is ISO 8601), an end-of-period is the last tick of the period.
 */

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/** Whole periods of an offset argument: 0 when left out, undefined when it is not a number. */
function offsetOf(value: KValue | undefined): number | undefined {
  if (value === undefined) return 0;
  return isNumeric(value) && Number.isFinite(Number(value)) ? Math.trunc(Number(value)) : undefined;
}

const startOfDay = (ticks: bigint, offset: number) => floorDiv(ticks, TICKS_PER_DAY) * TICKS_PER_DAY + BigInt(offset) * TICKS_PER_DAY;
// 1970-01-01 was a Thursday: four days after a Sunday.
const daysSinceSunday = (ticks: bigint) => Number(((floorDiv(ticks, TICKS_PER_DAY) + 4n) % 7n + 7n) % 7n);
const startOfWeek = (ticks: bigint, offset: number) => startOfDay(ticks, 0) - BigInt(daysSinceSunday(ticks)) * TICKS_PER_DAY + BigInt(offset * 7) * TICKS_PER_DAY;

function monthStart(year: number, month: number): bigint | null {
  const y = year + Math.floor((month - 1) / 12);
  const m = ((((month - 1) % 12) + 12) % 12) + 1;
  return calendarTicks(y, m, 1);
}

const startOfMonth = (ticks: bigint, offset: number) => {
  const p = dateParts(KDateTime.of(ticks));
  return monthStart(p.year, p.month + offset);
};
const startOfYear = (ticks: bigint, offset: number) => calendarTicks(dateParts(KDateTime.of(ticks)).year + offset, 1, 1);

/** A function of (date [, offset]) that returns the start (or, `end`, the last tick) of a period. */
function period(start: (ticks: bigint, offset: number) => bigint | null, end: boolean): ScalarFunction {
  return fn(1, 2, ([value, offset]) => {
    const date = asDateTime(value);
    const periods = offsetOf(offset);
    if (!date || periods === undefined) return null;
    const ticks = start(date.ticks, end ? periods + 1 : periods);
    return ticks === null ? null : dateTimeOrNull(end ? ticks - 1n : ticks);
  });
}

/** A function of one date that returns a number computed from its calendar parts. */
function datePart(part: (p: ReturnType<typeof dateParts>, date: KDateTime) => number): ScalarFunction {
  return fn(1, 1, ([value]) => {
    const date = asDateTime(value);
    return date ? part(dateParts(date), date) : null;
  });
}

function dayOfYear(p: ReturnType<typeof dateParts>): number {
  return Number(floorDiv(calendarTicks(p.year, p.month, p.day)! - calendarTicks(p.year, 1, 1)!, TICKS_PER_DAY)) + 1;
}

/** ISO 8601 week number: week 1 holds the year's first Thursday. */
export function isoWeek(date: KDateTime): number {
  const p = dateParts(date);
  const weekday = (daysSinceSunday(date.ticks) + 6) % 7; // Monday 0 .. Sunday 6
  const thursday = calendarTicks(p.year, p.month, p.day)! + BigInt(3 - weekday) * TICKS_PER_DAY;
  const year = dateParts(KDateTime.of(thursday)).year;
  return Number(floorDiv(thursday - calendarTicks(year, 1, 1)!, TICKS_PER_DAY * 7n)) + 1;
}

/** datetime_add: months, quarters and years on the calendar (the day kept, or the month's last day). */
function addPeriod(part: string, amount: number, date: KDateTime): KDateTime | null {
  const unit: Record<string, bigint> = {
    week: 7n * TICKS_PER_DAY,
    day: TICKS_PER_DAY,
    hour: TICKS_PER_HOUR,
    minute: TICKS_PER_MINUTE,
    second: TICKS_PER_SECOND,
    millisecond: TICKS_PER_MS,
    microsecond: 10n,
    nanosecond: 0n,
  };
  const name = part.toLowerCase();
  if (name === 'nanosecond') return dateTimeOrNull(date.ticks + BigInt(Math.trunc(amount / 100)));
  const scale = unit[name];
  if (scale !== undefined) return dateTimeOrNull(date.ticks + BigInt(amount) * scale);
  const months = name === 'month' ? amount : name === 'quarter' ? amount * 3 : name === 'year' ? amount * 12 : undefined;
  if (months === undefined) return null;
  const p = dateParts(date);
  const first = monthStart(p.year, p.month + months);
  if (first === null) return null;
  const target = dateParts(KDateTime.of(first));
  const lastDay = new Date(Date.UTC(2000, target.month, 0)).getUTCDate();
  const daysInMonth = target.month === 2 ? (isLeap(target.year) ? 29 : 28) : lastDay;
  const day = Math.min(p.day, daysInMonth);
  const timeOfDay = date.ticks - startOfDay(date.ticks, 0);
  return dateTimeOrNull(first + BigInt(day - 1) * TICKS_PER_DAY + timeOfDay);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** datetime_diff counts the period boundaries crossed between the two times, as Kusto does. */
function datetimeDiff(part: string, left: KDateTime, right: KDateTime): KValue {
  const a = dateParts(left);
  const b = dateParts(right);
  const months = (p: ReturnType<typeof dateParts>) => p.year * 12 + p.month - 1;
  const boundaries = (size: bigint) => Number(floorDiv(left.ticks, size) - floorDiv(right.ticks, size));
  switch (part.toLowerCase()) {
    case 'year':
      return a.year - b.year;
    case 'quarter':
      return Math.floor(months(a) / 3) - Math.floor(months(b) / 3);
    case 'month':
      return months(a) - months(b);
    case 'week':
      return Number(floorDiv(floorDiv(left.ticks, TICKS_PER_DAY) + 4n, 7n) - floorDiv(floorDiv(right.ticks, TICKS_PER_DAY) + 4n, 7n));
    case 'day':
      return boundaries(TICKS_PER_DAY);
    case 'hour':
      return boundaries(TICKS_PER_HOUR);
    case 'minute':
      return boundaries(TICKS_PER_MINUTE);
    case 'second':
      return boundaries(TICKS_PER_SECOND);
    case 'millisecond':
      return boundaries(TICKS_PER_MS);
    case 'microsecond':
      return boundaries(10n);
    case 'nanosecond':
      return Number((left.ticks - right.ticks) * 100n);
    default:
      return null;
  }
}

function datetimePart(part: string, date: KDateTime): KValue {
  const p = dateParts(date);
  switch (part.toLowerCase()) {
    case 'year':
      return p.year;
    case 'quarter':
      return Math.floor((p.month - 1) / 3) + 1;
    case 'month':
      return p.month;
    case 'week_of_year':
    case 'weekofyear':
      return isoWeek(date);
    case 'day':
      return p.day;
    case 'dayofyear':
      return dayOfYear(p);
    case 'hour':
      return p.hour;
    case 'minute':
      return p.minute;
    case 'second':
      return p.second;
    case 'millisecond':
      return Number(p.fraction / TICKS_PER_MS);
    case 'microsecond':
      return Number(p.fraction / 10n);
    case 'nanosecond':
      return Number(p.fraction * 100n);
    default:
      return null;
  }
}

/** format_datetime with the .NET-style specifiers Kusto documents (format-datetime-function.md). */
export function formatDateTimeWith(value: KDateTime, format: string): string {
  const p = dateParts(value);
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const fraction = String(p.fraction).padStart(7, '0');
  return format.replace(/yyyy|yy|y|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|tt|f{1,7}|F{1,7}/g, (token) => {
    switch (token) {
      case 'yyyy':
        return pad(p.year, 4);
      case 'yy':
        return pad(p.year % 100, 2);
      case 'y':
        return String(p.year % 100);
      case 'MM':
        return pad(p.month, 2);
      case 'M':
        return String(p.month);
      case 'dd':
        return pad(p.day, 2);
      case 'd':
        return String(p.day);
      case 'HH':
        return pad(p.hour, 2);
      case 'H':
        return String(p.hour);
      case 'hh':
        return pad(p.hour % 12 || 12, 2);
      case 'h':
        return String(p.hour % 12 || 12);
      case 'mm':
        return pad(p.minute, 2);
      case 'm':
        return String(p.minute);
      case 'ss':
        return pad(p.second, 2);
      case 's':
        return String(p.second);
      case 'tt':
        return p.hour < 12 ? 'AM' : 'PM';
      default:
        if (token.startsWith('f')) return fraction.slice(0, token.length);
        return fraction.slice(0, token.length).replace(/0+$/, '');
    }
  });
}

/** format_timespan: d (days), hh/h and HH/H (hours), mm/m, ss/s, f and F fractions. */
function formatTimespanWith(value: KTimespan, format: string): string {
  const negative = value.ticks < 0n;
  let rest = negative ? -value.ticks : value.ticks;
  const days = rest / TICKS_PER_DAY;
  rest -= days * TICKS_PER_DAY;
  const hours = Number(rest / TICKS_PER_HOUR);
  rest -= BigInt(hours) * TICKS_PER_HOUR;
  const minutes = Number(rest / TICKS_PER_MINUTE);
  rest -= BigInt(minutes) * TICKS_PER_MINUTE;
  const seconds = Number(rest / TICKS_PER_SECOND);
  const fraction = String(rest - BigInt(seconds) * TICKS_PER_SECOND).padStart(7, '0');
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const out = format.replace(/d+|HH|H|hh|h|mm|m|ss|s|f{1,7}|F{1,7}/g, (token) => {
    if (token.startsWith('d')) return String(days).padStart(token.length, '0');
    switch (token) {
      case 'HH':
      case 'hh':
        return pad(hours, 2);
      case 'H':
      case 'h':
        return String(hours);
      case 'mm':
        return pad(minutes, 2);
      case 'm':
        return String(minutes);
      case 'ss':
        return pad(seconds, 2);
      case 's':
        return String(seconds);
      default:
        if (token.startsWith('f')) return fraction.slice(0, token.length);
        return fraction.slice(0, token.length).replace(/0+$/, '');
    }
  });
  return negative ? `-${out}` : out;
}

// ---- time zones (datetime_utc_to_local, datetime_local_to_utc), from the platform's IANA database

const zoneFormats = new Map<string, Intl.DateTimeFormat | null>();

function zoneFormat(zone: string): Intl.DateTimeFormat | null {
  if (!zoneFormats.has(zone)) {
    try {
      zoneFormats.set(zone, new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }));
    } catch {
      zoneFormats.set(zone, null);
    }
  }
  return zoneFormats.get(zone) ?? null;
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function zoneOffsetMs(format: Intl.DateTimeFormat, utcMs: number): number {
  const parts = Object.fromEntries(format.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts['year']), Number(parts['month']) - 1, Number(parts['day']), Number(parts['hour']), Number(parts['minute']), Number(parts['second']));
  return local - Math.floor(utcMs / 1000) * 1000;
}

function utcToLocal(date: KDateTime, zone: string): KDateTime | null {
  const format = zoneFormat(zone);
  if (!format) return null;
  return dateTimeOrNull(date.ticks + BigInt(zoneOffsetMs(format, date.ms)) * TICKS_PER_MS);
}

/**
 * The UTC time of a local time. Where the local time exists twice (clocks set back), the standard
 * time; where it does not exist (clocks set forward), the offset after the change, as the page's
 * Europe/Brussels example shows (02:00 on 2022-03-27 is 00:00 UTC).
 */
function localToUtc(date: KDateTime, zone: string): KDateTime | null {
  const format = zoneFormat(zone);
  if (!format) return null;
  const localMs = date.ms;
  const before = zoneOffsetMs(format, localMs - 86_400_000);
  const after = zoneOffsetMs(format, localMs + 86_400_000);
  const valid = [...new Set([before, after])].filter((offset) => zoneOffsetMs(format, localMs - offset) === offset);
  const offset = valid.length === 0 ? after : Math.min(...valid);
  return dateTimeOrNull(date.ticks - BigInt(offset) * TICKS_PER_MS);
}

function unixTime(scale: number): ScalarFunction {
  return fn(1, 1, ([value]) => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) return dateTimeOrNull((BigInt(value) * 10_000_000n) / BigInt(scale));
    const x = asReal(value);
    if (x === null || !Number.isFinite(x)) return null;
    return dateTimeOrNull(BigInt(Math.round((x * 10_000_000) / scale)));
  });
}

export const DATETIME_FUNCTIONS: Record<string, ScalarFunction> = {
  now: fn(0, 1, ([offset], _site, x) => dateTimeOrNull(x.now.ticks + (offset instanceof KTimespan ? offset.ticks : 0n))),
  ago: fn(1, 1, ([span], _site, x) => (span instanceof KTimespan ? dateTimeOrNull(x.now.ticks - span.ticks) : null)),
  startofday: period(startOfDay, false),
  startofweek: period(startOfWeek, false),
  startofmonth: period(startOfMonth, false),
  startofyear: period(startOfYear, false),
  endofday: period(startOfDay, true),
  endofweek: period(startOfWeek, true),
  endofmonth: period(startOfMonth, true),
  endofyear: period(startOfYear, true),
  /** The time since the preceding Sunday's midnight, in whole days: Monday is 1.00:00:00. */
  dayofweek: fn(1, 1, ([value]) => {
    const date = asDateTime(value);
    return date ? KTimespan.of(BigInt(daysSinceSunday(date.ticks)) * TICKS_PER_DAY) : null;
  }),
  dayofmonth: datePart((p) => p.day),
  dayofyear: datePart(dayOfYear),
  hourofday: datePart((p) => p.hour),
  getmonth: datePart((p) => p.month),
  monthofyear: datePart((p) => p.month),
  getyear: datePart((p) => p.year),
  week_of_year: datePart((_p, date) => isoWeek(date)),
  weekofyear: datePart((_p, date) => isoWeek(date)),
  datetime_add: fn(3, 3, ([part, amount, value]) => {
    const date = asDateTime(value);
    if (!date || !isNumeric(amount ?? null) || typeof part !== 'string') return null;
    return addPeriod(part, Math.trunc(Number(amount)), date);
  }),
  datetime_diff: fn(3, 3, ([part, left, right]) => {
    const a = asDateTime(left);
    const b = asDateTime(right);
    return a && b && typeof part === 'string' ? datetimeDiff(part, a, b) : null;
  }),
  datetime_part: fn(2, 2, ([part, value]) => {
    const date = asDateTime(value);
    return date && typeof part === 'string' ? datetimePart(part, date) : null;
  }),
  format_datetime: fn(2, 2, ([value, format]) => {
    const date = asDateTime(value);
    return date && typeof format === 'string' ? formatDateTimeWith(date, format) : '';
  }),
  format_timespan: fn(2, 2, ([value, format]) => (value instanceof KTimespan && typeof format === 'string' ? formatTimespanWith(value, format) : '')),
  make_datetime: fn(1, 7, (args) => {
    if (args.some((a) => !isNumeric(a))) return null;
    const [year, month = 1, day = 1, hour = 0, minute = 0, second = 0] = args.map((a) => Number(a));
    const whole = Math.floor(second);
    const fraction = BigInt(Math.round((second - whole) * 10_000_000));
    const ticks = calendarTicks(year!, month, day, hour, minute, whole, fraction);
    return ticks === null ? null : KDateTime.of(ticks);
  }),
  make_timespan: fn(2, 5, (args) => {
    if (args.some((a) => !isNumeric(a))) return null;
    const n = args.map(Number);
    const [days, hours, minutes, seconds] = n.length === 2 ? [0, n[0]!, n[1]!, 0] : n.length === 3 ? [0, n[0]!, n[1]!, n[2]!] : [n[0]!, n[1]!, n[2]!, n[3]!];
    return KTimespan.of(BigInt(days) * TICKS_PER_DAY + BigInt(hours) * TICKS_PER_HOUR + BigInt(minutes) * TICKS_PER_MINUTE + BigInt(Math.round(seconds * 10_000_000)));
  }),
  unixtime_seconds_todatetime: unixTime(1),
  unixtime_milliseconds_todatetime: unixTime(1000),
  unixtime_microseconds_todatetime: unixTime(1_000_000),
  unixtime_nanoseconds_todatetime: unixTime(1_000_000_000),
  datetime_utc_to_local: fn(2, 2, ([value, zone]) => {
    const date = asDateTime(value);
    return date && typeof zone === 'string' ? utcToLocal(date, zone) : null;
  }),
  datetime_local_to_utc: fn(2, 2, ([value, zone]) => {
    const date = asDateTime(value);
    return date && typeof zone === 'string' ? localToUtc(date, zone) : null;
  }),
  /** around(value, center, delta): center - delta <= value <= center + delta. */
  around: fn(3, 3, ([value, center, delta]) => {
    if (value === null || center === null || delta === null) return null;
    if (value instanceof KDateTime && center instanceof KDateTime && delta instanceof KTimespan) return value.ticks >= center.ticks - delta.ticks && value.ticks <= center.ticks + delta.ticks;
    const [v, c, d] = [asReal(value ?? null), asReal(center ?? null), asReal(delta ?? null)];
    return v === null || c === null || d === null ? null : v >= c - d && v <= c + d;
  }),
};
