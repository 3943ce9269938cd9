import { KDateTime, parseDateTime, type KValue } from './values.js';

/** One scalar function of the evaluator, and the helpers every family of them uses. */
export interface ScalarFunction {
  minArgs: number;
  maxArgs: number;
  /** `now` is the evaluation's clock: ago() and now() read it, never the machine's. */
  call(args: KValue[], now: number): KValue;
}

export const fn = (minArgs: number, maxArgs: number, call: ScalarFunction['call']): ScalarFunction => ({ minArgs, maxArgs, call });

/** A datetime, or text Kusto reads as one; null for anything else. */
export function asDateTime(value: KValue | undefined): KDateTime | null {
  if (value instanceof KDateTime) return value;
  if (typeof value === 'string') return parseDateTime(value);
  return null;
}
