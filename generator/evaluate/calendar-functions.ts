import { asDateTime, fn, type ScalarFunction } from './scalar-function.js';
import { KDateTime, KTimespan, parseClockTimespan, parseTimespanLiteral, type KValue } from './values.js';

/**
 * Calendar functions as Kusto documents them: UTC throughout, weeks start on Sunday, an optional
 * offset moves by whole periods. Times are held in milliseconds, so endofday() is the last
 * millisecond of the day where Kusto gives the last 100-ns tick.
 */
const DAY = 86_400_000;

/** The offset argument: whole periods, 0 when left out; undefined when it is not a number. */
function offsetOf(value: KValue | undefined): number | undefined {
  if (value === undefined) return 0;
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : undefined;
}

/** A function of (date [, offset]) that returns the start of a period. */
function periodStart(start: (date: Date, offset: number) => number): ScalarFunction {
  return fn(1, 2, ([value, offset]) => {
    const date = asDateTime(value);
    const periods = offsetOf(offset);
    return date && periods !== undefined ? new KDateTime(start(new Date(date.ms), periods)) : null;
  });
}

const startOfDay = (d: Date, offset: number) => Math.floor(d.getTime() / DAY) * DAY + offset * DAY;
// 1970-01-01 was a Thursday: four days after a Sunday.
const daysSinceSunday = (ms: number) => (((Math.floor(ms / DAY) + 4) % 7) + 7) % 7;
const startOfWeek = (d: Date, offset: number) => startOfDay(d, 0) - daysSinceSunday(d.getTime()) * DAY + offset * 7 * DAY;
const startOfMonth = (d: Date, offset: number) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1);
const startOfYear = (d: Date, offset: number) => Date.UTC(d.getUTCFullYear() + offset, 0, 1);

/** A function of one date that returns a number computed from it. */
function datePart(part: (date: Date) => number): ScalarFunction {
  return fn(1, 1, ([value]) => {
    const date = asDateTime(value);
    return date ? part(new Date(date.ms)) : null;
  });
}

export const CALENDAR_FUNCTIONS: Record<string, ScalarFunction> = {
  startofday: periodStart(startOfDay),
  startofweek: periodStart(startOfWeek),
  startofmonth: periodStart(startOfMonth),
  startofyear: periodStart(startOfYear),
  endofday: periodStart((d, offset) => startOfDay(d, offset + 1) - 1),
  endofweek: periodStart((d, offset) => startOfWeek(d, offset + 1) - 1),
  endofmonth: periodStart((d, offset) => startOfMonth(d, offset + 1) - 1),
  endofyear: periodStart((d, offset) => startOfYear(d, offset + 1) - 1),
  /** The time since the preceding Sunday's midnight, in whole days: Monday is 1.00:00:00. */
  dayofweek: fn(1, 1, ([value]) => {
    const date = asDateTime(value);
    return date ? new KTimespan(daysSinceSunday(date.ms) * DAY) : null;
  }),
  dayofmonth: datePart((d) => d.getUTCDate()),
  dayofyear: datePart((d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY) + 1),
  hourofday: datePart((d) => d.getUTCHours()),
  getmonth: datePart((d) => d.getUTCMonth() + 1),
  monthofyear: datePart((d) => d.getUTCMonth() + 1),
  getyear: datePart((d) => d.getUTCFullYear()),
  totimespan: fn(1, 1, ([value]) => {
    if (value instanceof KTimespan) return value;
    if (typeof value !== 'string') return null;
    return parseClockTimespan(value) ?? parseTimespanLiteral(value) ?? null;
  }),
};
